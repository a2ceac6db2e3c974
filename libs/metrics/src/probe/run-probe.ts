import { statSync } from 'node:fs';
import { startSampler } from '../sampler.js';
import { classifyBottleneck } from '../classify.js';
import { cpuDelta } from '../proc/stat.js';
import { readProcStat } from '../proc/read.js';
import { formatBytes } from '../format.js';
import type { PathTarget } from '../devices.js';
import type { InterfaceFact, Resource, SampleSeries, Verdict } from '../types.js';
import { Frontier, walkFor, type WalkResult } from './walk.js';
import { measureRead, measureWrite, type ThroughputResult } from './throughput.js';

export interface ProbeOptions {
  source: string;
  dest: string;
  /** Whole probe, default 15 000 ms; split 40 % metadata, 30 % read, 30 % write. */
  durationMs?: number;
  /** Concurrent walkers of the second metadata walk (default 8). */
  walkers?: number;
  /** Caps so a fast machine does not read or write gigabytes (defaults 512 MiB / 256 MiB). */
  maxReadBytes?: number;
  maxWriteBytes?: number;
  /** Sampler interval during the probe (default 500 ms). */
  intervalMs?: number;
}

export interface PathReport {
  path: string;
  kind: PathTarget['kind'];
  fsType?: string;
  devices: string[];
  /** A network filesystem (nfs, cifs, sshfs...) mounted locally. */
  networkFs: boolean;
  host?: string;
  iface?: string;
  link?: Pick<InterfaceFact, 'kind' | 'speedMbps' | 'shapedBps' | 'capacityBytesPerSec'>;
}

export interface ProbeResult {
  source: PathReport;
  dest: PathReport;
  metadata: { single: WalkResult; concurrent: WalkResult; speedup: number };
  read: ThroughputResult;
  write: ThroughputResult;
  cpu: { cores: number; idlePct: number; busyPct: number; iowaitPct: number };
  /** What the sampler saw over the whole probe, classified. */
  sampled: Verdict;
  /** The likely bottleneck of a backup between these paths, with its evidence. */
  likely: { bottleneck: Resource; evidence: string[]; suggestion: string };
  durationMs: number;
  series: SampleSeries;
}

const NETWORK_FS = /^(nfs4?|cifs|smb3?|fuse\.sshfs|9p|ceph|glusterfs|fuse\.rclone)$/;

function pathReport(target: PathTarget | undefined, path: string, interfaces: InterfaceFact[]): PathReport {
  const r: PathReport = { path, kind: target?.kind ?? 'local', devices: target?.devices ?? [], networkFs: NETWORK_FS.test(target?.fsType ?? '') };
  if (target?.fsType) r.fsType = target.fsType;
  if (target?.host) r.host = target.host;
  if (target?.iface) {
    r.iface = target.iface;
    const f = interfaces.find((i) => i.name === target.iface);
    if (f) {
      r.link = { kind: f.kind };
      if (f.speedMbps !== undefined) r.link.speedMbps = f.speedMbps;
      if (f.shapedBps !== undefined) r.link.shapedBps = f.shapedBps;
      if (f.capacityBytesPerSec !== undefined) r.link.capacityBytesPerSec = f.capacityBytesPerSec;
    }
  }
  return r;
}

const rate = (t: ThroughputResult): string => `${formatBytes(t.bytesPerSec)}/s (${formatBytes(t.bytes)} in ${t.seconds.toFixed(1)} s)`;

/** Turns the probe numbers and the sampled verdict into the one resource most likely to limit a backup. */
export function likelyBottleneck(r: Omit<ProbeResult, 'likely' | 'series' | 'durationMs'>): ProbeResult['likely'] {
  const m = r.metadata;
  const facts = [
    `metadata: ${Math.round(m.single.opsPerSec)} ops/s with 1 walker (${m.single.meanOpMs.toFixed(2)} ms each), ${Math.round(m.concurrent.opsPerSec)} ops/s with ${m.concurrent.walkers} (x${m.speedup.toFixed(1)})`,
    `source read ${rate(r.read)}${r.read.blockShare !== null && r.read.blockShare < 0.5 ? ', mostly from the page cache' : ''}`,
    `dest write+fsync ${rate(r.write)}`,
    `CPU ${Math.round(r.cpu.idlePct)}% idle over the probe (${r.cpu.cores} cores, iowait ${Math.round(r.cpu.iowaitPct)}%)`,
  ];
  for (const p of [r.source, r.dest]) {
    if (p.kind === 'remote') facts.push(`${p.path}: remote host ${p.host ?? '?'} via ${p.iface ?? 'unknown interface'}${p.link?.capacityBytesPerSec ? `, capacity ${formatBytes(p.link.capacityBytesPerSec)}/s` : p.link?.speedMbps ? `, link ${p.link.speedMbps} Mbit/s` : ''}`);
    else if (p.networkFs) facts.push(`${p.path}: network filesystem ${p.fsType ?? ''}: every file operation is a round trip`);
  }
  const s = r.sampled;
  if (s.bottleneck !== 'latency' && s.scores[s.bottleneck] >= 0.5) {
    return { bottleneck: s.bottleneck, evidence: [...s.evidence.slice(0, 3), ...facts], suggestion: `${s.suggestion.concurrency} concurrency: ${s.suggestion.reason}` };
  }
  if (m.speedup >= 1.5 && (m.single.meanOpMs >= 0.2 || r.source.networkFs)) {
    return { bottleneck: 'latency', evidence: [`${m.concurrent.walkers} concurrent walkers did ${m.speedup.toFixed(1)}x the metadata operations of one: each operation waits on latency, not on a full resource`, ...facts], suggestion: 'raise concurrency: more rsyncs in parallel hide per-operation latency' };
  }
  if (r.cpu.idlePct < 15) {
    return { bottleneck: 'cpu', evidence: [`only ${Math.round(r.cpu.idlePct)}% CPU idle while probing`, ...facts], suggestion: 'keep or lower concurrency: the CPU has little headroom' };
  }
  // Nothing saturated: name the slower side of the copy as the likely ceiling of a full backup.
  const slowest = r.write.bytesPerSec < r.read.bytesPerSec ? `the destination write (${rate(r.write)})` : `the source read (${rate(r.read)})`;
  return { bottleneck: 'latency', evidence: [`no resource was saturated during the probe; the slowest step was ${slowest}`, ...s.evidence.slice(-1), ...facts], suggestion: 'raise concurrency: nothing is full, so more rsyncs in parallel should go faster' };
}

/** A short standalone probe of the two backup paths; writes only its own temporary file in dest. */
export async function runProbe(opts: ProbeOptions): Promise<ProbeResult> {
  for (const [name, p] of [['source', opts.source], ['dest', opts.dest]] as const) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`${name} ${p} does not exist: give an existing directory`);
    }
    if (!st.isDirectory()) throw new Error(`${name} ${p} is not a directory: give an existing directory`);
  }
  const total = opts.durationMs ?? 15000;
  const t0 = performance.now();
  const cpu0 = readProcStat();
  // No rootPid: the probe's own (single-threaded) node would look like a pegged rsync; what counts
  // here is whether the machine's resources fill up under the probe's load.
  const sampler = startSampler({ paths: { source: opts.source, dest: opts.dest }, intervalMs: opts.intervalMs ?? 500, label: 'probe' });
  let series: SampleSeries;
  let parts: Omit<ProbeResult, 'likely' | 'series' | 'durationMs' | 'sampled' | 'source' | 'dest' | 'cpu'>;
  try {
    const frontier = new Frontier(opts.source);
    const single = await walkFor(frontier, 1, total * 0.2);
    // The concurrent walk continues where the single one stopped, so it meets no warmer cache
    // (on a small tree both end up re-walking it from the cache, which is still a fair comparison).
    const concurrent = await walkFor(frontier, opts.walkers ?? 8, total * 0.2);
    const largest = frontier.largest.filter((f, i, all) => all.findIndex((g) => g.path === f.path) === i);
    const read = await measureRead(largest, opts.maxReadBytes ?? 512 * 2 ** 20, total * 0.3);
    const write = await measureWrite(opts.dest, opts.maxWriteBytes ?? 256 * 2 ** 20, total * 0.3);
    parts = { metadata: { single, concurrent, speedup: single.opsPerSec > 0 ? concurrent.opsPerSec / single.opsPerSec : 0 }, read, write };
  } finally {
    series = await sampler.stop();
  }
  const cpu1 = readProcStat();
  const d = cpuDelta(cpu0.total, cpu1.total);
  const cpu = { cores: series.facts.cores, busyPct: d.busyPct, iowaitPct: d.iowaitPct, idlePct: Math.max(0, 100 - d.busyPct - d.iowaitPct) };
  const base = {
    ...parts,
    source: pathReport(series.facts.source, opts.source, series.facts.interfaces),
    dest: pathReport(series.facts.dest, opts.dest, series.facts.interfaces),
    cpu,
    sampled: classifyBottleneck(series),
  };
  return { ...base, likely: likelyBottleneck(base), durationMs: Math.round(performance.now() - t0), series };
}
