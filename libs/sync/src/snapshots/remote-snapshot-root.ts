import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runQueue } from '../engine/queue.js';
import { ConfigError, InterruptedError, RemoteUnreachableError, SafetyError, WriteError } from '../errors.js';
import { parseListOnly, type ListedEntry } from '../location/list-remote.js';
import { childLocation, formatLocation, locationOperand, parseLocation, type Location } from '../location/location.js';
import { describeAttempts, runRemoteRsync } from '../location/remote-rsync.js';
import { transportArgs } from '../location/transport.js';
import { escapeFilterName } from '../rsync/args.js';
import { STATE_DIR_NAME } from '../state/run-state.js';
import { latestLinkTarget, listSnapshots, type SnapshotEntry } from './layout.js';
import { SNAPSHOT_MANIFEST_FILE, type SnapshotManifest } from './manifest.js';
import { LATEST_LINK_NAME, SNAPSHOTS_DIR_NAME } from './naming.js';
import { remoteLockDirectory, type RemoteRootSettings, type SnapshotRoot, type SnapshotRootContents } from './snapshot-root.js';

/** The local side of every rsync against the root: a temporary folder on this machine. */
const THIS_MACHINE: Location = { kind: 'local', path: '/' };

/** A name as a literal in a filter pattern that ends in `***` (a wildcard, so `\\` escapes too). */
function escapeRulePattern(name: string): string {
  return name.replace(/[*?[\\]/g, '\\$&');
}

/** rsync's message for a path that is not there (ssh and daemon alike). */
const MISSING = /No such file or directory \(2\)/;

/**
 * A backup root behind ssh or an rsync daemon. Only rsync runs against it (no remote shell, so the
 * same code works with a daemon): the manifests and the `latest` link are read by copying them into
 * a temporary folder, written by copying staged files (rsync's temporary file and rename make each
 * replacement atomic), and snapshots are removed by deleting against an empty folder, with filter
 * rules that name exactly one snapshot. There is no rename: a snapshot is written under its final
 * name and becomes a restore point when its finished manifest lands.
 */
export class RemoteSnapshotRoot implements SnapshotRoot {
  readonly location: Location;

  constructor(
    readonly dest: string,
    private readonly settings: RemoteRootSettings,
  ) {
    this.location = settings.location;
  }

  folderPath(folder: string): string {
    return formatLocation(this.folderLocation(folder));
  }

  inProgressFolder(name: string): string {
    return name;
  }

  async exists(): Promise<boolean> {
    return (await this.rsync(['--list-only', '--dirs', '--', this.sender(this.location)], 'list', { missingOk: true })) !== undefined;
  }

  async read(): Promise<SnapshotRootContents> {
    return this.withTempDir(async (copy) => {
      // One transfer brings every manifest, shard marker and the `latest` link, and nothing else.
      // `/snapshots` without a slash: a link or file by that name comes over too, and is refused below.
      const rules = ['/snapshots', `/snapshots/${LATEST_LINK_NAME}`, '/snapshots/*/', `/snapshots/*/${STATE_DIR_NAME}/`, `/snapshots/*/${STATE_DIR_NAME}/*.json`];
      const args = ['--recursive', '--links', ...rules.map((r) => `--include=${r}`), '--exclude=*', '--', this.sender(this.location), `${copy}/`];
      if ((await this.rsync(args, 'read the snapshots of', { missingOk: true })) === undefined) return { entries: [], latest: undefined, folderNames: undefined };
      const kind = await fs.lstat(path.join(copy, SNAPSHOTS_DIR_NAME)).catch(() => undefined);
      if (kind !== undefined && !kind.isDirectory()) {
        throw new ConfigError(`--dest ${this.dest} holds a "${SNAPSHOTS_DIR_NAME}" that is not a folder (a link or a file): dailysync keeps snapshots in a real folder there; move that entry away or pick another backup root`);
      }
      const entries = (await listSnapshots(copy)).map((e) => ({ ...e, dir: this.folderPath(e.folder) }));
      // Every folder of the snapshots folder came over (empty unless it is a snapshot).
      const folderNames = await fs.readdir(path.join(copy, SNAPSHOTS_DIR_NAME)).catch(() => undefined);
      return { entries, latest: await latestLinkTarget(copy), folderNames };
    });
  }

  async mirrorExists(): Promise<boolean> {
    const entries = await this.list(this.location);
    return entries?.some((e) => e.name !== SNAPSHOTS_DIR_NAME && e.name !== STATE_DIR_NAME) ?? false;
  }

  async startSnapshot(folder: string, manifest: SnapshotManifest): Promise<void> {
    await this.withTempDir(async (stage) => {
      const stateFolder = path.join(stage, SNAPSHOTS_DIR_NAME, folder, STATE_DIR_NAME);
      await fs.mkdir(stateFolder, { recursive: true });
      await fs.writeFile(path.join(stateFolder, SNAPSHOT_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      // --ignore-existing: a manifest already there (a rerun under the same name) is kept.
      await this.rsync(['--recursive', '--ignore-existing', '--', `${stage}/`, this.receiver(this.location)], 'create a snapshot folder in');
    });
  }

  async discardIfEmpty(folder: string): Promise<void> {
    const entries = await this.list(this.folderLocation(folder));
    if (entries !== undefined && entries.every((e) => e.name === STATE_DIR_NAME)) await this.deleteSnapshotFolder(folder);
  }

  async publish(folder: string, manifest: SnapshotManifest, localSource: string | undefined): Promise<string> {
    const target = this.folderLocation(folder);
    // The source root's time on the snapshot root (creating the project folders moved it); --dirs
    // with everything excluded transfers only the folder itself.
    if (localSource !== undefined) await this.rsync(['--dirs', '--times', '--exclude=*', '--', `${localSource}/`, this.receiver(target)], 'set the time of');
    await this.writeManifest(folder, manifest);
    await this.withTempDir(async (stage) => {
      await fs.symlink(manifest.name, path.join(stage, LATEST_LINK_NAME));
      // rsync creates the link under a temporary name and renames it over the old one.
      await this.rsync(['--dirs', '--links', `--include=/${LATEST_LINK_NAME}`, '--exclude=*', '--', `${stage}/`, this.receiver(this.snapshotsLocation())], 'point latest at the new snapshot in');
    });
    return this.folderPath(folder);
  }

  async remove(doomed: readonly SnapshotEntry[], concurrency: number, signal?: AbortSignal): Promise<void> {
    const now = new Date().toISOString();
    // Marked first: from then on it is no restore point, and an interrupted removal is finished next time.
    for (const d of doomed) if (d.manifest.pruningSince === undefined) await this.writeManifest(d.folder, { ...d.manifest, pruningSince: now });
    // Spread the work over at most `concurrency` rsyncs per snapshot (one connection each, not one
    // per folder): each deletes the top-level entries its filter rules name, never the manifest.
    const jobs: { folder: string; entries: ListedEntry[] }[] = [];
    for (const d of doomed) {
      const entries = ((await this.list(this.folderLocation(d.folder))) ?? []).filter((e) => e.name !== STATE_DIR_NAME);
      const count = Math.min(Math.max(1, concurrency), entries.length);
      for (let i = 0; i < count; i++) jobs.push({ folder: d.folder, entries: entries.filter((_, j) => j % count === i) });
    }
    await this.withTempDir(async (dir) => {
      const empty = path.join(dir, 'empty');
      await fs.mkdir(empty);
      await runQueue(
        jobs.map((job, index) => ({ ...job, rules: path.join(dir, `rules-${index}`) })),
        () => concurrency,
        async (job) => {
          // `/name/***`: a folder and all below it; a file or link by its name alone.
          const rules = job.entries.map((e) => `+ /${e.isDirectory ? `${escapeRulePattern(e.name)}/***` : escapeFilterName(e.name)}\0`);
          await fs.writeFile(job.rules, `${rules.join('')}- *\0`);
          // --one-file-system: a filesystem mounted inside a snapshot is not the snapshot's (rm does the same locally).
          await this.rsync(['--dirs', '--delete', '--one-file-system', '--from0', `--filter=. ${job.rules}`, '--', `${empty}/`, this.receiver(this.folderLocation(job.folder))], 'remove a snapshot from');
        },
        { signal },
      );
    });
    if (signal?.aborted) return;
    for (const d of doomed) {
      // The manifest goes only with an otherwise empty folder: what rsync left (a mount inside) keeps it provably ours.
      const left = ((await this.list(this.folderLocation(d.folder))) ?? []).filter((e) => e.name !== STATE_DIR_NAME);
      if (left.length > 0) {
        throw new SafetyError(`snapshot ${d.folder} in --dest ${this.dest} could not be emptied (${left.slice(0, 3).map((e) => e.name).join(', ')} left, e.g. another filesystem mounted inside): unmount or remove it by hand; the next run removes the rest`);
      }
      await this.deleteSnapshotFolder(d.folder);
    }
  }

  async topEntries(dir: string): Promise<{ name: string; isDirectory: boolean }[]> {
    const entries = await this.list(parseLocation('dest', dir));
    if (entries === undefined) throw new ConfigError(`${dir} does not exist: list the snapshots with "dailysync snapshots --dest ${this.dest}"`);
    return entries;
  }

  lockDirectory(): string {
    return remoteLockDirectory();
  }

  private snapshotsLocation(): Location {
    return childLocation(this.location, SNAPSHOTS_DIR_NAME);
  }

  private folderLocation(folder: string): Location {
    return childLocation(this.location, `${SNAPSHOTS_DIR_NAME}/${folder}`);
  }

  private sender(location: Location): string {
    return locationOperand(location, '', true);
  }

  private receiver(location: Location): string {
    return locationOperand(location, '');
  }

  /** The direct entries of a remote folder, or undefined when it does not exist. */
  private async list(location: Location): Promise<ListedEntry[] | undefined> {
    const stdout = await this.rsync(['--list-only', '--', this.sender(location)], 'list', { missingOk: true });
    return stdout === undefined ? undefined : parseListOnly(stdout);
  }

  /** Replaces a snapshot's manifest (rsync writes a temporary file and renames it: atomic). */
  private async writeManifest(folder: string, manifest: SnapshotManifest): Promise<void> {
    await this.withTempDir(async (stage) => {
      const file = path.join(stage, SNAPSHOT_MANIFEST_FILE);
      await fs.writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
      // --ignore-times: always sent, even when size and time happen to match the old one.
      await this.rsync(['--ignore-times', '--', file, this.receiver(this.folderLocation(`${folder}/${STATE_DIR_NAME}`))], 'write a snapshot manifest in');
    });
  }

  /** Deletes one snapshot folder, whole: the filter rules name it and protect every other entry. */
  private async deleteSnapshotFolder(folder: string): Promise<void> {
    await this.withTempDir((empty) =>
      this.rsync(['--dirs', '--delete', '--one-file-system', `--include=/${folder}/***`, '--exclude=*', '--', `${empty}/`, this.receiver(this.snapshotsLocation())], 'remove a snapshot from'),
    );
  }

  private async withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dailysync-snapshot-root-'));
    try {
      return await use(dir);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Runs one rsync against the root and returns its output; retries connection trouble like a task.
   * `missingOk`: a path that does not exist gives undefined instead of an error.
   */
  private async rsync(args: string[], what: string, options: { missingOk?: boolean } = {}): Promise<string | undefined> {
    const { rsyncPath, ssh, timeoutSeconds, retry, signal } = this.settings;
    const transport = transportArgs({ sourceLocation: THIS_MACHINE, destLocation: this.location, ...(ssh === undefined ? {} : { ssh }), timeoutSeconds });
    const outcome = await runRemoteRsync(rsyncPath, [...transport, ...args], { retry, ...(signal === undefined ? {} : { signal }) });
    if (outcome.kind === 'ok') return outcome.stdout;
    if (options.missingOk && MISSING.test(outcome.stderr)) return undefined;
    if (outcome.interrupted) throw new InterruptedError(`interrupted while working in --dest ${this.dest}`);
    const failed = `could not ${what} --dest ${this.dest} ${describeAttempts(outcome)}`;
    if (outcome.classification.retryable) throw new RemoteUnreachableError(`${failed}: the host is not reachable; try again when it is`);
    throw new WriteError(`${failed}: ${outcome.classification.meaning}`);
  }
}
