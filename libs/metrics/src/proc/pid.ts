/** The fields of /proc/<pid>/stat that the sampler needs (proc(5)). */
export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Clock ticks of this process's own threads. */
  utime: number;
  stime: number;
  /** Clock ticks of children it has waited for (reaped), recursively. */
  cutime: number;
  cstime: number;
  /** Clock ticks since boot when the process started: tells a reused pid apart. */
  starttime: number;
  numThreads: number;
}

/** Parse /proc/<pid>/stat. comm may contain spaces and ')', so split at the last ')'. */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const n = (field: number): number => Number(rest[field - 3] ?? 0) || 0;
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: n(4),
    utime: n(14),
    stime: n(15),
    cutime: n(16),
    cstime: n(17),
    starttime: n(22),
    numThreads: n(20),
  };
}

/** /proc/<pid>/io: includes the I/O of reaped children (the kernel adds it at wait()). */
export interface PidIo {
  /** Bytes passed through read()/write() calls, cache hits included. */
  rchar: number;
  wchar: number;
  /** Bytes this process caused to be fetched from / sent to the block layer. */
  readBytes: number;
  writeBytes: number;
  cancelledWriteBytes: number;
}

export function parsePidIo(text: string): PidIo | undefined {
  const v = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(\d+)/.exec(line);
    if (m?.[1] && m[2]) v.set(m[1], Number(m[2]));
  }
  if (!v.has('rchar')) return undefined;
  const g = (k: string): number => v.get(k) ?? 0;
  return {
    rchar: g('rchar'),
    wchar: g('wchar'),
    readBytes: g('read_bytes'),
    writeBytes: g('write_bytes'),
    cancelledWriteBytes: g('cancelled_write_bytes'),
  };
}

/** Parse /proc/<pid>/task/<tid>/children: space-separated child pids. */
export function parseChildren(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((x) => Number.isInteger(x) && x > 0);
}

/** All descendants of `root` given every process's parent (from a /proc/*\/stat scan). */
export function descendantsFromParents(root: number, parentOf: ReadonlyMap<number, number>): number[] {
  const kids = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) {
    const list = kids.get(ppid);
    if (list) list.push(pid);
    else kids.set(ppid, [pid]);
  }
  const out: number[] = [];
  const stack = [...(kids.get(root) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    out.push(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

/** Totals over a process tree at one instant. */
export interface TreeTotals {
  /** Processes alive in the tree (root included when alive). */
  pids: number;
  /**
   * utime+stime+cutime+cstime summed over live members. A child that exits moves its time into
   * its parent's cutime/cstime when reaped, so reaped children stay counted as long as the
   * parent that waited for them is in the tree (the root always is).
   */
  cpuTicks: number;
  /** Same idea for I/O: /proc/<pid>/io of a parent includes its reaped children. */
  io: PidIo;
  /** Per live member: ticks (own utime+stime only) and comm, for finding a single-thread hot spot. */
  members: Array<{ pid: number; comm: string; ownTicks: number; starttime: number }>;
}

/** Sum a tree from already-read stat and io texts (pure, for tests). */
export function sumTree(stats: PidStat[], ios: Array<PidIo | undefined>): TreeTotals {
  const io: PidIo = { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, cancelledWriteBytes: 0 };
  let cpuTicks = 0;
  const members: TreeTotals['members'] = [];
  stats.forEach((s, i) => {
    cpuTicks += s.utime + s.stime + s.cutime + s.cstime;
    members.push({ pid: s.pid, comm: s.comm, ownTicks: s.utime + s.stime, starttime: s.starttime });
    const x = ios[i];
    if (x) {
      io.rchar += x.rchar;
      io.wchar += x.wchar;
      io.readBytes += x.readBytes;
      io.writeBytes += x.writeBytes;
      io.cancelledWriteBytes += x.cancelledWriteBytes;
    }
  });
  return { pids: stats.length, cpuTicks, io, members };
}
