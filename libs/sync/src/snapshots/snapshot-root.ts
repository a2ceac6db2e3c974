import os from 'node:os';
import path from 'node:path';
import type { RetryPolicy } from '../engine/run-task.js';
import { DEFAULT_RETRY_POLICY } from '../engine/run-task.js';
import { ConfigError } from '../errors.js';
import { formatLocation, parseLocation, type Location } from '../location/location.js';
import { resolveSshSettings, sshOptionsGiven, type SshOptionsInput, type SshSettings } from '../location/ssh.js';
import { CONNECT_TIMEOUT_SECONDS } from '../location/transport.js';
import { DEFAULT_REMOTE_TIMEOUT_SECONDS } from '../options.js';
import type { SnapshotEntry } from './layout.js';
import { LocalSnapshotRoot } from './local-snapshot-root.js';
import type { SnapshotManifest } from './manifest.js';
import { RemoteSnapshotRoot } from './remote-snapshot-root.js';

/**
 * A backup root in snapshot mode, wherever it is: every read and write of the snapshots folder
 * goes through one of these, so the run, retention, listing and restore work the same on a local
 * path (fs calls) and on an ssh or rsync-daemon root (rsync calls only, no remote shell).
 */
export interface SnapshotRoot {
  /** The backup root as the user wrote it (normalized). */
  readonly dest: string;
  readonly location: Location;
  /** Where snapshot folder `folder` is, as rsync and the engine take it: a path or a remote location. */
  folderPath(folder: string): string;
  /**
   * The folder a new snapshot is written in. Locally `<name>.partial`, renamed when published; a
   * remote root cannot rename, so there it is `<name>`, and the finished manifest publishes it.
   */
  inProgressFolder(name: string): string;
  /** Whether the backup root exists (an unreachable remote throws). */
  exists(): Promise<boolean>;
  /**
   * The snapshots, oldest first (see listSnapshots), the folder the `latest` link names, and every
   * folder name in the snapshots folder, dailysync's or not (undefined when there is no such folder).
   */
  read(): Promise<SnapshotRootContents>;
  /** Whether the root holds anything besides dailysync's own folders: the mirror a switch from mirror mode left. */
  mirrorExists(): Promise<boolean>;
  /** Creates the snapshots folder and `folder` with its manifest; an existing manifest is kept. */
  startSnapshot(folder: string, manifest: SnapshotManifest): Promise<void>;
  /** Removes `folder` when it holds nothing but its manifest (a run refused before copying). */
  discardIfEmpty(folder: string): Promise<void>;
  /**
   * Makes a finished tree a restore point: the finished manifest, the source root's time on the
   * snapshot root, the final name, then `latest`. Returns where the snapshot now is.
   */
  publish(folder: string, manifest: SnapshotManifest, localSource: string | undefined): Promise<string>;
  /**
   * Removes snapshots planPrune chose: each stops being a restore point first, its data goes with
   * `concurrency` processes at once, its manifest last (an interrupted removal stays provably ours).
   */
  remove(doomed: readonly SnapshotEntry[], concurrency: number, signal?: AbortSignal): Promise<void>;
  /** The entries at the top of `dir` (the root, or a folderPath): the projects a restore can name. */
  topEntries(dir: string): Promise<{ name: string; isDirectory: boolean }[]>;
  /** Where this machine keeps the lock of snapshot runs into this root. */
  lockDirectory(): string;
}

export interface SnapshotRootContents {
  entries: SnapshotEntry[];
  latest: string | undefined;
  folderNames: string[] | undefined;
}

/** How to reach a backup root: the location, and for a remote one the ssh and rsync settings. */
export interface SnapshotRootAccess extends SshOptionsInput {
  dest: string;
  rsyncPath?: string;
  /** rsync --timeout for a remote root; default 300 s. */
  timeoutSeconds?: number;
  retry?: RetryPolicy;
  signal?: AbortSignal;
}

/** What a remote snapshot root needs to run rsync against it. */
export interface RemoteRootSettings {
  location: Location;
  ssh?: SshSettings;
  rsyncPath: string;
  timeoutSeconds: number;
  retry: RetryPolicy;
  signal?: AbortSignal;
}

/** Opens the backup root `access.dest` names. Throws ConfigError for a bad location or ssh option. */
export function openSnapshotRoot(access: SnapshotRootAccess): SnapshotRoot {
  const location = parseLocation('dest', access.dest);
  if (location.kind === 'local') {
    if (sshOptionsGiven(access)) throw new ConfigError('--ssh-* options were given but --dest is not an ssh location (user@host:/path): remove them or fix the location');
    return new LocalSnapshotRoot(location.path);
  }
  if (location.kind !== 'ssh' && sshOptionsGiven(access)) {
    throw new ConfigError('--ssh-* options were given but --dest is not an ssh location (user@host:/path): remove them or fix the location');
  }
  return new RemoteSnapshotRoot(formatLocation(location), {
    location,
    ...(location.kind === 'ssh' ? { ssh: resolveSshSettings(access, CONNECT_TIMEOUT_SECONDS) } : {}),
    rsyncPath: access.rsyncPath ?? 'rsync',
    timeoutSeconds: access.timeoutSeconds ?? DEFAULT_REMOTE_TIMEOUT_SECONDS,
    retry: access.retry ?? DEFAULT_RETRY_POLICY,
    ...(access.signal === undefined ? {} : { signal: access.signal }),
  });
}

/** Locks of runs into a remote root live on this machine (the remote side has no shell to hold them). */
export function remoteLockDirectory(): string {
  return path.join(os.tmpdir(), 'dailysync-locks');
}
