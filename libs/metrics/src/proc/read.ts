import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parseProcStat, type ProcStat } from './stat.js';
import { parseDiskstats, type DiskCounters } from './diskstats.js';
import { parseNetDev, type NetCounters } from './netdev.js';
import { parseMeminfo, type MemInfo } from './meminfo.js';
import { parseVmstat, type VmCounters } from './vmstat.js';
import { parsePressure, type Pressure } from './pressure.js';
import {
  descendantsFromParents,
  parseChildren,
  parsePidIo,
  parsePidStat,
  sumTree,
  type PidIo,
  type PidStat,
  type TreeTotals,
} from './pid.js';

// Thin readers: synchronous on purpose. /proc reads never block on disk and cost microseconds,
// while the async fs API would add a thread-pool round trip per file.

/** Text of a /proc or /sys file, or undefined when it does not exist or cannot be read. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export const readProcStat = (): ProcStat => parseProcStat(readText('/proc/stat') ?? '');
export const readDiskstats = (): Map<string, DiskCounters> => parseDiskstats(readText('/proc/diskstats') ?? '');
export const readNetDev = (): Map<string, NetCounters> => parseNetDev(readText('/proc/net/dev') ?? '');
export const readMeminfo = (): MemInfo => parseMeminfo(readText('/proc/meminfo') ?? '');
export const readVmstat = (): VmCounters => parseVmstat(readText('/proc/vmstat') ?? '');

/** PSI for one resource; undefined when the kernel has no PSI (CONFIG_PSI off or psi=0). */
export function readPressure(resource: 'cpu' | 'io' | 'memory'): Pressure | undefined {
  const t = readText(`/proc/pressure/${resource}`);
  return t === undefined ? undefined : parsePressure(t);
}

let childrenFileWorks: boolean | undefined;

/** Children of one process via /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN). */
function childrenOf(pid: number, numThreads = 0): number[] | undefined {
  // Single-threaded (every rsync): one file, no directory listing.
  let tids: string[] = [String(pid)];
  if (numThreads !== 1) {
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return [];
    }
  }
  const out: number[] = [];
  for (const tid of tids) {
    const t = readText(`/proc/${pid}/task/${tid}/children`);
    if (t === undefined) return numThreads === 1 && existsSync(`/proc/${pid}`) ? undefined : out;
    out.push(...parseChildren(t));
  }
  return out;
}

/** Descendant pids of root (root excluded). Walks down from root when the kernel allows, else scans /proc. */
export function listDescendants(root: number): number[] {
  if (childrenFileWorks !== false) {
    const out: number[] = [];
    const stack = [root];
    let ok = true;
    while (stack.length > 0) {
      const kids = childrenOf(stack.pop() as number);
      if (kids === undefined) {
        ok = false;
        break;
      }
      out.push(...kids);
      stack.push(...kids);
    }
    childrenFileWorks = ok;
    if (ok) return out;
  }
  // Fallback: one pass over every /proc/<pid>/stat to learn parents.
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = parsePidStat(readText(`/proc/${name}/stat`) ?? '');
    if (s) parentOf.set(s.pid, s.ppid);
  }
  return descendantsFromParents(root, parentOf);
}

/** Totals of root and its live descendants; undefined once root itself is gone. */
export function readTree(root: number): TreeTotals | undefined {
  const rootStat = parsePidStat(readText(`/proc/${root}/stat`) ?? '');
  if (!rootStat) return undefined;
  const stats: PidStat[] = [];
  const ios: Array<PidIo | undefined> = [];
  const add = (s: PidStat): void => {
    stats.push(s);
    ios.push(parsePidIo(readText(`/proc/${s.pid}/io`) ?? ''));
  };
  add(rootStat);
  if (childrenFileWorks !== false) {
    // Walk down from root, reading each member's stat once (it also tells the thread count).
    const queue: PidStat[] = [rootStat];
    let ok = true;
    while (queue.length > 0 && ok) {
      const p = queue.pop() as PidStat;
      const kids = childrenOf(p.pid, p.numThreads);
      if (kids === undefined) {
        ok = false;
        break;
      }
      for (const k of kids) {
        const s = parsePidStat(readText(`/proc/${k}/stat`) ?? '');
        if (!s) continue; // exited between listing and reading
        add(s);
        queue.push(s);
      }
    }
    childrenFileWorks = ok;
    if (ok) return sumTree(stats, ios);
    stats.length = 1;
    ios.length = 1;
  }
  for (const pid of listDescendants(root)) {
    const s = parsePidStat(readText(`/proc/${pid}/stat`) ?? '');
    if (s) add(s);
  }
  return sumTree(stats, ios);
}
