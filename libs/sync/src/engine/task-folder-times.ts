import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { locationOperand } from '../location/location.js';
import { transportArgs } from '../location/transport.js';
import type { Discovery } from '../discovery/discover.js';
import type { ResolvedBackupOptions } from '../options.js';
import { projectTasksOfBatch } from '../plan/batch.js';
import type { FolderAttributes } from '../plan/estimate.js';
import type { SyncTask } from '../plan/task.js';
import type { TaskResult } from '../report/types.js';
import { MODIFY_WINDOW_NS } from '../rsync/args.js';
import { runRsync } from '../rsync/run.js';
import { copyMade, foldersThatDiffer, type FolderRoots, type WrittenFolders } from './folder-attributes.js';

const NUL = 0;
const SLASH = 0x2f;

/**
 * Every folder above each `./`-prefixed path of a NUL-separated list (the link pass's files-from):
 * that pass sends them as implied folders, so it may leave them with other attributes than the
 * folders' own tasks set (seen: a parent folder's ACL, under --shard).
 */
function foldersAboveListed(list: Buffer): Buffer[] {
  const seen = new Set<string>();
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    if (i < list.length && list[i] !== NUL) continue;
    const entry = list.subarray(start, i);
    start = i + 1;
    // `./name` lies in the root itself, whose time the root's own pass sets last.
    for (let slash = entry.indexOf(SLASH, 2); slash > 1; slash = entry.indexOf(SLASH, slash + 1)) {
      const folder = entry.subarray(0, slash);
      const key = folder.toString('latin1');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(folder);
    }
  }
  return out;
}

/**
 * The folders a task copies as its own (`./`-prefixed) whose times it may have left late: a
 * project's folder, a batch's project folders, a part's subtree, and the root pass's projects whose
 * names are not valid UTF-8. Only those of a task that ended with its copy made, and that wrote into them.
 */
function ownFolders(task: SyncTask, results: ReadonlyMap<string, TaskResult>, discovery: Discovery, written: WrittenFolders | undefined): Buffer[] {
  const wrote = (relPath: string): boolean => written === undefined || written.has(relPath);
  if (task.kind === 'batch') {
    // The batch's results are its projects'. Their folders are entries under the batch's transfer root, but showed the same late times.
    return projectTasksOfBatch(task)
      .filter((project) => copyMade(results.get(project.id)) && wrote(project.relPath))
      .map((project) => Buffer.from(`./${project.relPath}`));
  }
  if (!copyMade(results.get(task.id))) return [];
  if ((task.kind === 'project' || task.kind === 'subtree' || task.kind === 'project-top') && task.relPath !== '') {
    return wrote(task.relPath) ? [Buffer.from(`./${task.relPath}`)] : [];
  }
  // Projects whose names are not valid UTF-8 are copied by the root pass.
  if (task.kind === 'root') return discovery.projects.filter((p) => p.selected && p.rawName !== undefined).map((p) => Buffer.concat([Buffer.from('./'), p.rawName as Buffer]));
  return [];
}

/**
 * Folder comparisons made as tasks end, while the other tasks still run (restoreTaskFolderTimes
 * takes their results at the end): a batch's project folders and an unsplit project's folder are
 * written by their own task alone (the link pass's folders are always copied again), so once it
 * has ended they can be compared. At the end of a run of 2,000 one-file projects the comparison
 * (4,000 lookups) took 30 ms; as batches end it overlaps the batches still running, and on a NAS
 * mount its round trips overlap the transfer's.
 */
export class FoldersComparedEarly {
  private readonly differing = new Map<string, Promise<Buffer[]>>();

  constructor(
    private readonly roots: FolderRoots | undefined,
    private readonly discovery: Discovery,
    private readonly written: WrittenFolders | undefined,
    /**
     * Project folders as the plan's walk looked them up (BackupPlan.walkedFolders): their source
     * side is not looked up again (2,000 lookups on a first night of 2,000 projects).
     */
    private readonly walkedFolders: ReadonlyMap<string, FolderAttributes> = new Map(),
  ) {}

  /** A task ended and its results (a batch's: its projects') are in `results`. */
  taskEnded(task: SyncTask, results: ReadonlyMap<string, TaskResult>): void {
    if (this.roots === undefined || (task.kind !== 'batch' && task.kind !== 'project')) return;
    // Its folders are `./<project>` (ownFolders): the walk's lookup of that project, when there is one.
    const walked = (rel: Buffer): FolderAttributes | undefined => this.walkedFolders.get(rel.toString('utf8', 2));
    this.differing.set(task.id, foldersThatDiffer(ownFolders(task, results, this.discovery, this.written), this.roots, walked));
  }

  /** The task's folders that differed when it ended; undefined when they were not compared then. */
  differingIn(task: SyncTask): Promise<Buffer[]> | undefined {
    return this.differing.get(task.id);
  }
}

/**
 * rsync 3.5.0 does not reliably keep the time of its transfer root: copying `SRC/x/` into
 * `DEST/x/`, the receiver may rename the last file into `DEST/x` after the generator has set the
 * folder's time (seen in about half of the runs on an idle machine; the folders a batch or the
 * root pass copies as entries showed late times too). The link pass, which writes into folders that other tasks own, does the
 * same to those folders. After the transfer, one rsync copies these folders again as entries of
 * the root (`--files-from`, no recursion): no file moves into them then, so their times stay.
 * Local and remote sides alike; names travel as bytes. `compareFirst` (both roots reachable as
 * local paths, a mounted NAS included; see FolderRoots): only the folders whose time, mode or
 * owner differ are copied again, often none, and then no rsync runs. `written`: only the folders
 * of tasks that wrote into them are considered (see WrittenFolders). The parents of the link
 * pass's files always are: their ACLs are not compared.
 */
export async function restoreTaskFolderTimes(
  tasks: readonly SyncTask[],
  options: ResolvedBackupOptions,
  results: ReadonlyMap<string, TaskResult>,
  discovery: Discovery,
  signal?: AbortSignal,
  compareFirst?: FolderRoots,
  /** The task folders this run wrote into; absent: every task folder may have been. */
  written?: WrittenFolders,
  /** Folders compared as their tasks ended; absent: none were. */
  comparedEarly?: FoldersComparedEarly,
): Promise<void> {
  if (options.dryRun) return;
  // The folders still to compare (to copy, without compareFirst), and those found differing as their tasks ended.
  const folders: Buffer[] = [];
  const foundEarly: Array<Promise<Buffer[]>> = [];
  const alwaysCopied: Buffer[] = [];
  const linkLists: string[] = [];
  // Every task's outcome is read here, before the first await: the split folders' pass, which runs
  // beside this one, may mark a task failed later, and this pass must not depend on which came first.
  for (const task of tasks) {
    const early = comparedEarly?.differingIn(task);
    if (early !== undefined) foundEarly.push(early);
    else if (task.kind === 'links' && task.filesFrom !== undefined && copyMade(results.get(task.id))) linkLists.push(task.filesFrom);
    else folders.push(...ownFolders(task, results, discovery, written));
  }
  for (const list of linkLists) alwaysCopied.push(...foldersAboveListed(await fs.readFile(list)));
  const toCopy = [...(await Promise.all(foundEarly)).flat(), ...(compareFirst ? await foldersThatDiffer(folders, compareFirst) : folders), ...alwaysCopied];
  if (toCopy.length === 0) return;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dailysync-folders-'));
  try {
    const list = path.join(dir, 'folders');
    await fs.writeFile(list, Buffer.concat(toCopy.flatMap((f) => [f, Buffer.from([NUL])])));
    const args = ['--archive', '--no-recursive', '--dirs', '--numeric-ids', MODIFY_WINDOW_NS, ...transportArgs(options)];
    if (options.acls) args.push('--acls');
    if (options.xattrs) args.push('--xattrs');
    args.push('--from0', `--files-from=${list}`, '--', locationOperand(options.sourceLocation, '', true), locationOperand(options.destLocation, ''));
    // A failure leaves the data intact (only folder times differ) and is repaired by the next run.
    await runRsync({ rsyncPath: options.rsyncPath, args, signal });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
