import type { ExecutorContext } from '@nx/devkit';
import { runPlanCommand } from '@dailysync/commands';
import type { PlanExecutorSchema } from './schema.js';

/** `nx run backup:plan`: the same code path as `dailysync plan`; reads only. */
export default async function planExecutor(options: PlanExecutorSchema, _context: ExecutorContext): Promise<{ success: boolean }> {
  const { exitCode } = await runPlanCommand(options);
  return { success: exitCode === 0 };
}
