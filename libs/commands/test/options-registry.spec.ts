import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchesSchema } from '../src/config/load-config.js';
import { commandHelp, CLI_COMMANDS, optionsFromFlags, parseArgsTable } from '../src/options/cli-table.js';
import { generatedFiles } from '../src/options/generated-files.js';
import { applyDefaults, COMMANDS, OPTIONS, optionsOf } from '../src/options/registry.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

describe('files generated from the option registry', () => {
  // Regenerated in memory and compared: after changing registry.ts, run `npm run generate:options`.
  const files = [...generatedFiles(read)];
  test.each(files.map(([file, content]) => [file, content]))('%s is up to date (else: npm run generate:options)', (file, content) => {
    expect(read(file)).toBe(content);
  });

  test('no executor schema declares a default (Nx would fill it in and beat the config file)', () => {
    for (const [file, content] of files) {
      if (!file.endsWith('/schema.json') || !file.startsWith('tools/')) continue;
      expect({ file, defaults: content.match(/"default"\s*:/g) ?? [] }).toEqual({ file, defaults: [] });
    }
  });
});

describe('option registry', () => {
  test('keys are unique, and each command has each CLI flag once', () => {
    expect(new Set(OPTIONS.map((o) => o.key)).size).toBe(OPTIONS.length);
    for (const command of COMMANDS) {
      const flags = optionsOf(command).flatMap((o) => (o.cli ? [o.cli.flag, ...(o.cli.short ? [o.cli.short] : [])] : []));
      expect({ command, duplicates: flags.filter((f, i) => flags.indexOf(f) !== i) }).toEqual({ command, duplicates: [] });
    }
  });

  test('every default is a value its own schema accepts', () => {
    for (const option of OPTIONS.filter((o) => o.default !== undefined)) {
      expect({ key: option.key, ok: matchesSchema(option.schema, option.default) }).toEqual({ key: option.key, ok: true });
    }
  });

  test('defaults fill only what is unset: a value equal to the default, or false, still wins', () => {
    expect(applyDefaults('sync', { delete: false, concurrency: 4 })).toMatchObject({ delete: false, concurrency: 4, hardLinks: true, retries: 2, output: 'auto' });
    expect(applyDefaults('sync', { delete: true })).toMatchObject({ delete: true });
    expect(applyDefaults('sync', {})).not.toHaveProperty('source');
  });

  test('flags map onto option keys; unset flags stay unset', () => {
    const values = { 'no-hard-links': true, plain: true, 'dry-run': true, bwlimit: '500', 'max-delete': '5%', include: ['a', 'b'] };
    expect(optionsFromFlags('sync', values)).toEqual({ hardLinks: false, output: 'plain', dryRun: true, bwlimit: 500, maxDelete: '5%', include: ['a', 'b'] });
    expect(() => optionsFromFlags('sync', { retries: 'two' })).toThrow('--retries "two" is not a whole number: give e.g. --retries=10000');
  });

  test.each(CLI_COMMANDS.map((c) => [c]))('`%s --help` lists exactly that command\'s flags', (command) => {
    const help = commandHelp(command).split('Options:')[1] ?? '';
    const own = Object.keys(parseArgsTable(command));
    for (const flag of own) expect(help).toContain(`--${flag}`);
    const others = OPTIONS.filter((o) => o.cli && !o.commands.includes(command)).map((o) => o.cli?.flag);
    for (const flag of others) expect(help).not.toMatch(new RegExp(`--${flag}\\b`));
  });
});
