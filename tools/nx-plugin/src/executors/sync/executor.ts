import type { ExecutorContext } from '@nx/devkit';
import { runSyncCommand } from '@dailysync/commands/sync';
import type { SyncExecutorSchema } from './schema.js';

/**
 * `nx run backup:sync`: maps the options onto the same code path as `dailysync sync`. The schema
 * declares no defaults, so Nx passes exactly what the target and the command line set; the command
 * merges them over the config file and only then applies the defaults.
 */
export default async function syncExecutor(options: SyncExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const { exitCode } = await runSyncCommand(options, { workspaceRoot: context.root, cwd: context.root, handleSignals: true });
  return { success: exitCode === 0 };
}
