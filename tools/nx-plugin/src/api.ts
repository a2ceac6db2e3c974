// The package API (`@dailysync/nx-plugin/api`): the generator and the executors as functions, and their option types, for
// workspaces that compose them in their own executors or generators (Nx itself loads them
// through executors.json and generators.json).
export { default as backupTargetGenerator, GeneratorOptionError } from './generators/backup-target/generator.js';
export type { BackupTargetGeneratorSchema } from './generators/backup-target/schema.js';
export { default as syncExecutor } from './executors/sync/executor.js';
export type { SyncExecutorSchema } from './executors/sync/schema.js';
export { default as planExecutor } from './executors/plan/executor.js';
export type { PlanExecutorSchema } from './executors/plan/schema.js';
export { default as verifyExecutor } from './executors/verify/executor.js';
export type { VerifyExecutorSchema } from './executors/verify/schema.js';
export { default as diagnoseExecutor } from './executors/diagnose/executor.js';
export type { DiagnoseExecutorSchema } from './executors/diagnose/schema.js';
export { default as historyExecutor } from './executors/history/executor.js';
export type { HistoryExecutorSchema } from './executors/history/schema.js';
