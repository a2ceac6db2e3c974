import fs from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';
import { STATE_DIR_NAME } from '../state/run-state.js';

/**
 * Clean-up after a run that died without cleaning up (SIGKILL of dailysync, power loss): its
 * rsync processes may still run (they live in their own process groups) and rsync may have left
 * its temporary files in the run's temporary folder.
 */

interface ProcessInfo {
  pid: number;
  pgid: number;
  argv: string[];
}

async function listProcesses(): Promise<ProcessInfo[]> {
  const out: ProcessInfo[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [cmdline, stat] = await Promise.all([fs.readFile(`/proc/${entry}/cmdline`), fs.readFile(`/proc/${entry}/stat`, 'utf8')]);
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = cmdline.toString('utf8').split('\0');
      if (argv[argv.length - 1] === '') argv.pop();
      out.push({ pid: Number(entry), pgid: Number(fields[2]), argv });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

function isUnder(p: string | undefined, root: string): boolean {
  if (p === undefined) return false;
  const withSlash = root.endsWith('/') ? root : `${root}/`;
  return p === root || p.startsWith(withSlash);
}

/** rsync processes copying from `source` into `dest`, as dailysync starts them (`-- FROM TO`). */
export async function findRsyncProcesses(source: string, dest: string): Promise<ProcessInfo[]> {
  return (await listProcesses()).filter((p) => {
    if (p.pid === process.pid || !path.basename(p.argv[0] ?? '').startsWith('rsync')) return false;
    const sep = p.argv.indexOf('--');
    return sep >= 0 && isUnder(p.argv[sep + 1], source) && isUnder(p.argv[sep + 2], dest);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops leftover rsync process groups of a dead run: SIGTERM (rsync removes its temp file), then SIGKILL. */
export async function stopLeftoverRsync(source: string, dest: string, graceMs = 5000): Promise<number[]> {
  const found = await findRsyncProcesses(source, dest);
  const groups = [...new Set(found.map((p) => p.pgid))];
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + graceMs;
  while (found.some((p) => alive(p.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of found) {
    if (!alive(p.pid)) continue;
    try {
      process.kill(-p.pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return found.map((p) => p.pid);
}

/**
 * Without --delete (usesRunTempDir), every rsync of a run writes its temporary files into the
 * run's own folder inside the backup
 * (`--temp-dir`, `.dailysync/tmp/<host>-<pid>-<random>`), on the backup's filesystem so the
 * rename into place stays atomic. What a killed run leaves behind is then provably its own: that
 * folder, nothing in the user's tree. (Guessing temp files by their `.name.XXXXXX` shape deleted
 * real backup-only files such as `.notes.backup`.)
 */
export function runTempRoot(dest: string): string {
  return path.join(dest, STATE_DIR_NAME, 'tmp');
}

const RUN_TEMP_NAME = /^(.+)-(\d+)-[0-9a-f]{8}$/;

/**
 * Whether a task's rsync writes its temporary files into the run's own folder. Without --delete,
 * always: nothing else would remove what a killed rsync left beside a file, so it must be provably
 * ours. With --delete, only the link pass: a file a killed rsync left beside its target is in no
 * source folder, so the next run's rsync deletes it, as one whole-tree rsync would; but the link
 * pass writes into folders other tasks own while they run, and their --delete would take its
 * temporary file from under it (the rename then fails). The folder has a price: rsync 3.5.0 opens
 * it component by component about four times per file written (2,000 one-file projects on tmpfs:
 * 0.40 s without it, 0.57 s relative, 0.88 s absolute; 200 files into a NAS without a metadata
 * cache: 7.4 s without it, 25.5 s through the absolute path a project's task must use). A remote
 * backup never has one.
 */
export function usesRunTempDir(options: Pick<ResolvedBackupOptions, 'delete' | 'destLocation' | 'dryRun'>, task: Pick<SyncTask, 'kind'>): boolean {
  return options.destLocation.kind === 'local' && !options.dryRun && (!options.delete || task.kind === 'links');
}

/** Creates this run's temporary folder for rsync's files (see runTempRoot). */
export async function makeRunTempDir(dest: string): Promise<string> {
  const dir = path.join(runTempRoot(dest), `${os.hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Removes the temporary folders of runs on this host whose process is gone (killed, power loss),
 * with what rsync left in them. A folder of a live process or of another host is left alone.
 * Returns the files removed.
 */
export async function removeDeadRunTempDirs(dest: string): Promise<string[]> {
  const root = runTempRoot(dest);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = RUN_TEMP_NAME.exec(name);
    if (!match || match[1] !== os.hostname() || alive(Number(match[2]))) continue;
    const dir = path.join(root, name);
    const files = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
    await fs.rm(dir, { recursive: true, force: true });
    removed.push(...files.map((f) => path.join(dir, f)));
  }
  return removed;
}
