import fs from 'node:fs/promises';
import type { Discovery } from '../discovery/discover.js';
import { runProcess } from '../process/spawn.js';
import { LINKS_TASK_ID, ROOT_PROJECT, type SyncTask } from '../plan/task.js';
import { runQueue } from './queue.js';

/** Searches at once: on a NAS each stat is a round trip, and several searches overlap. */
const CONCURRENT_SEARCHES = 8;
/**
 * Most projects one `find` is given: the projects are shared out among CONCURRENT_SEARCHES finds
 * (each start folder one argument). A find per project cost a process start each: 264 projects
 * (this repository's node_modules) took 2.4 s of the plan phase, most of it starting `find`.
 */
const MAX_STARTS_PER_FIND = 1000;

const SLASH = 0x2f;

function join(dir: Buffer, name: Buffer): Buffer {
  return dir.length === 0 ? name : Buffer.concat([dir, Buffer.from('/'), name]);
}

/** `find` below start folders (each `./name`, relative to `cwd`): every file with more than one link, as "dev:ino path" records. */
async function findMultiLinked(findPath: string, cwd: string, starts: readonly string[], maxDepth?: number): Promise<Array<{ key: string; path: Buffer }>> {
  const args = [...starts, ...(maxDepth === undefined ? [] : ['-maxdepth', String(maxDepth)]), '-type', 'f', '-links', '+1', '-printf', '%D:%i %p\\0'];
  // A find that fails (a folder gone meanwhile) still returns what it found; the copy reports the rest.
  const { stdout: data } = await runProcess(findPath, args, { cwd });
  const out: Array<{ key: string; path: Buffer }> = [];
  let from = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0) continue;
    const record = Buffer.from(data.subarray(from, i));
    from = i + 1;
    const space = record.indexOf(0x20);
    // find prints "./name/..." for a start of "./name": drop the "./".
    out.push({ key: record.subarray(0, space).toString(), path: record.subarray(space + 3) });
  }
  return out;
}

/** The same search done in Node, for folders whose names cannot be passed to `find` in argv (not valid UTF-8). */
async function walkMultiLinked(root: string, rel: Buffer): Promise<Array<{ key: string; path: Buffer }>> {
  const out: Array<{ key: string; path: Buffer }> = [];
  const walk = async (relDir: Buffer): Promise<void> => {
    const abs = join(Buffer.from(root), relDir);
    let entries;
    try {
      entries = await fs.readdir(abs, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      return; // Gone or unreadable now: the copy reports it.
    }
    for (const e of entries) {
      const p = join(relDir, e.name as unknown as Buffer);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const st = await fs.lstat(join(Buffer.from(root), p)).catch(() => undefined);
        if (st && st.nlink > 1) out.push({ key: `${st.dev}:${st.ino}`, path: p });
      }
    }
  };
  await walk(rel);
  return out;
}

/** Which planned task copies `path` (relative to the source root): the deepest one whose subtree holds it. */
function ownerOf(path: Buffer, tasks: ReadonlyArray<{ task: SyncTask; prefix: Buffer }>, rootTask: SyncTask | undefined, rootProjects: ReadonlySet<string>): SyncTask | undefined {
  for (const { task, prefix } of tasks) {
    if (path.length > prefix.length && path[prefix.length] === SLASH && path.subarray(0, prefix.length).equals(prefix)) return task;
  }
  const slash = path.indexOf(SLASH);
  // Entries of the root itself and projects the root pass copies (names that are not valid UTF-8).
  if (slash < 0 || rootProjects.has(path.subarray(0, slash).toString('latin1'))) return rootTask;
  return undefined; // In a project this run does not copy.
}

export interface CrossTaskLinks {
  /** Paths (relative to the source root) each task must leave to the link pass, relative to the task's own subtree. */
  excludedByTask: Map<string, Buffer[]>;
  /** Every path of every link group that spans tasks, relative to the source root, sorted. */
  paths: Buffer[];
}

/**
 * Hard-linked files whose links fall into different tasks (parts of a split project, different
 * projects, the root): rsync -H links files only within one transfer, so these would land as
 * separate copies. Found with `find -links +1` (a stat per file) over the projects, shared out
 * among several finds running at once, on a local source. Groups inside one task are left to that task's own -H.
 */
export async function findCrossTaskLinks(
  source: string,
  tasks: readonly SyncTask[],
  discovery: Discovery,
  /** The `find` program (GNU find: -printf); another path only for tests that watch its runs. */
  findPath = 'find',
): Promise<CrossTaskLinks> {
  const rootTask = tasks.find((t) => t.kind === 'root');
  // A batch copies each of its projects from the root: it owns each project's subtree.
  const owners = tasks
    .flatMap((task) => (task.kind === 'batch' ? (task.projects ?? []) : task.relPath === '' ? [] : [task.relPath]).map((p) => ({ task, prefix: Buffer.from(p) })))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const rootProjects = new Set(discovery.projects.filter((p) => p.selected && p.rawName !== undefined).map((p) => (p.rawName as Buffer).toString('latin1')));
  const searches: Array<() => Promise<Array<{ key: string; path: Buffer }>>> = [];
  const starts: string[] = [];
  for (const p of discovery.projects) {
    if (!p.selected) continue;
    if (p.rawName === undefined) starts.push(`./${p.name}`);
    else if (rootTask) searches.push(() => walkMultiLinked(source, p.rawName as Buffer));
  }
  const perFind = Math.min(MAX_STARTS_PER_FIND, Math.ceil(starts.length / CONCURRENT_SEARCHES));
  for (let i = 0; i < starts.length; i += perFind) {
    const group = starts.slice(i, i + perFind);
    searches.push(() => findMultiLinked(findPath, source, group));
  }
  if (rootTask) searches.push(() => findMultiLinked(findPath, source, ['.'], 1));
  const found: Array<{ key: string; path: Buffer }> = [];
  await runQueue(searches, () => CONCURRENT_SEARCHES, async (search) => {
    found.push(...(await search()));
  });

  const groups = new Map<string, Array<{ path: Buffer; owner: SyncTask }>>();
  for (const { key, path } of found) {
    const owner = ownerOf(path, owners, rootTask, rootProjects);
    if (owner === undefined) continue;
    groups.set(key, [...(groups.get(key) ?? []), { path, owner }]);
  }
  const excludedByTask = new Map<string, Buffer[]>();
  const paths: Buffer[] = [];
  for (const members of groups.values()) {
    if (new Set(members.map((m) => m.owner.id)).size < 2) continue;
    for (const { path, owner } of members) {
      paths.push(path);
      const rel = owner.relPath === '' ? path : path.subarray(Buffer.byteLength(owner.relPath) + 1);
      excludedByTask.set(owner.id, [...(excludedByTask.get(owner.id) ?? []), rel]);
    }
  }
  paths.sort(Buffer.compare);
  return { excludedByTask, paths };
}

/** The link pass: rsync -H over exactly the paths of `links`, run like any other task. */
export function linksTask(links: CrossTaskLinks): SyncTask {
  return {
    id: LINKS_TASK_ID,
    project: ROOT_PROJECT,
    kind: 'links',
    relPath: '',
    excludeTopLevelDirs: [],
    weight: links.paths.length,
    estimate: { files: links.paths.length, bytes: 0, basis: 'walk' },
  };
}
