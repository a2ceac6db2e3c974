import { filterByLookups, isOnLocalDisk, when, type Eventually, type Lookup } from '../location/local-disk.js';
import type { ResolvedBackupOptions } from '../options.js';

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
 * Only ctimes from this machine's clock are trusted so (ctimeFromThisClock), and that clock goes
 * back only when it is stepped, which CopyClock notices: the margin covers the kernel's coarse
 * file clock (a few ms) and more. It was one hour, written for a file server's clock, which the
 * check never trusts: every file written in the hour before a run then cost a second lookup, of
 * its backup copy (2,000 one-file projects on tmpfs: 2,000 more lookups in the transfer).
 */
export const UNTOUCHED_BEFORE_COPY_MS = 10_000;

/** A change of the wall clock against the monotonic one beyond this is a step (NTP slews far less). */
const CLOCK_STEP_MS = 1000;

/**
 * The wall-clock time a copy began, and whether the clock has been stepped since: a step back
 * (NTP correcting a fast clock right after boot, an operator's `date -s`) gives a file written
 * during the copy a ctime before its start, which the ctime shortcut would clear. After a step,
 * every copied file is compared, as on a NAS.
 */
export class CopyClock {
  readonly startedAtMs: number;
  private readonly offset: number;

  constructor(private readonly now: () => { wallMs: number; monotonicMs: number } = () => ({ wallMs: Date.now(), monotonicMs: performance.now() })) {
    const at = this.now();
    this.startedAtMs = at.wallMs;
    this.offset = at.wallMs - at.monotonicMs;
  }

  /** The copy's start for the ctime shortcut; undefined when the clock was stepped since (no shortcut). */
  untouchedReference(): number | undefined {
    const at = this.now();
    return Math.abs(at.wallMs - at.monotonicMs - this.offset) > CLOCK_STEP_MS ? undefined : this.startedAtMs;
  }
}

/**
 * Whether files under `dir` get their ctime from this machine's clock: on its own disks (ext4, XFS,
 * btrfs, ZFS, F2FS, tmpfs) only. A NAS stamps ctime with its own clock, which may lag by hours (a
 * clock set to local time as if it were UTC), and some SMB servers report the write time as ctime.
 */
export const ctimeFromThisClock = isOnLocalDisk;

/** When a run looks at its copies again for files written while rsync read them (`--changed-check`). */
export type ChangedCheckMode = 'auto' | 'always' | 'off';
export const CHANGED_CHECK_MODES: readonly ChangedCheckMode[] = ['auto', 'always', 'off'];

/**
 * Whether a run checks its copies. Only where both sides are paths on this machine (its disks or
 * mounts): the lookups need them. 'auto' (the default) checks when the source is on this machine's
 * disks, where a copied file costs one local lookup (its ctime clears most files); a source on a NAS
 * mount stamps ctime with the server's clock, so every copied file would cost two round trips there
 * (on the benchmark's slow NAS: 6 s of a 28 s first night). 'always' checks there too; 'off' never
 * does, like a plain rsync.
 */
export function checksCopies(mode: ChangedCheckMode, bothSidesArePaths: boolean, sourceOnLocalDisk: boolean): boolean {
  if (!bothSidesArePaths || mode === 'off') return false;
  return mode === 'always' || sourceOnLocalDisk;
}

/**
 * How a run treats the copies of files under `sourcePath` (a task's source folder, or the source
 * root): whether they are checked, and whether the source's ctimes come from this clock (then files
 * untouched since well before the copy need no look at their copy). The tasks and the report ask it.
 */
export async function copyCheckFor(
  options: Pick<ResolvedBackupOptions, 'changedCheck' | 'sourceLocation' | 'destLocation' | 'dryRun'>,
  sourcePath: string,
): Promise<{ checks: boolean; sourceClockIsOurs: boolean }> {
  const bothSidesArePaths = options.sourceLocation.kind === 'local' && options.destLocation.kind === 'local' && !options.dryRun;
  const sourceClockIsOurs = bothSidesArePaths && options.changedCheck !== 'off' && (await ctimeFromThisClock(sourcePath));
  return { checks: checksCopies(options.changedCheck, bothSidesArePaths, sourceClockIsOurs), sourceClockIsOurs };
}

/** Whether the source file was written after rsync listed it: its copy's size or time differs. */
function changedSinceListed(rel: string, sourceRoot: string, destRoot: string, untouchedBeforeNs: bigint, lookUp: Lookup): Eventually<boolean> {
  return when(lookUp(sourceRoot + rel), (s) => {
    if (s === undefined || !s.isFile() || s.ctimeNs < untouchedBeforeNs) return false;
    return when(lookUp(destRoot + rel), (d) => d !== undefined && (s.size !== d.size || s.mtimeNs !== d.mtimeNs));
  });
}

/** A root with one trailing `/`, so a relative path from rsync's list is appended as it is (path.join normalizes every path again). */
function withSlash(root: string): string {
  return root.endsWith('/') ? root : `${root}/`;
}

/**
 * Copied files whose source no longer matches the backup copy in size or modification time
 * (nanoseconds): the source was written while rsync read it, so the copy may be torn. rsync gave
 * the copy the source's time as it was when listed, so a later write shows as a difference.
 * Files untouched since well before `copyStartedAtMs` (their ctime) need no look at the backup
 * copy: one lookup per copied file, not two. Pass undefined where ctimes come from another clock.
 * Names rsync had to escape in its output (control characters, invalid UTF-8) cannot be looked up
 * and are skipped. `localDisks`: both sides are on this machine's disks (see filterByLookups).
 */
export async function findChangedDuringCopy(sourceRoot: string, destRoot: string, relPaths: readonly string[], copyStartedAtMs: number | undefined, localDisks = false): Promise<string[]> {
  // Undefined: the source's ctimes cannot be trusted against this clock; every copy is compared.
  const untouchedBeforeNs = copyStartedAtMs === undefined ? -1n : BigInt(Math.floor(copyStartedAtMs - UNTOUCHED_BEFORE_COPY_MS)) * 1_000_000n;
  // In rsync's order (filterByLookups keeps it, whatever order the lookups finish in).
  const source = withSlash(sourceRoot);
  const dest = withSlash(destRoot);
  return filterByLookups(relPaths, localDisks, (rel, lookUp) => changedSinceListed(rel, source, dest, untouchedBeforeNs, lookUp));
}
