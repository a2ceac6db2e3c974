import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, SafetyError } from '../errors.js';
import { realPathOrAncestor } from '../preflight.js';

/**
 * Checks that refuse a run before anything is written or deleted, when the source or the backup
 * does not look like the one the user meant (empty or unmounted source, wrong disk).
 */

/** A mount from /proc/self/mountinfo. */
export interface MountInfo {
  mountPoint: string;
  fsType: string;
  /** What is mounted: a device, `host:/export`, `tmpfs`... */
  mountSource: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export async function readMounts(): Promise<MountInfo[]> {
  const text = await fs.readFile('/proc/self/mountinfo', 'utf8');
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [left, right] = line.split(' - ');
    const l = left?.split(' ') ?? [];
    const r = right?.split(' ') ?? [];
    if (l[4] === undefined || r[0] === undefined) continue;
    mounts.push({ mountPoint: unescapeMountPath(l[4]), fsType: r[0], mountSource: unescapeMountPath(r[1] ?? '') });
  }
  return mounts;
}

/** The mount that holds `p` (the last listed of the longest matching mount points, as the kernel resolves it). */
export async function mountOf(p: string): Promise<MountInfo> {
  const real = await realPathOrAncestor(p);
  let best: MountInfo | undefined;
  for (const m of await readMounts()) {
    const inside = m.mountPoint === '/' || real === m.mountPoint || real.startsWith(`${m.mountPoint}/`);
    if (inside && (best === undefined || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best ?? { mountPoint: '/', fsType: 'unknown', mountSource: 'unknown' };
}

/** With --delete an empty source would empty the backup: that is what an unmounted share looks like. */
export async function checkSourceNotEmpty(source: string, deleteOn: boolean): Promise<void> {
  if (!deleteOn) return;
  const entries = await fs.readdir(source);
  if (entries.length === 0) {
    throw new SafetyError(`--source ${source} is empty and --delete is on: this would empty the backup; check that the source is mounted (run without --delete to copy nothing)`);
  }
}

/** Optional marker files prove that the source and backup roots are the intended, mounted ones. */
export async function checkMarkers(source: string, dest: string, sourceMarker: string | null, destMarker: string | null): Promise<void> {
  for (const [side, root, marker] of [['source', source, sourceMarker], ['dest', dest, destMarker]] as const) {
    if (marker === null) continue;
    const file = path.join(root, marker);
    try {
      await fs.lstat(file);
    } catch {
      throw new SafetyError(`marker file ${file} is missing: --${side} is not the intended (mounted) tree; mount it, or create the marker once with "touch '${file}'"`);
    }
  }
}

export function validateMarkerName(option: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.includes('/') || value === '.' || value === '..') {
    throw new ConfigError(`--${option} "${String(value)}" is not a file name: give a name in the root folder, e.g. --${option}=.dailysync-marker`);
  }
  return value;
}

/** The backup root must sit on a filesystem of an expected type (e.g. nfs4), not on the local disk under an empty mount point. */
export async function checkDestFilesystem(dest: string, allowedTypes: readonly string[]): Promise<MountInfo> {
  const mount = await mountOf(dest);
  if (allowedTypes.length > 0 && !allowedTypes.includes(mount.fsType)) {
    throw new SafetyError(
      `--dest ${dest} is on a ${mount.fsType} filesystem (${mount.mountSource} mounted at ${mount.mountPoint}), not ${allowedTypes.join(' or ')}: mount the backup volume there, or fix --dest-fs`,
    );
  }
  return mount;
}

/** What the last good run saw of the source; kept in the run state's `safety` section. */
export interface SourceSnapshot {
  /** Files, folders and links in the source, counted by listing folders or by rsync's dry run. */
  files: number;
  /** How `files` was counted; counts made the two ways are not compared. */
  countedBy?: 'listing' | 'rsync';
  /** The filesystem the source was on (type and what was mounted). */
  fsType: string;
  mountSource: string;
  /** Which projects were selected, so a narrower --include is not mistaken for a shrink. */
  selection: string;
}

/** With --delete, a source on another filesystem than last time is probably an unmounted share. */
export function checkSourceMountUnchanged(source: string, now: MountInfo, last: Partial<SourceSnapshot> | undefined, deleteOn: boolean): void {
  if (!deleteOn || last?.fsType === undefined || last.mountSource === undefined) return;
  if (last.fsType !== now.fsType || last.mountSource !== now.mountSource) {
    throw new SafetyError(
      `--source ${source} is now on ${now.fsType} ${now.mountSource}, but was on ${last.fsType} ${last.mountSource} at the last run, and --delete is on: check the mount (rerun without --delete if the move is intended)`,
    );
  }
}

/** With --delete, refuses a source that lost more than `maxShrinkPercent` of its entries since the last good run. */
export function checkSourceShrink(
  source: string,
  nowFiles: number,
  last: Partial<SourceSnapshot> | undefined,
  selection: string,
  maxShrinkPercent: number,
  deleteOn: boolean,
  countedBy: 'listing' | 'rsync',
): void {
  if (!deleteOn || maxShrinkPercent >= 100 || last?.files === undefined || last.files <= 0 || last.selection !== selection) return;
  if ((last.countedBy ?? 'rsync') !== countedBy) return;
  const shrunk = ((last.files - nowFiles) / last.files) * 100;
  if (shrunk > maxShrinkPercent) {
    throw new SafetyError(
      `--source ${source} has ${nowFiles} entries, ${shrunk.toFixed(0)}% fewer than the ${last.files} of the last run (limit --max-shrink ${maxShrinkPercent}%), and --delete is on: check the source; rerun with a higher --max-shrink if the removal is intended`,
    );
  }
}

export function parseMaxShrink(value: unknown): number {
  if (value === undefined || value === null) return 50;
  const n = typeof value === 'number' ? value : Number(String(value).replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100) {
    throw new ConfigError(`--max-shrink "${String(value)}" is not valid: give a percent from 0 to 100 (100 turns the check off), e.g. --max-shrink=50`);
  }
  return n;
}

export function parseFsTypes(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') throw new ConfigError(`--dest-fs must be filesystem type names such as nfs4 or cifs, got ${JSON.stringify(item)}`);
    for (const part of item.split(',')) if (part.trim() !== '') out.push(part.trim());
  }
  return out;
}
