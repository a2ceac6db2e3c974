// Runs one workload under the sampler and writes the SampleSeries JSON plus the expected verdict.
// Usage: tsx record.ts --name cpu-bound --expect cpu [--source P] [--dest P] [--interval 500]
//                      [--max-seconds 30] [--out FILE] -- <shell command>
//    or: tsx record.ts --scenario cpu-bound|latency-bound [--max-seconds 30] [--out FILE]
//        (set-up, command and cleanup from live-scenarios.ts; work folder $WORK or /tmp/dailysync-NAME)
// The command runs in its own process group (the sampler's rootPid), killed at --max-seconds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatLiveLine } from '../src/index.js';
import { recordScenario, type RecordOptions } from './record-scenario.js';
import { LIVE_SCENARIOS } from './live-scenarios.js';

function args(argv: string[]): { opts: Map<string, string>; cmd: string } {
  const opts = new Map<string, string>();
  const dd = argv.indexOf('--');
  const head = dd >= 0 ? argv.slice(0, dd) : argv;
  for (let i = 0; i < head.length; i += 2) opts.set((head[i] ?? '').replace(/^--/, ''), head[i + 1] ?? '');
  return { opts, cmd: dd >= 0 ? argv.slice(dd + 1).join(' ') : '' };
}

async function main(): Promise<void> {
  const { opts, cmd } = args(process.argv.slice(2));
  const scenario = opts.has('scenario') ? LIVE_SCENARIOS[opts.get('scenario') ?? ''] : undefined;
  if (opts.has('scenario') && !scenario) throw new Error(`unknown --scenario; one of ${Object.keys(LIVE_SCENARIOS).join(', ')}`);
  const name = scenario?.name ?? opts.get('name');
  const expect = scenario?.expect ?? opts.get('expect');
  if (!name || !expect || (!scenario && !cmd)) throw new Error('need --scenario NAME, or --name, --expect and -- <command>');
  const here = dirname(fileURLToPath(import.meta.url));
  const out = resolve(opts.get('out') ?? `${here}/../test/fixtures/series/${name}.json`);
  const base: Omit<RecordOptions, 'command'> = {
    name,
    intervalMs: Number(opts.get('interval') ?? 500),
    maxSeconds: Number(opts.get('max-seconds') ?? 30),
    onSample: (s) => process.stderr.write(`${formatLiveLine(s)}\n`),
  };
  let recording;
  if (scenario) {
    scenario.requirements();
    const prepared = await scenario.prepare(process.env['WORK'] ?? `/tmp/dailysync-${name}`);
    try {
      recording = await recordScenario({ ...base, command: prepared.command, source: prepared.source, dest: prepared.dest });
    } finally {
      await prepared.cleanup();
    }
  } else {
    const src = opts.get('source');
    const dst = opts.get('dest');
    recording = await recordScenario({ ...base, command: cmd, ...(src ? { source: src } : {}), ...(dst ? { dest: dst } : {}) });
  }
  const { series, verdict, exitCode } = recording;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ ...series, expected: { bottleneck: expect } }, null, 1)}\n`);
  process.stderr.write(`exit ${exitCode}; ${series.samples.length} samples -> ${out}\n${JSON.stringify(verdict, null, 2)}\n`);
  if (verdict.bottleneck !== expect) {
    process.stderr.write(`WARNING: classified ${verdict.bottleneck}, expected ${expect}\n`);
    process.exitCode = 3;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
