// --concurrency auto, driven by samples: the live verdict that steers it must follow the backup's
// own processes, not other work on the host (issue 13). Deterministic: a fake clock and samples.
import { describe, expect, it } from '@jest/globals';
import { AutoConcurrency } from '@dailysync/sync';
import type { Sample, StaticFacts } from '@dailysync/metrics';
import { liveSaturation } from './diagnosis.js';

const facts: StaticFacts = {
  cores: 2, memTotalBytes: 8 * 2 ** 30, clkTck: 100, kernel: 'test', hostname: 'test', psi: true,
  interfaces: [{ name: 'lo', kind: 'loopback' }], blockDevices: [],
  source: { path: '/src', kind: 'local', devices: ['vda'] }, dest: { path: '/dst', kind: 'local', devices: ['vda'] },
};

/** One second of a 2-core host: `hostBusy` % busy in all, of which the backup's tree used `backupPct`. */
function sample(t: number, hostBusy: number, backupPct: number): Sample {
  return {
    t, seconds: 1,
    cpu: { busyPct: hostBusy, iowaitPct: 0, stealPct: 0, perCore: [], runnable: 4, blocked: 0 },
    tree: { pids: 5, cpuCores: (2 * backupPct) / 100, cpuPctOfMachine: backupPct, readBytesPerSec: 0, writeBytesPerSec: 0, rcharPerSec: 0, wcharPerSec: 0, top: { pid: 9, comm: 'rsync', cpuCores: (2 * backupPct) / 100 / 4 } },
    disks: { vda: { readBytesPerSec: 0, writeBytesPerSec: 0, readIops: 0, writeIops: 0, busyPct: 20, avgQueue: 0.2, awaitMs: 1, inFlight: 0, roles: ['source', 'dest'] } },
    net: {},
    mem: { totalBytes: 8 * 2 ** 30, availableBytes: 6 * 2 ** 30, availablePct: 75, swapInPerSec: 0, swapOutPerSec: 0, pgscanPerSec: 0, pgscanDirectPerSec: 0 },
    psi: {},
  };
}

/**
 * 20 one-second windows with a full queue; each stream adds 2 MB/s up to 8 streams. The samples
 * of each window come from `host(limit)`; the controller sees only what liveSaturation makes of them.
 */
function drive(host: (limit: number) => { busy: number; backup: number }): number[] {
  let now = 0;
  const recent: Sample[] = [];
  const controller = new AutoConcurrency({ start: 4, max: 16, windowMs: 1000, now: () => now, saturation: () => liveSaturation(facts, recent, 1000) });
  let limit = controller.limit();
  let started = 0;
  let bytes = 0;
  const limits: number[] = [];
  for (let w = 0; w < 20; w++) {
    while (started < limit) controller.taskStarted(`t${started++}`);
    const h = host(limit);
    recent.push(sample(now + 1000, h.busy, h.backup));
    if (recent.length > 5) recent.shift();
    bytes += Math.min(limit, 8) * 2e6;
    controller.taskProgress('t0', bytes, 0);
    now += 1000;
    limit = controller.limit();
    limits.push(limit);
  }
  return limits;
}

describe('auto concurrency follows the backup, not the neighbours', () => {
  it('a host kept 100% busy by other work (backup 8%) never makes auto back off; it climbs while streams pay', () => {
    const limits = drive(() => ({ busy: 100, backup: 8 }));
    for (let i = 1; i < limits.length; i++) expect(limits[i]).toBeGreaterThanOrEqual(Math.min(limits[i - 1] as number, 8));
    expect(Math.max(...limits)).toBeGreaterThanOrEqual(8);
    expect(liveSaturation(facts, [1, 2, 3, 4, 5].map((t) => sample(t * 1000, 100, 8)), 1000)).toBeUndefined();
  });
  it('the backup itself filling the CPU makes auto lower, as before', () => {
    const limits = drive(() => ({ busy: 100, backup: 95 }));
    expect(limits[limits.length - 1]).toBe(1);
    expect(liveSaturation(facts, [1, 2, 3, 4, 5].map((t) => sample(t * 1000, 100, 95)), 1000)).toBe('cpu');
  });
  it('fewer samples than the minimum: no verdict, so no decision from noise', () => {
    expect(liveSaturation(facts, [1, 2].map((t) => sample(t * 1000, 100, 95)), 1000)).toBeUndefined();
  });
});
