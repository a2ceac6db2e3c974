// Sampler memory over a long run, a measurement (not a unit test): a 20-hour night at the 1 s
// interval is 72,000 samples; this samples the real /proc at a compressed 1 ms interval until it has
// taken as many, and prints the process's heap and RSS after 1,200 samples (20 minutes) and after
// 72,000 (20 hours), with the fixed-size series and, for comparison, with every sample kept.
//   node --expose-gc --import tsx libs/metrics/scenarios/sampler-memory.ts [bounded|unbounded]
// With no argument it runs itself once per mode (a fresh process each, so neither inherits a heap).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSampler } from '../src/index.js';

const MARKS = [1200, 72_000];

async function measure(mode: 'bounded' | 'unbounded'): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const sampler = startSampler({ rootPid: process.pid, intervalMs: 1, ...(mode === 'unbounded' ? { capacity: Number.MAX_SAFE_INTEGER } : {}) });
  await sampler.facts;
  const started = Date.now();
  const rows: Array<Record<string, number | string>> = [];
  for (const mark of MARKS) {
    while (sampler.overhead().ticks < mark) await new Promise((r) => setTimeout(r, 50));
    gc();
    const m = process.memoryUsage();
    rows.push({ mode, samples: sampler.overhead().ticks, simulated: `${((mark * 1000) / 3600_000).toFixed(2)} h at 1 s`, heapMiB: +(m.heapUsed / 2 ** 20).toFixed(1), rssMiB: +(m.rss / 2 ** 20).toFixed(1), seconds: +((Date.now() - started) / 1000).toFixed(0) });
  }
  const series = await sampler.stop();
  rows.push({ mode, storedSamples: series.samples.length, seriesJsonMiB: +(JSON.stringify(series).length / 2 ** 20).toFixed(2) });
  for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
}

const mode = process.argv[2];
if (mode === 'bounded' || mode === 'unbounded') await measure(mode);
else {
  for (const m of ['bounded', 'unbounded']) {
    process.stdout.write(execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), m], { encoding: 'utf8' }));
  }
}
