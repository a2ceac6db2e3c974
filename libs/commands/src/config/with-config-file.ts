import { optionsOf, type CommandName } from '../options/registry.js';
import { loadConfigFile, mergeConfig } from './load-config.js';

/**
 * For plan, verify and diagnose: the values of `config` (a dailysync.config.json) that the command
 * takes, overridden by every option the caller set. Defaults are left to the command, so they
 * apply only to what neither the file nor the caller set.
 */
export async function withConfigFile<T extends { config?: string }>(command: CommandName, options: T, cwd: string): Promise<Omit<T, 'config'>> {
  const { config, ...explicit } = options;
  if (config === undefined) return explicit;
  const fromFile = (await loadConfigFile(config, cwd)) as Record<string, unknown>;
  const taken = new Set(optionsOf(command).filter((o) => o.config && (o.configFor ?? o.commands).includes(command)).map((o) => o.key));
  const relevant = Object.fromEntries(Object.entries(fromFile).filter(([key]) => taken.has(key)));
  return mergeConfig(relevant as Partial<Omit<T, 'config'>>, explicit as Omit<T, 'config'>);
}
