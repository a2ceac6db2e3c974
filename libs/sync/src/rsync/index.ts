export type * from './types.js';
export * from './progress-parser.js';
export * from './stats-parser.js';
export * from './exit-codes.js';
