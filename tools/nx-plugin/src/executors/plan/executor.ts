import type { ExecutorContext } from '@nx/devkit';
import { runPlanCommand } from '@dailysync/commands/plan';
import type { PlanExecutorSchema } from './schema.js';

/** `nx run backup:plan`: the same code path as `dailysync plan`; reads only. */
export default async function planExecutor(options: PlanExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const { exitCode } = await runPlanCommand(options, { cwd: context.root });
  return { success: exitCode === 0 };
}
