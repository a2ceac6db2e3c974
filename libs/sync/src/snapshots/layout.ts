import fs from 'node:fs/promises';
import path from 'node:path';
import { readManifest, type SnapshotManifest } from './manifest.js';
import { LATEST_LINK_NAME, parseSnapshotFolder, SNAPSHOTS_DIR_NAME, type SnapshotName, type SnapshotState } from './naming.js';

/** A snapshot folder that dailysync made: its name parses and its manifest names it. */
export interface SnapshotEntry extends SnapshotName {
  dir: string;
  manifest: SnapshotManifest;
}

export function snapshotsRoot(dest: string): string {
  return path.join(dest, SNAPSHOTS_DIR_NAME);
}

/**
 * The folder name gives the state, and the manifest can only lower it: a remote backup root
 * cannot rename, so there a snapshot has its final name from the start and is complete only once
 * its manifest is finished (one atomic file replacement), and is being pruned once it says so.
 */
function stateOf(byName: SnapshotState, manifest: SnapshotManifest): SnapshotState {
  if (manifest.pruningSince !== undefined) return 'pruning';
  if (byName === 'complete' && manifest.finishedAt === null) return 'partial';
  return byName;
}

/**
 * Every dailysync snapshot under `<dest>/snapshots`, oldest first. Folders without the name
 * pattern or without a manifest naming them are not snapshots and are never listed (nor pruned).
 */
export async function listSnapshots(dest: string): Promise<SnapshotEntry[]> {
  const root = snapshotsRoot(dest);
  let entries;
  try {
    entries = await fs.readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found: SnapshotEntry[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const parsed = parseSnapshotFolder(entry.name);
    if (!parsed) continue;
    const dir = path.join(root, entry.name);
    const manifest = await readManifest(dir, parsed.name);
    if (manifest) found.push({ ...parsed, state: stateOf(parsed.state, manifest), dir, manifest });
  }
  return found.sort((a, b) => a.time.getTime() - b.time.getTime() || a.folder.localeCompare(b.folder));
}

export function completeSnapshots(entries: readonly SnapshotEntry[]): SnapshotEntry[] {
  return entries.filter((e) => e.state === 'complete');
}

/** The snapshot the `latest` link names, when it is a complete one. */
export async function latestLinkTarget(dest: string): Promise<string | undefined> {
  try {
    return path.basename(await fs.readlink(path.join(snapshotsRoot(dest), LATEST_LINK_NAME)));
  } catch {
    return undefined;
  }
}

/** rsync accepts at most 20 --link-dest folders. */
export const MAX_LINK_DEST = 20;

/**
 * What a new snapshot links its unchanged files against, as paths relative to the new snapshot:
 * the newest complete snapshot plus the partial trees of failed runs since (their files were
 * copied already), newest first; with no complete snapshot yet, the mirror a switch from mirror
 * mode left in the backup root (`../..`), so the first snapshot copies only what changed.
 */
export function linkDestBasesFor(entries: readonly SnapshotEntry[], ownName: string, mirrorExists: boolean): { bases: string[]; names: string[] } {
  const complete = completeSnapshots(entries).filter((e) => e.name !== ownName);
  const newest = complete.at(-1);
  const partials = entries
    .filter((e) => e.state === 'partial' && e.name !== ownName && (newest === undefined || e.time > newest.time))
    .reverse();
  const chosen = [...(newest ? [newest] : []), ...partials].slice(0, newest || !mirrorExists ? MAX_LINK_DEST : MAX_LINK_DEST - 1);
  const bases = chosen.map((e) => `../${e.folder}`);
  const names = chosen.map((e) => e.folder);
  if (!newest && mirrorExists) {
    bases.push('../..');
    names.push('mirror');
  }
  return { bases, names };
}
