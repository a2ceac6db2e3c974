import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../../../../libs/sync/test/helpers/tree.js';
import { childEnv, packWorkspace, REPO_ROOT } from '../../../../tools/nx-plugin/test/system/packages.js';

// docs/scheduling.md's production install, as a backup host does it: scripts/install-production.sh
// into a fresh folder from the packed packages, runtime dependencies only, then a backup with the
// installed `dailysync` alone (run from another folder, no repository on its PATH).
const DEV_TOOLING = ['nx', '@nx', 'typescript', 'tsx', 'jest', '@swc', '@swc-node', '@types', 'esbuild'];

describe('production install (scripts/install-production.sh)', () => {
  test('installs dailysync without dev tooling and backs up a tree with it', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-prod-install-');
    try {
      const packs = path.join(dir, 'packs');
      await packWorkspace(packs);
      const prefix = path.join(dir, 'opt/dailysync');
      // rsync is already on a test machine (scripts/setup-dev.sh); the apt step is the script's own business.
      const install = await execa('bash', [path.join(REPO_ROOT, 'scripts/install-production.sh'), prefix, packs], { env: { ...childEnv(), DAILYSYNC_SKIP_APT: '1' }, reject: false });
      expect(install.stderr).not.toMatch(/ERR!/);
      expect(install.exitCode).toBe(0);
      expect(install.stdout).toMatch(/^dailysync 0\.1\.0 \(.*node_modules\/@dailysync\/backup\)$/m);
      expect(install.stdout).toMatch(/^ {2}@dailysync\/sync 0\.1\.0$/m);

      const top = await fs.readdir(path.join(prefix, 'node_modules'));
      expect(top.filter((name) => DEV_TOOLING.includes(name))).toEqual([]);
      const { stdout: du } = await execa('du', ['-sk', path.join(prefix, 'node_modules')]);
      const sizeMiB = Number(du.split('\t')[0]) / 1024;
      // A size guard (measured 4.8 MiB; the development workspace is ~190 MB), not a timing.
      expect(sizeMiB).toBeLessThan(20);
      process.stderr.write(`production install: ${sizeMiB.toFixed(1)} MiB in node_modules\n`);

      const source = path.join(dir, 'nas/prod');
      const dest = path.join(dir, 'nas/prod_backup');
      await writeTree(source, projectTree(['alpha', 'beta', 'gamma'], 3));
      const elsewhere = path.join(dir, 'cwd');
      await fs.mkdir(elsewhere);
      const bin = path.join(prefix, 'node_modules/.bin/dailysync');
      // Node's compile cache (Node 22.8 and later) goes to the user's cache folder, here a fresh one.
      const cacheHome = path.join(dir, 'cache-home');
      const run = await execa(bin, ['sync', '--source', source, '--dest', dest, '--concurrency', '2', '--plain', '--report', path.join(dir, 'report.json')], { cwd: elsewhere, env: { ...childEnv(), XDG_CACHE_HOME: cacheHome }, reject: false });
      // Nothing on stderr: no load error, and no message from what the command sets up in node (its V8 flags, the compile cache).
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(JSON.parse(await fs.readFile(path.join(dir, 'report.json'), 'utf8')).ok).toBe(true);
      for (const project of ['alpha', 'beta', 'gamma']) expect(await treeDifferences(path.join(source, project), path.join(dest, project))).toEqual([]);
      const hasCompileCache = typeof ((await import('node:module')).default as { enableCompileCache?: unknown }).enableCompileCache === 'function';
      const cached = await fs.readdir(path.join(cacheHome, 'dailysync/node-compile-cache')).catch(() => []);
      expect(cached.length > 0).toBe(hasCompileCache);
      // A HOME that does not exist (some cron and service users) is not created for the cache.
      const noHome = path.join(dir, 'no-such-home');
      const again = await execa(bin, ['--version'], { cwd: elsewhere, env: { ...childEnv(), HOME: noHome, XDG_CACHE_HOME: '' }, reject: false });
      expect([again.exitCode, again.stderr]).toEqual([0, '']);
      expect(await fs.stat(noHome).catch(() => 'absent')).toBe('absent');
    } finally {
      await cleanup();
    }
  }, 600_000);

  test('a missing packages folder is refused with one line naming the fix, nothing installed', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-prod-install-bad-');
    try {
      const prefix = path.join(dir, 'opt/dailysync');
      const r = await execa('bash', [path.join(REPO_ROOT, 'scripts/install-production.sh'), prefix, path.join(dir, 'nope')], { env: childEnv(), reject: false });
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('npm run pack:all');
      await expect(fs.access(prefix)).rejects.toThrow();
    } finally {
      await cleanup();
    }
  });
});
