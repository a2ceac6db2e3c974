export * from './task.js';
export * from './plan.js';
