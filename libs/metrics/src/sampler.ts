import { cpus } from 'node:os';
import { cpuDelta, type ProcStat } from './proc/stat.js';
import { diskDelta, type DiskCounters } from './proc/diskstats.js';
import { netDelta, type NetCounters } from './proc/netdev.js';
import { pressureDelta, type Pressure } from './proc/pressure.js';
import type { VmCounters } from './proc/vmstat.js';
import type { PidIo, TreeTotals } from './proc/pid.js';
import {
  readDiskstats,
  readMeminfo,
  readNetDev,
  readPressure,
  readProcStat,
  readTree,
  readVmstat,
} from './proc/read.js';
import { collectBlockDevices, collectFacts, wholeDisks } from './facts.js';
import { SampleBuffer } from './sample-buffer.js';
import type { BlockDeviceFact, Role, Sample, SampleSeries, StaticFacts } from './types.js';

export interface SamplerOptions {
  /** Root of the backup's process tree (e.g. the orchestrator's own pid or one rsync). */
  rootPid?: number;
  paths?: { source?: string; dest?: string };
  /** Default 1000. */
  intervalMs?: number;
  onSample?: (s: Sample) => void;
  /** Bytes the backup has moved so far (a counter that only grows); gives each sample `backupBytesPerSec`. */
  movedBytes?: () => number;
  /** Samples kept at most before neighbours are merged (default DEFAULT_SAMPLE_CAPACITY). */
  capacity?: number;
  /** Stored in the series, e.g. a scenario name. */
  label?: string;
  /**
   * Whether the series lists the machine's block devices (default true). The list only describes
   * the machine to whoever keeps the series; it costs a module load and an lsblk through a shell,
   * which a run of a second or two waits for at its end (about 50 ms of a 2,000-project run).
   */
  blockDevices?: boolean;
}

export interface Sampler {
  /** Stops sampling, waits for the static facts and returns everything collected (the block devices unless turned off). */
  stop(): Promise<SampleSeries>;
  latest(): Sample | undefined;
  /** Static facts, collected once in the background when the sampler starts; blockDevices is empty here and filled in the series stop() returns. */
  readonly facts: Promise<StaticFacts>;
  /** Wall time spent inside sampling ticks: an upper bound on the sampler's CPU cost. */
  overhead(): { ticks: number; totalMs: number };
}

interface Raw {
  at: bigint;
  stat: ProcStat;
  disks: Map<string, DiskCounters>;
  net: Map<string, NetCounters>;
  vm: VmCounters;
  psi: { cpu?: Pressure; io?: Pressure; memory?: Pressure };
  tree?: TreeTotals;
}

function readRaw(rootPid: number | undefined): Raw {
  const psi: Raw['psi'] = {};
  const c = readPressure('cpu');
  const i = readPressure('io');
  const m = readPressure('memory');
  if (c) psi.cpu = c;
  if (i) psi.io = i;
  if (m) psi.memory = m;
  const raw: Raw = {
    at: process.hrtime.bigint(),
    stat: readProcStat(),
    disks: readDiskstats(),
    net: readNetDev(),
    vm: readVmstat(),
    psi,
  };
  if (rootPid !== undefined) {
    const t = readTree(rootPid);
    if (t) raw.tree = t;
  }
  return raw;
}

const IO_KEYS = ['rchar', 'wchar', 'readBytes', 'writeBytes', 'cancelledWriteBytes'] as const;

export function startSampler(opts: SamplerOptions): Sampler {
  const intervalMs = opts.intervalMs ?? 1000;
  const rootPid = opts.rootPid;
  const startedAt = Date.now();
  const samples = new SampleBuffer(opts.capacity);
  /** The newest raw sample (the buffer's last one may be a merge of several). */
  let last: Sample | undefined;
  let movedAtLastSample = opts.movedBytes?.() ?? 0;
  const disksToShow = wholeDisks();
  const roles = { disk: new Map<string, Role[]>(), net: new Map<string, Role[]>() };
  let clkTck = 100;
  const ncores = cpus().length || 1;

  // Baseline first: facts collection does synchronous work (stat, spawning si's commands) that
  // would otherwise let a fast child's first bytes slip in before the baseline.
  let prev = readRaw(rootPid);
  // The block-device list only describes the machine in the record, and costs a module load and
  // lsblk through a shell (~70 ms of the main thread): asked at the first tick, while rsync works,
  // or at stop, rather than while the run discovers and plans.
  let devices: Promise<BlockDeviceFact[]> | undefined;
  const blockDevices = (): Promise<BlockDeviceFact[]> => (devices ??= opts.blockDevices === false ? Promise.resolve([]) : collectBlockDevices());
  const facts = collectFacts(opts.paths, { blockDevices: false }).then((f) => {
    clkTck = f.clkTck;
    for (const role of ['source', 'dest'] as const) {
      const t = f[role];
      for (const d of t?.devices ?? []) roles.disk.set(d, [...(roles.disk.get(d) ?? []), role]);
      if (t?.iface) roles.net.set(t.iface, [...(roles.net.get(t.iface) ?? []), role]);
    }
    return f;
  });
  // A failure here must not become an unhandled rejection before stop() awaits it.
  facts.catch(() => undefined);

  // High-water marks: a member that exits between two scans drops out of the live sum for an
  // instant before its parent reaps it; cumulative totals never go down, so take the max.
  const hwm = { cpu: 0, io: { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, cancelledWriteBytes: 0 } as PidIo };
  const ownTicks = new Map<string, number>();
  if (prev.tree) {
    hwm.cpu = prev.tree.cpuTicks;
    hwm.io = { ...prev.tree.io };
    for (const m of prev.tree.members) ownTicks.set(`${m.pid}:${m.starttime}`, m.ownTicks);
  }
  let ticks = 0;
  let busyNs = 0n;

  const tick = (): void => {
    void blockDevices().catch(() => undefined);
    const t0 = process.hrtime.bigint();
    const cur = readRaw(rootPid);
    const seconds = Number(cur.at - prev.at) / 1e9;
    if (seconds <= 0.001) return;
    const mem = readMeminfo();
    const total = cpuDelta(prev.stat.total, cur.stat.total);
    const s: Sample = {
      t: Date.now(),
      seconds,
      cpu: {
        busyPct: total.busyPct,
        iowaitPct: total.iowaitPct,
        stealPct: total.stealPct,
        perCore: cur.stat.perCore.map((c, i) => {
          const p = prev.stat.perCore[i];
          const d = p ? cpuDelta(p, c) : { busyPct: 0, iowaitPct: 0 };
          return { busyPct: d.busyPct, iowaitPct: d.iowaitPct };
        }),
        runnable: cur.stat.procsRunning,
        blocked: cur.stat.procsBlocked,
      },
      disks: {},
      net: {},
      mem: {
        totalBytes: mem.totalBytes,
        availableBytes: mem.availableBytes,
        availablePct: mem.totalBytes > 0 ? (100 * mem.availableBytes) / mem.totalBytes : 0,
        swapInPerSec: Math.max(0, cur.vm.pswpin - prev.vm.pswpin) / seconds,
        swapOutPerSec: Math.max(0, cur.vm.pswpout - prev.vm.pswpout) / seconds,
        pgscanPerSec: Math.max(0, cur.vm.pgscan - prev.vm.pgscan) / seconds,
        pgscanDirectPerSec: Math.max(0, cur.vm.pgscanDirect - prev.vm.pgscanDirect) / seconds,
      },
      psi: {},
    };
    for (const [name, c] of cur.disks) {
      const p = prev.disks.get(name);
      if (!p) continue;
      const r = roles.disk.get(name);
      const active = c.ioTicksMs !== p.ioTicksMs || c.readsCompleted !== p.readsCompleted || c.writesCompleted !== p.writesCompleted;
      if (!r && !(active && disksToShow.has(name))) continue;
      s.disks[name] = r ? { ...diskDelta(p, c, seconds), roles: r } : diskDelta(p, c, seconds);
    }
    for (const [name, c] of cur.net) {
      const p = prev.net.get(name);
      if (!p) continue;
      const r = roles.net.get(name);
      s.net[name] = r ? { ...netDelta(p, c, seconds), roles: r } : netDelta(p, c, seconds);
    }
    for (const k of ['cpu', 'io', 'memory'] as const) {
      const a = prev.psi[k];
      const b = cur.psi[k];
      if (a && b) s.psi[k] = pressureDelta(a, b, seconds);
    }
    if (cur.tree) {
      const cpuNow = Math.max(hwm.cpu, cur.tree.cpuTicks);
      const cores = (cpuNow - hwm.cpu) / clkTck / seconds;
      hwm.cpu = cpuNow;
      const io: PidIo = { ...hwm.io };
      const ioRate = {} as PidIo;
      for (const k of IO_KEYS) {
        io[k] = Math.max(hwm.io[k], cur.tree.io[k]);
        ioRate[k] = (io[k] - hwm.io[k]) / seconds;
      }
      hwm.io = io;
      let top: { pid: number; comm: string; cpuCores: number } | undefined;
      const seen = new Map<string, number>();
      for (const m of cur.tree.members) {
        const key = `${m.pid}:${m.starttime}`;
        seen.set(key, m.ownTicks);
        const before = ownTicks.get(key);
        if (before === undefined) continue;
        const c = (m.ownTicks - before) / clkTck / seconds;
        if (!top || c > top.cpuCores) top = { pid: m.pid, comm: m.comm, cpuCores: c };
      }
      ownTicks.clear();
      for (const [k, v] of seen) ownTicks.set(k, v);
      s.tree = {
        pids: cur.tree.pids,
        cpuCores: cores,
        cpuPctOfMachine: (100 * cores) / ncores,
        readBytesPerSec: ioRate.readBytes,
        writeBytesPerSec: ioRate.writeBytes,
        rcharPerSec: ioRate.rchar,
        wcharPerSec: ioRate.wchar,
      };
      if (top) s.tree.top = top;
    }
    if (opts.movedBytes) {
      const moved = opts.movedBytes();
      s.backupBytesPerSec = Math.max(0, moved - movedAtLastSample) / seconds;
      movedAtLastSample = moved;
    }
    prev = cur;
    last = s;
    samples.push(s);
    ticks++;
    busyNs += process.hrtime.bigint() - t0;
    if (opts.onSample) {
      try {
        opts.onSample(s);
      } catch {
        /* a broken status line must not stop sampling */
      }
    }
  };

  const timer = setInterval(tick, intervalMs);
  timer.unref(); // sampling must never keep the process alive
  let stopped: Promise<SampleSeries> | undefined;

  return {
    facts,
    latest: () => last,
    overhead: () => ({ ticks, totalMs: Number(busyNs) / 1e6 }),
    stop() {
      if (stopped) return stopped;
      clearInterval(timer);
      // A closing partial interval is kept only when long enough to give meaningful rates.
      if (Number(process.hrtime.bigint() - prev.at) / 1e6 >= intervalMs / 2) tick();
      stopped = Promise.all([facts, blockDevices()]).then(([f, blocks]) => {
        const series: SampleSeries = { version: 1, startedAt, endedAt: Date.now(), intervalMs, facts: { ...f, blockDevices: blocks }, samples: samples.samples() };
        if (rootPid !== undefined) series.rootPid = rootPid;
        if (opts.label) series.label = opts.label;
        return series;
      });
      return stopped;
    },
  };
}
