import { cpus, hostname, release } from 'node:os';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readMeminfo, readNetDev, readText } from './proc/read.js';
import { resolveTarget, shapedRateBps } from './devices.js';
import type { BlockDeviceFact, InterfaceFact, StaticFacts } from './types.js';

function clkTck(): Promise<number> {
  // USER_HZ is 100 on every mainstream Linux build; getconf is asked once to be sure.
  return new Promise((res) => {
    execFile('getconf', ['CLK_TCK'], { timeout: 2000 }, (err, out) => res(err ? 100 : Number(out.trim()) || 100));
  });
}

function interfaceKind(name: string): InterfaceFact['kind'] {
  if (name === 'lo') return 'loopback';
  if (existsSync(`/sys/class/net/${name}/device`)) return 'physical';
  // A veth's iflink points at its peer; ifb/bridge/tun have iflink == ifindex.
  const ifindex = readText(`/sys/class/net/${name}/ifindex`)?.trim();
  const iflink = readText(`/sys/class/net/${name}/iflink`)?.trim();
  if (ifindex && iflink && ifindex !== iflink) return 'veth';
  if (/^veth/.test(name)) return 'veth';
  return 'virtual';
}

/**
 * The driver's link speed, as systeminformation reads it too. Read directly: si.networkInterfaces()
 * runs several synchronous commands per interface (nmcli, ethtool...), which held the event loop
 * for ~0.2 s at the start of every run.
 */
function linkSpeedMbps(name: string): number | undefined {
  const speed = Number(readText(`/sys/class/net/${name}/speed`)?.trim());
  return Number.isFinite(speed) && speed > 0 ? speed : undefined;
}

/** Static facts for a run: cores, memory, link speeds, block devices, where source/dest live. */
export async function collectFacts(paths?: { source?: string; dest?: string }): Promise<StaticFacts> {
  const [tick, blocks, source, dest] = await Promise.all([
    clkTck(),
    // Loaded when facts are collected, not with the package: commands that never sample skip it.
    import('systeminformation').then((si) => si.default.blockDevices()).catch(() => []),
    paths?.source ? resolveTarget(paths.source).catch(() => undefined) : undefined,
    paths?.dest ? resolveTarget(paths.dest).catch(() => undefined) : undefined,
  ]);
  // /proc/net/dev lists interfaces that systeminformation skips (down, ifb...).
  const interfaces: InterfaceFact[] = await Promise.all(
    [...readNetDev().keys()].map(async (name) => {
      const f: InterfaceFact = { name, kind: interfaceKind(name) };
      const sp = linkSpeedMbps(name);
      if (sp !== undefined) f.speedMbps = sp;
      if (f.kind !== 'loopback') {
        const shaped = await shapedRateBps(name);
        if (shaped !== undefined) f.shapedBps = shaped;
      }
      if (f.shapedBps !== undefined) f.capacityBytesPerSec = f.shapedBps / 8;
      else if (f.kind === 'physical' && f.speedMbps !== undefined) f.capacityBytesPerSec = (f.speedMbps * 1e6) / 8;
      return f;
    }),
  );
  const blockDevices: BlockDeviceFact[] = blocks.map((b) => {
    const f: BlockDeviceFact = { name: b.name, type: b.type, sizeBytes: b.size };
    if (b.physical) f.physical = b.physical;
    if (b.model) f.model = b.model;
    return f;
  });
  const facts: StaticFacts = {
    cores: cpus().length,
    memTotalBytes: readMeminfo().totalBytes,
    clkTck: tick,
    kernel: release(),
    hostname: hostname(),
    psi: existsSync('/proc/pressure/cpu'),
    interfaces,
    blockDevices,
  };
  if (source) facts.source = source;
  if (dest) facts.dest = dest;
  return facts;
}

/** Whole-disk names (/sys/block): partitions are skipped unless they belong to source/dest. */
export function wholeDisks(): Set<string> {
  try {
    const names = readFileSync('/proc/partitions', 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[3])
      .filter((x): x is string => !!x && x !== 'name');
    return new Set(names.filter((n) => existsSync(`/sys/block/${n}`)));
  } catch {
    return new Set();
  }
}
