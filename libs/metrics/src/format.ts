import type { Sample } from './types.js';

/** Decimal bytes with one decimal, as rsync and netdata print rates: 0B, 12.3kB, 40MB. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 0 : 1;
  return `${v.toFixed(digits)}${units[i]}`;
}

export function formatGiB(n: number): string {
  return `${(n / 2 ** 30).toFixed(1)}GiB`;
}

export const pct = (n: number): string => `${Math.round(n)}%`;

/** Prefer a device tagged source/dest, else the busiest by the given measure. */
function pick<T extends { roles?: string[] }>(
  rec: Record<string, T>,
  by: (x: T) => number,
  skip?: (name: string) => boolean,
  preferred?: (name: string) => boolean,
): [string, T] | undefined {
  const entries = Object.entries(rec).filter(([n]) => !skip?.(n));
  const tagged = entries.filter(([, v]) => v.roles && v.roles.length > 0);
  const pool = tagged.length > 0 ? tagged : entries;
  const key = (e: [string, T]): number => by(e[1]) + (preferred?.(e[0]) ? 1e-9 : 0);
  let best: [string, T] | undefined;
  for (const e of pool) if (!best || key(e) > key(best)) best = e;
  return best;
}

/** What the backup's own counters say about one interval; the sampler cannot see these. */
export interface BackupCounters {
  /** Bytes rsync reported moved per second (its progress counters, not disk writes: the page cache hides those). */
  bytesPerSec?: number;
}

/**
 * One status line, the same on a terminal and in plain logs, e.g.
 * `backup cpu 38% (host 43%) | copied 20MB/s | disk sda 71% busy | mem 21.3GiB free`.
 * Network shows only on the backup's interface or when something moves (not an idle NIC on a local run).
 */
export function formatLiveLine(sample: Sample, backup: BackupCounters = {}): string {
  const parts: string[] = [];
  parts.push(sample.tree ? `backup cpu ${pct(sample.tree.cpuPctOfMachine)} (host ${pct(sample.cpu.busyPct)})` : `host cpu ${pct(sample.cpu.busyPct)}`);
  if (backup.bytesPerSec !== undefined) parts.push(`copied ${formatBytes(backup.bytesPerSec)}/s`);
  const d = pick(sample.disks, (x) => x.busyPct + (x.readBytesPerSec + x.writeBytesPerSec) / 1e9);
  if (d) {
    const [name, r] = d;
    let s = `disk ${name} ${pct(r.busyPct)} busy`;
    if (r.awaitMs !== undefined && r.awaitMs >= 10) s += ` await ${Math.round(r.awaitMs)}ms`;
    parts.push(s);
  } else parts.push('disk idle');
  const routed = Object.entries(sample.net).filter(([name, r]) => name !== 'lo' && r.roles && r.roles.length > 0);
  const moving = Object.fromEntries(Object.entries(sample.net).filter(([name, r]) => name !== 'lo' && Math.max(r.rxBytesPerSec, r.txBytesPerSec) >= 10_000));
  const n = routed.length > 0 ? pick(Object.fromEntries(routed), (x) => x.rxBytesPerSec + x.txBytesPerSec) : pick(moving, (x) => x.rxBytesPerSec + x.txBytesPerSec);
  if (n) {
    const [name, r] = n;
    let s = `net ${name} ${formatBytes(Math.max(r.rxBytesPerSec, r.txBytesPerSec))}/s`;
    const drops = r.rxDropsPerSec + r.txDropsPerSec;
    if (drops > 0) s += ` ${Math.round(drops)} drops/s`;
    parts.push(s);
  }
  let mem = `mem ${formatGiB(sample.mem.availableBytes)} free`;
  if (sample.psi.memory && sample.psi.memory.somePct >= 10) mem += ` psi ${pct(sample.psi.memory.somePct)}`;
  if (sample.mem.swapOutPerSec > 0) mem += ` swap-out ${Math.round(sample.mem.swapOutPerSec)}/s`;
  parts.push(mem);
  return parts.join(' | ');
}
