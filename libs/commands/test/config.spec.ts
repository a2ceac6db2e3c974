import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { CONFIG_SCHEMA } from '../src/config/config-schema.js';
import { loadConfigFile, validateConfig } from '../src/config/load-config.js';
import { exists, makeTempDir, projectTree, treeDifferences, writeTree } from '../../sync/test/helpers/tree.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const BIN = path.join(ROOT, 'apps/backup/bin/dailysync.js');

const dailysync = (args: string[], cwd: string) => execa(process.execPath, [BIN, ...args], { reject: false, cwd });

describe('dailysync.config.json validation', () => {
  const bad: Array<[string, unknown, string]> = [
    ['concurrency not a number', { concurrency: 'x' }, 'dailysync.config.json: "concurrency" must be a whole number >= 1 and <= 256 or "auto" (got "x")'],
    ['concurrency zero', { concurrency: 0 }, 'dailysync.config.json: "concurrency" must be a whole number >= 1 and <= 256 or "auto" (got 0)'],
    ['delete as a string', { delete: 'yes' }, 'dailysync.config.json: "delete" must be true or false (got "yes")'],
    ['include not a list', { include: 'alpha' }, 'dailysync.config.json: "include" must be a list of strings (got "alpha")'],
    ['include with a number', { include: ['alpha', 3] }, 'dailysync.config.json: "include" must be a list of strings (got ["alpha",3])'],
    ['negative bwlimit', { bwlimit: -5 }, 'dailysync.config.json: "bwlimit" must be a whole number >= 0 (got -5)'],
    ['unknown output', { output: 'fancy' }, 'dailysync.config.json: "output" must be one of "auto", "tty", "plain" (got "fancy")'],
    ['empty source', { source: '' }, 'dailysync.config.json: "source" must be a non-empty string (got "")'],
    ['misspelt key', { concurency: 4 }, 'dailysync.config.json: unknown key "concurency": use one of source, dest, concurrency'],
    ['not an object', ['a'], 'dailysync.config.json: must be a JSON object'],
  ];
  test.each(bad)('%s: one line naming the field', (_name, data, message) => {
    expect(() => validateConfig('dailysync.config.json', data)).toThrow(message);
  });

  test('a valid config passes through unchanged (without $schema)', () => {
    const data = { $schema: './schema.json', source: '/a', dest: '/b', concurrency: 'auto', include: ['x*'], delete: true, bwlimit: 100 };
    expect(validateConfig('c.json', data)).toEqual({ source: '/a', dest: '/b', concurrency: 'auto', include: ['x*'], delete: true, bwlimit: 100 });
  });

  test('missing file and broken JSON name the file', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-config-');
    try {
      await expect(loadConfigFile('nope.json', dir)).rejects.toThrow('--config nope.json: no such file');
      await fs.writeFile(path.join(dir, 'broken.json'), '{"source": "/a",}');
      await expect(loadConfigFile('broken.json', dir)).rejects.toThrow(/^broken\.json: not valid JSON \(/);
    } finally {
      await cleanup();
    }
  });

  test('relative paths in the file are resolved against its folder', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-config-');
    try {
      await writeTree(dir, { 'etc/c.json': JSON.stringify({ source: '../prod', dest: '/abs/backup', report: 'r.json', junit: 'out/j.xml' }) });
      expect(await loadConfigFile('etc/c.json', dir)).toEqual({
        source: path.join(dir, 'prod'),
        dest: '/abs/backup',
        report: path.join(dir, 'etc/r.json'),
        junit: path.join(dir, 'etc/out/j.xml'),
      });
    } finally {
      await cleanup();
    }
  });

  test('docs/dailysync.config.schema.json is the schema the validator uses', async () => {
    const published = JSON.parse(await fs.readFile(path.join(ROOT, 'docs/dailysync.config.schema.json'), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
  });

  test('every config key is a sync executor option with the same constraints, and no executor declares a default', async () => {
    const executor = JSON.parse(await fs.readFile(path.join(ROOT, 'tools/nx-plugin/src/executors/sync/schema.json'), 'utf8'));
    for (const [key, node] of Object.entries(CONFIG_SCHEMA.properties)) {
      if (key === '$schema') continue;
      const { description: _a, default: _b, examples: _c, ...constraints } = node;
      const { description: _d, examples: _e, ...executorConstraints } = executor.properties[key];
      expect({ key, ...executorConstraints }).toEqual({ key, ...constraints });
      // Nx fills a declared default into every run, where it would beat the config file.
      expect(executor.properties[key]).not.toHaveProperty('default');
    }
  });

  test('every sync executor option but the executor-only ones can be set in a config file', async () => {
    const executor = JSON.parse(await fs.readFile(path.join(ROOT, 'tools/nx-plugin/src/executors/sync/schema.json'), 'utf8'));
    // `config` names the file itself; `json` switches the output stream of one invocation.
    const executorOnly = new Set(['config', 'json']);
    const missing = Object.keys(executor.properties).filter((k) => !executorOnly.has(k) && !(k in CONFIG_SCHEMA.properties));
    expect(missing).toEqual([]);
  });
});

describe('dailysync sync --config', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-config-run-'));
    await writeTree(path.join(dir, 'prod'), projectTree(['alpha', 'beta', 'gamma']));
  });
  afterEach(() => cleanup());

  test('runs from the file; a flag overrides the file', async () => {
    await writeTree(dir, {
      'dailysync.config.json': JSON.stringify({ source: 'prod', dest: 'backup', include: ['alpha'], concurrency: 2, report: 'report.json' }),
    });
    const first = await dailysync(['sync', '--config', 'dailysync.config.json'], dir);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const report = JSON.parse(await fs.readFile(path.join(dir, 'report.json'), 'utf8'));
    expect(report.concurrency).toBe(2);
    expect(report.projects.filter((p: { status: string }) => p.status === 'ok').map((p: { name: string }) => p.name)).toEqual(['alpha']);
    expect(await treeDifferences(path.join(dir, 'prod/alpha'), path.join(dir, 'backup/alpha'))).toEqual([]);
    expect(await exists(path.join(dir, 'backup/beta'))).toBe(false);

    const second = await dailysync(['sync', '--config', 'dailysync.config.json', '--include', 'beta', '--concurrency', '1'], dir);
    expect(second.exitCode).toBe(0);
    const report2 = JSON.parse(await fs.readFile(path.join(dir, 'report.json'), 'utf8'));
    expect(report2.concurrency).toBe(1);
    expect(report2.projects.filter((p: { status: string }) => p.status === 'ok').map((p: { name: string }) => p.name)).toEqual(['beta']);
    expect(await treeDifferences(path.join(dir, 'prod/beta'), path.join(dir, 'backup/beta'))).toEqual([]);
  });

  test('a bad field: one error line naming it, exit 2, nothing written', async () => {
    await writeTree(dir, { 'dailysync.config.json': JSON.stringify({ source: 'prod', dest: 'backup', concurrency: 'x' }) });
    const r = await dailysync(['sync', '--config', 'dailysync.config.json'], dir);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('dailysync: error: dailysync.config.json: "concurrency" must be a whole number >= 1 and <= 256 or "auto" (got "x")');
    expect(await exists(path.join(dir, 'backup'))).toBe(false);
  });
});
