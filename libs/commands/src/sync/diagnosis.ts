import { classifyBottleneck, formatLiveLine, startSampler, THRESHOLDS, type Resource, type Role, type RunFacts, type Sample, type Sampler, type SampleSeries, type StaticFacts, type Verdict } from '@dailysync/metrics';
import type { BackupHooks, SyncTask } from '@dailysync/sync';

/** Disk numbers of one role (source or dest) in one compact sample. */
export interface CompactDisk {
  device: string;
  readBps: number;
  writeBps: number;
  busyPct: number;
  awaitMs: number | null;
}

/** One sample as the report keeps it: enough to draw the charts, small enough for long runs. */
export interface CompactSample {
  /** Seconds since the sampler started. */
  t: number;
  cpuBusyPct: number;
  /** The backup's own process tree, as a share of all cores (0..100). */
  treeCpuPct: number | null;
  /** Bytes the backup's rsyncs reported moved per second (their progress counters); null when unknown. */
  backupBps?: number | null;
  disk: Partial<Record<Role, CompactDisk>>;
  net: { iface: string; rxBps: number; txBps: number } | null;
  memAvailableBytes: number;
}

/** The JSON report's `diagnosis` field. */
export interface DiagnosisReport {
  verdict: Verdict;
  intervalMs: number;
  startedAt: string;
  cores: number;
  memTotalBytes: number;
  source?: { kind: string; fsType?: string; devices: string[]; iface?: string };
  dest?: { kind: string; fsType?: string; devices: string[]; iface?: string };
  series: CompactSample[];
}

/** Long runs keep at most this many points (bucket means), so a report stays small. */
export const MAX_SERIES_POINTS = 600;

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

function roleDisk(sample: Sample, facts: StaticFacts, role: Role): CompactDisk | undefined {
  // Devices are listed most specific first (partition before its disk): the first one present wins.
  const name = facts[role]?.devices.find((d) => sample.disks[d] !== undefined);
  const d = name === undefined ? undefined : sample.disks[name];
  if (name === undefined || !d) return undefined;
  return { device: name, readBps: Math.round(d.readBytesPerSec), writeBps: Math.round(d.writeBytesPerSec), busyPct: round(d.busyPct), awaitMs: d.awaitMs === undefined ? null : round(d.awaitMs) };
}

function pickNet(sample: Sample, facts: StaticFacts): CompactSample['net'] {
  const routed = [facts.source?.iface, facts.dest?.iface].find((i): i is string => i !== undefined && sample.net[i] !== undefined);
  let name = routed;
  if (name === undefined) {
    // Local paths: show the busiest real interface (loopback traffic is CPU work, not network).
    let best = -1;
    for (const [n, r] of Object.entries(sample.net)) {
      if (n === 'lo') continue;
      // On a tie (all idle) a NIC-looking name beats ifb/veth/bridges.
      const v = r.rxBytesPerSec + r.txBytesPerSec + (/^(eth|en|wl|bond)/.test(n) ? 1e-9 : 0);
      if (v > best) [best, name] = [v, n];
    }
  }
  const r = name === undefined ? undefined : sample.net[name];
  return name === undefined || !r ? null : { iface: name, rxBps: Math.round(r.rxBytesPerSec), txBps: Math.round(r.txBytesPerSec) };
}

export function compactSample(sample: Sample, facts: StaticFacts, startedAt: number): CompactSample {
  const disk: CompactSample['disk'] = {};
  for (const role of ['source', 'dest'] as const) {
    const d = roleDisk(sample, facts, role);
    if (d) disk[role] = d;
  }
  return {
    t: round((sample.t - startedAt) / 1000),
    cpuBusyPct: round(sample.cpu.busyPct),
    treeCpuPct: sample.tree ? round(sample.tree.cpuPctOfMachine) : null,
    backupBps: sample.backupBytesPerSec === undefined ? null : Math.round(sample.backupBytesPerSec),
    disk,
    net: pickNet(sample, facts),
    memAvailableBytes: sample.mem.availableBytes,
  };
}

function meanOf(points: CompactSample[]): CompactSample {
  const avg = (f: (p: CompactSample) => number | null | undefined): number | null => {
    const xs = points.map(f).filter((x): x is number => typeof x === 'number');
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  };
  const last = points[points.length - 1] as CompactSample;
  const disk: CompactSample['disk'] = {};
  for (const role of ['source', 'dest'] as const) {
    const d = last.disk[role];
    if (!d) continue;
    const aw = avg((p) => p.disk[role]?.awaitMs);
    disk[role] = {
      device: d.device,
      readBps: Math.round(avg((p) => p.disk[role]?.readBps) ?? 0),
      writeBps: Math.round(avg((p) => p.disk[role]?.writeBps) ?? 0),
      busyPct: round(avg((p) => p.disk[role]?.busyPct) ?? 0),
      awaitMs: aw === null ? null : round(aw),
    };
  }
  const tree = avg((p) => p.treeCpuPct);
  const moved = avg((p) => p.backupBps);
  return {
    t: last.t,
    cpuBusyPct: round(avg((p) => p.cpuBusyPct) ?? 0),
    treeCpuPct: tree === null ? null : round(tree),
    backupBps: moved === null ? null : Math.round(moved),
    disk,
    net: last.net ? { iface: last.net.iface, rxBps: Math.round(avg((p) => p.net?.rxBps) ?? 0), txBps: Math.round(avg((p) => p.net?.txBps) ?? 0) } : null,
    memAvailableBytes: Math.round(avg((p) => p.memAvailableBytes) ?? 0),
  };
}

/** Every sample compacted; more than `maxPoints` are averaged in equal buckets. */
export function compactSeries(series: SampleSeries, maxPoints = MAX_SERIES_POINTS): CompactSample[] {
  const points = series.samples.map((s) => compactSample(s, series.facts, series.startedAt));
  if (points.length <= maxPoints) return points;
  const size = Math.ceil(points.length / maxPoints);
  const out: CompactSample[] = [];
  for (let i = 0; i < points.length; i += size) out.push(meanOf(points.slice(i, i + size)));
  return out;
}

export function buildDiagnosis(series: SampleSeries, verdict: Verdict = classifyBottleneck(series)): DiagnosisReport {
  const target = (role: Role): DiagnosisReport['source'] => {
    const t = series.facts[role];
    if (!t) return undefined;
    return { kind: t.kind, devices: t.devices, ...(t.fsType ? { fsType: t.fsType } : {}), ...(t.iface ? { iface: t.iface } : {}) };
  };
  const d: DiagnosisReport = {
    verdict,
    intervalMs: series.intervalMs,
    startedAt: new Date(series.startedAt).toISOString(),
    cores: series.facts.cores,
    memTotalBytes: series.facts.memTotalBytes,
    series: compactSeries(series, MAX_SERIES_POINTS),
  };
  const source = target('source');
  const dest = target('dest');
  if (source) d.source = source;
  if (dest) d.dest = dest;
  return d;
}

const LIMIT_WORDS: Record<Verdict['limitedBy'], string> = {
  cpu: 'cpu',
  disk: 'disk',
  network: 'network',
  memory: 'memory',
  latency: 'latency',
  'not-enough-data': 'not enough data',
  bwlimit: 'your --bwlimit',
  'fixed-concurrency': 'your --concurrency',
  'critical-path': 'one task on the critical path',
  contention: 'other work on the host',
};

/** `Bottleneck: disk (82% confidence) — dest disk vdb 97% busy, ...; keep concurrency: reason`. */
export function formatVerdictLine(v: Verdict): string {
  const evidence = v.evidence.slice(0, 2).join('; ');
  const limit = v.limitedBy ?? v.bottleneck;
  if (limit === 'not-enough-data') return `Bottleneck: not enough data — ${evidence}`;
  return `Bottleneck: ${LIMIT_WORDS[limit]} (${Math.round(v.confidence * 100)}% confidence) — ${evidence}; ${v.suggestion.concurrency} concurrency: ${v.suggestion.reason}`;
}

/**
 * The resource the backup itself saturates, over the last few samples (for --concurrency auto):
 * CPU counts the backup's own share, so a host busy with other work gives no reason to back off.
 */
export function liveSaturation(facts: StaticFacts, samples: readonly Sample[], intervalMs: number): Resource | undefined {
  if (samples.length < THRESHOLDS.minSamples) return undefined;
  const first = samples[0] as Sample;
  const last = samples[samples.length - 1] as Sample;
  const series: SampleSeries = { version: 1, startedAt: first.t - intervalMs, endedAt: last.t, intervalMs, facts, samples: [...samples] };
  const b = classifyBottleneck(series).bottleneck;
  return b === 'latency' ? undefined : b;
}

/** The resource line of one sample, with the bytes the backup itself moved in it. */
function liveLineOf(s: Sample): string {
  return formatLiveLine(s, { bytesPerSec: s.backupBytesPerSec ?? 0 });
}

/** Samples the machine during a sync: live line, live verdict for --concurrency auto, final diagnosis. */
export class SyncDiagnosis {
  private readonly sampler: Sampler;
  private facts: StaticFacts | undefined;
  private readonly startedAt = Date.now();
  private readonly recent: Sample[] = [];
  /** Bytes each task's rsync reported so far (its latest attempt). */
  private readonly taskBytes = new Map<string, number>();
  private plannedTasks: readonly SyncTask[] = [];

  constructor(
    paths: { source: string; dest: string },
    private readonly intervalMs = 1000,
    /** The series is kept (a scenario recorder): it lists the block devices too (see SamplerOptions). */
    keepsSeries = false,
    onSample?: (line: string) => void,
  ) {
    this.sampler = startSampler({
      rootPid: process.pid,
      paths,
      intervalMs,
      blockDevices: keepsSeries,
      movedBytes: () => this.moved(),
      onSample: (s) => {
        this.recent.push(s);
        if (this.recent.length > THRESHOLDS.minSamples) this.recent.shift();
        onSample?.(liveLineOf(s));
      },
    });
    this.sampler.facts.then((f) => (this.facts = f)).catch(() => undefined);
  }

  private moved(): number {
    let n = 0;
    for (const b of this.taskBytes.values()) n += b;
    return n;
  }

  /** The hooks with the backup's own byte counters tapped (for the resource line and the report). */
  track(hooks: BackupHooks): BackupHooks {
    return {
      ...hooks,
      onPlan: (plan) => {
        this.plannedTasks = plan.tasks;
        hooks.onPlan?.(plan);
      },
      onTaskStart: (task, attempt) => {
        // A retried attempt starts its counters again: what the failed one moved still moved.
        if (attempt > 1) this.taskBytes.set(`${task.id}#${attempt - 1}`, this.taskBytes.get(task.id) ?? 0);
        this.taskBytes.set(task.id, 0);
        hooks.onTaskStart?.(task, attempt);
      },
      onTaskProgress: (task, progress) => {
        this.taskBytes.set(task.id, Math.max(this.taskBytes.get(task.id) ?? 0, progress.bytes));
        hooks.onTaskProgress?.(task, progress);
      },
      onTaskFinish: (task, result) => {
        this.taskBytes.set(task.id, Math.max(this.taskBytes.get(task.id) ?? 0, result.bytesTransferred));
        hooks.onTaskFinish?.(task, result);
      },
    };
  }

  /** Tasks of the plan, once the engine has planned. */
  get tasks(): readonly SyncTask[] {
    return this.plannedTasks;
  }

  liveLine(): string | undefined {
    const s = this.sampler.latest();
    return s ? liveLineOf(s) : undefined;
  }

  /** The resource the backup saturates lately; undefined until there are facts and 5 samples, or when none. */
  saturation(): Resource | undefined {
    if (!this.facts) return undefined;
    try {
      return liveSaturation(this.facts, this.recent, this.intervalMs);
    } catch {
      return undefined;
    }
  }

  private series: Promise<SampleSeries | undefined> | undefined;

  /** Stops sampling (idempotent); the whole series, or undefined when sampling failed. */
  stopSampling(): Promise<SampleSeries | undefined> {
    this.series ??= this.sampler.stop().catch(() => undefined);
    return this.series;
  }

  /** Stops sampling and classifies the whole run with its run facts; undefined when no sample was taken. */
  async stop(run?: RunFacts): Promise<DiagnosisReport | undefined> {
    const series = await this.stopSampling();
    if (!series || series.samples.length === 0) return undefined;
    try {
      return buildDiagnosis(series, classifyBottleneck(series, run));
    } catch {
      return undefined;
    }
  }
}
