import { ConfigError } from '../errors.js';
import { STATE_DIR_NAME } from '../state/run-state.js';
import { completeSnapshots, type SnapshotEntry } from './layout.js';
import { SNAPSHOTS_DIR_NAME, snapshotNameTime } from './naming.js';
import type { SnapshotRoot } from './snapshot-root.js';

/** A tree to restore or verify from: one complete snapshot, or the mirror of a mirror-mode backup. */
export interface RestorePoint {
  kind: 'snapshot' | 'mirror';
  /** The folder holding the projects: a path, or a remote location for an ssh or daemon root. */
  dir: string;
  /** The snapshot name, or `mirror`. */
  label: string;
  snapshot?: SnapshotEntry;
  /** Top-level names of `dir` that are dailysync's own and never data (never restored, never compared). */
  ownEntries: string[];
}

/** Reads `--at`: `latest`, a snapshot name, or a UTC date (`2026-12-02`) or time (`2026-12-02T06:00Z`); undefined for latest. */
function atTime(at: string): Date | undefined {
  const name = snapshotNameTime(at);
  if (name) return name;
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) {
    const t = new Date(`${at}T23:59:59.999Z`);
    return Number.isNaN(t.getTime()) ? undefined : t;
  }
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(at)) {
    const t = new Date(at);
    return Number.isNaN(t.getTime()) ? undefined : t;
  }
  return undefined;
}

/**
 * The restore point `--at` names in backup root `dest`: the newest complete snapshot at or before
 * that time (a date means the end of that UTC day); `latest` (the default) is the newest one. A
 * backup with no snapshot is a mirror: `latest` is the mirror itself and any date is refused.
 * Partial snapshots are never restore points.
 */
export async function findRestorePoint(root: SnapshotRoot, at = 'latest'): Promise<RestorePoint> {
  const dest = root.dest;
  if (!(await root.exists())) throw new ConfigError(`--dest ${dest} is not a backup folder (missing or not a directory): give the backup root dailysync wrote`);
  const complete = completeSnapshots((await root.read()).entries);
  if (complete.length === 0) {
    if (at !== 'latest') throw new ConfigError(`--dest ${dest} has no snapshots (a mirror-mode backup holds only its latest state): drop --at to use the mirror`);
    return { kind: 'mirror', dir: dest, label: 'mirror', ownEntries: [STATE_DIR_NAME, SNAPSHOTS_DIR_NAME] };
  }
  let chosen: SnapshotEntry | undefined;
  if (at === 'latest') {
    chosen = complete.at(-1);
  } else {
    const exact = complete.find((s) => s.name === at);
    const time = atTime(at);
    if (!exact && time === undefined) {
      throw new ConfigError(`--at "${at}" is not a date: give latest, a snapshot name such as ${complete.at(-1)!.name}, or a UTC date such as 2026-12-02`);
    }
    chosen = exact ?? [...complete].reverse().find((s) => s.time.getTime() <= time!.getTime());
    if (!chosen) throw new ConfigError(`no complete snapshot at or before ${at} in ${dest}: the oldest is ${complete[0]!.name} (list them with "dailysync snapshots --dest ${dest}")`);
  }
  return { kind: 'snapshot', dir: chosen!.dir, label: chosen!.name, snapshot: chosen, ownEntries: [STATE_DIR_NAME] };
}
