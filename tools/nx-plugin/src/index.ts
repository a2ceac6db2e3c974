// The plugin entry Nx loads from nx.json's `plugins`: inferred targets only (kept light).
export { createNodes, createNodesV2, type DailysyncPluginOptions } from './plugin.js';
