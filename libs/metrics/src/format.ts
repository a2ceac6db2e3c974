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

/** One short status line, e.g. `cpu 43% (rsync 38%) | disk sda r 12MB/s w 40MB/s 71% busy | net eth0 0B/s | mem 21.3GiB free`. */
export function formatLiveLine(sample: Sample): string {
  const parts: string[] = [];
  let cpu = `cpu ${pct(sample.cpu.busyPct)}`;
  if (sample.tree) {
    const top = sample.tree.top;
    cpu += ` (${top && top.cpuCores > 0.01 ? top.comm : 'backup'} ${pct(sample.tree.cpuPctOfMachine)})`;
  }
  parts.push(cpu);
  const d = pick(sample.disks, (x) => x.busyPct + (x.readBytesPerSec + x.writeBytesPerSec) / 1e9);
  if (d) {
    const [name, r] = d;
    let s = `disk ${name} r ${formatBytes(r.readBytesPerSec)}/s w ${formatBytes(r.writeBytesPerSec)}/s ${pct(r.busyPct)} busy`;
    if (r.awaitMs !== undefined && r.awaitMs >= 10) s += ` await ${Math.round(r.awaitMs)}ms`;
    parts.push(s);
  } else parts.push('disk idle');
  // On a tie (all idle) prefer a NIC-looking name over ifb/veth/bridges.
  const n = pick(sample.net, (x) => x.rxBytesPerSec + x.txBytesPerSec, (name) => name === 'lo', (name) => /^(eth|en|wl|bond)/.test(name));
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
