import fs from 'node:fs/promises';
import path from 'node:path';
import { STATE_DIR_NAME } from '../state/run-state.js';
import { writeFileAtomic } from '../report/write.js';

/**
 * Written by dailysync inside every snapshot it creates (`<snapshot>/.dailysync/snapshot.json`):
 * the proof retention needs before it removes a folder, and the counts `dailysync snapshots` lists
 * without walking the tree. The `.dailysync` folder is never restored (restore excludes it).
 */
export const SNAPSHOT_MANIFEST_FILE = 'snapshot.json';

export interface SnapshotManifest {
  tool: 'dailysync';
  kind: 'snapshot';
  /** Equals the folder name without its state suffix; a copied or renamed folder does not match. */
  name: string;
  source: string;
  startedAt: string;
  /** Set when the snapshot was published. */
  finishedAt: string | null;
  /** Entries and bytes in the snapshot, and the part of them rsync copied instead of hard-linking (new data). */
  files: number | null;
  bytes: number | null;
  newFiles: number | null;
  newBytes: number | null;
  /** What the unchanged files were linked against (snapshot names, or `mirror`). */
  linkedAgainst: string[];
  /** With --shard: how many shards fill this snapshot. */
  shards?: number;
  /**
   * Set when retention started removing the snapshot on a remote backup root, where the folder
   * cannot be renamed to `.pruning`: from then on it is no restore point.
   */
  pruningSince?: string;
}

export function manifestPath(snapshotDir: string): string {
  return path.join(snapshotDir, STATE_DIR_NAME, SNAPSHOT_MANIFEST_FILE);
}

export async function writeManifest(snapshotDir: string, manifest: SnapshotManifest): Promise<void> {
  await fs.mkdir(path.join(snapshotDir, STATE_DIR_NAME), { recursive: true });
  await writeFileAtomic(manifestPath(snapshotDir), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifest of a folder, or undefined when it has none that dailysync wrote for this name. */
export async function readManifest(snapshotDir: string, expectedName: string): Promise<SnapshotManifest | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(manifestPath(snapshotDir), 'utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const m = parsed as Partial<SnapshotManifest>;
  if (m.tool !== 'dailysync' || m.kind !== 'snapshot' || m.name !== expectedName) return undefined;
  return m as SnapshotManifest;
}
