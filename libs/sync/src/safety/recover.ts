import fs from 'node:fs/promises';
import path from 'node:path';
import { STATE_DIR_NAME } from '../state/run-state.js';

/**
 * Clean-up after a run that died without cleaning up (SIGKILL of dailysync, power loss): its
 * rsync processes may still run (they live in their own process groups) and rsync may have left
 * its temporary files (`.name.XXXXXX`) in the backup.
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

/** rsync's temporary file name: "." + (possibly shortened) name + "." + 6 random characters. */
const RSYNC_TEMP_NAME = /^\..+\.[A-Za-z0-9]{6}$/s;

function join(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from('/'), name]);
}

async function lexists(p: Buffer): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** The file an rsync temp name stands for: ".clip.mov.a1B2c3" -> "clip.mov". */
function tempTarget(name: Buffer): Buffer {
  return name.subarray(1, name.length - 7);
}

/**
 * Deletes rsync temporary files a killed rsync left in `dest`. A file counts only when its name
 * has rsync's temp shape, no entry of that name exists at the same place in the source, and the
 * file it stands for does exist there (rsync was copying it). A user's own `.notes.backup` style
 * file, even one since deleted from the source, is never touched; a temp file whose name rsync
 * shortened is left in place rather than guessed at. Names are handled as bytes (invalid
 * UTF-8 survives); paths the OS cannot reach (over PATH_MAX) are skipped.
 */
export async function removeRsyncTempFiles(source: string, dest: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (destDir: Buffer, sourceDir: Buffer, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(destDir, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      return;
    }
    for (const entry of entries) {
      const name = entry.name as unknown as Buffer;
      if (depth === 0 && name.toString() === STATE_DIR_NAME) continue;
      const destPath = join(destDir, name);
      if (entry.isDirectory()) {
        await walk(destPath, join(sourceDir, name), depth + 1);
      } else if (
        entry.isFile() &&
        RSYNC_TEMP_NAME.test(name.toString('latin1')) &&
        !(await lexists(join(sourceDir, name))) &&
        (await lexists(join(sourceDir, tempTarget(name))))
      ) {
        await fs.rm(destPath, { force: true });
        removed.push(destPath.toString());
      }
    }
  };
  await walk(Buffer.from(dest), Buffer.from(source), 0);
  return removed;
}
