export * from './naming.js';
export * from './manifest.js';
export * from './layout.js';
export * from './retention.js';
export * from './prune.js';
export * from './publish.js';
export * from './run-snapshot.js';
export * from './restore-point.js';
