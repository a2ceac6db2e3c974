/** One line of /proc/stat `cpu*`, in clock ticks since boot. */
export interface CpuTimes {
  /** `cpu` for the aggregate line, `cpu0`.. per core. */
  name: string;
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface ProcStat {
  /** Aggregate of all cores (`cpu` line). */
  total: CpuTimes;
  perCore: CpuTimes[];
  /** Runnable tasks right now (instantaneous, includes the reader). */
  procsRunning: number;
  /** Tasks in uninterruptible sleep, usually waiting on I/O. */
  procsBlocked: number;
}

function cpuLine(fields: string[]): CpuTimes {
  const n = (i: number): number => Number(fields[i] ?? 0) || 0;
  // guest/guest_nice are already included in user/nice, so they are not read.
  return {
    name: fields[0] ?? '',
    user: n(1),
    nice: n(2),
    system: n(3),
    idle: n(4),
    iowait: n(5),
    irq: n(6),
    softirq: n(7),
    steal: n(8),
  };
}

/** Parse the text of /proc/stat. */
export function parseProcStat(text: string): ProcStat {
  let total: CpuTimes | undefined;
  const perCore: CpuTimes[] = [];
  let procsRunning = 0;
  let procsBlocked = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const key = f[0];
    if (!key) continue;
    if (key === 'cpu') total = cpuLine(f);
    else if (/^cpu\d+$/.test(key)) perCore.push(cpuLine(f));
    else if (key === 'procs_running') procsRunning = Number(f[1]) || 0;
    else if (key === 'procs_blocked') procsBlocked = Number(f[1]) || 0;
  }
  return { total: total ?? cpuLine(['cpu']), perCore, procsRunning, procsBlocked };
}

/** Ticks spent doing work (everything but idle and iowait). */
export function busyTicks(c: CpuTimes): number {
  return c.user + c.nice + c.system + c.irq + c.softirq + c.steal;
}

export function allTicks(c: CpuTimes): number {
  return busyTicks(c) + c.idle + c.iowait;
}

/** Busy, iowait and steal percentages of one cpu line between two readings. */
export function cpuDelta(prev: CpuTimes, cur: CpuTimes): { busyPct: number; iowaitPct: number; stealPct: number } {
  const all = allTicks(cur) - allTicks(prev);
  if (all <= 0) return { busyPct: 0, iowaitPct: 0, stealPct: 0 };
  return {
    busyPct: (100 * (busyTicks(cur) - busyTicks(prev))) / all,
    iowaitPct: (100 * (cur.iowait - prev.iowait)) / all,
    stealPct: (100 * (cur.steal - prev.steal)) / all,
  };
}
