import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { classifyBottleneck, criticalPathTaskWithBytes } from '../src/classify.js';
import { formatLiveLine } from '../src/format.js';
import type { Sample, SampleSeries, StaticFacts, DiskRates, NetRates, RunFacts, RunTask } from '../src/types.js';

const seriesDir = new URL('./fixtures/series/', import.meta.url);
type Recorded = SampleSeries & { run?: RunFacts; expected: { bottleneck?: string; limitedBy?: string } };
const load = (name: string): Recorded => JSON.parse(readFileSync(fileURLToPath(new URL(name, seriesDir)), 'utf8')) as Recorded;

// Synthetic series: one knob per resource, everything else idle.
const disk = (o: Partial<DiskRates> = {}): DiskRates => ({
  readBytesPerSec: 0, writeBytesPerSec: 0, readIops: 0, writeIops: 0, busyPct: 0, avgQueue: 0, awaitMs: undefined, inFlight: 0, ...o,
});
const net = (o: Partial<NetRates> = {}): NetRates => ({ rxBytesPerSec: 0, txBytesPerSec: 0, rxDropsPerSec: 0, txDropsPerSec: 0, errorsPerSec: 0, ...o });
function sample(o: { busy?: number; runnable?: number; disks?: Sample['disks']; net?: Sample['net']; psi?: Sample['psi']; mem?: Partial<Sample['mem']>; tree?: Sample['tree'] } = {}): Sample {
  const s: Sample = {
    t: 0,
    seconds: 1,
    cpu: { busyPct: o.busy ?? 5, iowaitPct: 0, stealPct: 0, perCore: [], runnable: o.runnable ?? 1, blocked: 0 },
    disks: o.disks ?? { sda: { ...disk(), roles: ['dest'] } },
    net: o.net ?? { lo: net(), eth0: net() },
    mem: { totalBytes: 8 * 2 ** 30, availableBytes: 6 * 2 ** 30, availablePct: 75, swapInPerSec: 0, swapOutPerSec: 0, pgscanPerSec: 0, pgscanDirectPerSec: 0, ...o.mem },
    psi: o.psi ?? {},
  };
  if (o.tree) s.tree = o.tree;
  return s;
}
const facts = (o: Partial<StaticFacts> = {}): StaticFacts => ({
  cores: 4, memTotalBytes: 8 * 2 ** 30, clkTck: 100, kernel: 'test', hostname: 'test', psi: true,
  interfaces: [
    { name: 'lo', kind: 'loopback' },
    { name: 'eth0', kind: 'physical', speedMbps: 1000, capacityBytesPerSec: 125e6 },
    { name: 'veth1', kind: 'veth', speedMbps: 10000 },
  ],
  blockDevices: [],
  dest: { path: '/backup', kind: 'local', devices: ['sda'] },
  ...o,
});
const series = (samples: Sample[], f: StaticFacts = facts()): SampleSeries => ({ version: 1, startedAt: 0, endedAt: samples.length * 1000, intervalMs: 1000, facts: f, samples });
const times = (n: number, s: () => Sample): Sample[] => Array.from({ length: n }, s);

describe('classifyBottleneck on recorded runs', () => {
  const files = readdirSync(seriesDir).filter((f) => f.endsWith('.json')).sort();
  it('has the cpu and latency recordings', () => {
    expect(files).toEqual(expect.arrayContaining(['cpu-bound.json', 'latency-bound.json']));
  });
  it('has the recordings of the run-level limits', () => {
    expect(files).toEqual(expect.arrayContaining(['bandwidth-limited.json', 'one-file-long-pole.json', 'host-busy.json', 'two-sample-run.json']));
  });
  it.each(files)('%s gets its expected verdict', (file) => {
    const s = load(file);
    const v = classifyBottleneck(s, s.run);
    if (s.expected.bottleneck !== undefined) expect(v.bottleneck).toBe(s.expected.bottleneck);
    if (s.expected.limitedBy !== undefined) expect(v.limitedBy).toBe(s.expected.limitedBy);
    if (v.limitedBy === 'not-enough-data') {
      expect(v.confidence).toBe(0);
      return;
    }
    expect(v.confidence).toBeGreaterThan(0.4);
    expect(v.evidence.length).toBeGreaterThan(1);
    expect(v.evidence.join(' ')).toMatch(/\d/);
  });
  it('bandwidth-limited: names --bwlimit and the per-stream rate', () => {
    const s = load('bandwidth-limited.json');
    const v = classifyBottleneck(s, s.run);
    expect(v.evidence[0]).toMatch(/^--bwlimit 2000 KiB\/s .* per stream: \d+ of \d+ streams averaged/);
  });
  it('one-file-long-pole: names the task and its file, and says more streams cannot help', () => {
    const s = load('one-file-long-pole.json');
    const v = classifyBottleneck(s, s.run);
    expect(v.evidence[0]).toMatch(/^task big ran alone for [\d.]+ s of the [\d.]+ s transfer/);
    expect(v.evidence.join('\n')).toContain('big/raw/master.bin');
    expect(v.suggestion.reason).toMatch(/one file \(big\/raw\/master\.bin\).*more streams cannot help/);
  });
  it('host-busy: says the host was busy with other work, with the share, and auto has no CPU to back off from', () => {
    const s = load('host-busy.json');
    const v = classifyBottleneck(s, s.run);
    expect(v.evidence[0]).toMatch(/other processes \d+% \(\d+% of the busy time\)/);
    expect(v.bottleneck).not.toBe('cpu');
  });
  it('replaying a recording twice gives the same verdict', () => {
    for (const f of files) {
      const s = load(f);
      expect(classifyBottleneck(s, s.run)).toEqual(classifyBottleneck(load(f), load(f).run));
    }
  });
  it('cpu-bound: attributes the CPU to the rsync tree and does not suggest raising', () => {
    const v = classifyBottleneck(load('cpu-bound.json'));
    expect(v.scores.cpu).toBeGreaterThanOrEqual(0.8);
    expect(v.evidence.join('\n')).toMatch(/backup process tree uses \d+% of the machine/);
    expect(v.evidence.join('\n')).toMatch(/rsync/);
    expect(v.suggestion.concurrency).not.toBe('raise');
  });
  it('latency-bound: nothing saturated, raise concurrency', () => {
    const v = classifyBottleneck(load('latency-bound.json'));
    expect(Math.max(v.scores.cpu, v.scores.disk, v.scores.network, v.scores.memory)).toBeLessThan(0.5);
    expect(v.suggestion.concurrency).toBe('raise');
    expect(v.evidence[0]).toMatch(/^nothing saturated: CPU \d+%/);
  });
});

describe('classifyBottleneck rules', () => {
  it('idle machine is latency', () => {
    const v = classifyBottleneck(series(times(10, () => sample())));
    expect(v.bottleneck).toBe('latency');
    expect(v.scores.latency).toBeGreaterThan(0.8);
  });
  it('cpu saturated by other work is contention, not a CPU-bound backup', () => {
    const tree = { pids: 3, cpuCores: 0.2, cpuPctOfMachine: 5, readBytesPerSec: 0, writeBytesPerSec: 0, rcharPerSec: 0, wcharPerSec: 0 };
    const s = series(times(10, () => sample({ busy: 97, runnable: 5, tree })));
    expect(classifyBottleneck(s).bottleneck).not.toBe('cpu');
    const v = classifyBottleneck(s, { tasks: [] });
    expect(v.limitedBy).toBe('contention');
    expect(v.suggestion.concurrency).toBe('keep');
    expect(v.evidence[0]).toMatch(/the backup used 5% and other processes 92% \(95% of the busy time\)/);
  });
  it('the backup using most of a full CPU is cpu', () => {
    const tree = { pids: 3, cpuCores: 3.6, cpuPctOfMachine: 90, readBytesPerSec: 0, writeBytesPerSec: 0, rcharPerSec: 0, wcharPerSec: 0 };
    expect(classifyBottleneck(series(times(10, () => sample({ busy: 97, tree }))), { tasks: [] }).limitedBy).toBe('cpu');
  });
  it('fewer samples than the minimum: not enough data, no confident verdict', () => {
    const v = classifyBottleneck(series(times(2, () => sample({ busy: 99 }))));
    expect(v).toMatchObject({ limitedBy: 'not-enough-data', confidence: 0 });
    expect(v.evidence[0]).toBe('2 samples, at least 5 are needed (one per 1000 ms)');
  });
  it('a score either side of the saturation line gives the same verdict (margin, no cpu/latency flip)', () => {
    // 4 of 10 steady samples at the threshold vs 5 of 10: scores straddle 0.5.
    const mk = (hot: number): SampleSeries => series(Array.from({ length: 12 }, (_, i) => sample({ busy: i >= 1 && i <= hot ? 90 : 30 })));
    const a = classifyBottleneck(mk(4));
    const b = classifyBottleneck(mk(5));
    expect(a.scores.cpu).toBeLessThan(0.5);
    expect(b.scores.cpu).toBeGreaterThanOrEqual(0.5);
    expect(a.bottleneck).toBe('cpu');
    expect(b.bottleneck).toBe('cpu');
  });
  const task = (id: string, start: number, end: number, bytes = 1e6, files = 10): RunTask => ({ id, startedAt: start, finishedAt: end, bytes, files });
  it('--bwlimit: every stream at its limit names the limit before any resource', () => {
    const run: RunFacts = { bwlimitBytesPerSec: 1e6, tasks: [task('a', 0, 10_000, 9.8e6), task('b', 0, 10_000, 9.6e6), task('c', 0, 500, 2e6)] };
    const v = classifyBottleneck(series(times(10, () => sample())), run);
    expect(v.limitedBy).toBe('bwlimit');
    expect(v.confidence).toBe(1);
    expect(v.evidence[0]).toMatch(/2 of 2 streams averaged 970kB\/s/);
  });
  it('critical path: one task alone for most of the run; a dominant file means nothing to split', () => {
    const tasks = [task('big', 0, 20_000, 110e6, 3), task('x', 0, 1000), task('y', 0, 1500)];
    const split = classifyBottleneck(series(times(10, () => sample())), { tasks });
    expect(split.limitedBy).toBe('critical-path');
    expect(split.confidence).toBe(0.93);
    expect(split.suggestion.reason).toMatch(/^split big into subfolders/);
    const oneFile = classifyBottleneck(series(times(10, () => sample())), { tasks, largestFile: { task: 'big', path: 'big/raw.mov', bytes: 100e6 } });
    expect(oneFile.evidence[1]).toBe('its largest file big/raw.mov (100MB) took about 18.2 s at the task\'s rate');
    expect(oneFile.suggestion.reason).toMatch(/nothing to split, more streams cannot help/);
  });
  it('the largest file is worth looking up only for a critical-path task that copied bytes', () => {
    const others = [task('x', 0, 1000), task('y', 0, 1500)];
    expect(criticalPathTaskWithBytes([task('big', 0, 20_000, 110e6, 3), ...others])?.id).toBe('big');
    // A nothing-changed night: the lone task copied nothing, so no file of it can explain the run.
    expect(criticalPathTaskWithBytes([task('big', 0, 20_000, 0, 0), ...others])).toBeUndefined();
    // No task ran alone for half the transfer: no critical-path verdict, nothing to look up.
    expect(criticalPathTaskWithBytes([task('a', 0, 20_000), task('b', 0, 19_000)])).toBeUndefined();
    // A transfer shorter than the verdict's minimum span.
    expect(criticalPathTaskWithBytes([task('big', 0, 2000, 110e6), task('x', 0, 100)])).toBeUndefined();
    // Not looking it up changes no verdict: for a lone task that copied nothing, the file is ignored.
    const idle = [task('big', 0, 20_000, 0, 0), ...others];
    const withFile = classifyBottleneck(series(times(10, () => sample())), { tasks: idle, largestFile: { task: 'big', path: 'big/raw.mov', bytes: 100e6 } });
    expect(classifyBottleneck(series(times(10, () => sample())), { tasks: idle })).toEqual(withFile);
    expect(withFile.limitedBy).toBe('critical-path');
  });
  it('a fixed concurrency with waiting tasks and nothing saturated is the limit', () => {
    const tasks = Array.from({ length: 6 }, (_, i) => task(`p${i}`, (i % 3) * 1000, (i % 3) * 1000 + 3000));
    const v = classifyBottleneck(series(times(10, () => sample())), { fixedConcurrency: 2, tasks });
    expect(v.limitedBy).toBe('fixed-concurrency');
    expect(v.evidence[0]).toMatch(/--concurrency 2\) and 4 of 6 tasks waited/);
  });
  it('a single pegged rsync on an otherwise idle 4-core box is cpu with raise', () => {
    const tree = { pids: 2, cpuCores: 1, cpuPctOfMachine: 25, readBytesPerSec: 0, writeBytesPerSec: 0, rcharPerSec: 0, wcharPerSec: 0, top: { pid: 7, comm: 'rsync', cpuCores: 0.99 } };
    const v = classifyBottleneck(series(times(10, () => sample({ busy: 27, tree }))));
    expect(v.bottleneck).toBe('cpu');
    expect(v.suggestion.concurrency).toBe('raise');
  });
  it('dest disk busy with high await is disk', () => {
    const v = classifyBottleneck(series(times(10, () => sample({ busy: 30, disks: { sda: { ...disk({ busyPct: 97, awaitMs: 41, avgQueue: 3.2, writeBytesPerSec: 80e6 }), roles: ['dest'] } } }))));
    expect(v.bottleneck).toBe('disk');
    expect(v.evidence[0]).toMatch(/^dest disk sda 97% busy, await 41 ms, queue 3\.2/);
    expect(v.suggestion.concurrency).toBe('lower');
  });
  it('virtual-disk trap: busy but fast is not disk', () => {
    const v = classifyBottleneck(series(times(10, () => sample({ disks: { sda: { ...disk({ busyPct: 95, awaitMs: 0.4, avgQueue: 0.5 }), roles: ['dest'] } } }))));
    expect(v.bottleneck).toBe('latency');
  });
  it('a busy disk that is neither source nor dest is not blamed', () => {
    const v = classifyBottleneck(series(times(10, () => sample({ disks: { sda: { ...disk(), roles: ['dest'] }, sdb: disk({ busyPct: 100, awaitMs: 80, avgQueue: 9 }) } }))));
    expect(v.bottleneck).toBe('latency');
  });
  it('an I/O throttle shows as I/O pressure with an idle device', () => {
    const psi = { io: { somePct: 85, fullPct: 80, someAvg10: 80, fullAvg10: 75 } };
    const v = classifyBottleneck(series(times(10, () => sample({ psi, disks: { sda: { ...disk({ busyPct: 4, awaitMs: 1 }), roles: ['dest'] } } }))));
    expect(v.bottleneck).toBe('disk');
    expect(v.evidence.join('\n')).toMatch(/I\/O PSI some 85%, full 80%/);
  });
  it('network at 90% of a physical link is network; loopback and unshaped veth are ignored', () => {
    const full = classifyBottleneck(series(times(10, () => sample({ net: { lo: net(), eth0: net({ txBytesPerSec: 112e6 }) } }))));
    expect(full.bottleneck).toBe('network');
    expect(full.evidence[0]).toMatch(/eth0 112MB\/s = 90% of 1000 Mbit\/s link/);
    const fake = classifyBottleneck(series(times(10, () => sample({ net: { lo: net({ txBytesPerSec: 3e9 }), veth1: net({ txBytesPerSec: 1.2e9 }) } }))));
    expect(fake.bottleneck).toBe('latency');
  });
  it('a veth shaped by tbf is judged against the shaped rate', () => {
    const f = facts({
      interfaces: [{ name: 'veth1', kind: 'veth', speedMbps: 10000, shapedBps: 40e6, capacityBytesPerSec: 5e6 }],
      dest: { path: 'rsync://10.9.0.2/m', kind: 'remote', devices: [], host: '10.9.0.2', iface: 'veth1' },
    });
    const v = classifyBottleneck(series(times(10, () => sample({ net: { veth1: { ...net({ txBytesPerSec: 4.9e6 }), roles: ['dest'] } } })), f));
    expect(v.bottleneck).toBe('network');
    expect(v.evidence[0]).toMatch(/98% of shaped 40 Mbit\/s/);
  });
  it('memory: PSI full, swap-out and low available', () => {
    const psi = { memory: { somePct: 70, fullPct: 65, someAvg10: 70, fullAvg10: 60 } };
    const v = classifyBottleneck(series(times(10, () => sample({ busy: 60, psi, mem: { swapOutPerSec: 500, availablePct: 4, availableBytes: 0.3 * 2 ** 30 } }))));
    expect(v.bottleneck).toBe('memory');
    expect(v.suggestion.concurrency).toBe('lower');
    expect(v.evidence[0]).toMatch(/memory PSI full 65%, some 70%/);
  });
  it('memory wins a near-tie with the disk I/O it causes', () => {
    const psi = { memory: { somePct: 90, fullPct: 80, someAvg10: 0, fullAvg10: 0 }, io: { somePct: 90, fullPct: 80, someAvg10: 0, fullAvg10: 0 } };
    expect(classifyBottleneck(series(times(10, () => sample({ psi })))).bottleneck).toBe('memory');
  });
  it('an empty series is not enough data', () => {
    expect(classifyBottleneck(series([]))).toMatchObject({ limitedBy: 'not-enough-data', confidence: 0 });
  });
});

describe('formatLiveLine', () => {
  it('prints the backup\'s own cpu, what it copied, the dest disk busy time and free memory; an idle NIC on a local run is left out', () => {
    const tree = { pids: 2, cpuCores: 0.76, cpuPctOfMachine: 38, readBytesPerSec: 0, writeBytesPerSec: 0, rcharPerSec: 0, wcharPerSec: 0, top: { pid: 7, comm: 'rsync', cpuCores: 0.7 } };
    const s = sample({
      busy: 43,
      tree,
      disks: { sda: { ...disk({ readBytesPerSec: 12e6, writeBytesPerSec: 40e6, busyPct: 71 }), roles: ['dest'] }, sdb: disk({ busyPct: 99 }) },
      mem: { availableBytes: 21.3 * 2 ** 30 },
    });
    expect(formatLiveLine(s, { bytesPerSec: 20e6 })).toBe('backup cpu 38% (host 43%) | copied 20MB/s | disk sda 71% busy | mem 21.3GiB free');
  });
  it('shows await, drops and memory pressure only when they matter', () => {
    const s = sample({
      disks: { vdb: disk({ busyPct: 97, awaitMs: 41 }) },
      net: { lo: net({ rxBytesPerSec: 9e9 }), eth0: net({ txBytesPerSec: 1.5e6, txDropsPerSec: 3 }) },
      psi: { memory: { somePct: 25, fullPct: 5, someAvg10: 0, fullAvg10: 0 } },
    });
    expect(formatLiveLine(s)).toBe('host cpu 5% | disk vdb 97% busy await 41ms | net eth0 1.5MB/s 3 drops/s | mem 6.0GiB free psi 25%');
  });
});
