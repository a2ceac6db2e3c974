export * from './guards.js';
export * from './lock.js';
export * from './max-delete.js';
export * from './recover.js';
export * from './safe-run.js';
export * from './safety-options.js';
