import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '@dailysync/sync';
import type { SyncCommandOptions } from '../sync/sync-command.js';
import { CONFIG_SCHEMA, type SchemaNode } from './config-schema.js';

/** What a config file may set: the sync options a scheduled run needs, never `config` itself. */
export type ConfigFileOptions = Pick<
  SyncCommandOptions,
  | 'source' | 'dest' | 'concurrency' | 'delete' | 'dryRun' | 'include' | 'exclude' | 'bwlimit' | 'hardLinks' | 'acls' | 'xattrs' | 'report' | 'junit' | 'output'
  | 'html' | 'listDeletions' | 'retries' | 'maxDelete' | 'maxShrink' | 'sourceMarker' | 'destMarker' | 'destFs'
  | 'sshPort' | 'sshIdentity' | 'sshKnownHosts' | 'sshHostKeyChecking' | 'timeout' | 'shard'
  | 'metricsFile' | 'notifyUrl' | 'logFile' | 'quiet'
>;

/** Keys whose values are paths; relative ones are taken relative to the config file's folder. */
const PATH_KEYS = ['source', 'dest', 'report', 'junit', 'html', 'listDeletions', 'metricsFile', 'logFile'] as const;

/** Describes what a schema node accepts, in words, e.g. `a whole number >= 1 or "auto"`. */
export function describeSchema(node: SchemaNode): string {
  if (node.oneOf) return node.oneOf.map(describeSchema).join(' or ');
  if (node.enum) return node.enum.length === 1 ? JSON.stringify(node.enum[0]) : `one of ${node.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  switch (node.type) {
    case 'string':
      if (node.pattern) return `a string matching ${node.pattern}`;
      return node.minLength ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'number':
    case 'integer': {
      const bounds = [node.minimum !== undefined ? `>= ${node.minimum}` : '', node.maximum !== undefined ? `<= ${node.maximum}` : ''].filter((s) => s !== '');
      return `${node.type === 'number' ? 'a number' : 'a whole number'}${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}`;
    }
    case 'array':
      return `a list of ${node.items ? describeSchema(node.items).replace(/^an? /, '') : 'value'}s`;
    default:
      return 'a value';
  }
}

export function matchesSchema(node: SchemaNode, value: unknown): boolean {
  if (node.oneOf) return node.oneOf.some((n) => matchesSchema(n, value));
  if (node.enum && !node.enum.includes(value)) return false;
  switch (node.type) {
    case 'string':
      return typeof value === 'string' && value.length >= (node.minLength ?? 0) && (node.pattern === undefined || new RegExp(node.pattern).test(value));
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
    case 'integer':
      return (
        typeof value === 'number' &&
        (node.type === 'number' ? Number.isFinite(value) : Number.isInteger(value)) &&
        (node.minimum === undefined || value >= node.minimum) &&
        (node.maximum === undefined || value <= node.maximum)
      );
    case 'array':
      return Array.isArray(value) && (node.items === undefined || value.every((v) => matchesSchema(node.items as SchemaNode, v)));
    default:
      return true;
  }
}

/**
 * Checks parsed config JSON against CONFIG_SCHEMA. Throws a one-line ConfigError naming the file,
 * the key, what it must be and what it got.
 */
export function validateConfig(label: string, data: unknown): ConfigFileOptions {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`${label}: must be a JSON object such as {"source": "/data/prod", "dest": "/data/prod_backup"} (got ${Array.isArray(data) ? 'a list' : JSON.stringify(data)})`);
  }
  const properties = CONFIG_SCHEMA.properties as Record<string, SchemaNode>;
  for (const [key, value] of Object.entries(data)) {
    const node = properties[key];
    if (node === undefined) {
      const keys = Object.keys(properties).filter((k) => k !== '$schema');
      throw new ConfigError(`${label}: unknown key "${key}": use one of ${keys.join(', ')}`);
    }
    if (!matchesSchema(node, value)) {
      throw new ConfigError(`${label}: "${key}" must be ${describeSchema(node)} (got ${JSON.stringify(value)})`);
    }
  }
  const { $schema: _ignored, ...options } = data as Record<string, unknown>;
  return options as ConfigFileOptions;
}

/** Reads, parses and validates a config file; relative paths in it are resolved against its folder. */
export async function loadConfigFile(file: string, cwd: string): Promise<ConfigFileOptions> {
  const absolute = path.resolve(cwd, file);
  const label = file;
  let text: string;
  try {
    text = await fs.readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : ((error as Error).message.split('\n')[0] ?? 'unreadable');
    throw new ConfigError(`--config ${label}: ${why}: give the path of a dailysync.config.json file`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${label}: not valid JSON (${(error as Error).message.split('\n')[0]}): fix the syntax, see docs/dailysync.config.schema.json`);
  }
  const options = validateConfig(label, data);
  const dir = path.dirname(absolute);
  for (const key of PATH_KEYS) {
    const value = options[key];
    // Remote locations (user@host:/path, rsync://...) are not file paths; leave them for the location parser.
    if (typeof value === 'string' && !/^[^/]*:/.test(value)) options[key] = path.resolve(dir, value);
  }
  return options;
}

/** Config values first, then every option the caller set explicitly (flags win). */
export function mergeConfig<T extends object>(config: Partial<T>, explicit: T): T {
  const merged: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(explicit)) if (value !== undefined) merged[key] = value;
  return merged as T;
}
