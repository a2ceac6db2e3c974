import type { ExecutorContext } from '@nx/devkit';
import { runDiagnoseCommand } from '@dailysync/commands/diagnose';
import type { DiagnoseExecutorSchema } from './schema.js';

/** `nx run backup:diagnose`: the same code path as `dailysync diagnose`; fails only on bad input or a failed probe. */
export default async function diagnoseExecutor(options: DiagnoseExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const { exitCode } = await runDiagnoseCommand(options, { cwd: context.root });
  return { success: exitCode === 0 };
}
