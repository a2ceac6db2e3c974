// Helper for sampler.spec.ts: samples for ~3 s at 200 ms and prints its own CPU cost as JSON.
import { startSampler } from '../src/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = process.argv[2] ?? '/tmp';
  await sleep(300); // let module loading settle
  const b0 = process.cpuUsage();
  const bt = performance.now();
  await sleep(1000);
  const b = process.cpuUsage(b0);
  const baselinePct = ((b.user + b.system) / 1000 / (performance.now() - bt)) * 100;
  const sampler = startSampler({ rootPid: process.pid, paths: { source: dir, dest: dir }, intervalMs: 200 });
  await sampler.facts; // systeminformation's one-off work is not part of the loop
  await sleep(300);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const o0 = sampler.overhead();
  await sleep(3000);
  const c = process.cpuUsage(c0);
  const wallMs = performance.now() - t0;
  const o = sampler.overhead();
  await sampler.stop();
  const processPct = ((c.user + c.system) / 1000 / wallMs) * 100;
  const loopPct = ((o.totalMs - o0.totalMs) / wallMs) * 100;
  process.stdout.write(JSON.stringify({ processPct, baselinePct, loopPct, ticks: o.ticks - o0.ticks }));
}

main().catch((e: unknown) => {
  process.stderr.write(String(e));
  process.exitCode = 1;
});
