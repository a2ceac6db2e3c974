export * from './sync/sync-command.js';
export * from './sync/listr-view.js';
export * from './demo/demo-tree.js';
export { main } from './cli/main.js';
export { parseCli } from './cli/parse.js';
export * from './verify/verify-command.js';
export * from './plan/plan-command.js';
export * from './diagnose/diagnose-command.js';
