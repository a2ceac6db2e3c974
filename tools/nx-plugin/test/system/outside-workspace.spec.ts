import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../../../../libs/sync/test/helpers/tree.js';
import { childEnv, packWorkspace, tarballFiles } from './packages.js';

// A new user's path: the packed packages (as if from the registry) installed in a fresh Nx
// workspace with the pinned nx, nothing linked from this repository. CI runs it under Node 20 and 24.
const NX_VERSION = '24.0.6';
const DEVKIT_VERSION = '24.0.0';

describe('@dailysync/nx-plugin in a fresh Nx workspace, installed from packed tarballs', () => {
  test('npm install, nx g backup-target, nx show project, nx run site:sync', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-outside-');
    try {
      const tarballs = await packWorkspace(path.join(dir, 'packs'));
      expect(tarballs.map((t) => path.basename(t)).sort()).toEqual(['dailysync-backup-0.1.0.tgz', 'dailysync-commands-0.1.0.tgz', 'dailysync-metrics-0.1.0.tgz', 'dailysync-nx-plugin-0.1.0.tgz', 'dailysync-sync-0.1.0.tgz']);
      for (const tgz of tarballs) {
        const files = await tarballFiles(tgz);
        // Only compiled output and metadata: no TypeScript sources, specs or test helpers.
        expect(files.filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /spec|\/test\//.test(f))).toEqual([]);
        expect(files).toContain('package/package.json');
      }

      const ws = path.join(dir, 'ws');
      await writeTree(ws, {
        'package.json': JSON.stringify({ name: 'outside', version: '0.0.0', private: true }, null, 2),
        'nx.json': JSON.stringify({ analytics: false }, null, 2),
        'apps/site/project.json': JSON.stringify({ name: 'site', root: 'apps/site', targets: {} }, null, 2),
      });
      const plugin = tarballs.filter((t) => !path.basename(t).startsWith('dailysync-backup-'));
      const install = await execa('npm', ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', `nx@${NX_VERSION}`, `@nx/devkit@${DEVKIT_VERSION}`, ...plugin], { cwd: ws, env: childEnv(), reject: false });
      expect(install.stderr).not.toMatch(/ERR!/);
      expect(install.exitCode).toBe(0);
      expect((await fs.lstat(path.join(ws, 'node_modules'))).isSymbolicLink()).toBe(false);
      const installed = JSON.parse(await fs.readFile(path.join(ws, 'node_modules/@dailysync/nx-plugin/package.json'), 'utf8'));
      expect(installed.version).toBe('0.1.0');

      const nx = (args: string[]) => execa(process.execPath, [path.join(ws, 'node_modules/nx/dist/bin/nx.js'), ...args], { cwd: ws, env: childEnv(), reject: false });
      const source = path.join(dir, 'nas/prod');
      const dest = path.join(dir, 'nas/prod_backup');
      await writeTree(source, projectTree(['alpha', 'beta'], 3));

      const generated = await nx(['g', '@dailysync/nx-plugin:backup-target', 'site', `--source=${source}`, `--dest=${dest}`, '--concurrency=2', '--no-interactive']);
      expect(generated.stderr + generated.stdout).toContain('UPDATE apps/site/project.json');
      expect(generated.exitCode).toBe(0);
      // The generator no longer touches the workspace's .env: compiled executors need no loader setting.
      await expect(fs.access(path.join(ws, '.env'))).rejects.toThrow();

      const shown = await nx(['show', 'project', 'site', '--json']);
      expect(shown.exitCode).toBe(0);
      const targets = JSON.parse(shown.stdout).targets;
      expect(targets.sync.executor).toBe('@dailysync/nx-plugin:sync');
      expect(targets.plan.executor).toBe('@dailysync/nx-plugin:plan');

      const run = await nx(['run', 'site:sync', '--output=plain']);
      expect(run.stderr).not.toMatch(/SyntaxError|ERR_/);
      expect(run.exitCode).toBe(0);
      const report = JSON.parse(await fs.readFile(path.join(ws, 'dist/dailysync/site-sync-report.json'), 'utf8'));
      expect(report.ok).toBe(true);
      for (const project of ['alpha', 'beta']) expect(await treeDifferences(path.join(source, project), path.join(dest, project))).toEqual([]);
    } finally {
      await cleanup();
    }
  }, 900_000); // ~2.5 min on a quiet 2-core machine; 9.5 min seen under load average 50
});
