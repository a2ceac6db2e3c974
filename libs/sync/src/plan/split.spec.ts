import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, writeTree } from '../../test/helpers/tree.js';
import { MainThreadSlices } from '../location/local-disk.js';
import { estimateTree, LIST_WHOLE_UP_TO_BYTES, walkBudget, type DirEstimate } from './estimate.js';
import { scheduleMs } from './plan-backup.js';
import { splitProject } from './split.js';

/** A DirEstimate from a nested object: numbers are file counts directly in the folder. */
function tree(spec: { files?: number; dirs?: Record<string, Parameters<typeof tree>[0]> }): DirEstimate {
  const children = new Map<string, DirEstimate>();
  let files = spec.files ?? 0;
  for (const [name, sub] of Object.entries(spec.dirs ?? {})) {
    const child = tree(sub);
    children.set(name, child);
    files += 1 + child.files;
  }
  return { files, bytes: 0, complete: true, children };
}

const byFiles = (node: DirEstimate): number => node.files;

describe('splitProject', () => {
  test('a project under the threshold stays one task', () => {
    expect(splitProject('p', tree({ files: 5, dirs: { a: { files: 50 } } }), byFiles, { threshold: 100 })).toEqual([
      { id: 'p', project: 'p', kind: 'project', relPath: 'p', excludeTopLevelDirs: [], weight: 56 },
    ]);
  });

  test('large subdirectories get their own task, nested while still too large; each top pass excludes its split children', () => {
    const project = tree({ files: 2, dirs: { big: { files: 1, dirs: { x: { files: 40 }, y: { files: 40 }, tiny: { files: 1 } } }, mid: { files: 30 }, small: { files: 2 } } });
    const tasks = splitProject('p', project, byFiles, { threshold: 30 });
    expect(tasks.map((t) => [t.id, t.kind, t.excludeTopLevelDirs, t.weight])).toEqual([
      ['p', 'project-top', ['big', 'mid'], 7],
      ['p/big', 'subtree', ['x', 'y'], 5],
      ['p/big/x', 'subtree', [], 40],
      ['p/big/y', 'subtree', [], 40],
      ['p/mid', 'subtree', [], 30],
    ]);
    // The parts cover the project exactly once.
    expect(tasks.reduce((s, t) => s + t.weight, 0)).toBe(project.files);
  });

  test('subdirectories too small to be worth an rsync stay with the top pass', () => {
    const many: Record<string, { files: number }> = {};
    for (let i = 0; i < 100; i++) many[`d${i}`] = { files: 1 };
    const tasks = splitProject('p', tree({ dirs: many }), byFiles, { threshold: 50 });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.kind).toBe('project');
  });

  test('at most maxPartsPerDir subdirectories are split off one folder', () => {
    const many: Record<string, { files: number }> = {};
    for (let i = 0; i < 10; i++) many[`d${i}`] = { files: 20 };
    const tasks = splitProject('p', tree({ dirs: many }), byFiles, { threshold: 20, maxPartsPerDir: 4 });
    expect(tasks.map((t) => t.id)).toEqual(['p', 'p/d0', 'p/d1', 'p/d2', 'p/d3']);
    expect(tasks[0]?.excludeTopLevelDirs).toEqual(['d0', 'd1', 'd2', 'd3']);
  });
});

describe('scheduleMs', () => {
  test('longest first on free slots', () => {
    expect(scheduleMs([10, 6, 5, 4], 2)).toBe(14);
    expect(scheduleMs([10, 6, 5, 4], 1)).toBe(25);
    expect(scheduleMs([], 4)).toBe(0);
  });
});

// Both ways of reading: through the thread pool (a network share) and synchronously in slices (a local disk).
describe.each([
  ['through the thread pool', false],
  ['on the main thread', true],
])('estimateTree against a real folder, lookups %s', (_how, onLocalDisk) => {
  const localDisk = (): MainThreadSlices | undefined => (onLocalDisk ? new MainThreadSlices() : undefined);
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  test('counts entries and bytes per subdirectory down to the depth limit and folds deeper levels', async () => {
    await writeTree(dir, {
      'top.txt': 'x'.repeat(10),
      'a/one': 'x'.repeat(100),
      'a/deep/two': 'x'.repeat(1000),
      'a/deep/deeper/three': 'x'.repeat(5),
      'b\nodd*name/four': 'x'.repeat(7),
    });
    await fs.symlink('/etc', path.join(dir, 'a', 'link-to-etc'));
    const estimate = await estimateTree(dir, { maxDepth: 2, budget: walkBudget(1000, 10_000), localDisk: localDisk() });
    expect(estimate.complete).toBe(true);
    // Entries: top.txt, a, a/one, a/deep, a/deep/two, a/deep/deeper, a/deep/deeper/three, a/link-to-etc, b..., b.../four
    expect(estimate.files).toBe(10);
    const a = estimate.children.get('a') as DirEstimate;
    expect(a.files).toBe(6);
    const deep = a.children.get('deep') as DirEstimate;
    // Depth 2 is the last level with its own counts: `deeper` is folded into `deep`.
    expect(deep.children.size).toBe(0);
    expect(deep.files).toBe(3);
    expect(deep.bytes).toBe(1005);
    // The link is counted as a link (its own size), not followed.
    expect(a.bytes).toBe(1105 + '/etc'.length);
    expect(estimate.children.get('b\nodd*name')?.bytes).toBe(7);
    expect(estimate.bytes).toBe(10 + 1105 + 4 + 7);
  });

  test('counts every entry and byte of folders holding more files than one batch of lookups', async () => {
    // 150 files of 1..150 bytes beside a subfolder of 70: sizes are looked up 64 at a time.
    const files: Record<string, string> = {};
    for (let i = 1; i <= 150; i++) files[`f${i}`] = 'x'.repeat(i);
    for (let i = 1; i <= 70; i++) files[`sub/g${i}`] = 'y'.repeat(2 * i);
    await writeTree(dir, files);
    const estimate = await estimateTree(dir, { maxDepth: 1, budget: walkBudget(1000, 10_000), localDisk: localDisk() });
    expect(estimate).toMatchObject({ files: 150 + 1 + 70, bytes: (150 * 151) / 2 + 70 * 71, complete: true });
    expect(estimate.children.get('sub')).toMatchObject({ files: 70, bytes: 70 * 71, complete: true });
  });

  test('a folder too big to list in one call is read in chunks, every entry counted', async () => {
    // Long names make the folder's own size pass the limit with few entries (on ext4, where the tests' temporary folders are).
    const names = Array.from({ length: 1300 }, (_, i) => `${String(i).padStart(5, '0')}-${'n'.repeat(200)}`);
    await fs.mkdir(path.join(dir, 'big'));
    for (const n of names) await fs.writeFile(path.join(dir, 'big', n), 'x');
    expect((await fs.lstat(path.join(dir, 'big'))).size).toBeGreaterThan(LIST_WHOLE_UP_TO_BYTES);
    const estimate = await estimateTree(dir, { maxDepth: 1, budget: walkBudget(10_000, 10_000), localDisk: localDisk() });
    expect(estimate.children.get('big')).toMatchObject({ files: 1300, bytes: 1300, complete: true });
    expect(estimate.files).toBe(1301);
  });

  test('stops at the entry budget and says the counts are a lower bound', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`d/f${i}`] = 'x';
    await writeTree(dir, files);
    const budget = walkBudget(20, 10_000);
    const estimate = await estimateTree(dir, { maxDepth: 3, budget, localDisk: localDisk() });
    expect(estimate.complete).toBe(false);
    expect(estimate.files).toBe(20);
    expect(estimate.children.get('d')?.complete).toBe(false);
  });

  test('a folder whose name is not valid UTF-8 counts as one entry, its contents not, and says so', async () => {
    await writeTree(dir, { 'p/a': 'aa' });
    const odd = Buffer.concat([Buffer.from(path.join(dir, 'p/')), Buffer.from([0x6f, 0xff])]);
    await fs.mkdir(odd);
    await fs.writeFile(Buffer.concat([odd, Buffer.from('/inside')]), 'xyz');
    const estimate = await estimateTree(dir, { maxDepth: 2, budget: walkBudget(1000, 10_000), localDisk: localDisk() });
    expect(estimate.children.get('p')).toMatchObject({ files: 2, bytes: 2, complete: true, unreadNames: 1 });
    expect(estimate.unreadNames).toBe(1);
  });
});

// Shards plan alike whichever walk each makes (one shard's source on its own disk, another's
// through a mount): one folder at a time, both keep the same nodes and cut the budget at the same entry.
test('the walk on this machine\'s disks and the one-folder-at-a-time walk keep the same nodes and counts', async () => {
  const { dir, cleanup } = await makeTempDir();
  try {
    const files: Record<string, string> = {};
    for (const a of ['a', 'b', 'c']) for (const b of ['x', 'y']) for (const c of ['p', 'q']) files[`${a}/${b}/${c}/f`] = a + b + c;
    await writeTree(dir, files);
    // Names as the listing gives them, and kept nodes as a tree of names.
    const shape = (e: DirEstimate): unknown => ({ files: e.files, bytes: e.bytes, complete: e.complete, children: Object.fromEntries([...e.children].sort(([x], [y]) => (x < y ? -1 : 1)).map(([n, c]) => [n, shape(c)])) });
    for (const limits of [{ maxNodes: 4, entries: 1000 }, { maxNodes: 50_000, entries: 17 }, { maxNodes: 7, entries: 23 }]) {
      const walk = (localDisk: MainThreadSlices | undefined): Promise<DirEstimate> =>
        estimateTree(dir, { maxDepth: 2, maxNodes: limits.maxNodes, budget: walkBudget(limits.entries, 10_000), concurrentSubdirs: 1, localDisk });
      expect(shape(await walk(new MainThreadSlices()))).toEqual(shape(await walk(undefined)));
    }
  } finally {
    await cleanup();
  }
});
