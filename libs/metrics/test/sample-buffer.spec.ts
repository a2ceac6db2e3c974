import { startSampler } from '../src/sampler.js';
import { SampleBuffer, mergeSamples, DEFAULT_SAMPLE_CAPACITY } from '../src/sample-buffer.js';
import type { Sample } from '../src/types.js';

/** A 1 s sample whose numbers follow i, so means and totals can be computed independently. */
function sampleAt(i: number): Sample {
  const busy = (i * 37) % 100;
  const sample: Sample = {
    t: 1_000_000 + 1000 * (i + 1),
    seconds: 1,
    cpu: { busyPct: busy, iowaitPct: 1, stealPct: 0, perCore: [{ busyPct: busy, iowaitPct: 0 }, { busyPct: 100 - busy, iowaitPct: 2 }], runnable: 2, blocked: 0 },
    backupBytesPerSec: 1000 * (i % 7),
    disks: i % 3 === 0 ? { vdb: { readBytesPerSec: 10, writeBytesPerSec: 5e6, readIops: 1, writeIops: 50, busyPct: 80, avgQueue: 1, awaitMs: 4, inFlight: 0, roles: ['dest'] } as Sample['disks'][string] } : {},
    net: {},
    mem: { totalBytes: 8e9, availableBytes: 4e9, availablePct: 50, swapInPerSec: 0, swapOutPerSec: 0, pgscanPerSec: 0, pgscanDirectPerSec: 0 },
    psi: {},
    tree: { pids: 1 + (i % 9), cpuCores: 0.5, cpuPctOfMachine: 25, readBytesPerSec: 0, writeBytesPerSec: 0, rcharPerSec: 0, wcharPerSec: 0, top: { pid: 10 + i, comm: 'rsync', cpuCores: (i % 1000) / 1000 } },
  };
  return sample;
}

describe('SampleBuffer: a fixed-size series that coarsens as the run grows (flat memory)', () => {
  test('a simulated 20-hour run at 1 s keeps at most the capacity, with the same totals and means', () => {
    const buffer = new SampleBuffer();
    let busySum = 0;
    let bytes = 0;
    const raw = 20 * 3600;
    for (let i = 0; i < raw; i++) {
      const s = sampleAt(i);
      busySum += s.cpu.busyPct;
      bytes += s.backupBytesPerSec ?? 0;
      buffer.push(s);
    }
    const kept = buffer.samples();
    expect(buffer.counts.raw).toBe(raw);
    expect(kept.length).toBeLessThanOrEqual(DEFAULT_SAMPLE_CAPACITY);
    expect(kept.length).toBeGreaterThan(DEFAULT_SAMPLE_CAPACITY / 2);
    // Every interval is still covered once: seconds add up, and time runs forward.
    expect(kept.reduce((a, s) => a + s.seconds, 0)).toBe(raw);
    expect(kept.every((s, i) => i === 0 || s.t > (kept[i - 1] as Sample).t)).toBe(true);
    expect(kept[kept.length - 1]?.t).toBe(sampleAt(raw - 1).t);
    // Time-weighted means keep the run's totals: CPU mean and bytes moved.
    const weighted = (f: (s: Sample) => number): number => kept.reduce((a, s) => a + f(s) * s.seconds, 0);
    expect(weighted((s) => s.cpu.busyPct) / raw).toBeCloseTo(busySum / raw, 6);
    expect(weighted((s) => s.backupBytesPerSec ?? 0)).toBeCloseTo(bytes, 0);
    // A disk idle in some intervals (absent) averages as 0 there: 5 MB/s one second in three.
    expect(weighted((s) => s.disks['vdb']?.writeBytesPerSec ?? 0) / raw).toBeCloseTo(5e6 / 3, -3);
    expect(kept[0]?.disks['vdb']?.roles).toEqual(['dest']);
    // A latency is an average over the intervals that had requests, not diluted by idle ones.
    expect(kept[0]?.disks['vdb']?.awaitMs).toBe(4);
  });

  test('the stored series stops growing: 20 hours take no more room than 10, nor much more than a full hour', () => {
    const size = (n: number): number => {
      const buffer = new SampleBuffer();
      for (let i = 0; i < n; i++) buffer.push(sampleAt(i));
      return JSON.stringify(buffer.samples()).length;
    };
    // 3,599 samples: the buffer just before it first coarsens, every sample at full resolution.
    const fullHour = size(DEFAULT_SAMPLE_CAPACITY - 1);
    const tenHours = size(10 * 3600);
    const twentyHours = size(20 * 3600);
    expect(twentyHours).toBeLessThanOrEqual(tenHours * 1.3);
    // Merged samples carry every disk seen in their intervals and longer fractions.
    expect(twentyHours).toBeLessThan(fullHour * 1.6);
  });

  test('merging keeps the busiest process and the largest process count, and averages the rest', () => {
    const a = sampleAt(1);
    const b = { ...sampleAt(2), seconds: 3 };
    const m = mergeSamples(a, b);
    expect(m.seconds).toBe(4);
    expect(m.t).toBe(b.t);
    expect(m.cpu.busyPct).toBeCloseTo((a.cpu.busyPct + 3 * b.cpu.busyPct) / 4, 9);
    expect(m.cpu.perCore).toHaveLength(2);
    expect(m.tree?.top).toEqual(b.tree?.top);
    expect(m.tree?.pids).toBe(3);
    expect(() => new SampleBuffer(1)).toThrow(/capacity must be an integer >= 2/);
  });

  test('an odd capacity still holds every interval once', () => {
    const buffer = new SampleBuffer(5);
    for (let i = 0; i < 1000; i++) buffer.push(sampleAt(i));
    const kept = buffer.samples();
    expect(kept.length).toBeLessThanOrEqual(6);
    expect(kept.reduce((a, s) => a + s.seconds, 0)).toBe(1000);
  });

  test('a real sampler with a small capacity keeps it, and rates its bytes-moved counter', async () => {
    let moved = 0;
    const grow = setInterval(() => (moved += 4096), 5);
    const sampler = startSampler({ intervalMs: 20, capacity: 8, movedBytes: () => moved });
    // However busy the machine, wait for ticks, not for time: 20 samples overflow a capacity of 8.
    while (sampler.overhead().ticks < 20) await new Promise((r) => setTimeout(r, 20));
    clearInterval(grow);
    const series = await sampler.stop();
    expect(series.samples.length).toBeLessThanOrEqual(9);
    expect(series.samples.some((s) => (s.backupBytesPerSec ?? 0) > 0)).toBe(true);
    expect(sampler.latest()?.seconds).toBeLessThan(series.samples[0]?.seconds ?? 0);
  });
});
