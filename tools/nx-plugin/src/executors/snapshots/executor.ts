import type { ExecutorContext } from '@nx/devkit';
import { runSnapshotsCommand } from '@dailysync/commands';
import type { SnapshotsExecutorSchema } from './schema.js';

/** `nx run backup:snapshots`: the same code path as `dailysync snapshots` (relative paths against the workspace root). */
export default async function snapshotsExecutor(options: SnapshotsExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const { exitCode } = await runSnapshotsCommand(options, { cwd: context.root });
  return { success: exitCode === 0 };
}
