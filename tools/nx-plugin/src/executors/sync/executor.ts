import type { ExecutorContext } from '@nx/devkit';
import { hello } from '@dailysync/sync';
export default async function syncExecutor(options: Record<string, unknown>, context: ExecutorContext): Promise<{ success: boolean }> {
  console.log(await hello(), JSON.stringify(options), context.projectName);
  return { success: true };
}
