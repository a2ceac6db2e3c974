/** Folder under the backup root that holds the dated snapshots. */
export const SNAPSHOTS_DIR_NAME = 'snapshots';
/** Symlink in the snapshots folder that names the newest complete snapshot. */
export const LATEST_LINK_NAME = 'latest';
/** Suffix of a snapshot still being written, or left by a failed or interrupted run. */
export const PARTIAL_SUFFIX = '.partial';
/** Suffix of a snapshot being removed by retention: no longer a restore point. */
export const PRUNING_SUFFIX = '.pruning';

export type SnapshotState = 'complete' | 'partial' | 'pruning';

export interface SnapshotName {
  /** The folder's name on disk. */
  folder: string;
  /** The snapshot's name without a state suffix: `2026-12-02T013045Z`. */
  name: string;
  time: Date;
  state: SnapshotState;
}

// UTC, sortable as text, no colons (they break Windows/SMB clients and scp-style paths).
const NAME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2026-12-02T013045Z` for 2026-12-02 01:30:45 UTC. */
export function formatSnapshotName(time: Date): string {
  return `${pad(time.getUTCFullYear(), 4)}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())}T${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}${pad(time.getUTCSeconds())}Z`;
}

/** The time a snapshot name stands for, or undefined when the text is not one. */
export function snapshotNameTime(name: string): Date | undefined {
  const m = NAME_PATTERN.exec(name);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const time = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Reject 2026-02-31 and the like: the name must round-trip.
  return formatSnapshotName(time) === name ? time : undefined;
}

/** Reads a folder name of the snapshots folder; undefined for anything dailysync did not name. */
export function parseSnapshotFolder(folder: string): SnapshotName | undefined {
  for (const [suffix, state] of [[PARTIAL_SUFFIX, 'partial'], [PRUNING_SUFFIX, 'pruning'], ['', 'complete']] as const) {
    if (suffix !== '' && !folder.endsWith(suffix)) continue;
    const name = folder.slice(0, folder.length - suffix.length);
    const time = snapshotNameTime(name);
    if (time) return { folder, name, time, state };
  }
  return undefined;
}
