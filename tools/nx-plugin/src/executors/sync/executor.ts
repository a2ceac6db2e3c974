import type { ExecutorContext } from '@nx/devkit';
import { runSyncCommand } from '@dailysync/backup';
import type { SyncExecutorSchema } from './schema.js';

/** `nx run backup:sync`: maps the options onto the same code path as `dailysync sync`. */
export default async function syncExecutor(options: SyncExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const { exitCode } = await runSyncCommand(options, { workspaceRoot: context.root, cwd: context.root, handleSignals: true });
  return { success: exitCode === 0 };
}
