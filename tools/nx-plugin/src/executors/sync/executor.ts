import { readFileSync } from 'node:fs';
import type { ExecutorContext } from '@nx/devkit';
import { runSyncCommand } from '@dailysync/commands';
import type { SyncExecutorSchema } from './schema.js';

const schema = JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8')) as { properties: Record<string, { default?: unknown }> };

/**
 * Nx fills every schema default before calling us, so a default would silently beat a value in the
 * config file. With `config`, values equal to the schema default are left to the config file.
 */
function withoutSchemaDefaults(options: SyncExecutorSchema): SyncExecutorSchema {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const property = schema.properties[key];
    if (property && 'default' in property && JSON.stringify(property.default) === JSON.stringify(value)) continue;
    kept[key] = value;
  }
  return kept as SyncExecutorSchema;
}

/** `nx run backup:sync`: maps the options onto the same code path as `dailysync sync`. */
export default async function syncExecutor(options: SyncExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const effective = options.config === undefined ? options : withoutSchemaDefaults(options);
  const { exitCode } = await runSyncCommand(effective, { workspaceRoot: context.root, cwd: context.root, handleSignals: true });
  return { success: exitCode === 0 };
}
