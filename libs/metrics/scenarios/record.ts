// Runs one workload under the sampler and writes the SampleSeries JSON plus the expected verdict.
// Usage: tsx record.ts --name cpu-bound --expect cpu [--source P] [--dest P] [--interval 500]
//                      [--max-seconds 30] -- <shell command>
// The command runs in its own process group (the sampler's rootPid), killed at --max-seconds.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSampler, classifyBottleneck, formatLiveLine } from '../src/index.js';

function args(argv: string[]): { opts: Map<string, string>; cmd: string } {
  const opts = new Map<string, string>();
  const dd = argv.indexOf('--');
  const head = dd >= 0 ? argv.slice(0, dd) : argv;
  for (let i = 0; i < head.length; i += 2) opts.set((head[i] ?? '').replace(/^--/, ''), head[i + 1] ?? '');
  return { opts, cmd: dd >= 0 ? argv.slice(dd + 1).join(' ') : '' };
}

async function main(): Promise<void> {
  const { opts, cmd } = args(process.argv.slice(2));
  const name = opts.get('name');
  const expect = opts.get('expect');
  if (!name || !expect || !cmd) throw new Error('need --name, --expect and -- <command>');
  const here = dirname(fileURLToPath(import.meta.url));
  const out = resolve(opts.get('out') ?? `${here}/../test/fixtures/series/${name}.json`);
  const maxSeconds = Number(opts.get('max-seconds') ?? 30);
  const child = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  if (child.pid === undefined) throw new Error('spawn failed');
  const paths: { source?: string; dest?: string } = {};
  const src = opts.get('source');
  const dst = opts.get('dest');
  if (src) paths.source = src;
  if (dst) paths.dest = dst;
  const sampler = startSampler({
    rootPid: child.pid,
    paths,
    intervalMs: Number(opts.get('interval') ?? 500),
    label: name,
    onSample: (s) => process.stderr.write(`${formatLiveLine(s)}\n`),
  });
  const killer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), 'TERM');
    } catch {
      /* already gone */
    }
  }, maxSeconds * 1000);
  const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  clearTimeout(killer);
  const series = await sampler.stop();
  const verdict = classifyBottleneck(series);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ ...series, expected: { bottleneck: expect } }, null, 1)}\n`);
  process.stderr.write(`exit ${code}; ${series.samples.length} samples -> ${out}\n${JSON.stringify(verdict, null, 2)}\n`);
  if (verdict.bottleneck !== expect) {
    process.stderr.write(`WARNING: classified ${verdict.bottleneck}, expected ${expect}\n`);
    process.exitCode = 3;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
