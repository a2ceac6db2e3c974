/** Cumulative counters of one interface from /proc/net/dev. */
export interface NetCounters {
  name: string;
  rxBytes: number;
  rxPackets: number;
  rxErrs: number;
  rxDrop: number;
  txBytes: number;
  txPackets: number;
  txErrs: number;
  txDrop: number;
}

/** Parse /proc/net/dev (two header lines, then `iface: 16 numbers`). */
export function parseNetDev(text: string): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map((x) => Number(x) || 0);
    if (f.length < 16) continue; // header lines contain '|' not numbers
    const n = (i: number): number => f[i] ?? 0;
    out.set(name, {
      name,
      rxBytes: n(0),
      rxPackets: n(1),
      rxErrs: n(2),
      rxDrop: n(3),
      txBytes: n(8),
      txPackets: n(9),
      txErrs: n(10),
      txDrop: n(11),
    });
  }
  return out;
}

export interface NetRates {
  rxBytesPerSec: number;
  txBytesPerSec: number;
  rxDropsPerSec: number;
  txDropsPerSec: number;
  errorsPerSec: number;
}

export function netDelta(prev: NetCounters, cur: NetCounters, seconds: number): NetRates {
  const s = seconds > 0 ? seconds : 1;
  // Counters reset when an interface is recreated: clamp instead of reporting negative rates.
  const d = (k: Exclude<keyof NetCounters, 'name'>): number => Math.max(0, cur[k] - prev[k]) / s;
  return {
    rxBytesPerSec: d('rxBytes'),
    txBytesPerSec: d('txBytes'),
    rxDropsPerSec: d('rxDrop'),
    txDropsPerSec: d('txDrop'),
    errorsPerSec: d('rxErrs') + d('txErrs'),
  };
}
