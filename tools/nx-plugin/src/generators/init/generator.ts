import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { INFERRED_TARGETS, type DailysyncPluginOptions } from '../../plugin.js';
import type { InitGeneratorSchema } from './schema.js';

const PLUGIN = '@dailysync/nx-plugin';

/** A bad answer; one line naming the option and the fix. */
export class InitOptionError extends Error {
  override readonly name = 'InitOptionError';
}

function pluginOptions(options: InitGeneratorSchema): DailysyncPluginOptions {
  const chosen: DailysyncPluginOptions = {
    syncTargetName: options.syncTargetName ?? 'sync',
    planTargetName: options.planTargetName ?? 'plan',
    verifyTargetName: options.verifyTargetName ?? 'verify',
    diagnoseTargetName: options.diagnoseTargetName ?? 'diagnose',
  };
  for (const kind of INFERRED_TARGETS) {
    const key = `${kind}TargetName` as const;
    const name = chosen[key] ?? '';
    if (!/^[A-Za-z0-9][A-Za-z0-9:_-]*$/.test(name)) throw new InitOptionError(`--${key} "${name}" is not a target name: use letters, digits, ":", "-" and "_", e.g. --${key}=backup-${kind}`);
  }
  const names = Object.values(chosen);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new InitOptionError(`target name "${twice}" is given twice: give each of sync, plan, verify and diagnose its own name`);
  return chosen;
}

/**
 * `nx add @dailysync/nx-plugin` (or `nx g @dailysync/nx-plugin:init`): registers the plugin in
 * nx.json, so every project holding a dailysync.config.json gets sync/plan/verify/diagnose targets.
 * An existing registration is left as it is (its target names may be in use). Touches nothing else.
 */
export default async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<void> {
  const chosen = pluginOptions(options);
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN);
  if (registered) return;
  updateNxJson(tree, { ...nxJson, plugins: [...plugins, { plugin: PLUGIN, options: chosen }] });
}
