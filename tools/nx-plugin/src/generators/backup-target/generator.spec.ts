import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addProjectConfiguration, readJson, readProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { execa } from 'execa';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../../../../../libs/sync/test/helpers/tree.js';
import backupTargetGenerator from './generator.js';
import { NX_TEST_ENV } from '../../../test/nx-env.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../../../..');
const executors = JSON.parse(await fs.readFile(path.join(ROOT, 'tools/nx-plugin/executors.json'), 'utf8')).executors as Record<string, { schema: string }>;
const optionNames = async (executor: string): Promise<string[]> =>
  Object.keys(JSON.parse(await fs.readFile(path.join(ROOT, 'tools/nx-plugin', executors[executor]?.schema ?? 'missing'), 'utf8')).properties);

describe('backup-target generator (devkit tree)', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    addProjectConfiguration(tree, 'site', { root: 'apps/site', targets: { build: { executor: 'nx:run-commands', options: { command: 'echo build' } } } });
  });

  test('adds sync, plan, verify and diagnose with the answered options, keeping existing targets', async () => {
    await backupTargetGenerator(tree, { project: 'site', source: '/data/prod/', dest: '/data/prod_backup', concurrency: 6, exclude: ['tmp*'] });
    const targets = readProjectConfiguration(tree, 'site').targets ?? {};
    expect(Object.keys(targets).sort()).toEqual(['build', 'diagnose', 'plan', 'sync', 'verify']);
    expect(targets['sync']).toEqual({
      executor: '@dailysync/nx-plugin:sync',
      cache: false,
      options: {
        source: '/data/prod',
        dest: '/data/prod_backup',
        concurrency: 6,
        exclude: ['tmp*'],
        report: 'dist/dailysync/site-sync-report.json',
        junit: 'dist/dailysync/site-sync-junit.xml',
      },
    });
    for (const kind of ['plan', 'verify', 'diagnose']) {
      const target = targets[kind];
      expect(target?.executor).toBe(`@dailysync/nx-plugin:${kind}`);
      expect(target?.cache).toBe(false);
      // Only options the executor declares, so Nx's schema validation accepts the target.
      const declared = await optionNames(kind);
      for (const key of Object.keys(target?.options ?? {})) expect(declared).toContain(key);
      expect(target?.options).toMatchObject({ source: '/data/prod', dest: '/data/prod_backup' });
    }
    expect(readJson(tree, 'apps/site/project.json').targets.build.options.command).toBe('echo build');
  });

  test("leaves the workspace's .env alone: the plugin ships compiled JavaScript, Nx needs no setting to load it", async () => {
    tree.write('.env', 'OTHER=1\n');
    await backupTargetGenerator(tree, { project: 'site', source: '/data/prod', dest: '/data/bk' });
    expect(tree.read('.env', 'utf-8')).toBe('OTHER=1\n');
  });

  test('--targets and --targetPrefix choose what is added', async () => {
    await backupTargetGenerator(tree, { project: 'site', source: '/data/prod', dest: '/mnt/nas/backup', targets: ['sync'], targetPrefix: 'backup-' });
    expect(Object.keys(readProjectConfiguration(tree, 'site').targets ?? {}).sort()).toEqual(['backup-sync', 'build']);
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['unknown project', { project: 'nope' }, /--project "nope" is not a project of this workspace/],
    ['relative source', { source: 'data/prod' }, /--source "data\/prod" is a relative path: give an absolute path/],
    ['host::module form', { dest: 'nas::backup' }, /uses the "host::module" form: write it as rsync:\/\/HOST\/MODULE\/path/],
    ['dest inside source on the same ssh host', { source: 'nas:/vol/prod', dest: 'backup@nas:/vol/prod/bk' }, /is inside --source/],
    ['diagnose with a remote side', { dest: 'rsync://nas/backup', targets: ['diagnose'] }, /--targets diagnose needs a local source and dest/],
    ['missing dest', { dest: '' }, /--dest is missing/],
    ['dest inside source', { dest: '/data/prod/backup' }, /is inside --source/],
    ['source inside dest', { dest: '/data' }, /is inside --dest/],
    ['bad concurrency', { concurrency: 0 }, /--concurrency "0" is not valid/],
    ['pattern with a slash', { include: ['a/b'] }, /--include "a\/b" is not a project name or pattern/],
    ['no targets', { targets: [] }, /--targets is empty/],
    ['unknown target', { targets: ['deploy'] }, /--targets "deploy" is not a dailysync target/],
    ['bad prefix', { targetPrefix: 'a b' }, /--targetPrefix "a b" may only contain/],
    ['existing target', { targetPrefix: '', targets: ['sync'], project: 'site-with-sync' }, /already has a target "sync": pass --force/],
  ];
  test.each(bad)('rejects %s with one line naming the option, and changes nothing', async (_name, override, message) => {
    addProjectConfiguration(tree, 'site-with-sync', { root: 'apps/site2', targets: { sync: { executor: 'nx:noop' } } });
    const before = tree.listChanges().map((c) => c.path);
    const answers = { project: 'site', source: '/data/prod', dest: '/data/prod_backup', ...override } as Parameters<typeof backupTargetGenerator>[1];
    await expect(backupTargetGenerator(tree, answers)).rejects.toThrow(message);
    expect(tree.listChanges().map((c) => c.path)).toEqual(before);
    expect(Object.keys(readProjectConfiguration(tree, 'site').targets ?? {})).toEqual(['build']);
  });

  test('takes every location form the engine takes, as written; diagnose is left out when a side is remote', async () => {
    await backupTargetGenerator(tree, { project: 'site', source: 'admin@nas.example.com:/volume1/prod/', dest: 'rsync://backup-nas:8873/backups/prod' });
    const targets = readProjectConfiguration(tree, 'site').targets ?? {};
    expect(Object.keys(targets).sort()).toEqual(['build', 'plan', 'sync', 'verify']);
    expect(targets['sync']?.options).toMatchObject({ source: 'admin@nas.example.com:/volume1/prod', dest: 'rsync://backup-nas:8873/backups/prod' });
    // Different hosts: the same path on each is no nesting.
    await backupTargetGenerator(tree, { project: 'site', source: 'nas:/data', dest: 'other:/data', targets: ['sync'], force: true });
    expect(readProjectConfiguration(tree, 'site').targets?.['sync']?.options).toMatchObject({ source: 'nas:/data', dest: 'other:/data' });
  });

  test('--force replaces an existing target', async () => {
    addProjectConfiguration(tree, 'site-with-sync', { root: 'apps/site2', targets: { sync: { executor: 'nx:noop' } } });
    await backupTargetGenerator(tree, { project: 'site-with-sync', source: '/data/prod', dest: '/data/bk', targets: ['sync'], force: true });
    expect(readProjectConfiguration(tree, 'site-with-sync').targets?.['sync']?.executor).toBe('@dailysync/nx-plugin:sync');
  });
});

describe('backup-target generator in a scratch workspace', () => {
  test('`nx g` adds the targets and `nx run site:sync` backs up with them', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-scratch-ws-');
    try {
      // A minimal Nx workspace that uses this repository's installed packages (plugin included).
      await writeTree(dir, {
        'package.json': JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
        'nx.json': JSON.stringify({ analytics: false }),
        'tsconfig.base.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', skipLibCheck: true } }),
        'apps/site/project.json': JSON.stringify({ name: 'site', root: 'apps/site', targets: {} }),
      });
      await fs.symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      const source = path.join(dir, 'nas/prod');
      const dest = path.join(dir, 'nas/prod_backup');
      await writeTree(source, projectTree(['alpha', 'beta'], 2));
      const nx = (args: string[]) => execa(path.join(dir, 'node_modules/.bin/nx'), args, { cwd: dir, reject: false, env: NX_TEST_ENV });

      const generated = await nx(['g', '@dailysync/nx-plugin:backup-target', 'site', `--source=${source}`, `--dest=${dest}`, '--targets=sync', '--concurrency=2', '--no-interactive']);
      expect(generated.stderr + generated.stdout).toContain('UPDATE apps/site/project.json');
      expect(generated.exitCode).toBe(0);
      const shown = await nx(['show', 'project', 'site', '--json']);
      expect(JSON.parse(shown.stdout).targets.sync.executor).toBe('@dailysync/nx-plugin:sync');

      const run = await nx(['run', 'site:sync', '--output=plain']);
      expect(run.exitCode).toBe(0);
      const report = JSON.parse(await fs.readFile(path.join(dir, 'dist/dailysync/site-sync-report.json'), 'utf8'));
      expect(report.ok).toBe(true);
      expect(report.concurrency).toBe(2);
      expect(await fs.readFile(path.join(dir, 'dist/dailysync/site-sync-junit.xml'), 'utf8')).toMatch(/<testcase name="alpha"/);
      for (const project of ['alpha', 'beta']) expect(await treeDifferences(path.join(source, project), path.join(dest, project))).toEqual([]);
    } finally {
      await cleanup();
    }
    // Three real nx processes: over a minute on a busy 2-core machine.
  }, 300_000);
});
