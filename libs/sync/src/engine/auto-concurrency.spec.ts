import { AutoConcurrency, autoConcurrencyRange, type SaturatedResource } from './auto-concurrency.js';

const MB = 1024 * 1024;

/**
 * Drives a controller with a fake clock, one second per window, keeping as many tasks running as it
 * allows (a full queue). `throughputFor(limit)` is what the machine delivers at that concurrency.
 */
function drive(
  windows: number,
  throughputFor: (limit: number, window: number) => number,
  options: { start?: number; max?: number; saturation?: (window: number) => SaturatedResource | undefined } = {},
): { limits: number[]; controller: AutoConcurrency } {
  let now = 0;
  let window = 0;
  const controller = new AutoConcurrency({
    start: options.start ?? 4,
    max: options.max ?? 16,
    windowMs: 1000,
    now: () => now,
    saturation: options.saturation ? () => options.saturation?.(window) : undefined,
  });
  let started = 0;
  let bytes = 0;
  let limit = controller.limit();
  const limits: number[] = [];
  for (window = 0; window < windows; window++) {
    while (started < limit) controller.taskStarted(`t${started++}`);
    bytes += throughputFor(limit, window);
    controller.taskProgress('t0', bytes, 0);
    now += 1000;
    limit = controller.limit();
    limits.push(limit);
  }
  return { limits, controller };
}

describe('AutoConcurrency decisions', () => {
  test('a recorded sequence: raises while each raise pays, steps back after one that did not, then waits', () => {
    // Throughput per window as recorded on a latency-bound NAS: it grows with streams up to 6.
    const recorded = [40, 50, 60, 61, 50, 50, 50, 50, 51];
    const { limits, controller } = drive(recorded.length, (_limit, w) => (recorded[w] ?? 0) * MB);
    expect(limits).toEqual([5, 6, 7, 6, 6, 6, 6, 7, 6]);
    expect(controller.decisions.map((d) => d.reason)).toEqual([
      'probe: raise',
      'throughput rose: raise',
      'throughput rose: raise',
      'raise did not pay: step back',
      'probe: raise',
      'raise did not pay: step back',
    ]);
    expect(controller.decisions[0]?.throughput).toBe(40 * MB);
  });

  test('against a machine that scales to 10 streams it climbs to about 10 and stays near it', () => {
    const { limits } = drive(60, (limit) => Math.min(limit, 10) * 8 * MB);
    expect(Math.max(...limits)).toBe(11);
    // After the climb it only probes one above the knee and comes back.
    expect(limits.slice(20).every((l) => l === 10 || l === 11)).toBe(true);
    expect(limits.slice(20).filter((l) => l === 10).length).toBeGreaterThan(limits.slice(20).filter((l) => l === 11).length);
  });

  test('throughput falling with more streams (a seeking disk) keeps concurrency low', () => {
    const { limits } = drive(30, (limit) => (limit <= 4 ? 50 : 50 - (limit - 4) * 10) * MB);
    expect(Math.max(...limits)).toBe(5);
    expect(limits[limits.length - 1]).toBeLessThanOrEqual(5);
  });

  test('a saturated disk or CPU lowers the limit every window down to 1, whatever the throughput', () => {
    const disk = drive(6, () => 100 * MB, { start: 4, saturation: () => 'disk' });
    expect(disk.limits).toEqual([3, 2, 1, 1, 1, 1]);
    expect(disk.controller.decisions[0]?.reason).toBe('disk saturated: lower');
    const cpu = drive(2, () => 100 * MB, { start: 8, saturation: () => 'cpu' });
    expect(cpu.limits).toEqual([7, 6]);
  });

  test('after saturation clears it waits, then probes upward again', () => {
    const { limits } = drive(8, (limit) => limit * 10 * MB, { start: 6, saturation: (w) => (w < 2 ? 'cpu' : undefined) });
    expect(limits.slice(0, 2)).toEqual([5, 4]);
    expect(limits.slice(2, 4)).toEqual([4, 4]);
    expect(limits[limits.length - 1]).toBeGreaterThan(4);
  });

  test('a saturated network link stops raising but does not lower', () => {
    const { limits } = drive(5, () => 100 * MB, { start: 4, saturation: () => 'network' });
    expect(limits).toEqual([4, 4, 4, 4, 4]);
  });

  test('a latency verdict is no reason to hold back: it keeps raising while that pays', () => {
    const { limits } = drive(4, (limit) => limit * 5 * MB, { start: 4, saturation: () => 'latency' });
    expect(limits).toEqual([5, 6, 7, 8]);
  });

  test('no raise while fewer tasks run than allowed (the queue is draining)', () => {
    let now = 0;
    const controller = new AutoConcurrency({ start: 4, max: 16, windowMs: 1000, now: () => now });
    controller.taskStarted('only');
    let bytes = 0;
    for (let w = 0; w < 5; w++) {
      bytes += 10 * MB;
      controller.taskProgress('only', bytes, 0);
      now += 1000;
      expect(controller.limit()).toBe(4);
    }
  });

  test('files count toward throughput, retries restart counters without negative work, and it never passes max', () => {
    let now = 0;
    const controller = new AutoConcurrency({ start: 2, max: 3, windowMs: 1000, now: () => now, bytesPerFile: 1000 });
    controller.taskStarted('a');
    controller.taskStarted('b');
    controller.taskProgress('a', 0, 100);
    controller.taskProgress('b', 5000, 0);
    // A retried attempt reports from zero again: counts as new work, not as a drop.
    controller.taskProgress('b', 2000, 0);
    now += 1000;
    expect(controller.limit()).toBe(3);
    expect(controller.decisions[0]?.throughput).toBe(100 * 1000 + 5000 + 2000);
    controller.taskStarted('c');
    controller.taskProgress('a', 0, 1000);
    now += 1000;
    expect(controller.limit()).toBe(3);
  });

  test('the auto range starts where asked and allows more streams on more cores', () => {
    expect(autoConcurrencyRange(2, 4)).toEqual({ start: 4, min: 1, max: 8 });
    expect(autoConcurrencyRange(16, 16)).toEqual({ start: 16, min: 1, max: 32 });
  });
});
