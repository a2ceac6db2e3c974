// `@dailysync/commands/options`: the option registry and what the CLI derives from it. Light on
// purpose (no engine, no execa/listr2): the CLI loads it for every invocation, --help included.
export * from './registry.js';
export * from './cli-table.js';
