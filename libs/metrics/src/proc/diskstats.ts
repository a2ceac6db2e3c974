/** Cumulative counters of one /proc/diskstats line (kernel Documentation/admin-guide/iostats.rst). */
export interface DiskCounters {
  major: number;
  minor: number;
  name: string;
  readsCompleted: number;
  readSectors: number;
  readMs: number;
  writesCompleted: number;
  writeSectors: number;
  writeMs: number;
  inFlight: number;
  /** Milliseconds the device had I/O in flight: the source of busy %. */
  ioTicksMs: number;
  /** Milliseconds of I/O time weighted by queue depth: the source of average queue size. */
  weightedMs: number;
  discardsCompleted: number;
  discardMs: number;
  flushesCompleted: number;
  flushMs: number;
}

/** Sectors in /proc/diskstats are always 512 bytes, whatever the device's block size. */
export const SECTOR_BYTES = 512;

/** Parse /proc/diskstats into counters keyed by device name. */
export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const out = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const n = (i: number): number => Number(f[i] ?? 0) || 0;
    const name = f[2] ?? '';
    out.set(name, {
      major: n(0),
      minor: n(1),
      name,
      readsCompleted: n(3),
      readSectors: n(5),
      readMs: n(6),
      writesCompleted: n(7),
      writeSectors: n(9),
      writeMs: n(10),
      inFlight: n(11),
      ioTicksMs: n(12),
      weightedMs: n(13),
      // Fields 15-20 exist since kernels 4.18/5.5; older kernels leave them 0.
      discardsCompleted: n(14),
      discardMs: n(17),
      flushesCompleted: n(18),
      flushMs: n(19),
    });
  }
  return out;
}

export interface DiskRates {
  readBytesPerSec: number;
  writeBytesPerSec: number;
  readIops: number;
  writeIops: number;
  /** Share of the interval with I/O in flight (0..100). */
  busyPct: number;
  /** Average number of requests in flight (iostat aqu-sz). */
  avgQueue: number;
  /** Average ms per completed request, reads and writes; undefined when none completed. */
  awaitMs: number | undefined;
  /** Requests in flight at the end of the interval. */
  inFlight: number;
}

/** Rates of one device between two readings `seconds` apart. */
export function diskDelta(prev: DiskCounters, cur: DiskCounters, seconds: number): DiskRates {
  const s = seconds > 0 ? seconds : 1;
  const d = (k: keyof DiskCounters): number => Math.max(0, (cur[k] as number) - (prev[k] as number));
  const ios = d('readsCompleted') + d('writesCompleted');
  return {
    readBytesPerSec: (d('readSectors') * SECTOR_BYTES) / s,
    writeBytesPerSec: (d('writeSectors') * SECTOR_BYTES) / s,
    readIops: d('readsCompleted') / s,
    writeIops: d('writesCompleted') / s,
    busyPct: Math.min(100, d('ioTicksMs') / (s * 10)),
    avgQueue: d('weightedMs') / (s * 1000),
    awaitMs: ios > 0 ? (d('readMs') + d('writeMs')) / ios : undefined,
    inFlight: cur.inFlight,
  };
}
