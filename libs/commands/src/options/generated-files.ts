// Renders every file generated from the option registry. Pure: it returns the files' contents and
// never touches the disk; scripts/generate-options.ts writes them and a test compares them.
import { buildConfigSchema } from '../config/config-schema.js';
import { defaultLabel } from './cli-table.js';
import { COMMAND_SUMMARIES, helpOf, optionsOf, OPTIONS, type CommandName, type OptionSpec, type SchemaNode } from './registry.js';

/** The Nx executors whose schema.json and schema.d.ts come from the registry. */
export const EXECUTORS = ['sync', 'plan', 'verify', 'diagnose', 'snapshots', 'restore', 'history'] as const satisfies readonly CommandName[];

const executorDir = (command: CommandName): string => `tools/nx-plugin/src/executors/${command}`;

function executorProperty(option: OptionSpec, command: CommandName): Record<string, unknown> {
  const fallback = defaultLabel(option);
  return {
    ...option.schema,
    // The default is only described, never declared: Nx would fill a declared default into every
    // run, and it would then beat the value of a config file (issue 10, finding 10).
    description: `${helpOf(option, command)}${fallback === undefined ? '' : ` Default: ${fallback}.`}`,
    ...(option.examples ? { examples: option.examples } : {}),
  };
}

export function executorSchema(command: CommandName): Record<string, unknown> {
  const options = optionsOf(command).filter((o) => !o.cliOnly);
  return {
    $schema: 'https://json-schema.org/schema',
    version: 2,
    title: `dailysync ${command} executor`,
    description: COMMAND_SUMMARIES[command].summary,
    type: 'object',
    properties: Object.fromEntries(options.map((o) => [o.key, executorProperty(o, command)])),
    additionalProperties: false,
    required: options.filter((o) => o.requiredFor?.includes(command)).map((o) => o.key),
  };
}

function tsType(node: SchemaNode): string {
  if (node.oneOf) return node.oneOf.map(tsType).join(' | ');
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (node.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `${node.items ? tsType(node.items) : 'unknown'}[]`;
    default:
      return 'unknown';
  }
}

const pascal = (command: string): string => command.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());

export function executorSchemaDts(command: CommandName): string {
  const lines = [
    '// Generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit.',
    `/** Options of the \`${command}\` executor. */`,
    `export interface ${pascal(command)}ExecutorSchema {`,
  ];
  for (const option of optionsOf(command)) {
    if (option.cliOnly) continue;
    const required = option.requiredFor?.includes(command) ?? false;
    lines.push(`  /** ${helpOf(option, command).replace(/\*\//g, '*\\/')} */`, `  ${option.key}${required ? '' : '?'}: ${tsType(option.schema)};`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The README's options table: every CLI or Nx option with the commands that take it. */
export function readmeOptionsTable(): string {
  const rows = ['| option (CLI / Nx, config file) | commands | default | meaning |', '| --- | --- | --- | --- |'];
  for (const option of OPTIONS) {
    const commands = option.commands.filter((c) => c !== 'history');
    if (commands.length === 0) continue;
    const flag = option.cli ? `\`--${option.cli.flag}${option.cli.arg ? ` ${option.cli.arg}` : ''}\`` : '';
    const nx = option.cliOnly ? '' : option.cli && 'sets' in option.cli ? `\`${option.key}: ${JSON.stringify(option.cli.sets)}\`` : `\`${option.key}\``;
    const name = [flag, nx].filter((s) => s !== '').join(' / ') + (option.config ? '' : option.cliOnly ? '' : ' (not in config)');
    rows.push(`| ${cell(name)} | ${commands.join(', ')} | ${cell(defaultLabel(option) ?? 'none')} | ${cell(option.help)} |`);
  }
  return rows.join('\n');
}

export const README_START = '<!-- options:start: generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit -->';
export const README_END = '<!-- options:end -->';

/** The README with its marked options block replaced by the current table. */
export function readmeWithOptions(readme: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} ... ${README_END} block: add the two marker lines where the options table belongs`);
  return `${readme.slice(0, start + README_START.length)}\n${readmeOptionsTable()}\n${readme.slice(end)}`;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Every generated file, by path relative to the workspace root. `read` gives the current text of
 * a file that is only partly generated (README.md).
 */
export function generatedFiles(read: (relativePath: string) => string): Map<string, string> {
  const files = new Map<string, string>();
  for (const command of EXECUTORS) {
    files.set(`${executorDir(command)}/schema.json`, json(executorSchema(command)));
    files.set(`${executorDir(command)}/schema.d.ts`, executorSchemaDts(command));
  }
  files.set('docs/dailysync.config.schema.json', json(buildConfigSchema()));
  files.set('README.md', readmeWithOptions(read('README.md')));
  return files;
}
