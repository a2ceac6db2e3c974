import type { Sample } from './types.js';

/**
 * Stored samples at most: a 1 s interval keeps full resolution for the first hour; a 20-hour night
 * ends with 2,250 samples of 32 s each instead of 72,000 (issue 12: flat memory).
 */
export const DEFAULT_SAMPLE_CAPACITY = 3600;

/**
 * A series of fixed size that coarsens as the run grows. While it has room every sample is kept;
 * when full, neighbours are merged in pairs and later samples are merged in groups of the same
 * width, so every stored sample covers the same number of intervals. Merged rates are time-weighted
 * means (the same totals as the raw samples); the busiest process of a merged sample is the
 * busiest of its parts.
 */
export class SampleBuffer {
  private readonly stored: Sample[] = [];
  private pending: Sample | undefined;
  private pendingCount = 0;
  /** Raw samples per stored sample: 1, then 2, 4, 8... */
  private width = 1;
  private raw = 0;

  constructor(private readonly capacity = DEFAULT_SAMPLE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`sample capacity must be an integer >= 2, got ${capacity}`);
  }

  push(s: Sample): void {
    this.raw++;
    this.pending = this.pending ? mergeSamples(this.pending, s) : s;
    if (++this.pendingCount < this.width) return;
    this.stored.push(this.pending);
    this.pending = undefined;
    this.pendingCount = 0;
    if (this.stored.length < this.capacity) return;
    const merged: Sample[] = [];
    for (let i = 0; i + 1 < this.stored.length; i += 2) merged.push(mergeSamples(this.stored[i] as Sample, this.stored[i + 1] as Sample));
    // An odd one out (capacity is odd) waits as the first part of the next, wider sample.
    if (this.stored.length % 2 === 1) {
      this.pending = this.stored[this.stored.length - 1];
      this.pendingCount = this.width;
    }
    this.stored.splice(0, this.stored.length, ...merged);
    this.width *= 2;
  }

  /** The stored samples, oldest first, with the group still filling as the last one. */
  samples(): Sample[] {
    return this.pending ? [...this.stored, this.pending] : [...this.stored];
  }

  /** How many samples were pushed, and how many raw intervals each stored sample now covers. */
  get counts(): { raw: number; stored: number; width: number } {
    return { raw: this.raw, stored: this.stored.length + (this.pending ? 1 : 0), width: this.width };
  }
}

type Json = number | string | boolean | null | undefined | Json[] | { [k: string]: Json };

/** Means of the intervals that have a value: a request latency is unknown, not 0, when no request completed. */
const WHERE_PRESENT = new Set(['awaitMs']);

/** Time-weighted mean of every number; a value missing on one side counts as 0 there (an idle disk is left out of a sample). */
function mean(a: Json, b: Json, wa: number, wb: number, key = ''): Json {
  if (WHERE_PRESENT.has(key) && (typeof a !== 'number' || typeof b !== 'number')) return typeof a === 'number' ? a : b;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = typeof a === 'number' ? a : 0;
    const y = typeof b === 'number' ? b : 0;
    return (x * wa + y * wb) / (wa + wb);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    const xs = Array.isArray(a) ? a : [];
    const ys = Array.isArray(b) ? b : [];
    // Lists of names (a device's roles) are unions; lists of numbers per core are means.
    if ([...xs, ...ys].every((v) => typeof v === 'string')) return [...new Set([...xs, ...ys])];
    return Array.from({ length: Math.max(xs.length, ys.length) }, (_, i) => mean(xs[i], ys[i], wa, wb));
  }
  if ((a && typeof a === 'object') || (b && typeof b === 'object')) {
    const x = (a && typeof a === 'object' ? a : {}) as Record<string, Json>;
    const y = (b && typeof b === 'object' ? b : {}) as Record<string, Json>;
    const out: Record<string, Json> = {};
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) out[k] = mean(x[k], y[k], wa, wb, k);
    return out;
  }
  return b ?? a;
}

/** One sample covering both intervals: `a` must be the earlier one. */
export function mergeSamples(a: Sample, b: Sample): Sample {
  const wa = a.seconds;
  const wb = b.seconds;
  const { t: _ta, seconds: _sa, tree: treeA, ...restA } = a;
  const { t: _tb, seconds: _sb, tree: treeB, ...restB } = b;
  const merged = mean(restA as unknown as Json, restB as unknown as Json, wa, wb) as unknown as Omit<Sample, 't' | 'seconds' | 'tree'>;
  const out: Sample = { ...merged, t: b.t, seconds: wa + wb };
  if (treeA || treeB) {
    const { top: topA, ...ta } = treeA ?? ({} as NonNullable<Sample['tree']>);
    const { top: topB, ...tb } = treeB ?? ({} as NonNullable<Sample['tree']>);
    const tree = mean(ta as unknown as Json, tb as unknown as Json, treeA ? wa : 0, treeB ? wb : 0) as unknown as NonNullable<Sample['tree']>;
    // Process counts are counts: the larger of the two, not a fraction.
    tree.pids = Math.max(treeA?.pids ?? 0, treeB?.pids ?? 0);
    const top = !topA ? topB : !topB ? topA : topB.cpuCores >= topA.cpuCores ? topB : topA;
    if (top) tree.top = top;
    out.tree = tree;
  }
  return out;
}
