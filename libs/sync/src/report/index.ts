export * from './types.js';
export * from './build.js';
export * from './format.js';
export * from './write.js';
