/** One line of a PSI file: share of time some/all non-idle tasks stalled. */
export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Microseconds stalled since boot. */
  totalUs: number;
}

export interface Pressure {
  some: PressureLine;
  /** Absent in /proc/pressure/cpu before kernel 5.13. */
  full: PressureLine | undefined;
}

/** Parse a /proc/pressure/{cpu,io,memory} file; undefined for empty text. */
export function parsePressure(text: string): Pressure | undefined {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  for (const line of text.split('\n')) {
    const m = /^(some|full)\s+avg10=([\d.]+)\s+avg60=([\d.]+)\s+avg300=([\d.]+)\s+total=(\d+)/.exec(line.trim());
    if (!m) continue;
    const p: PressureLine = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), totalUs: Number(m[5]) };
    if (m[1] === 'some') some = p;
    else full = p;
  }
  return some ? { some, full } : undefined;
}

export interface PressureRates {
  /** Percent of the interval some task stalled, from the `total` delta (exact for short intervals). */
  somePct: number;
  fullPct: number | undefined;
  /** The kernel's own 10 s averages at the end of the interval. */
  someAvg10: number;
  fullAvg10: number | undefined;
}

export function pressureDelta(prev: Pressure, cur: Pressure, seconds: number): PressureRates {
  const us = (seconds > 0 ? seconds : 1) * 1e6;
  const pct = (a: number, b: number): number => Math.min(100, Math.max(0, (100 * (b - a)) / us));
  return {
    somePct: pct(prev.some.totalUs, cur.some.totalUs),
    fullPct: prev.full && cur.full ? pct(prev.full.totalUs, cur.full.totalUs) : undefined,
    someAvg10: cur.some.avg10,
    fullAvg10: cur.full?.avg10,
  };
}
