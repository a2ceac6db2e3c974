import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { makeTempDir, treeDifferences, writeTree } from '../../../libs/sync/test/helpers/tree.js';

// The compiled command that package.json `bin` points at (npm test builds it first).
const PUBLISHED_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/bin/dailysync.cjs');
// What the build bundles for it (scripts/build-package.mjs --bundle): the entry and its chunks.
const BUNDLE_DIR = path.resolve(path.dirname(PUBLISHED_BIN), '../bundle');
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs a backup with the published command and returns the most threads its process had while it ran. */
async function peakThreads(dir: string, name: string, env: Record<string, string | undefined>): Promise<number> {
  const source = path.join(dir, 'prod');
  const dest = path.join(dir, name);
  // Slow enough (bandwidth limit) to look at the process while rsync copies.
  const run = execa(process.execPath, [PUBLISHED_BIN, 'sync', '--source', source, '--dest', dest, '--plain', '--bwlimit', '2048'], { reject: false, env });
  let peak = 0;
  while (run.exitCode === null) {
    const tasks = await fs.readdir(`/proc/${run.pid}/task`).catch(() => [] as string[]);
    peak = Math.max(peak, tasks.length);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const end = await run;
  expect(end.exitCode).toBe(0);
  expect(await treeDifferences(source, dest)).toEqual([]);
  return peak;
}

describe('the published dailysync command', () => {
  test('starts Node\'s thread pool with 16 threads (lookups on a NAS), unless UV_THREADPOOL_SIZE says otherwise', async () => {
    await fs.access(PUBLISHED_BIN).catch(() => {
      throw new Error(`${PUBLISHED_BIN} is missing: run npm run build (npm test does)`);
    });
    const { dir, cleanup } = await makeTempDir('dailysync-bin-');
    try {
      await writeTree(path.join(dir, 'prod'), { 'alpha/clip.bin': Buffer.alloc(3 * 1024 * 1024, 1), 'beta/notes': 'n' });
      const { UV_THREADPOOL_SIZE: _ignored, ...env } = process.env;
      const bigPool = await peakThreads(dir, 'default pool', env);
      const userPool = await peakThreads(dir, 'pool of 4', { ...env, UV_THREADPOOL_SIZE: '4' });
      // Main thread, V8's workers and the pool: 12 more threads with 16 than with 4 (the
      // sampling may miss a short-lived one).
      expect(bigPool - userPool).toBeGreaterThanOrEqual(10);
      expect(bigPool).toBeGreaterThanOrEqual(20);
    } finally {
      await cleanup();
    }
  });

  test('runs from its bundle: no @dailysync library file is loaded on its own, and plain output loads no live view', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-bundle-');
    try {
      await writeTree(path.join(dir, 'prod'), { 'alpha/clip.bin': 'a', 'beta/notes': 'n' });
      // NODE_DEBUG=esm names every module file Node's ES module loader stores as it loads it.
      const run = await execa(process.execPath, [PUBLISHED_BIN, 'sync', '--source', path.join(dir, 'prod'), '--dest', path.join(dir, 'backup'), '--plain'], {
        reject: false,
        env: { ...process.env, NODE_DEBUG: 'esm' },
      });
      expect(run.exitCode).toBe(0);
      const loaded = [...run.stderr.matchAll(/Storing (file:\/\/\S+)/g)].map((m) => fileURLToPath(m[1] as string));
      expect(loaded).toContain(path.join(BUNDLE_DIR, 'main.js'));
      const libraries = path.join(REPO_ROOT, 'libs') + path.sep;
      expect(loaded.filter((file) => file.startsWith(libraries) || file.includes(`${path.sep}node_modules${path.sep}@dailysync${path.sep}`))).toEqual([]);
      // The live view's chunk (and listr2 with it) is loaded only on a terminal.
      expect(loaded.filter((file) => file.includes(`${path.sep}node_modules${path.sep}listr2${path.sep}`))).toEqual([]);
      expect(await treeDifferences(path.join(dir, 'prod'), path.join(dir, 'backup'))).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  test('--version names the library versions built into the bundle, even where no library package can be found', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-bundle-version-');
    try {
      // The bundle alone, two levels below a package.json of its own, with no node_modules in reach.
      await fs.cp(BUNDLE_DIR, path.join(dir, 'app/dist/bundle'), { recursive: true });
      await fs.writeFile(path.join(dir, 'app/package.json'), JSON.stringify({ name: '@dailysync/backup', version: '9.9.9-copy' }));
      const entry = pathToFileURL(path.join(dir, 'app/dist/bundle/main.js')).href;
      const r = await execa(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(['--version']);`], { cwd: dir, reject: false });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/^dailysync 9\.9\.9-copy \(/);
      for (const lib of ['commands', 'sync', 'metrics']) {
        const { version } = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'libs', lib, 'package.json'), 'utf8')) as { version: string };
        expect(r.stdout).toContain(`  @dailysync/${lib} ${version}\n`);
      }
    } finally {
      await cleanup();
    }
  });
});
