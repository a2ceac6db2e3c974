// The plugin entry Nx loads from nx.json's `plugins`: inferred targets only (kept light).
export { createNodes, createNodesV2, type DailysyncPluginOptions } from './plugin.js';
// The executors and generators as functions, for workspaces that compose them: `@dailysync/nx-plugin/api`.
