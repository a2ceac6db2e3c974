import { arch, cpus, endianness, hostname, release } from 'node:os';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readMeminfo, readNetDev, readText } from './proc/read.js';
import { resolveTarget, shapedRates, type PathTarget } from './devices.js';
import type { BlockDeviceFact, InterfaceFact, StaticFacts } from './types.js';

/** auxv entry type of the kernel's clock tick (USER_HZ), see getauxval(3). */
const AT_CLKTCK = 17;

/**
 * USER_HZ from this process's auxiliary vector, which the kernel hands every process (what
 * `getconf CLK_TCK` reads too): no command to start. Undefined when it cannot be read.
 */
export function clkTckFromAuxv(auxv: Buffer, wordBytes: number, littleEndian: boolean): number | undefined {
  const word = (at: number): bigint =>
    wordBytes === 8 ? (littleEndian ? auxv.readBigUInt64LE(at) : auxv.readBigUInt64BE(at)) : BigInt(littleEndian ? auxv.readUInt32LE(at) : auxv.readUInt32BE(at));
  for (let at = 0; at + 2 * wordBytes <= auxv.length; at += 2 * wordBytes) {
    const type = word(at);
    if (type === 0n) break; // AT_NULL ends the vector
    if (type === BigInt(AT_CLKTCK)) return Number(word(at + wordBytes)) || undefined;
  }
  return undefined;
}

function clkTck(): Promise<number> {
  try {
    const wordBytes = ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'].includes(arch()) ? 8 : 4;
    const fromAuxv = clkTckFromAuxv(readFileSync('/proc/self/auxv'), wordBytes, endianness() === 'LE');
    if (fromAuxv !== undefined) return Promise.resolve(fromAuxv);
  } catch {
    // No /proc/self/auxv: ask getconf.
  }
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

/** The machine's block devices (systeminformation, which runs lsblk); empty when they cannot be listed. */
export async function collectBlockDevices(): Promise<BlockDeviceFact[]> {
  // Loaded when asked, not with the package: commands that never sample skip it.
  const blocks = await import('systeminformation').then((si) => si.default.blockDevices()).catch(() => []);
  return blocks.map((b) => {
    const f: BlockDeviceFact = { name: b.name, type: b.type, sizeBytes: b.size };
    if (b.physical) f.physical = b.physical;
    if (b.model) f.model = b.model;
    return f;
  });
}

/** Filesystems of this machine's own disks (or memory): no network between them and the run. */
const THIS_MACHINES_FILESYSTEMS = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'zfs', 'f2fs', 'tmpfs']);

function onThisMachine(target: PathTarget | undefined): boolean {
  return target?.kind === 'local' && target.fsType !== undefined && THIS_MACHINES_FILESYSTEMS.has(target.fsType);
}

/**
 * Static facts for a run: cores, memory, link speeds, block devices, where source/dest live.
 * `blockDevices: false` leaves the device list empty, for a caller that asks collectBlockDevices
 * at a quieter moment (it costs a module load and a command).
 */
export async function collectFacts(paths?: { source?: string; dest?: string }, options: { blockDevices?: boolean } = {}): Promise<StaticFacts> {
  const [tick, blockDevices, source, dest] = await Promise.all([
    clkTck(),
    options.blockDevices === false ? [] : collectBlockDevices(),
    paths?.source ? resolveTarget(paths.source).catch(() => undefined) : undefined,
    paths?.dest ? resolveTarget(paths.dest).catch(() => undefined) : undefined,
  ]);
  // Shaping only slows traffic that leaves the machine: a run between two of its own disks skips
  // `tc` (a command started while the run starts).
  const shaped = onThisMachine(source) && onThisMachine(dest) ? new Map<string, number>() : await shapedRates();
  // /proc/net/dev lists interfaces that systeminformation skips (down, ifb...).
  const interfaces: InterfaceFact[] = [...readNetDev().keys()].map((name) => {
    const f: InterfaceFact = { name, kind: interfaceKind(name) };
    const sp = linkSpeedMbps(name);
    if (sp !== undefined) f.speedMbps = sp;
    const rate = f.kind === 'loopback' ? undefined : shaped.get(name);
    if (rate !== undefined) f.shapedBps = rate;
    if (f.shapedBps !== undefined) f.capacityBytesPerSec = f.shapedBps / 8;
    else if (f.kind === 'physical' && f.speedMbps !== undefined) f.capacityBytesPerSec = (f.speedMbps * 1e6) / 8;
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
