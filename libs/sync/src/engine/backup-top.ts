import fs from 'node:fs/promises';
import { projectNameBytes, type Discovery } from '../discovery/discover.js';
import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';

/** The entries at the top of a local backup root, as the bytes of their names. */
export interface BackupTop {
  folders: Buffer[];
  /** Files, links and anything else that is no folder. */
  others: Buffer[];
}

/**
 * The backup root's own entries, when it is a local path (one listing here); empty when it does not
 * exist yet, undefined when it is remote or cannot be listed. The root pass's rules use its folders
 * (rootRules), the transfer its other entries (projectsReplacingEntries).
 */
export async function listBackupTop(options: Pick<ResolvedBackupOptions, 'dest' | 'destLocation'>, destExists: boolean): Promise<BackupTop | undefined> {
  if (options.destLocation.kind !== 'local') return undefined;
  if (!destExists) return { folders: [], others: [] };
  try {
    const top: BackupTop = { folders: [], others: [] };
    for (const entry of await fs.readdir(options.dest, { withFileTypes: true, encoding: 'buffer' })) (entry.isDirectory() ? top.folders : top.others).push(entry.name);
    return top;
  } catch {
    return undefined;
  }
}

/**
 * Selected projects whose entry at the top of the backup is no folder: a file or a link that the
 * source has since replaced by the project's folder. The root pass deletes that entry (counted with
 * every other deletion); a task of the project, or the link pass, that got there first replaced it
 * with the folder, and the root pass's deletion then failed ("unlink failed: Is a directory", seen
 * in the differential soak). Their tasks wait for the root pass (waitsForRootPass).
 */
export function projectsReplacingEntries(discovery: Discovery, top: BackupTop | undefined): Set<string> {
  const others = new Set((top?.others ?? []).map((name) => name.toString('latin1')));
  const replacing = new Set<string>();
  if (others.size === 0) return replacing;
  for (const p of discovery.projects) if (p.selected && others.has(projectNameBytes(p).toString('latin1'))) replacing.add(p.name);
  return replacing;
}

/** Whether a task must start after the root pass: it writes into a project of `replacing` (the link pass may, wherever it links). */
export function waitsForRootPass(task: SyncTask, replacing: ReadonlySet<string>): boolean {
  if (replacing.size === 0 || task.kind === 'root') return false;
  if (task.kind === 'links') return true;
  if (task.kind === 'batch') return (task.projects ?? []).some((p) => replacing.has(p));
  return replacing.has(task.project);
}
