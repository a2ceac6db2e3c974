import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';

/** Where a backup endpoint lives, resolved once per run. */
export interface PathTarget {
  /** As given, e.g. `/srv/data`, `nas:/vol/x`, `rsync://nas/mod`. */
  path: string;
  kind: 'local' | 'remote';
  /** Local: filesystem type from mountinfo (ext4, xfs, fuse.*, tmpfs...). */
  fsType?: string;
  /**
   * Local: /proc/diskstats names that carry this path's I/O, most specific first: the device
   * itself (partition, dm-N, loopN), then what lies below it (whole disk, dm slaves, a loop
   * file's disk). Empty for tmpfs/FUSE/network filesystems.
   */
  devices: string[];
  /** Remote: host name as written, its address, and the interface the route uses. */
  host?: string;
  address?: string;
  iface?: string;
}

/** Split a Linux dev_t (glibc encoding, as libuv reports it) into major:minor. */
export function splitDev(dev: number | bigint): { major: number; minor: number } {
  const d = BigInt(dev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return { major, minor };
}

/** Host of an rsync-style remote path, or undefined for a local path. */
export function parseRemote(path: string): { host: string } | undefined {
  const url = /^rsync:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(path);
  if (url?.[1]) return { host: url[1].replace(/^\[|\]$/g, '') };
  // host:path or host::module; a ':' after the first '/' is part of a local file name.
  const m = /^(?:[^@/:]*@)?([^/:]+):/.exec(path);
  if (m?.[1]) return { host: m[1] };
  return undefined;
}

interface MountEntry {
  mountPoint: string;
  majMin: string;
  fsType: string;
  source: string;
  superOptions: string;
}

/** Parse /proc/self/mountinfo (proc(5)); octal escapes in paths decoded. */
export function parseMountinfo(text: string): MountEntry[] {
  const unesc = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const a = pre.split(' ');
    const b = post.split(' ');
    out.push({
      majMin: a[2] ?? '',
      mountPoint: unesc(a[4] ?? ''),
      fsType: b[0] ?? '',
      source: unesc(b[1] ?? ''),
      superOptions: b[2] ?? '',
    });
  }
  return out;
}

/** The mount holding `real` (an absolute, symlink-free path): longest mount point prefix, last mounted wins. */
export function mountFor(real: string, mounts: MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = mp === '/' || real === mp || real.startsWith(mp.endsWith('/') ? mp : `${mp}/`);
    if (inside && (!best || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** Nearest existing ancestor, so a destination that is not created yet still resolves. */
function existingAncestor(p: string): string {
  let cur = resolve(p);
  while (!existsSync(cur) && cur !== dirname(cur)) cur = dirname(cur);
  return realpathSync(cur);
}

const read = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** Diskstats names for a block device major:minor, followed by what lies beneath (partition -> disk, dm -> slaves, loop -> backing file's devices). */
export function devicesForMajMin(majMin: string, depth = 0): string[] {
  if (depth > 8) return [];
  let sys: string;
  try {
    sys = realpathSync(`/sys/dev/block/${majMin}`);
  } catch {
    return [];
  }
  const name = basename(sys);
  const out = [name];
  if (existsSync(`${sys}/partition`)) out.push(basename(dirname(sys)));
  try {
    for (const slave of readdirSync(`${sys}/slaves`)) {
      const mm = read(`/sys/class/block/${slave}/dev`);
      if (mm) out.push(...devicesForMajMin(mm, depth + 1));
    }
  } catch {
    /* not a stacked device */
  }
  const backing = read(`${sys}/loop/backing_file`);
  if (backing) {
    try {
      const { major, minor } = splitDev(statSync(backing, { bigint: true }).dev);
      out.push(...devicesForMajMin(`${major}:${minor}`, depth + 1));
    } catch {
      /* backing file deleted */
    }
  }
  return [...new Set(out)];
}

/** Resolve a local path to its filesystem and the block devices carrying its I/O. */
export function resolveLocalPath(path: string, mountinfoText?: string): PathTarget {
  const real = existingAncestor(path);
  const mounts = parseMountinfo(mountinfoText ?? read('/proc/self/mountinfo') ?? '');
  const mount = mountFor(real, mounts);
  const { major, minor } = splitDev(statSync(real, { bigint: true }).dev);
  let devices = major !== 0 ? devicesForMajMin(`${major}:${minor}`) : [];
  if (devices.length === 0 && mount) {
    // Anonymous dev (btrfs subvolume, overlay): fall back to the mount source or overlay upperdir.
    if (mount.source.startsWith('/dev/')) {
      try {
        const r = splitDev(statSync(mount.source, { bigint: true }).rdev);
        devices = devicesForMajMin(`${r.major}:${r.minor}`);
      } catch {
        /* source gone */
      }
    } else if (mount.fsType === 'overlay') {
      const upper = /(?:^|,)upperdir=([^,]+)/.exec(mount.superOptions)?.[1];
      if (upper && upper !== path) devices = resolveLocalPath(upper, mountinfoText).devices;
    }
  }
  const t: PathTarget = { path, kind: 'local', devices };
  if (mount) t.fsType = mount.fsType;
  return t;
}

/** Interface name from `ip -o route get` output (`... dev eth0 src ...`). */
export function parseRouteGet(text: string): string | undefined {
  return /\bdev\s+(\S+)/.exec(text)?.[1];
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { timeout: 5000 }, (err, stdout) => (err ? rej(err) : res(stdout)));
  });
}

/** Resolve a host to an address and the interface its route leaves through. */
export async function resolveHost(host: string): Promise<{ address?: string; iface?: string }> {
  let address: string | undefined;
  try {
    // Loaded here: only a remote side has a host to resolve, and every run would load the resolver.
    address = isIP(host) ? host : (await (await import('node:dns/promises')).lookup(host)).address;
  } catch {
    return {};
  }
  try {
    const iface = parseRouteGet(await run('ip', ['-o', 'route', 'get', address]));
    return iface ? { address, iface } : { address };
  } catch {
    return { address };
  }
}

/** Resolve any rsync endpoint: remote -> route interface, local -> block devices. */
export async function resolveTarget(path: string): Promise<PathTarget> {
  const remote = parseRemote(path);
  if (!remote) return resolveLocalPath(path);
  const t: PathTarget = { path, kind: 'remote', devices: [], host: remote.host };
  Object.assign(t, await resolveHost(remote.host));
  return t;
}

/** Rate in bits/s of a root tbf qdisc from `tc qdisc show dev X`, e.g. `rate 40Mbit`. */
export function parseTbfRate(text: string): number | undefined {
  const m = /qdisc tbf .*?\brate (\d+(?:\.\d+)?)([KMG]?)bit/i.exec(text);
  if (!m?.[1]) return undefined;
  const mult: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9 };
  return Number(m[1]) * (mult[(m[2] ?? '').toUpperCase()] ?? 1);
}

/**
 * Shaping rates (bits/s) of the root tbf qdiscs of every interface, from one `tc qdisc show` (its
 * lines name their device: `qdisc tbf 8001: dev ifb0 root refcnt 2 rate 40Mbit ...`). One command
 * for all interfaces instead of one each: every spawn holds the event loop while the run starts.
 */
export function parseTbfRates(text: string): Map<string, number> {
  const rates = new Map<string, number>();
  for (const line of text.split('\n')) {
    const dev = /^qdisc tbf \S+ dev (\S+) root\b/.exec(line)?.[1];
    const rate = dev === undefined ? undefined : parseTbfRate(line);
    if (dev !== undefined && rate !== undefined) rates.set(dev, rate);
  }
  return rates;
}

/** Shaping rate of each interface with a root tbf qdisc (a real cap, unlike veth's fake speed); empty without tc. */
export async function shapedRates(): Promise<Map<string, number>> {
  try {
    return parseTbfRates(await run('tc', ['qdisc', 'show']));
  } catch {
    return new Map();
  }
}
