import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parseProcStat, cpuDelta } from '../src/proc/stat.js';
import { parseDiskstats, diskDelta } from '../src/proc/diskstats.js';
import { parseNetDev, netDelta } from '../src/proc/netdev.js';
import { parseMeminfo } from '../src/proc/meminfo.js';
import { parseVmstat } from '../src/proc/vmstat.js';
import { parsePressure, pressureDelta } from '../src/proc/pressure.js';
import { parsePidStat, parsePidIo, parseChildren, descendantsFromParents, sumTree } from '../src/proc/pid.js';
import { parseMountinfo, mountFor, parseRemote, parseRouteGet, parseTbfRate, parseTbfRates, splitDev } from '../src/devices.js';
import { clkTckFromAuxv, collectFacts } from '../src/facts.js';
import { execFileSync } from 'node:child_process';

// Text recorded from this machine's /proc (Debian 12, kernel 6.18, 2 vCPUs, virtio disk vda).
const fx = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/proc/${name}`, import.meta.url)), 'utf8');

describe('/proc/stat', () => {
  it('reads the aggregate line, every core and procs_*', () => {
    const s = parseProcStat(fx('stat.txt'));
    expect(s.perCore.map((c) => c.name)).toEqual(['cpu0', 'cpu1']);
    expect(s.total.user).toBeGreaterThan(0);
    expect(s.total.idle).toBeGreaterThan(s.perCore[0]?.idle ?? Infinity);
    expect(s.procsRunning).toBeGreaterThanOrEqual(1);
    expect(s.procsBlocked).toBeGreaterThanOrEqual(0);
  });
  it('turns two readings into busy and iowait percentages', () => {
    const a = parseProcStat(fx('stat-a.txt')).total;
    const b = parseProcStat(fx('stat-b.txt')).total;
    // cpu  8756 0 4822 89485 578 0 106 102 -> cpu  8757 0 4825 89680 582 0 106 102: busy 4, idle 195, iowait 4
    const d = cpuDelta(a, b);
    expect(d.busyPct).toBeCloseTo((100 * 4) / 203, 5);
    expect(d.iowaitPct).toBeCloseTo((100 * 4) / 203, 5);
    expect(d.stealPct).toBe(0);
  });
  it('does not divide by zero for identical readings', () => {
    const a = parseProcStat(fx('stat-a.txt')).total;
    expect(cpuDelta(a, a)).toEqual({ busyPct: 0, iowaitPct: 0, stealPct: 0 });
  });
});

describe('/proc/diskstats', () => {
  it('parses every device with its major:minor', () => {
    const m = parseDiskstats(fx('diskstats.txt'));
    expect(m.get('vda')).toMatchObject({ major: 254, minor: 0 });
    expect(m.get('loop0')).toMatchObject({ major: 7, minor: 0, readsCompleted: 0 });
    expect(m.has('zram0')).toBe(true);
  });
  it('computes bytes, busy %, queue and await from a recorded O_DIRECT write', () => {
    const a = parseDiskstats(fx('diskstats-a.txt')).get('vda');
    const b = parseDiskstats(fx('diskstats-b.txt')).get('vda');
    if (!a || !b) throw new Error('vda missing from fixture');
    // 100 writes of 1 MiB (204800 sectors) taking 47 ms, 44 ms io_ticks, 47 ms weighted, over 1 s
    const r = diskDelta(a, b, 1);
    expect(r.writeBytesPerSec).toBe(100 * 1024 * 1024);
    expect(r.readBytesPerSec).toBe(0);
    expect(r.writeIops).toBe(100);
    expect(r.busyPct).toBeCloseTo(4.4, 5);
    expect(r.avgQueue).toBeCloseTo(0.047, 5);
    expect(r.awaitMs).toBeCloseTo(0.47, 5);
  });
  it('reports await as undefined when no request completed', () => {
    const a = parseDiskstats(fx('diskstats-a.txt')).get('loop0');
    if (!a) throw new Error('loop0 missing');
    expect(diskDelta(a, a, 1).awaitMs).toBeUndefined();
  });
});

describe('/proc/net/dev', () => {
  it('skips headers and reads bytes and drops per interface', () => {
    const m = parseNetDev(fx('net-dev.txt'));
    expect([...m.keys()]).toEqual(expect.arrayContaining(['lo', 'eth0']));
    expect(m.get('lo')?.rxBytes).toBe(m.get('lo')?.txBytes); // loopback sends to itself
    expect(m.get('eth0')?.rxBytes).toBeGreaterThan(0);
  });
  it('makes rates and clamps counter resets', () => {
    const a = parseNetDev(fx('net-dev.txt')).get('eth0');
    if (!a) throw new Error('eth0 missing');
    const b = { ...a, txBytes: a.txBytes + 5000, rxDrop: a.rxDrop + 4 };
    expect(netDelta(a, b, 2)).toMatchObject({ txBytesPerSec: 2500, rxDropsPerSec: 2, rxBytesPerSec: 0 });
    expect(netDelta(b, a, 1).txBytesPerSec).toBe(0);
  });
});

describe('/proc/meminfo and /proc/vmstat', () => {
  it('reads MemTotal and MemAvailable in bytes', () => {
    const m = parseMeminfo(fx('meminfo.txt'));
    expect(m.totalBytes).toBe(24684092 * 1024);
    expect(m.availableBytes).toBeGreaterThan(0);
    expect(m.availableBytes).toBeLessThanOrEqual(m.totalBytes);
    expect(m.swapTotalBytes).toBe(0);
  });
  it('falls back to free + cached on kernels without MemAvailable', () => {
    expect(parseMeminfo('MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 1 kB\nCached: 20 kB\n').availableBytes).toBe(31 * 1024);
  });
  it('reads swap and page-scan counters', () => {
    expect(parseVmstat(fx('vmstat.txt'))).toEqual({ pswpin: 0, pswpout: 0, pgscan: 0, pgscanDirect: 0 });
    const v = parseVmstat('pswpin 3\npswpout 7\npgscan_kswapd 100\npgscan_direct 20\npgscan_anon 60\npgscan_file 60\n');
    expect(v).toEqual({ pswpin: 3, pswpout: 7, pgscan: 120, pgscanDirect: 20 });
  });
});

describe('/proc/pressure', () => {
  it('parses some and full lines', () => {
    const io = parsePressure(fx('pressure-io.txt'));
    expect(io?.some.totalUs).toBeGreaterThan(0);
    expect(io?.full).toBeDefined();
    expect(parsePressure(fx('pressure-memory.txt'))?.some.avg10).toBe(0);
  });
  it('supports a cpu file without a full line (kernels before 5.13) and empty text', () => {
    const p = parsePressure('some avg10=1.50 avg60=0.20 avg300=0.00 total=12345\n');
    expect(p?.full).toBeUndefined();
    expect(p?.some.avg10).toBe(1.5);
    expect(parsePressure('')).toBeUndefined();
  });
  it('turns total deltas into percent of the interval', () => {
    const a = parsePressure(fx('pressure-io-a.txt'));
    const b = parsePressure(fx('pressure-io-b.txt'));
    if (!a || !b) throw new Error('fixture');
    const d = pressureDelta(a, b, 1);
    expect(d.somePct).toBeCloseTo((b.some.totalUs - a.some.totalUs) / 1e4, 5);
    expect(d.somePct).toBeGreaterThan(0);
    expect(d.fullPct).toBeDefined();
  });
});

describe('/proc/<pid>', () => {
  it('parses stat with the real field positions', () => {
    const s = parsePidStat(fx('pid-stat.txt'));
    expect(s?.comm).toBe('bash');
    expect(s?.state).toMatch(/^[RSDZT]$/);
    expect(s?.ppid).toBeGreaterThan(0);
  });
  it('survives a comm with spaces and parentheses', () => {
    const s = parsePidStat(fx('pid-stat-weird-comm.txt'));
    expect(s).toMatchObject({ pid: 9138, comm: 'we ird) (x', state: 'S', ppid: 9137, utime: 0, starttime: 52193 });
  });
  it('reads utime/stime/cutime/cstime (fields 14-17)', () => {
    const line = '42 (rsync) R 1 42 42 0 -1 0 0 0 0 0 250 30 700 60 20 0 1 0 999 0 0';
    expect(parsePidStat(line)).toMatchObject({ utime: 250, stime: 30, cutime: 700, cstime: 60, starttime: 999 });
  });
  it('parses /proc/<pid>/io', () => {
    const io = parsePidIo(fx('pid-io.txt'));
    expect(io?.rchar).toBeGreaterThan(0);
    expect(io).toHaveProperty('writeBytes');
    expect(parsePidIo('')).toBeUndefined();
  });
  it('parses children and finds descendants from a parent map', () => {
    expect(parseChildren(fx('children.txt')).length).toBeGreaterThan(0);
    expect(parseChildren('')).toEqual([]);
    const parents = new Map([
      [10, 1],
      [11, 10],
      [12, 11],
      [13, 1],
      [14, 12],
    ]);
    expect(descendantsFromParents(10, parents).sort()).toEqual([11, 12, 14]);
  });
  it('sums a tree, counting reaped children through cutime/cstime', () => {
    const root = parsePidStat('1 (rsync) S 0 1 1 0 -1 0 0 0 0 0 10 5 300 40 20 0 1 0 5 0 0');
    const kid = parsePidStat('2 (rsync) R 1 1 1 0 -1 0 0 0 0 0 100 20 0 0 20 0 1 0 6 0 0');
    if (!root || !kid) throw new Error('parse');
    const t = sumTree([root, kid], [
      { rchar: 1, wchar: 2, readBytes: 3, writeBytes: 4, cancelledWriteBytes: 0 },
      undefined,
    ]);
    expect(t.cpuTicks).toBe(10 + 5 + 300 + 40 + 100 + 20);
    expect(t.io.writeBytes).toBe(4);
    expect(t.members.map((m) => m.ownTicks)).toEqual([15, 120]);
  });
});

describe('path and route helpers', () => {
  it('splits dev_t values', () => {
    expect(splitDev(254 * 256)).toEqual({ major: 254, minor: 0 });
    expect(splitDev((259n << 8n) | 3n)).toEqual({ major: 259, minor: 3 });
    // minor >= 256 spills into the high bits
    expect(splitDev((8n << 8n) | 0x10n | (1n << 20n))).toEqual({ major: 8, minor: 0x110 });
  });
  it('tells remote rsync paths from local ones', () => {
    expect(parseRemote('nas:/vol/a')).toEqual({ host: 'nas' });
    expect(parseRemote('backup@nas::mod/x')).toEqual({ host: 'nas' });
    expect(parseRemote('rsync://u@10.0.0.2:873/mod')).toEqual({ host: '10.0.0.2' });
    expect(parseRemote('/srv/a:b')).toBeUndefined();
    expect(parseRemote('./rel/dir')).toBeUndefined();
  });
  it('finds the mount of a path in recorded mountinfo', () => {
    const mounts = parseMountinfo(fx('mountinfo.txt'));
    const root = mountFor('/work/main', mounts);
    expect(root?.mountPoint).toBe('/');
    expect(root?.fsType).toBe('ext4');
    expect(mountFor('/proc/self', mounts)?.fsType).toBe('proc');
  });
  it('reads the interface from ip route get and a tbf rate from tc', () => {
    expect(parseRouteGet('10.9.0.2 dev dsv0 src 10.9.0.1 uid 0 \\    cache')).toBe('dsv0');
    expect(parseTbfRate('qdisc tbf 8001: root refcnt 3 rate 40Mbit burst 4Kb lat 400ms')).toBe(40e6);
    expect(parseTbfRate('qdisc pfifo_fast 0: root refcnt 2 bands 3')).toBeUndefined();
  });
  it('reads every interface\'s root tbf rate from one `tc qdisc show` (recorded on this machine, ifb0 shaped)', () => {
    const all = [
      'qdisc noqueue 0: dev lo root refcnt 2 ',
      'qdisc tbf 8001: dev ifb0 root refcnt 2 rate 40Mbit burst 4Kb lat 400ms ',
      'qdisc pfifo_fast 0: dev eth0 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1',
      // A tbf below the root (under a classful qdisc) does not cap the interface as a whole.
      'qdisc tbf 10: dev eth1 parent 1:1 rate 1Gbit burst 4Kb lat 400ms ',
    ].join('\n');
    expect([...parseTbfRates(all)]).toEqual([['ifb0', 40e6]]);
  });
  it('reads USER_HZ from the auxiliary vector, as getconf does', () => {
    expect(clkTckFromAuxv(readFileSync('/proc/self/auxv'), 8, true)).toBe(Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()));
    // A 32-bit big-endian vector: AT_PAGESZ (6) = 4096, AT_CLKTCK (17) = 1024, AT_NULL.
    const be32 = Buffer.alloc(24);
    [6, 4096, 17, 1024, 0, 0].forEach((v, i) => be32.writeUInt32BE(v, i * 4));
    expect(clkTckFromAuxv(be32, 4, false)).toBe(1024);
    // Without the entry (AT_NULL first): undefined, and the caller asks getconf.
    expect(clkTckFromAuxv(Buffer.alloc(16), 8, true)).toBeUndefined();
  });
  it('collects the static facts of this machine (clock tick, interfaces, where a path lives)', async () => {
    const facts = await collectFacts({ source: '/tmp' });
    expect(facts.clkTck).toBe(Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()));
    expect(facts.interfaces.map((i) => i.name)).toEqual(expect.arrayContaining(['lo']));
    expect(facts.source?.kind).toBe('local');
  });
  it('asks tc for shaping rates unless both paths lie on this machine\'s disks (a real veth pair shaped with tbf)', async () => {
    execFileSync('ip', ['link', 'add', 'dsfacts0', 'type', 'veth', 'peer', 'name', 'dsfacts1']);
    try {
      execFileSync('tc', ['qdisc', 'add', 'dev', 'dsfacts0', 'root', 'tbf', 'rate', '40mbit', 'burst', '32kbit', 'latency', '400ms']);
      const shapedOf = (facts: Awaited<ReturnType<typeof collectFacts>>): number | undefined => facts.interfaces.find((i) => i.name === 'dsfacts0')?.shapedBps;
      expect(shapedOf(await collectFacts({ source: '/tmp', dest: '/dev/shm' }))).toBeUndefined();
      expect(shapedOf(await collectFacts({ source: '/tmp', dest: 'backup-host.invalid:/srv/backup' }))).toBe(40e6);
      expect(shapedOf(await collectFacts())).toBe(40e6);
    } finally {
      execFileSync('ip', ['link', 'del', 'dsfacts0']);
    }
  });
});
