export * from './task.js';
export * from './plan.js';
export * from './estimate.js';
export * from './split.js';
export * from './history.js';
export * from './plan-backup.js';
