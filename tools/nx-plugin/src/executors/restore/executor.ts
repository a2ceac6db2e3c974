import type { ExecutorContext } from '@nx/devkit';
import { runRestoreCommand } from '@dailysync/commands';
import type { RestoreExecutorSchema } from './schema.js';

/** `nx run backup:restore`: the same code path as `dailysync restore` (relative paths against the workspace root). */
export default async function restoreExecutor(options: RestoreExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const { exitCode } = await runRestoreCommand(options, { cwd: context.root, handleSignals: true });
  return { success: exitCode === 0 };
}
