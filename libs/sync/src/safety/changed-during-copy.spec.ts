import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { makeTempDir, writeTree } from '../../test/helpers/tree.js';
import { CopyClock, ctimeFromThisClock, findChangedDuringCopy, UNTOUCHED_BEFORE_COPY_MS } from './changed-during-copy.js';

// Both ways of looking up: on the thread pool (network shares) and on the main thread (local disks).
describe.each([
  ['on the thread pool', false],
  ['on the main thread', true],
])('the changed-during-copy check on real files, lookups %s', (_how, localDisks) => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-changed-'));
    await writeTree(path.join(dir, 'src'), { 'same.txt': 'same\n', 'rewritten.txt': 'first\n', 'grown.txt': 'short\n' });
    await execa('rsync', ['-a', `${dir}/src/`, `${dir}/dst/`]);
    // Written after rsync copied them: what a writer during the copy leaves.
    await fs.appendFile(path.join(dir, 'src/grown.txt'), 'more\n');
    await execa('touch', ['-d', '2001-01-01', path.join(dir, 'src/rewritten.txt')]);
  });
  afterEach(() => cleanup());

  test('flags copied files whose source changed in size or time since the copy began', async () => {
    const changed = await findChangedDuringCopy(`${dir}/src`, `${dir}/dst`, ['same.txt', 'rewritten.txt', 'grown.txt'], Date.now() - 1000, localDisks);
    // A time set back to an old date still counts: the inode's ctime says it was touched.
    expect(changed).toEqual(['rewritten.txt', 'grown.txt']);
  });

  test('does not look at the backup copy of a file untouched since well before the copy began', async () => {
    // Seen from a copy that began a minute after the margin, every source file's ctime is old
    // enough: the differing copies are not even compared.
    const later = Date.now() + UNTOUCHED_BEFORE_COPY_MS + 60_000;
    expect(await findChangedDuringCopy(`${dir}/src`, `${dir}/dst`, ['same.txt', 'rewritten.txt', 'grown.txt'], later, localDisks)).toEqual([]);
    // Where ctimes come from another clock (a NAS), every copy is compared.
    expect(await findChangedDuringCopy(`${dir}/src`, `${dir}/dst`, ['same.txt', 'rewritten.txt', 'grown.txt'], undefined, localDisks)).toEqual(['rewritten.txt', 'grown.txt']);
    expect(await ctimeFromThisClock(dir)).toBe(true);
  });
});

test('many copied files on a local disk: every changed one found, in rsync\'s order, missing ones skipped', async () => {
  const { dir, cleanup } = await makeTempDir('dailysync-changed-many-');
  try {
    const names = Array.from({ length: 3000 }, (_, i) => `f${i}.txt`);
    await writeTree(path.join(dir, 'src'), Object.fromEntries(names.map((n) => [n, 'x'])));
    await execa('rsync', ['-a', `${dir}/src/`, `${dir}/dst/`]);
    const rewritten = names.filter((_, i) => i % 700 === 3);
    for (const n of rewritten) await fs.appendFile(path.join(dir, 'src', n), 'y');
    const found = await findChangedDuringCopy(`${dir}/src`, `${dir}/dst`, [...names, 'gone.txt'], Date.now() - 1000, true);
    expect(found).toEqual(rewritten);
  } finally {
    await cleanup();
  }
});

test('after a step of the wall clock during the copy, the ctime shortcut is off: every copied file is compared', () => {
  let wallMs = 1_800_000_000_000;
  let monotonicMs = 5_000;
  const clock = new CopyClock(() => ({ wallMs, monotonicMs }));
  expect(clock.startedAtMs).toBe(1_800_000_000_000);
  // Both clocks advance together (NTP slews both): the shortcut keeps the copy's start.
  wallMs += 60_000;
  monotonicMs += 60_000;
  expect(clock.untouchedReference()).toBe(1_800_000_000_000);
  // NTP steps a fast clock back by a minute (right after boot): a file written now would look older than the copy.
  wallMs -= 60_000;
  monotonicMs += 10;
  expect(clock.untouchedReference()).toBeUndefined();
  // Forward steps too: the wall clock no longer says when the copy began.
  const forward = new CopyClock(() => ({ wallMs, monotonicMs }));
  wallMs += 3_600_000;
  expect(forward.untouchedReference()).toBeUndefined();
});
