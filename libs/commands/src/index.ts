// The commands the `dailysync` CLI and the Nx executors share: one code path for both front ends.
export * from './command-error.js';
export * from './sync/sync-command.js';
export * from './sync/listr-view.js';
export * from './sync/diagnosis.js';
export * from './demo/demo-tree.js';
export * from './verify/verify-command.js';
export * from './plan/plan-command.js';
export * from './diagnose/diagnose-command.js';
export * from './reports/merge-reports.js';
export * from './reports/html-report.js';
export * from './config/load-config.js';
export * from './config/config-schema.js';
export * from './output/junit.js';
export * from './output/json-events.js';
export * from './snapshots/snapshots-command.js';
export * from './restore/restore-command.js';
