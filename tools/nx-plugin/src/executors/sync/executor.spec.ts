import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorContext } from '@nx/devkit';
import { execa } from 'execa';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../../../../../libs/sync/test/helpers/tree.js';
import syncExecutor from './executor.js';
import { NX_TEST_ENV } from '../../../test/nx-env.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../../../..');
const BIN = path.join(ROOT, 'apps/backup/bin/dailysync.js');
const PROJECTS = ['alpha', 'beta', 'gamma', 'delta shoot 2026'];

/** Nx runs in the workspace without a daemon (no leftover processes) and without cloud calls. */
const nx = (args: string[]) => execa('npx', ['nx', ...args], { cwd: ROOT, reject: false, env: NX_TEST_ENV });

function context(): ExecutorContext {
  return { root: ROOT, cwd: ROOT, isVerbose: false, projectName: 'backup', targetName: 'sync' } as unknown as ExecutorContext;
}

interface ReportJson {
  ok: boolean;
  source: string;
  dest: string;
  projects: Array<{ name: string; status: string; filesTransferred: number; bytesTransferred: number }>;
}
const readReport = async (file: string): Promise<ReportJson> => JSON.parse(await fs.readFile(file, 'utf8'));
const perProject = (r: ReportJson) => Object.fromEntries(r.projects.map((p) => [p.name, { status: p.status, files: p.filesTransferred, bytes: p.bytesTransferred }]));

describe('sync executor', () => {
  let dir: string;
  let source: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-nx-sync-'));
    source = path.join(dir, 'prod');
    await writeTree(source, projectTree(PROJECTS, 4));
  });
  afterEach(() => cleanup());

  test('the executor and the CLI produce the same per-project result and identical backups', async () => {
    const viaExecutor = path.join(dir, 'backup-executor');
    const viaCli = path.join(dir, 'backup-cli');
    const result = await syncExecutor(
      { source, dest: viaExecutor, concurrency: 2, report: path.join(dir, 'executor.json'), output: 'plain' },
      context(),
    );
    expect(result).toEqual({ success: true });
    const cli = await execa(process.execPath, [BIN, 'sync', '--source', source, '--dest', viaCli, '--concurrency', '2', '--report', path.join(dir, 'cli.json')], { reject: false });
    expect(cli.exitCode).toBe(0);

    const fromExecutor = await readReport(path.join(dir, 'executor.json'));
    const fromCli = await readReport(path.join(dir, 'cli.json'));
    expect(perProject(fromExecutor)).toEqual(perProject(fromCli));
    expect(fromExecutor.projects.filter((p) => p.status === 'ok')).toHaveLength(PROJECTS.length + 1);
    for (const project of PROJECTS) {
      expect(perProject(fromExecutor)[project]?.files).toBe(4);
      expect(await treeDifferences(path.join(source, project), path.join(viaExecutor, project))).toEqual([]);
      expect(await treeDifferences(path.join(viaExecutor, project), path.join(viaCli, project))).toEqual([]);
    }
    await expect(fs.readFile(path.join(viaExecutor, 'root note.txt'), 'utf8')).resolves.toBe('lives in the root\n');
  });

  test('a bad option fails the executor and writes nothing', async () => {
    const dest = path.join(dir, 'backup');
    const result = await syncExecutor({ source: 'relative/prod', dest }, context());
    expect(result).toEqual({ success: false });
    await expect(fs.access(dest)).rejects.toThrow();
  });

  test('with a config file, what the target sets wins whatever its value; what it leaves unset comes from the file', async () => {
    const dest = path.join(dir, 'backup');
    await writeTree(dir, { 'dailysync.config.json': JSON.stringify({ source, dest, exclude: ['beta'], concurrency: 3, delete: true, report: 'r.json' }) });
    await writeTree(dest, { 'alpha/only-in-backup.txt': 'keep me\n' });
    // No schema defaults any more: Nx passes only what the target sets. delete: false is a user's choice.
    const result = await syncExecutor({ config: path.join(dir, 'dailysync.config.json'), delete: false, output: 'plain', include: ['alpha', 'beta', 'gamma'] }, context());
    expect(result).toEqual({ success: true });
    const report = await readReport(path.join(dir, 'r.json'));
    expect((report as unknown as { concurrency: unknown }).concurrency).toBe(3);
    expect(report.projects.filter((p) => p.status === 'ok').map((p) => p.name).sort()).toEqual(['alpha', 'gamma']);
    await expect(fs.readFile(path.join(dest, 'alpha/only-in-backup.txt'), 'utf8')).resolves.toBe('keep me\n');
  });
});

describe('sync through Nx', () => {
  test('`nx run backup:sync` backs up a tree and writes the report', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-nx-run-');
    try {
      const source = path.join(dir, 'prod');
      const dest = path.join(dir, 'prod_backup');
      const report = path.join(dir, 'report.json');
      await writeTree(source, projectTree(['alpha', 'beta'], 2));
      const r = await nx(['run', 'backup:sync', `--source=${source}`, `--dest=${dest}`, `--report=${report}`, '--concurrency=2']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(`Report written to ${report}`);
      const json = await readReport(report);
      expect(json.ok).toBe(true);
      expect(json.source).toBe(source);
      expect(perProject(json)).toMatchObject({ alpha: { status: 'ok', files: 2 }, beta: { status: 'ok', files: 2 } });
      for (const project of ['alpha', 'beta']) expect(await treeDifferences(path.join(source, project), path.join(dest, project))).toEqual([]);
    } finally {
      await cleanup();
    }
    // Nx builds the plugin first (dependsOn) when its cached build is stale: minutes on a busy machine.
  }, 300_000);

  test('`nx show project backup` lists the configured targets, each backup target backed by a real compiled executor', async () => {
    const r = await nx(['show', 'project', 'backup', '--json']);
    expect(r.exitCode).toBe(0);
    const shown = JSON.parse(r.stdout) as { targets: Record<string, { executor?: string }> };
    const configured = JSON.parse(await fs.readFile(path.join(ROOT, 'apps/backup/package.json'), 'utf8')).nx.targets as Record<string, unknown>;
    expect(Object.keys(shown.targets).sort()).toEqual(Object.keys(configured).sort());
    expect(shown.targets).toHaveProperty('sync');
    const executors = JSON.parse(await fs.readFile(path.join(ROOT, 'tools/nx-plugin/executors.json'), 'utf8')).executors as Record<string, { implementation: string; schema: string }>;
    // build, typecheck, test and test-system are the workspace's own run-commands targets.
    const backupTargets = Object.entries(shown.targets).filter(([, target]) => target.executor !== 'nx:run-commands');
    expect(backupTargets.map(([name]) => name).sort()).toEqual(['diagnose', 'plan', 'sync', 'verify']);
    for (const [name, target] of backupTargets) {
      const [plugin, executor] = (target.executor ?? '').split(':');
      expect([name, plugin]).toEqual([name, '@dailysync/nx-plugin']);
      const entry = executors[executor ?? ''];
      expect(entry).toBeDefined();
      await fs.access(path.join(ROOT, 'tools/nx-plugin', entry?.implementation ?? 'missing'));
      await fs.access(path.join(ROOT, 'tools/nx-plugin', entry?.schema ?? 'missing'));
    }
  });

  test('`nx run backup:sync --help` documents every option of the schema', async () => {
    const r = await nx(['run', 'backup:sync', '--help']);
    expect(r.exitCode).toBe(0);
    const schema = JSON.parse(await fs.readFile(path.join(HERE, 'schema.json'), 'utf8')) as { properties: Record<string, { description?: string }> };
    for (const [name, property] of Object.entries(schema.properties)) {
      expect(r.stdout).toContain(`--${name} `);
      expect(property.description).toMatch(/\S/);
    }
  });
});
