import fs from 'node:fs/promises';

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
