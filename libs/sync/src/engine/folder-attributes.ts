import type { FolderAttributes } from '../plan/estimate.js';
import fs from 'node:fs/promises';
import { filterByLookups, whenBoth } from '../location/local-disk.js';
import { runProcess } from '../process/spawn.js';
import { topFolderOf, type SyncTask } from '../plan/task.js';
import type { TaskResult } from '../report/types.js';

/**
 * Both roots of a run as local paths (a mounted NAS included): folder attributes can be compared
 * here before an rsync is started to set them again. `localDisks`: both lie on this machine's
 * disks (isOnLocalDisk); how the lookups run then and otherwise: filterByLookups.
 */
export interface FolderRoots {
  source: string;
  dest: string;
  localDisks: boolean;
}

/** Same mode (type and permissions) and owner: what creating entries in a folder leaves as it was. */
function sameModeAndOwner(s: FolderAttributes, b: FolderAttributes): boolean {
  return s.mode === b.mode && s.uid === b.uid && s.gid === b.gid;
}

function sameAttributes(s: FolderAttributes | undefined, b: FolderAttributes | undefined): boolean {
  return s !== undefined && b !== undefined && s.mtimeNs === b.mtimeNs && sameModeAndOwner(s, b);
}

/** Whether a task (or a batch's project) ended with its copy made: its folders' times are then worth setting. */
export function copyMade(result: TaskResult | undefined): boolean {
  return result !== undefined && result.status !== 'failed' && result.status !== 'interrupted';
}

/**
 * The folders (relative to both roots, `./`-prefixed; an empty one is the root itself) whose backup copy
 * lacks its source folder's modification time (to the nanosecond), mode or owner, in the order
 * given: only those need an rsync to set them again. One that cannot be looked up counts as
 * differing.
 */
export async function foldersThatDiffer(
  folders: readonly Buffer[],
  roots: FolderRoots,
  /**
   * A source folder as it was already looked up this run (the plan's walk), used instead of a new
   * lookup; undefined for a folder to look up. A time rsync left late in a copy is the time of its
   * own write there, never one the walk saw, so a late copy is always found. A source folder changed
   * between the walk and its copy compares as different and is set again from the source as it is
   * then; one changed after its copy is left as rsync copied it, as one rsync of the tree leaves
   * it, and the next run sets it.
   */
  sourceLookedUp?: (rel: Buffer) => FolderAttributes | undefined,
): Promise<Buffer[]> {
  // The roots as UTF-8, the names below them as the bytes they are.
  const sourceRoot = Buffer.from(`${roots.source}/`);
  const destRoot = Buffer.from(`${roots.dest}/`);
  const source = (rel: Buffer): Buffer => Buffer.concat([sourceRoot, rel]);
  const dest = (rel: Buffer): Buffer => Buffer.concat([destRoot, rel]);
  return filterByLookups(folders, roots.localDisks, (rel, lookUp) =>
    whenBoth(sourceLookedUp?.(rel) ?? lookUp(source(rel)), lookUp(dest(rel)), (s, b) => !sameAttributes(s, b)),
  );
}

/** How a folder's backup copy differs from its source folder (as sameAttributes compares them). */
export type FolderDifference = { kind: 'same' } | { kind: 'time only'; mtimeNs: bigint } | { kind: 'other' };

/** One folder (relative to both roots; '' is the root itself) compared: the same, only its modification time differs, or more. */
export async function folderDifference(relPath: string, roots: FolderRoots): Promise<FolderDifference> {
  // `root/` for the root itself, as foldersThatDiffer looks it up: a backup root reached through a link is its folder.
  const [s, b] = await Promise.all([roots.source, roots.dest].map((root) => fs.lstat(`${root}/${relPath}`, { bigint: true }).catch(() => undefined)));
  if (sameAttributes(s, b)) return { kind: 'same' };
  if (s !== undefined && b !== undefined && s.isDirectory() && sameModeAndOwner(s, b)) return { kind: 'time only', mtimeNs: s.mtimeNs };
  return { kind: 'other' };
}

/**
 * Sets a local folder's modification time to the nanosecond with `touch` (Node's own calls take
 * seconds as a float, which loses nanoseconds), and checks that it took. Creating or deleting an
 * entry in a folder changes only its time, and a local rsync that sets it again ends with about
 * 40 ms of its own exit waits, at the very end of the run (the backup root after every first night).
 * False when it could not be set so: the caller runs rsync.
 */
export async function setFolderTime(folder: string, mtimeNs: bigint): Promise<boolean> {
  if (mtimeNs < 0n) return false;
  const stamp = `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`;
  const touched = await runProcess('touch', ['-m', '-h', '-d', stamp, '--', folder]);
  if (touched.exitCode !== 0) return false;
  const now = await fs.lstat(folder, { bigint: true }).catch(() => undefined);
  return now?.mtimeNs === mtimeNs;
}

/**
 * Itemized changes that write into a folder: a file received (`>`, or `<` when pushing to a remote
 * backup), an entry created, a hard link made, a deletion.
 */
const WRITES_INTO_FOLDER = /^[<>ch*]/;

/**
 * The task folders this run's rsyncs wrote into. Only their times can be left late by rsync (see
 * task-folder-times.ts): a task that wrote nothing (every task of a night without changes) had its
 * folder's time set by rsync, when it differed, with nothing written after it, so that folder needs
 * no lookups. On a NAS mount whose server takes lookups in one folder one at a time (FUSE without
 * parallel directory operations) comparing the 303 project folders of the slow-NAS benchmark took
 * 0.6 s of every night.
 */
export class WrittenFolders {
  private readonly folders = new Set<string>();
  private readonly batchProjects = new WeakMap<SyncTask, ReadonlySet<string>>();

  /** One item a task's rsync listed: its path relative to the task's folder (a batch's: to the backup root). */
  note(task: SyncTask, relPath: string, itemize: string): void {
    if (!WRITES_INTO_FOLDER.test(itemize)) return;
    if (task.kind !== 'batch') {
      this.folders.add(task.relPath);
      return;
    }
    let projects = this.batchProjects.get(task);
    if (projects === undefined) this.batchProjects.set(task, (projects = new Set(task.projects ?? [])));
    const project = topFolderOf(relPath);
    // A path that names none of the batch's projects (it should not happen) counts for all of them.
    if (projects.has(project)) this.folders.add(project);
    else for (const p of projects) this.folders.add(p);
  }

  /** Whether a task folder (relative to the backup root) was written into. */
  has(relPath: string): boolean {
    return this.folders.has(relPath);
  }
}
