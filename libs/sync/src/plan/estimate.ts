import { lstatSync, opendirSync, readdirSync, type Dir, type Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import { runQueue } from '../engine/queue.js';
import type { MainThreadSlices } from '../location/local-disk.js';

/** Entries and bytes below one directory, as counted by the estimate walk. */
export interface DirEstimate {
  /** Entries (files, directories, links, ...) in the subtree, not counting the directory itself. */
  files: number;
  /** Sum of lstat sizes of the non-directory entries. */
  bytes: number;
  /** False when the walk budget ran out or a directory could not be read: the counts are a lower bound. */
  complete: boolean;
  /** Subdirectories by name (real directories, links are not followed); only down to the depth limit. */
  children: Map<string, DirEstimate>;
  /**
   * Folders in the subtree whose names are not valid UTF-8: counted as one entry each, their
   * contents not (a string cannot reach them). Absent when there are none.
   */
  unreadNames?: number;
  /**
   * The walked folder's own lookup (nanosecond times), on the walk's root node of a walk on this
   * machine's disks: the folder comparison after the copy takes the source side from it (see
   * FoldersComparedEarly). Absent elsewhere.
   */
  folder?: FolderAttributes;
}

/** What the folder comparison after a copy compares of a folder (about 150 bytes kept per project, not a whole lookup). */
export interface FolderAttributes {
  mtimeNs: bigint;
  mode: bigint;
  uid: bigint;
  gid: bigint;
}

/** Shared limit on how much an estimate may read; one budget is spent across several walks. */
export interface WalkBudget {
  entriesLeft: number;
  /** Date.now() after which walks stop. */
  deadline: number;
}

export interface EstimateOptions {
  /** How many directory levels keep their own counts; deeper levels are folded into their ancestor. */
  maxDepth: number;
  budget: WalkBudget;
  /** Upper bound on DirEstimate nodes kept for one walk, so a huge fan-out cannot grow memory. */
  maxNodes?: number;
  /**
   * Whether to lstat every file for its size (default true). Without sizes a walk costs one round
   * trip per folder instead of one per file: enough when history already knows the bytes.
   */
  sizes?: boolean;
  /**
   * Subfolders of one folder walked at once (default 4). Shards pass 1: when the entry budget runs
   * out, which counts are complete must not depend on which walker was faster.
   */
  concurrentSubdirs?: number;
  /**
   * The tree is on this machine's disks (isOnLocalDisk): the walk is made with synchronous calls
   * (walkHere), with the event loop's turns taken from these slices (shared by every walk of one
   * plan). Absent: everything goes through the thread pool, as a network share needs.
   */
  localDisk?: MainThreadSlices;
}

/** A budget of `entries` entries and `ms` milliseconds starting now. */
export function walkBudget(entries: number, ms: number): WalkBudget {
  return { entriesLeft: entries, deadline: Date.now() + ms };
}

function emptyEstimate(): DirEstimate {
  return { files: 0, bytes: 0, complete: true, children: new Map() };
}

function exhausted(budget: WalkBudget): boolean {
  return budget.entriesLeft <= 0 || Date.now() > budget.deadline;
}

// lstat calls run in small batches: a NAS answers several at once much faster than one by one.
const STAT_BATCH = 64;

/**
 * Counts entries and bytes under `root` without keeping a list of paths: directories are read as
 * streams (opendir) and only per-directory totals down to `maxDepth` are kept, so memory stays
 * bounded at any tree size. Stops when the budget runs out and says so (complete: false).
 */
export async function estimateTree(root: string, options: EstimateOptions): Promise<DirEstimate> {
  if (options.localDisk) return walkHere(root, options, options.localDisk);
  const nodeCount = { value: 0 };
  const result = emptyEstimate();
  await walk(root, result, 0, options, nodeCount);
  return result;
}

/** A folder of a walk on this machine's disks: where it is, and the kept nodes its entries count into. */
interface FolderHere {
  dir: string;
  name: string;
  depth: number;
  /** The kept nodes its parent's entries count into (the last one is the node that may keep this folder's). */
  parentCounts: DirEstimate[];
}

/**
 * The walk on this machine's disks: the same counts as `walk`, made with synchronous calls one
 * folder after another (a folder stack instead of recursion), so a folder costs no promise: the
 * plan of 2,000 one-file projects spent most of its 75-100 ms in the promises and queues of the
 * walk made for a NAS, not in the 6,000 calls themselves (about 20 ms). The event loop gets its
 * turn from `slices` between entries.
 */
async function walkHere(root: string, options: EstimateOptions, slices: MainThreadSlices): Promise<DirEstimate> {
  const { budget } = options;
  const result = emptyEstimate();
  let nodes = 0;
  // Paths are joined with a plain `/`: path.join normalizes the whole string again for each entry
  // (a fifth of the walk's time at 2,000 projects), and these names come from listings (no `.`, `..` or `/` in them).
  const stack: FolderHere[] = [{ dir: root.endsWith('/') && root.length > 1 ? root.slice(0, -1) : root, name: '', depth: 0, parentCounts: [] }];
  const incomplete = (counts: readonly DirEstimate[]): void => {
    for (const n of counts) n.complete = false;
  };
  for (let folder = stack.pop(); folder !== undefined; folder = stack.pop()) {
    const { dir, depth } = folder;
    // Its own node, when it keeps one (decided as it is reached, in the order `walk` reaches folders
    // one at a time, so that shards, which walk that way, keep the same nodes whichever walk they make).
    let counts = folder.parentCounts;
    if (depth === 0) counts = [result];
    else if (depth - 1 < options.maxDepth && nodes < (options.maxNodes ?? 50_000)) {
      nodes += 1;
      const own = emptyEstimate();
      counts.at(-1)?.children.set(folder.name, own);
      counts = [...counts, own];
    }
    let listing: Dirent[] | Dir;
    try {
      // A folder bigger than LIST_WHOLE_UP_TO_BYTES is read in chunks, so it never sits in memory whole.
      let size: number;
      if (depth === 0) {
        const { mtimeNs, mode, uid, gid, size: bytes } = lstatSync(dir, { bigint: true });
        result.folder = { mtimeNs, mode, uid, gid };
        size = Number(bytes);
      } else size = lstatSync(dir).size;
      listing = size > 0 && size <= LIST_WHOLE_UP_TO_BYTES ? readdirSync(dir, { withFileTypes: true }) : opendirSync(dir, { bufferSize: 256 });
    } catch {
      incomplete(counts);
      continue;
    }
    const subdirs: string[] = [];
    try {
      for (let i = 0; ; i++) {
        const entry = Array.isArray(listing) ? listing[i] : listing.readSync();
        if (entry === undefined || entry === null) break;
        if (exhausted(budget)) {
          incomplete(counts);
          break;
        }
        budget.entriesLeft -= 1;
        const isDirectory = entry.isDirectory();
        const bytes = isDirectory || options.sizes === false ? 0 : sizeHere(`${dir}/${entry.name}`);
        for (const n of counts) {
          n.files += 1;
          n.bytes += bytes;
        }
        // As in `walk`: a name that is not valid UTF-8 cannot be reached by this string.
        if (isDirectory && !entry.name.includes('\uFFFD')) subdirs.push(entry.name);
        else if (isDirectory) for (const n of counts) n.unreadNames = (n.unreadNames ?? 0) + 1;
        const pause = slices.breathe();
        if (pause) await pause;
      }
    } catch {
      incomplete(counts);
    } finally {
      if (!Array.isArray(listing)) closeQuietly(listing);
    }
    // Pushed last to first, so they are walked in the listing's order.
    for (let i = subdirs.length - 1; i >= 0; i--) {
      const name = subdirs[i] as string;
      stack.push({ dir: `${dir}/${name}`, name, depth: depth + 1, parentCounts: counts });
    }
  }
  return result;
}

function closeQuietly(listing: Dir): void {
  try {
    listing.closeSync();
  } catch {
    // Already closed by a failed read: nothing is left open.
  }
}

/** A file's size here, 0 when it cannot be looked up (as sizesOf). */
function sizeHere(file: string): number {
  try {
    return lstatSync(file, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

/**
 * A folder whose own size (st_size, which grows with its entries on ext4, XFS, NFS and tmpfs) is at
 * most this is listed in one call; a bigger one, or one whose size says nothing (0, as on some SMB
 * servers), is read as a stream, so a huge folder does not sit in memory whole. (A filesystem that
 * reports one fixed size for every folder, as some FUSE ones do, gets every folder read whole.) One call costs one
 * round trip on a NAS, a stream at least three (open, read, close); thousands of small project
 * folders are the common case.
 */
export const LIST_WHOLE_UP_TO_BYTES = 256 * 1024;

async function openListing(dir: string): Promise<AsyncIterable<Dirent> | Iterable<Dirent>> {
  const { size } = await fs.lstat(dir);
  if (size > 0 && size <= LIST_WHOLE_UP_TO_BYTES) return fs.readdir(dir, { withFileTypes: true });
  return fs.opendir(dir, { bufferSize: 256 });
}

/** Sizes of files (0 for one that cannot be looked up), several at once through the thread pool. */
function sizesOf(files: readonly string[]): Promise<number[]> {
  return Promise.all(files.map((p) => fs.lstat(p).then((s) => s.size, () => 0)));
}

async function walk(dir: string, node: DirEstimate, depth: number, options: EstimateOptions, nodeCount: { value: number }): Promise<void> {
  const { budget } = options;
  let listing: AsyncIterable<Dirent> | Iterable<Dirent>;
  try {
    listing = await openListing(dir);
  } catch {
    node.complete = false;
    return;
  }
  const pendingFiles: string[] = [];
  const flushFiles = async (): Promise<void> => {
    const sizes = await sizesOf(pendingFiles);
    for (const size of sizes) node.bytes += size;
    pendingFiles.length = 0;
  };
  // Subfolders are walked after this folder's listing, several at once: a NAS answers several
  // walkers faster than one, and some (FUSE without parallel dirops) serialize lookups per folder.
  const subdirs: string[] = [];
  try {
    for await (const entry of listing) {
      if (exhausted(budget)) {
        node.complete = false;
        break;
      }
      budget.entriesLeft -= 1;
      node.files += 1;
      // Joined as the local walk and rsync do: path.join would fold `link/..` lexically, another folder than the kernel's.
      const full = `${dir}/${entry.name}`;
      if (!entry.isDirectory()) {
        if (options.sizes === false) continue;
        pendingFiles.push(full);
        if (pendingFiles.length >= STAT_BATCH) await flushFiles();
        continue;
      }
      // A name that is not valid UTF-8 arrives with U+FFFD in it and cannot be reached by this
      // string: it stays in its parent's task (never split off), counted as one entry.
      if (!entry.name.includes('\uFFFD')) subdirs.push(entry.name);
      else node.unreadNames = (node.unreadNames ?? 0) + 1;
    }
  } catch {
    // The directory changed or became unreadable while being read: the counts are a lower bound.
    node.complete = false;
  } finally {
    // for-await closes a streamed folder when it finishes, breaks or fails: nothing left to close.
    await flushFiles();
  }
  await runQueue(subdirs, () => options.concurrentSubdirs ?? 4, async (name) => {
    // Children keep their own totals only down to the depth limit; deeper ones add into this node.
    const keep = depth < options.maxDepth && nodeCount.value < (options.maxNodes ?? 50_000);
    const child = keep ? emptyEstimate() : node;
    if (keep) nodeCount.value += 1;
    await walk(`${dir}/${name}`, child, depth + 1, options, nodeCount);
    if (keep) {
      node.children.set(name, child);
      node.files += child.files;
      node.bytes += child.bytes;
      if (child.unreadNames !== undefined) node.unreadNames = (node.unreadNames ?? 0) + child.unreadNames;
      if (!child.complete) node.complete = false;
    }
  });
}
