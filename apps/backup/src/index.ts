export * from './sync/sync-command.js';
export * from './sync/listr-view.js';
export * from './demo/demo-tree.js';
export { main } from './cli/main.js';
export { parseCli } from './cli/parse.js';
