import type { DiskRates } from './proc/diskstats.js';
import type { NetRates } from './proc/netdev.js';
import type { PressureRates } from './proc/pressure.js';
import type { PathTarget } from './devices.js';

export type { DiskRates, NetRates, PressureRates, PathTarget };

export type Role = 'source' | 'dest';

/** What one interval looked like: rates and percentages, never cumulative counters. */
export interface Sample {
  /** Epoch ms at the end of the interval. */
  t: number;
  /** Measured interval length in seconds (timers drift; rates use this, not intervalMs). */
  seconds: number;
  cpu: {
    /** Busy share of all cores together, 0..100 (user+nice+system+irq+softirq+steal). */
    busyPct: number;
    iowaitPct: number;
    stealPct: number;
    perCore: Array<{ busyPct: number; iowaitPct: number }>;
    /** procs_running at the end of the interval (includes the sampler itself). */
    runnable: number;
    /** procs_blocked: tasks in uninterruptible (mostly I/O) sleep. */
    blocked: number;
  };
  /** Bytes per second the backup itself reported moving (rsync's progress), when the sampler was given a counter. */
  backupBytesPerSec?: number;
  /** The backup's own process tree; absent without rootPid or once the root has exited. */
  tree?: {
    pids: number;
    /** Cores used by the tree incl. reaped children: 1.5 = one and a half cores. */
    cpuCores: number;
    /** Same as a share of all cores, 0..100, comparable with cpu.busyPct. */
    cpuPctOfMachine: number;
    /** The single busiest process: a single-threaded rsync near 1 core is CPU-bound on its own. */
    top?: { pid: number; comm: string; cpuCores: number };
    /** Block-layer bytes (read_bytes/write_bytes) and syscall bytes (rchar/wchar, cache hits too). */
    readBytesPerSec: number;
    writeBytesPerSec: number;
    rcharPerSec: number;
    wcharPerSec: number;
  };
  /** Whole disks that did I/O in the interval, plus every device of source/dest. */
  disks: Record<string, DiskRates & { roles?: Role[] }>;
  /** Every interface in /proc/net/dev. */
  net: Record<string, NetRates & { roles?: Role[] }>;
  mem: {
    totalBytes: number;
    availableBytes: number;
    availablePct: number;
    /** Pages per second. */
    swapInPerSec: number;
    swapOutPerSec: number;
    pgscanPerSec: number;
    pgscanDirectPerSec: number;
  };
  /** Pressure stall information; a resource is absent when the kernel has no PSI. */
  psi: { cpu?: PressureRates; io?: PressureRates; memory?: PressureRates };
}

export interface InterfaceFact {
  name: string;
  kind: 'loopback' | 'veth' | 'virtual' | 'physical';
  /** Driver-reported link speed in Mbit/s; undefined when unknown (virtio reports -1). */
  speedMbps?: number;
  /** Rate of a root tbf qdisc, bits/s: a real cap even on a veth. */
  shapedBps?: number;
  /** Capacity the classifier trusts, bytes/s: shaped rate, else the speed of a physical NIC. */
  capacityBytesPerSec?: number;
}

export interface BlockDeviceFact {
  name: string;
  type: string;
  sizeBytes: number;
  /** systeminformation's guess: HDD, SSD, NVMe... */
  physical?: string;
  model?: string;
}

/** Collected once per run (systeminformation forks commands: never in the sampling loop). */
export interface StaticFacts {
  cores: number;
  memTotalBytes: number;
  clkTck: number;
  kernel: string;
  hostname: string;
  /** Whether /proc/pressure exists. */
  psi: boolean;
  source?: PathTarget;
  dest?: PathTarget;
  interfaces: InterfaceFact[];
  blockDevices: BlockDeviceFact[];
}

export interface SampleSeries {
  version: 1;
  startedAt: number;
  endedAt: number;
  intervalMs: number;
  rootPid?: number;
  facts: StaticFacts;
  /**
   * Oldest first, at most a fixed number (sample-buffer.ts): in a long run each one covers several
   * intervals (its `seconds`), its rates the time-weighted means of those intervals.
   */
  samples: Sample[];
  /** Free-form label, e.g. the scenario that produced a recorded series. */
  label?: string;
}

export type Resource = 'cpu' | 'disk' | 'network' | 'memory' | 'latency';

/** One rsync task of the run as the classifier sees it: epoch ms and what it moved. */
export interface RunTask {
  id: string;
  startedAt: number;
  finishedAt: number;
  bytes: number;
  files: number;
}

/** Facts about the run that no /proc counter shows: what the user fixed, and when each task ran. */
export interface RunFacts {
  /** rsync --bwlimit per stream, bytes/s; absent or 0: no limit. */
  bwlimitBytesPerSec?: number;
  /** The concurrency the user fixed; absent with `auto` (the controller chose). */
  fixedConcurrency?: number;
  tasks: RunTask[];
  /**
   * The largest file of the task that ran alone longest, when the caller looked it up (dailysync
   * does only when that task copied bytes, see criticalPathTaskWithBytes): rsync's output names a
   * file only once it is done, so its time is estimated from the task's rate.
   */
  largestFile?: { task: string; path: string; bytes: number };
}

/**
 * What set the run's length. Checked in this order: too few samples, the run's own limits
 * (bwlimit, a fixed concurrency), one task or file on the critical path, other work on the host,
 * then saturation of a resource; `latency` when nothing explains it.
 */
export type Limit = Resource | 'not-enough-data' | 'bwlimit' | 'fixed-concurrency' | 'critical-path' | 'contention';

export interface Verdict {
  /** What limited the run: what the verdict line names. */
  limitedBy: Limit;
  /** The resource verdict on its own (saturation of the backup's own demand, else latency). */
  bottleneck: Resource;
  /**
   * 0..1, the share of the evidence that agrees (docs/diagnosis.md): for a resource, the share of
   * steady samples in which it was saturated; for bwlimit, the share of bytes moved by streams at
   * their limit; for the critical path, the share of the run the task ran alone; for contention,
   * the share of samples with the CPU full of other work. 0 with not enough data.
   */
  confidence: number;
  /** Numbers in words, strongest first, e.g. "dest disk vdb 97% busy, await 41 ms". */
  evidence: string[];
  suggestion: { concurrency: 'raise' | 'lower' | 'keep'; reason: string };
  /** 0..1 per resource; >= 0.5 means saturated for most of the run. */
  scores: Record<Resource, number>;
}
