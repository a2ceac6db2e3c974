/** A resource found saturated by a live diagnosis (same names as @dailysync/metrics' verdict). */
export type SaturatedResource = 'cpu' | 'disk' | 'network' | 'memory' | 'latency';

/** Where 'auto' starts and how far it may go on a machine with `cores` cores. */
export function autoConcurrencyRange(cores: number, start: number): { start: number; min: number; max: number } {
  return { start, min: 1, max: Math.min(32, Math.max(start * 2, cores * 4)) };
}

export interface AutoConcurrencyOptions {
  /** Limit to begin with: moderate, enough to hide per-file latency. */
  start: number;
  min?: number;
  max: number;
  /** Length of one measurement window; one decision per window. Default 5 s. */
  windowMs?: number;
  /** Relative throughput gain a raise must bring to be kept. Default 0.05 (5 %). */
  minGain?: number;
  /** Bytes one file counts as in the throughput score (per-file work costs even when no byte moves). */
  bytesPerFile?: number;
  /** Live bottleneck verdict, when the front end samples one; undefined means nothing is saturated. */
  saturation?: () => SaturatedResource | undefined;
  now?: () => number;
}

export interface ConcurrencyDecision {
  /** Milliseconds since the controller started. */
  atMs: number;
  limit: number;
  /** Throughput score of the window that led to the decision: bytes plus files x bytesPerFile, per second. */
  throughput: number;
  reason: string;
}

interface TaskCounters {
  bytes: number;
  files: number;
}

/**
 * Chooses how many rsyncs run at once by hill climbing on measured throughput: raise while each
 * raise pays, step back when one did not (then wait before probing again), and lower at once when
 * the CPU, a disk or memory is saturated. A saturated network link only stops the raising.
 */
export class AutoConcurrency {
  private current: number;
  private readonly min: number;
  private readonly max: number;
  private readonly windowMs: number;
  private readonly minGain: number;
  private readonly bytesPerFile: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private windowStart: number;
  private windowScore = 0;
  private baseline: number | undefined;
  private lastAction: 'raise' | 'hold' = 'hold';
  private cooldown = 0;
  private running = 0;
  private readonly perTask = new Map<string, TaskCounters>();
  private readonly log: ConcurrencyDecision[] = [];

  constructor(private readonly options: AutoConcurrencyOptions) {
    this.max = Math.max(1, options.max);
    this.min = Math.min(this.max, Math.max(1, options.min ?? 1));
    this.current = Math.min(this.max, Math.max(this.min, options.start));
    this.windowMs = options.windowMs ?? 5000;
    this.minGain = options.minGain ?? 0.05;
    this.bytesPerFile = options.bytesPerFile ?? 64 * 1024;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.windowStart = this.startedAt;
  }

  /** Decisions taken so far (the last 500), for the report. */
  get decisions(): readonly ConcurrencyDecision[] {
    return this.log;
  }

  taskStarted(id: string): void {
    this.running += 1;
    this.perTask.set(id, { bytes: 0, files: 0 });
  }

  /** Cumulative counters of one running task (they restart from zero when an attempt is retried). */
  taskProgress(id: string, bytes: number, files: number): void {
    const previous = this.perTask.get(id) ?? { bytes: 0, files: 0 };
    const dBytes = bytes >= previous.bytes ? bytes - previous.bytes : bytes;
    const dFiles = files >= previous.files ? files - previous.files : files;
    this.windowScore += dBytes + dFiles * this.bytesPerFile;
    this.perTask.set(id, { bytes, files });
  }

  /** A task ended; its final totals count only where they go beyond what progress already reported. */
  taskFinished(id: string, bytes: number, files: number): void {
    const previous = this.perTask.get(id) ?? { bytes: 0, files: 0 };
    this.windowScore += Math.max(0, bytes - previous.bytes) + Math.max(0, files - previous.files) * this.bytesPerFile;
    this.perTask.delete(id);
    this.running = Math.max(0, this.running - 1);
  }

  /** The limit now; closes the measurement window and decides when one has passed. Cheap to call often. */
  limit(): number {
    const now = this.now();
    const elapsed = now - this.windowStart;
    if (elapsed >= this.windowMs) {
      const throughput = (this.windowScore * 1000) / elapsed;
      this.windowScore = 0;
      this.windowStart = now;
      this.decide(throughput, now);
    }
    return this.current;
  }

  private record(now: number, throughput: number, reason: string): void {
    this.log.push({ atMs: now - this.startedAt, limit: this.current, throughput: Math.round(throughput), reason });
    if (this.log.length > 500) this.log.shift();
  }

  private decide(throughput: number, now: number): void {
    const saturated = this.options.saturation?.();
    if (saturated === 'cpu' || saturated === 'disk' || saturated === 'memory') {
      this.lastAction = 'hold';
      this.cooldown = 2;
      this.baseline = undefined;
      if (this.current > this.min) {
        this.current -= 1;
        this.record(now, throughput, `${saturated} saturated: lower`);
      }
      return;
    }
    if (saturated === 'network') {
      // More streams cannot push more through a full link.
      this.lastAction = 'hold';
      this.baseline = throughput;
      return;
    }
    if (this.running < this.current) {
      // Fewer tasks than slots (the queue is draining): a raise could not be measured.
      this.lastAction = 'hold';
      this.baseline = throughput;
      return;
    }
    if (this.lastAction === 'raise' && this.baseline !== undefined) {
      if (throughput >= this.baseline * (1 + this.minGain)) {
        this.baseline = throughput;
        if (this.current < this.max) {
          this.current += 1;
          this.record(now, throughput, 'throughput rose: raise');
        } else {
          this.lastAction = 'hold';
        }
        return;
      }
      this.current = Math.max(this.min, this.current - 1);
      this.lastAction = 'hold';
      this.cooldown = 3;
      this.baseline = undefined;
      this.record(now, throughput, 'raise did not pay: step back');
      return;
    }
    if (this.cooldown > 0) {
      this.cooldown -= 1;
      this.baseline = throughput;
      return;
    }
    this.baseline = throughput;
    if (this.current < this.max) {
      this.current += 1;
      this.lastAction = 'raise';
      this.record(now, throughput, 'probe: raise');
    }
  }
}
