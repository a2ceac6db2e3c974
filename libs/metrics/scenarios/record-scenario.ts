// Runs one workload under the sampler and classifies it: shared by record.ts (which writes the
// recorded fixtures) and test/live-scenarios.spec.ts (which asserts the verdict live).
import { spawn } from 'node:child_process';
import { startSampler, classifyBottleneck } from '../src/index.js';
import type { Resource, Sample, SampleSeries, Verdict } from '../src/index.js';

export interface RecordOptions {
  /** Stored as the series label. */
  name: string;
  /** Shell command; runs in its own process group, which is the sampler's rootPid. */
  command: string;
  source?: string;
  dest?: string;
  /** Default 500. */
  intervalMs?: number;
  /** The process group gets SIGTERM after this long (default 30); sampling stops with it. */
  maxSeconds?: number;
  onSample?: (s: Sample) => void;
  /** Where the command's stdout/stderr go (default: inherited). */
  stdio?: 'inherit' | 'ignore';
}

export interface Recording {
  series: SampleSeries;
  verdict: Verdict;
  exitCode: number | null;
  /** Whether the workload was still running at maxSeconds and was stopped. */
  stoppedAtLimit: boolean;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

export async function recordScenario(o: RecordOptions): Promise<Recording> {
  const out = o.stdio ?? 'inherit';
  const child = spawn('sh', ['-c', o.command], { stdio: ['ignore', out, out], detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start: ${o.command}`);
  const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  const paths: { source?: string; dest?: string } = {};
  if (o.source) paths.source = o.source;
  if (o.dest) paths.dest = o.dest;
  const sampler = startSampler({ rootPid: pid, paths, intervalMs: o.intervalMs ?? 500, label: o.name, ...(o.onSample ? { onSample: o.onSample } : {}) });
  let stoppedAtLimit = false;
  const limit = setTimeout(() => {
    stoppedAtLimit = true;
    signalGroup(pid, 'SIGTERM');
  }, (o.maxSeconds ?? 30) * 1000);
  try {
    const exitCode = await exited;
    const series = await sampler.stop();
    return { series, verdict: classifyBottleneck(series), exitCode, stoppedAtLimit };
  } finally {
    clearTimeout(limit);
    // Whatever happened, nothing of the workload may outlive the recording.
    signalGroup(pid, 'SIGKILL');
    await sampler.stop();
  }
}

export type { Resource };
