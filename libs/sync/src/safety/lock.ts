import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LockedError, WriteError } from '../errors.js';
import { stateDir } from '../state/run-state.js';

/** What a lock file says about the run holding it. */
export interface LockInfo {
  pid: number;
  host: string;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat field 22): detects pid reuse. */
  procStart: string | null;
  startedAt: string;
  source: string;
  dest: string;
}

export interface HeldLock {
  file: string;
  info: LockInfo;
  /** The lock that was left by a run that died (SIGKILL, power loss) and was taken over, if any. */
  tookOverFrom: LockInfo | null;
  release: () => Promise<void>;
}

function cannotWriteLock(file: string, error: unknown): WriteError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' ? 'no write permission' : code === 'EROFS' ? 'the file system is read-only' : code;
  return new WriteError(`cannot write the run lock ${file} (${why}): nothing was copied; free space on or fix the permissions of the backup root`);
}

/** Lock file of one source/destination pair; by default in the backup root next to the run state. */
export function lockFile(source: string, dest: string, dir = stateDir(dest)): string {
  const key = createHash('sha256').update(`${source}\0${dest}`).digest('hex').slice(0, 16);
  return path.join(dir, `lock-${key}.json`);
}

async function procStartTime(pid: number): Promise<string | null> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; starttime is field 22 overall, 20th after ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the process named in a lock on this host is still the run that wrote it. */
export async function isLockHolderAlive(info: LockInfo): Promise<boolean> {
  if (info.host !== os.hostname()) return true; // Cannot tell for another host: assume it runs.
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = await procStartTime(info.pid);
  if (start === null) return false;
  return info.procStart === null || info.procStart === start;
}

async function readLock(file: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as LockInfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Half-written by a run killed while creating it: treat as a dead holder.
    return { pid: -1, host: os.hostname(), procStart: null, startedAt: 'unknown', source: '?', dest: '?' };
  }
}

function describe(info: LockInfo): string {
  return `pid ${info.pid} on ${info.host}, started ${info.startedAt}`;
}

/**
 * Takes the lock of a source/destination pair: exclusive create, so exactly one run wins.
 * A lock whose holder is gone (killed run) is moved aside and taken over; a live holder makes
 * this throw LockedError (exit 75) naming it.
 */
export async function acquireLock(source: string, dest: string, file = lockFile(source, dest)): Promise<HeldLock> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
  } catch (error) {
    throw cannotWriteLock(file, error);
  }
  const info: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    procStart: await procStartTime(process.pid),
    startedAt: new Date().toISOString(),
    source,
    dest,
  };
  let tookOverFrom: LockInfo | null = null;
  for (let tries = 0; tries < 5; tries++) {
    try {
      const handle = await fs.open(file, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(info)}\n`);
        await handle.sync();
      } catch (error) {
        // An empty lock left by a full disk would look like a killed run's to the next one.
        await handle.close();
        await fs.rm(file, { force: true });
        throw cannotWriteLock(file, error);
      }
      await handle.close();
      let released = false;
      return {
        file,
        info,
        tookOverFrom,
        release: async () => {
          if (released) return;
          released = true;
          const current = await readLock(file);
          if (current?.pid === info.pid && current.startedAt === info.startedAt) await fs.rm(file, { force: true });
        },
      };
    } catch (error) {
      if (error instanceof WriteError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWriteLock(file, error);
    }
    const holder = await readLock(file);
    if (holder === null) continue; // Released meanwhile: try again.
    if (await isLockHolderAlive(holder)) {
      throw new LockedError(
        `another dailysync run (${describe(holder)}) is backing up ${holder.source} to ${holder.dest}: wait for it to finish or stop it (lock ${file})`,
      );
    }
    // Move the dead run's lock aside under a name only we use, then check it is the one we judged
    // dead: if another run took it over meanwhile, put that live lock back and report it.
    const aside = `${file}.stale-${process.pid}`;
    try {
      await fs.rename(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const moved = await readLock(aside);
    if (moved !== null && (moved.pid !== holder.pid || moved.startedAt !== holder.startedAt) && (await isLockHolderAlive(moved))) {
      await fs.link(aside, file).catch(() => undefined);
      await fs.rm(aside, { force: true });
      throw new LockedError(`another dailysync run (${describe(moved)}) is backing up ${moved.source} to ${moved.dest}: wait for it to finish or stop it (lock ${file})`);
    }
    await fs.rm(aside, { force: true });
    tookOverFrom = holder;
  }
  throw new LockedError(`could not take the lock ${file} after several tries: another run keeps taking it; retry later`);
}
