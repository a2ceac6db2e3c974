import path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { runVerifyCommand } from '@dailysync/commands/verify';
import type { VerifyExecutorSchema } from './schema.js';

/** `nx run backup:verify`: the same code path as `dailysync verify`; fails when anything is missing or different. */
export default async function verifyExecutor(options: VerifyExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  // Target options are written relative to the workspace (Nx turns {workspaceRoot} into '').
  const resolve = (p: string | undefined): string | undefined => (p === undefined || p === '' || path.isAbsolute(p) ? p : path.resolve(context.root, p));
  const { exitCode } = await runVerifyCommand({ ...options, source: resolve(options.source), dest: resolve(options.dest) }, { cwd: context.root });
  return { success: exitCode === 0 };
}
