// Records the verdict scenarios that need a whole dailysync run (its --bwlimit, its task times):
// each builds a tree, runs `dailysync sync` through the command layer with the real sampler and
// real rsync, and writes the raw series plus the run facts as a classifier fixture
// (libs/metrics/test/fixtures/series/NAME.json). With --repeat 2 each scenario runs twice and the
// verdicts must agree. Usage (from the workspace root):
//   npx tsx libs/commands/scenarios/record-sync-scenarios.ts [--repeat 2] [--no-write] [NAME...]
// NAME: bandwidth-limited one-file-long-pole host-busy two-sample-run (default: all).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyBottleneck, type Limit, type RunFacts, type SampleSeries } from '@dailysync/metrics';
import { runSyncCommand, type SyncCommandOptions } from '../src/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const FIXTURES = join(ROOT, 'libs/metrics/test/fixtures/series');

function fill(dir: string, files: Record<string, number>): void {
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    // Random bytes: nothing compresses, and a re-record never copies a cached pattern.
    const buf = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i += 65536) buf.set(crypto.getRandomValues(new Uint8Array(Math.min(65536, bytes - i))), i);
    writeFileSync(join(dir, name), buf);
  }
}

const MiB = 2 ** 20;
const smalls = (project: string, n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${project}/notes/n${i}.txt`, 2048]));

interface Scenario {
  name: string;
  expect: Limit;
  describe: string;
  tree: Record<string, number>;
  options: SyncCommandOptions;
  /** Sampling interval (default 1000 ms, as the CLI). */
  sampleIntervalMs?: number;
  /** Work on the host that is not the backup, started before and stopped after the run. */
  neighbours?: () => ChildProcess[];
}

const SCENARIOS: Scenario[] = [
  {
    name: 'bandwidth-limited',
    expect: 'bwlimit',
    describe: '4 projects of 12 MiB, --concurrency 4 --bwlimit 2000: each stream held at ~2 MB/s',
    tree: Object.fromEntries(['a', 'b', 'c', 'd'].flatMap((p) => [[`${p}/media/clip.bin`, 12 * MiB], ...Object.entries(smalls(p, 10))])),
    options: { concurrency: 4, bwlimit: 2000 },
  },
  {
    name: 'one-file-long-pole',
    expect: 'critical-path',
    describe: 'one 1.5 GiB file in project big next to 3 small projects, --concurrency 4: the big file runs alone',
    tree: { 'big/raw/master.bin': 1536 * MiB, ...smalls('x', 30), ...smalls('y', 30), ...smalls('z', 30) },
    options: { concurrency: 4 },
  },
  {
    name: 'host-busy',
    expect: 'contention',
    describe: '4 projects of 200 small files and 24 MiB while two busy loops (one per core) run outside the backup',
    tree: Object.fromEntries(['a', 'b', 'c', 'd'].flatMap((p) => [...Object.entries(smalls(p, 200)), [`${p}/media/clip.bin`, 24 * MiB]])),
    options: { concurrency: 4 },
    neighbours: () => [0, 1].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore', detached: true })),
  },
  {
    name: 'two-sample-run',
    expect: 'not-enough-data',
    describe: '2 tiny projects sampled every 2 s: the run ends after 2 to 4 samples',
    tree: { ...smalls('a', 5), ...smalls('b', 5) },
    options: { concurrency: 2 },
    // A run of a few seconds on a loaded host takes 3 to 6 one-second samples; a 2 s interval
    // makes the few-samples case hold without depending on the host's load.
    sampleIntervalMs: 2000,
  },
];

async function runOnce(s: Scenario, work: string): Promise<{ series: SampleSeries; run: RunFacts; seconds: number }> {
  rmSync(join(work, 'dst'), { recursive: true, force: true });
  mkdirSync(join(work, 'dst'), { recursive: true });
  const busy = s.neighbours?.() ?? [];
  let captured: { series: SampleSeries; run: RunFacts } | undefined;
  const started = Date.now();
  try {
    const r = await runSyncCommand(
      { ...s.options, source: join(work, 'src'), dest: join(work, 'dst'), output: 'plain' },
      { workspaceRoot: ROOT, stdout: process.stderr, stderr: process.stderr, ...(s.sampleIntervalMs ? { sampleIntervalMs: s.sampleIntervalMs } : {}), onSeries: (series, run) => (captured = { series, run }) },
    );
    if (r.exitCode !== 0) throw new Error(`${s.name}: sync exited ${r.exitCode}`);
  } finally {
    for (const c of busy) if (c.pid) process.kill(-c.pid, 'SIGKILL');
  }
  if (!captured) throw new Error(`${s.name}: no series captured`);
  return { ...captured, seconds: (Date.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const repeatAt = args.indexOf('--repeat');
  const repeat = repeatAt >= 0 ? Number(args[repeatAt + 1]) : 1;
  const write = !args.includes('--no-write');
  const names = args.filter((a, i) => !a.startsWith('--') && i !== repeatAt + 1);
  const chosen = SCENARIOS.filter((s) => names.length === 0 || names.includes(s.name));
  let failed = 0;
  for (const s of chosen) {
    const work = `/tmp/dailysync-scenario-${s.name}`;
    rmSync(work, { recursive: true, force: true });
    fill(join(work, 'src'), s.tree);
    const verdicts: string[] = [];
    for (let i = 0; i < repeat; i++) {
      const { series, run, seconds } = await runOnce(s, work);
      const v = classifyBottleneck(series, run);
      verdicts.push(v.limitedBy);
      process.stdout.write(`${s.name} #${i + 1}: ${v.limitedBy} (${Math.round(v.confidence * 100)}%), ${series.samples.length} samples, ${seconds.toFixed(1)} s — ${v.evidence[0]}\n`);
      if (write && i === 0) {
        writeFileSync(join(FIXTURES, `${s.name}.json`), `${JSON.stringify({ ...series, label: `${s.name}: ${s.describe}`, run, expected: { limitedBy: s.expect } }, null, 1)}\n`);
      }
    }
    rmSync(work, { recursive: true, force: true });
    if (verdicts.some((v) => v !== s.expect)) {
      failed++;
      process.stdout.write(`${s.name}: expected ${s.expect} every time, got ${verdicts.join(', ')}\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
