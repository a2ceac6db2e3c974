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

  /** A turn for the event loop when this slice is used up; undefined (nothing to await) while it lasts. */
  breathe(): Promise<void> | undefined {
    if (performance.now() - this.sliceStarted < SLICE_MS) return undefined;
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.sliceStarted = performance.now();
    });
  }
}

/** A value now, or later: a lookup on a local disk answers at once, one through the thread pool later. */
export type Eventually<T> = T | Promise<T>;

/**
 * `f` of a value that may still be coming: at once when it is already here, so a loop of local
 * lookups runs without a promise and a microtask per lookup (a copy of the folder comparison over
 * 2,000 folders on tmpfs: 28-38 ms without them, 36-87 ms with them).
 */
export function when<T, R>(value: Eventually<T>, f: (value: T) => Eventually<R>): Eventually<R> {
  return isPending(value) ? value.then(f) : f(value);
}

/** A promise, told by its `then` (not instanceof: another realm, a test's VM context, has its own Promise). */
function isPending<T>(value: Eventually<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** `f` of two values that may still be coming; asked together, so two round trips overlap on a NAS. */
export function whenBoth<A, B, R>(a: Eventually<A>, b: Eventually<B>, f: (a: A, b: B) => R): Eventually<R> {
  if (!isPending(a) && !isPending(b)) return f(a, b);
  return Promise.all([a, b]).then(([x, y]) => f(x, y));
}

/** Looks a path up (lstat, nanosecond times); undefined when it cannot be (gone, a name that cannot be reached). */
export type Lookup = (file: string | Buffer) => Eventually<BigIntStats | undefined>;

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
 * thread in slices (MainThreadSlices), each at once when it only combines lookups with `when` and
 * `whenBoth`; otherwise CONCURRENT_LOOKUPS at a time through the thread pool.
 */
export async function filterByLookups<T>(items: readonly T[], localDisks: boolean, test: (item: T, lookUp: Lookup) => Eventually<boolean>): Promise<T[]> {
  const keep = new Array<boolean>(items.length).fill(false);
  if (localDisks) {
    const slices = new MainThreadSlices();
    for (let i = 0; i < items.length; i++) {
      const kept = test(items[i] as T, lookUpHere);
      keep[i] = isPending(kept) ? await kept : kept;
      const pause = slices.breathe();
      if (pause) await pause;
    }
  } else {
    await runQueue([...items.keys()], () => CONCURRENT_LOOKUPS, async (i) => {
      keep[i] = await test(items[i] as T, lookUpOnThread);
    });
  }
  return items.filter((_, i) => keep[i]);
}
