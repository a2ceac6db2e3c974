import { lstatSync, type BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import { runQueue } from '../engine/queue.js';

/**
 * Filesystems on this machine's own disks (or memory): a metadata call there takes microseconds,
 * and ctime comes from this machine's clock. NFS, SMB and FUSE are not among them: a NAS answers in
 * round trips, may hang, and stamps ctime with its own clock.
 */
const LOCAL_DISK_FILESYSTEMS = new Set([0xef53 /* ext2-4 */, 0x58465342 /* xfs */, 0x9123683e /* btrfs */, 0x2fc12fc1 /* zfs */, 0xf2f52010 /* f2fs */, 0x01021994 /* tmpfs */]);

/** Whether `dir` lies on one of LOCAL_DISK_FILESYSTEMS; false when it cannot be asked. */
export async function isOnLocalDisk(dir: string): Promise<boolean> {
  try {
    return LOCAL_DISK_FILESYSTEMS.has((await fs.statfs(dir)).type);
  } catch {
    return false;
  }
}

/** How long synchronous file-system calls may hold the main thread before the event loop gets a turn. */
export const SLICE_MS = 5;

/**
 * On a local disk a metadata call takes less time than handing it to Node's thread pool and back
 * (2,000 lookups on tmpfs: 0.3 s of the main thread through fs/promises, 0.06 s synchronously).
 * Callers there make synchronous calls and await `breathe()` between them: the event loop (the
 * live view, rsync's output, the signal handlers that write the report) still gets a turn every
 * SLICE_MS. Never for a network share: one hung call would stop the event loop.
 */
export class MainThreadSlices {
  private sliceStarted = performance.now();

  async breathe(): Promise<void> {
    if (performance.now() - this.sliceStarted < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.sliceStarted = performance.now();
  }
}

/** Looks a path up (lstat, nanosecond times); undefined when it cannot be (gone, a name that cannot be reached). */
export type Lookup = (file: string | Buffer) => BigIntStats | undefined | Promise<BigIntStats | undefined>;

/** Synchronously, for MainThreadSlices' callers. */
const lookUpHere: Lookup = (file) => {
  try {
    return lstatSync(file, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
};

const lookUpOnThread: Lookup = (file) => fs.lstat(file, { bigint: true }).catch(() => undefined);

/** Lookups in flight on a network share: each is a round trip there, and one after another they would add up. */
const CONCURRENT_LOOKUPS = 16;

/**
 * The items for which `test` (given a way to look paths up) is true, in the order given. On this
 * machine's disks (`localDisks`, see isOnLocalDisk) the tests run one after another on the main
 * thread in slices (MainThreadSlices); otherwise CONCURRENT_LOOKUPS at a time through the thread pool.
 */
export async function filterByLookups<T>(items: readonly T[], localDisks: boolean, test: (item: T, lookUp: Lookup) => Promise<boolean>): Promise<T[]> {
  const keep = new Array<boolean>(items.length).fill(false);
  if (localDisks) {
    const slices = new MainThreadSlices();
    for (const [i, item] of items.entries()) {
      keep[i] = await test(item, lookUpHere);
      await slices.breathe();
    }
  } else {
    await runQueue([...items.keys()], () => CONCURRENT_LOOKUPS, async (i) => {
      keep[i] = await test(items[i] as T, lookUpOnThread);
    });
  }
  return items.filter((_, i) => keep[i]);
}
