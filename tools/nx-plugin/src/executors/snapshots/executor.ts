import path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { runSnapshotsCommand } from '@dailysync/commands';
import type { SnapshotsExecutorSchema } from './schema.js';

/** `nx run backup:snapshots`: the same code path as `dailysync snapshots`. */
export default async function snapshotsExecutor(options: SnapshotsExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const dest = path.isAbsolute(options.dest) ? options.dest : path.resolve(context.root, options.dest);
  const { exitCode } = await runSnapshotsCommand({ ...options, dest });
  return { success: exitCode === 0 };
}
