import fs from 'node:fs/promises';
import path from 'node:path';
import { runQueue } from '../engine/queue.js';

const CONCURRENT_LOOKUPS = 16;

/** How many copied files one attempt remembers for the check; beyond that the rest go unchecked. */
export const CHANGED_CHECK_LIMIT = 20000;

/** Collects the regular files rsync reports as copied during one attempt (bounded). */
export class CopiedFiles {
  readonly paths: string[] = [];
  overflow = false;

  add(relPath: string, itemize: string): void {
    // `>f` received file, `cf` created locally; only file content can be torn by a concurrent writer.
    if (!/^[>c]f/.test(itemize)) return;
    if (this.paths.length < CHANGED_CHECK_LIMIT) this.paths.push(relPath);
    else this.overflow = true;
  }
}

/**
 * A source file whose inode last changed (ctime: any write, and any change of its times, sets it;
 * nobody can set it back) this long before the copy began was not written while rsync read it.
 * Generous, because ctime comes from the file server's clock, which may differ from this machine's.
 */
export const UNTOUCHED_BEFORE_COPY_MS = 60 * 60 * 1000;

/**
 * Filesystems whose ctimes come from this machine's clock (local disks, tmpfs): only there is the
 * ctime rule safe. A NAS stamps ctime with its own clock, which may lag by hours (a clock set to
 * local time as if it were UTC), and some SMB servers report the write time as ctime.
 */
const THIS_CLOCK_FILESYSTEMS = new Set([0xef53 /* ext2-4 */, 0x58465342 /* xfs */, 0x9123683e /* btrfs */, 0x2fc12fc1 /* zfs */, 0xf2f52010 /* f2fs */, 0x01021994 /* tmpfs */]);

/** Whether files under `dir` get their ctime from this machine's clock (see THIS_CLOCK_FILESYSTEMS). */
export async function ctimeFromThisClock(dir: string): Promise<boolean> {
  try {
    return THIS_CLOCK_FILESYSTEMS.has((await fs.statfs(dir)).type);
  } catch {
    return false;
  }
}

/**
 * Copied files whose source no longer matches the backup copy in size or modification time
 * (nanoseconds): the source was written while rsync read it, so the copy may be torn. rsync gave
 * the copy the source's time as it was when listed, so a later write shows as a difference.
 * Files untouched since well before `copyStartedAtMs` (their ctime) need no look at the backup
 * copy: one lookup per copied file, not two. Pass undefined where ctimes come from another clock. Names rsync had to escape in its output (control
 * characters, invalid UTF-8) cannot be looked up and are skipped.
 */
export async function findChangedDuringCopy(sourceRoot: string, destRoot: string, relPaths: readonly string[], copyStartedAtMs: number | undefined): Promise<string[]> {
  const changed: string[] = [];
  // Undefined: the source's ctimes cannot be trusted against this clock; every copy is compared.
  const untouchedBeforeNs = copyStartedAtMs === undefined ? -1n : BigInt(Math.floor(copyStartedAtMs - UNTOUCHED_BEFORE_COPY_MS)) * 1_000_000n;
  // Several lookups at once: on a NAS each is a round trip, and one after another they would add
  // a round trip per copied file to the task's time.
  await runQueue(relPaths, () => CONCURRENT_LOOKUPS, async (rel) => {
    try {
      const s = await fs.lstat(path.join(sourceRoot, rel), { bigint: true });
      if (!s.isFile() || s.ctimeNs < untouchedBeforeNs) return;
      const d = await fs.lstat(path.join(destRoot, rel), { bigint: true });
      if (s.size !== d.size || s.mtimeNs !== d.mtimeNs) changed.push(rel);
    } catch {
      // Gone from the source (vanished: rsync reports it) or a name that cannot be looked up.
    }
  });
  // In rsync's order, whatever order the lookups finished in.
  const order = new Map(relPaths.map((rel, i) => [rel, i]));
  return changed.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}
