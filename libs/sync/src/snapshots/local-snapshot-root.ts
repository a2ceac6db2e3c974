import fs from 'node:fs/promises';
import path from 'node:path';
import { runQueue } from '../engine/queue.js';
import { describeProcessEnd, runProcess } from '../process/spawn.js';
import { STATE_DIR_NAME, stateDir } from '../state/run-state.js';
import { latestLinkTarget, listSnapshots, snapshotsRoot, type SnapshotEntry } from './layout.js';
import { readManifest, writeManifest, type SnapshotManifest } from './manifest.js';
import { PARTIAL_SUFFIX, PRUNING_SUFFIX, SNAPSHOTS_DIR_NAME } from './naming.js';
import { publishSnapshot } from './publish.js';
import type { SnapshotRoot, SnapshotRootContents } from './snapshot-root.js';

/** Runs a file tool to its end; a failure throws with what it said. */
async function run(file: string, args: string[]): Promise<void> {
  const end = await runProcess(file, args);
  if (end.exitCode !== 0) throw new Error(`${file} ${args.at(-1)} failed (${describeProcessEnd(end)}): ${end.stderr.toString().trim()}`);
}

/** A backup root on this machine (a local disk or a mounted share): plain file system calls. */
export class LocalSnapshotRoot implements SnapshotRoot {
  readonly location;

  constructor(readonly dest: string) {
    this.location = { kind: 'local' as const, path: dest };
  }

  folderPath(folder: string): string {
    return path.join(snapshotsRoot(this.dest), folder);
  }

  inProgressFolder(name: string): string {
    return `${name}${PARTIAL_SUFFIX}`;
  }

  async exists(): Promise<boolean> {
    return (await fs.stat(this.dest).catch(() => undefined))?.isDirectory() === true;
  }

  async read(): Promise<SnapshotRootContents> {
    const folderNames = await fs.readdir(snapshotsRoot(this.dest)).catch(() => undefined);
    return { entries: await listSnapshots(this.dest), latest: await latestLinkTarget(this.dest), folderNames };
  }

  async mirrorExists(): Promise<boolean> {
    try {
      return (await fs.readdir(this.dest)).some((n) => n !== SNAPSHOTS_DIR_NAME && n !== STATE_DIR_NAME);
    } catch {
      return false;
    }
  }

  async startSnapshot(folder: string, manifest: SnapshotManifest): Promise<void> {
    const dir = this.folderPath(folder);
    await fs.mkdir(dir, { recursive: true });
    // The manifest comes first: from now on the folder is provably dailysync's (retention may remove it).
    if (!(await readManifest(dir, manifest.name))) await writeManifest(dir, manifest);
  }

  async discardIfEmpty(folder: string): Promise<void> {
    const dir = this.folderPath(folder);
    if ((await fs.readdir(dir)).every((n) => n === STATE_DIR_NAME)) await fs.rm(dir, { recursive: true, force: true });
  }

  async publish(folder: string, manifest: SnapshotManifest, localSource: string | undefined): Promise<string> {
    const dir = this.folderPath(folder);
    await writeManifest(dir, manifest);
    // Every project folder is new in a snapshot: creating them after the root pass moved the root's
    // modification time. Put the source root's back, so the snapshot equals the source there too.
    // touch -r keeps nanoseconds (fs.utimes rounds them, and rsync would then see a difference).
    if (localSource !== undefined) await run('touch', ['-r', localSource, '--', dir]);
    return publishSnapshot(this.dest, manifest.name);
  }

  async remove(doomed: readonly SnapshotEntry[], concurrency: number, signal?: AbortSignal): Promise<void> {
    const root = snapshotsRoot(this.dest);
    const renamed: string[] = [];
    // Renamed to `.pruning` first: from then on it is no restore point.
    for (const d of doomed) {
      const target = d.state === 'pruning' ? d.dir : path.join(root, `${d.name}${PRUNING_SUFFIX}`);
      if (target !== d.dir) await fs.rename(d.dir, target);
      renamed.push(target);
    }
    // Spread the work: every top-level entry of every doomed snapshot is one rm job, each on one filesystem.
    const jobs: string[] = [];
    for (const dir of renamed) for (const name of await fs.readdir(dir)) if (name !== STATE_DIR_NAME) jobs.push(path.join(dir, name));
    await runQueue(
      jobs,
      () => concurrency,
      async (entry) => {
        await run('rm', ['-rf', '--one-file-system', '--', entry]);
      },
      { signal },
    );
    if (!signal?.aborted) for (const dir of renamed) await fs.rm(dir, { recursive: true, force: true });
  }

  async topEntries(dir: string): Promise<{ name: string; isDirectory: boolean }[]> {
    return (await fs.readdir(dir, { withFileTypes: true })).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  }

  lockDirectory(): string {
    return stateDir(this.dest);
  }
}
