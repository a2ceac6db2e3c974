// Threads or processes? Measures, on a generated local tree, where the CPU goes when dailysync
// copies with rsync child processes, what Node's own event loop does meanwhile, and what the same
// work costs inside Node (main thread vs worker_threads), including a CPU-heavy sha256 step.
// Usage: npx tsx libs/metrics/scenarios/threads-vs-processes.ts [--out FILE] [--repeat 3]
//          [--work DIR] [--scale 1]
// Prints a markdown table; --out writes every run as JSON. Cold runs drop the source's pages with
// posix_fadvise(DONTNEED) on our own files (never the machine-wide drop_caches).
import { spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { cpus, release } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { runBackup } from '../../sync/src/index.js';
import { startSampler } from '../src/index.js';

interface Run {
  workload: string;
  cache: 'warm' | 'cold' | '-';
  wallS: number;
  /** CPU of reaped children (the rsync trees), from /proc/self/stat cutime+cstime. */
  childCpuS: number;
  /** CPU of this Node process: main thread, libuv pool and worker threads together. */
  nodeCpuS: number;
  /** Event-loop delay beyond the 10 ms timer, ms. */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Mean busy share of the whole machine during the run (includes other people's work), 0..100. */
  machineBusyPct: number;
  bytes: number;
  files: number;
}

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : dflt;
};
const OUT = opt('out', '');
const REPEAT = Math.max(1, Number(opt('repeat', '3')));
const SCALE = Math.max(0.05, Number(opt('scale', '1')));
const WORK = mkdtempSync(join(opt('work', '/tmp'), 'dailysync-tvp-'));
const SOURCE = join(WORK, 'src');
const DEST = join(WORK, 'dst');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const ELD_RESOLUTION_MS = 10;

// 8 projects (top-level folders = one rsync each), mixed sizes: ~28.5 MiB and 213 files per project.
const MIX: Array<{ count: number; bytes: number }> = [
  { count: 1, bytes: 8 << 20 },
  { count: 4, bytes: 2 << 20 },
  { count: 16, bytes: 512 << 10 },
  { count: 64, bytes: 64 << 10 },
  { count: 128, bytes: 4 << 10 },
];
const PROJECTS = 8;

function generateTree(): string[] {
  const files: string[] = [];
  const buf = Buffer.alloc(8 << 20);
  for (let p = 0; p < PROJECTS; p++) {
    for (const [k, m] of MIX.entries()) {
      const dir = join(SOURCE, `project-${p}`, `size-${k}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < Math.max(1, Math.round(m.count * SCALE)); i++) {
        const f = join(dir, `f${i}.bin`);
        writeFileSync(f, randomFillSync(buf, 0, m.bytes).subarray(0, m.bytes)); // incompressible
        files.push(f);
      }
    }
  }
  return files;
}

/** Clean pages of our own files only: fsync, then posix_fadvise(DONTNEED) in one python process. */
function dropCache(files: string[]): void {
  const py = 'import os,sys\nfor p in sys.stdin.read().split("\\0"):\n  if p:\n    fd=os.open(p,os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)\n';
  const r = spawnSync('python3', ['-c', py], { input: files.join('\0') });
  if (r.status !== 0) throw new Error(`fadvise failed: ${r.stderr.toString()}`);
}

function warmCache(files: string[]): void {
  for (const f of files) readFileSync(f);
}

function childTicks(): number {
  // Fields after "(comm)": state is field 3; cutime and cstime are fields 16 and 17.
  const s = readFileSync('/proc/self/stat', 'utf8');
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(rest[13]) + Number(rest[14]);
}

/** Regular files under root, not counting the engine's own state folder (`.dailysync`). */
function treeSize(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.dailysync') walk(p);
      }
      else if (e.isFile()) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  walk(root);
  return { files, bytes };
}

async function measure(workload: string, cache: Run['cache'], work: () => Promise<{ files: number; bytes: number }>): Promise<Run> {
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const sampler = startSampler({ intervalMs: 500 });
  await sampler.facts; // its one-off commands are children too: keep them out of the rsync CPU
  const c0 = childTicks();
  const u0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  eld.enable();
  const done = await work();
  eld.disable();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const u = process.cpuUsage(u0);
  const childCpuS = (childTicks() - c0) / CLK_TCK;
  const series = await sampler.stop();
  const busy = series.samples.map((s) => s.cpu.busyPct);
  const ms = (ns: number): number => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);
  return {
    workload,
    cache,
    wallS,
    childCpuS,
    nodeCpuS: (u.user + u.system) / 1e6,
    loopDelayMs: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) },
    machineBusyPct: busy.length ? busy.reduce((a, b) => a + b, 0) / busy.length : NaN,
    ...done,
  };
}

/** Splits files into n shares of about equal bytes (largest first to the lightest share). */
function shares(files: string[], n: number): string[][] {
  const out = Array.from({ length: n }, () => ({ files: [] as string[], bytes: 0 }));
  const sized = files.map((f) => ({ f, b: statSync(f).size })).sort((a, b) => b.b - a.b);
  for (const { f, b } of sized) {
    const lightest = out.reduce((m, s) => (s.bytes < m.bytes ? s : m));
    lightest.files.push(f);
    lightest.bytes += b;
  }
  return out.map((s) => s.files);
}

/** The CPU step on one file's bytes: its sha256, or the size of its gzip -9 output. */
function cpuStep(mode: 'hash' | 'gzip', data: Buffer): string {
  return mode === 'hash' ? createHash('sha256').update(data).digest('hex') : String(gzipSync(data, { level: 9 }).length);
}

// Plain JS so the worker needs no TypeScript loader; the CPU step is passed in as source text.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { gzipSync } = require('node:zlib');
const cpuStep = ${cpuStep.toString()};
const out = {};
for (const [from, to] of workerData.pairs) {
  if (workerData.mode === 'copy') fs.copyFileSync(from, to);
  else out[from] = cpuStep(workerData.mode, fs.readFileSync(from));
}
parentPort.postMessage(out);
`;

function inWorkers(mode: 'copy' | 'hash' | 'gzip', files: string[], n: number): Promise<Record<string, string>> {
  return Promise.all(
    shares(files, n).map(
      (share) =>
        new Promise<Record<string, string>>((res, rej) => {
          const pairs = share.map((f) => [f, join(DEST, relative(SOURCE, f))]);
          const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { mode, pairs } });
          w.once('message', (m: Record<string, string>) => res(m));
          w.once('error', rej);
        }),
    ),
  ).then((parts) => Object.assign({}, ...parts) as Record<string, string>);
}

function prepareDest(files: string[]): void {
  rmSync(DEST, { recursive: true, force: true });
  for (const d of new Set(files.map((f) => dirname(join(DEST, relative(SOURCE, f)))))) mkdirSync(d, { recursive: true });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};

async function main(): Promise<void> {
  process.stderr.write(`generating tree in ${SOURCE} ...\n`);
  const files = generateTree();
  const size = treeSize(SOURCE);
  process.stderr.write(`${size.files} files, ${(size.bytes / 2 ** 20).toFixed(0)} MiB in ${PROJECTS} projects\n`);
  const dst = (f: string): string => join(DEST, relative(SOURCE, f));
  const checkCopy = (): { files: number; bytes: number } => {
    const got = treeSize(DEST);
    if (got.files !== size.files || got.bytes !== size.bytes) throw new Error(`incomplete copy: ${got.files} files / ${got.bytes} B, want ${size.files} / ${size.bytes}`);
    return got;
  };

  const copies: Array<{ name: string; run: () => Promise<{ files: number; bytes: number }>; needsDirs: boolean }> = [];
  for (const c of [1, 2, 4]) {
    copies.push({
      name: `dailysync engine, rsync processes, concurrency ${c}`,
      needsDirs: false,
      run: async () => {
        const report = await runBackup({ source: SOURCE, dest: DEST, concurrency: c, retry: { retries: 0, backoffMs: 0 } });
        if (!report.ok) throw new Error(`backup failed: ${JSON.stringify(report.projects.map((p) => p.status))}`);
        return checkCopy();
      },
    });
  }
  copies.push({
    name: 'Node main thread, fs.copyFile one at a time',
    needsDirs: true,
    run: async () => {
      for (const f of files) await copyFile(f, dst(f));
      return checkCopy();
    },
  });
  copies.push({
    name: 'Node main thread, fs.copyFile 4 in flight (libuv pool)',
    needsDirs: true,
    run: async () => {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < files.length) {
          const f = files[next++] as string;
          await copyFile(f, dst(f));
        }
      };
      await Promise.all([lane(), lane(), lane(), lane()]);
      return checkCopy();
    },
  });
  copies.push({
    name: 'Node main thread, streams one at a time',
    needsDirs: true,
    run: async () => {
      for (const f of files) await pipeline(createReadStream(f), createWriteStream(dst(f)));
      return checkCopy();
    },
  });
  for (const n of [2, 4]) {
    copies.push({
      name: `Node ${n} worker_threads, copyFileSync`,
      needsDirs: true,
      run: async () => {
        await inWorkers('copy', files, n);
        return checkCopy();
      },
    });
  }

  const runs: Run[] = [];
  for (const cache of ['warm', 'cold'] as const) {
    for (const c of copies) {
      for (let r = 0; r < REPEAT; r++) {
        if (c.needsDirs) prepareDest(files);
        else rmSync(DEST, { recursive: true, force: true });
        spawnSync('sync'); // earlier runs' dirty pages must not be written back during this one
        if (cache === 'cold') dropCache(files);
        else warmCache(files);
        const run = await measure(c.name, cache, c.run);
        runs.push(run);
        process.stderr.write(`${cache} ${c.name} #${r + 1}: ${run.wallS.toFixed(2)} s\n`);
      }
    }
  }

  // CPU-heavy steps on the page-cached tree: sha256 (hardware-assisted, cheap per byte) and gzip
  // level 9 (expensive per byte). The same per-file code runs on the main thread (yielding to the
  // event loop between files) and in workers; results must agree.
  warmCache(files);
  for (const mode of ['hash', 'gzip'] as const) {
    const label = mode === 'hash' ? 'sha256' : 'gzip -9';
    let reference: Record<string, string> | undefined;
    const variants: Array<{ name: string; run: () => Promise<Record<string, string>> }> = [
      {
        name: `${label} on the main thread (file by file, yielding between files)`,
        run: async () => {
          const out: Record<string, string> = {};
          for (const f of files) {
            out[f] = cpuStep(mode, readFileSync(f));
            await new Promise((res) => setImmediate(res));
          }
          return out;
        },
      },
      { name: `${label} in 2 worker_threads`, run: () => inWorkers(mode, files, 2) },
      { name: `${label} in 4 worker_threads`, run: () => inWorkers(mode, files, 4) },
    ];
    for (const v of variants) {
      for (let r = 0; r < REPEAT; r++) {
        const run = await measure(v.name, '-', async () => {
          const got = await v.run();
          reference ??= got;
          const bad = files.filter((f) => got[f] !== reference?.[f]);
          if (bad.length > 0) throw new Error(`${v.name}: ${bad.length} results differ`);
          return size;
        });
        runs.push(run);
        process.stderr.write(`${v.name} #${r + 1}: ${run.wallS.toFixed(2)} s\n`);
      }
    }
  }

  // One row per workload and cache state: medians over the repeats.
  const groups = new Map<string, Run[]>();
  for (const r of runs) groups.set(`${r.cache}\0${r.workload}`, [...(groups.get(`${r.cache}\0${r.workload}`) ?? []), r]);
  const rows = [...groups.values()].map((g) => {
    const first = g[0] as Run;
    const wall = median(g.map((r) => r.wallS));
    const child = median(g.map((r) => r.childCpuS));
    const node = median(g.map((r) => r.nodeCpuS));
    return {
      workload: first.workload,
      cache: first.cache,
      wallS: wall,
      mibPerS: first.bytes / 2 ** 20 / wall,
      childCpuS: child,
      nodeCpuS: node,
      coresUsed: median(g.map((r) => (r.childCpuS + r.nodeCpuS) / r.wallS)),
      childCores: median(g.map((r) => r.childCpuS / r.wallS)),
      nodeCores: median(g.map((r) => r.nodeCpuS / r.wallS)),
      loopDelayP50Ms: median(g.map((r) => r.loopDelayMs.p50)),
      loopDelayP99Ms: median(g.map((r) => r.loopDelayMs.p99)),
      loopDelayMaxMs: median(g.map((r) => r.loopDelayMs.max)),
      machineBusyPct: median(g.map((r) => r.machineBusyPct)),
    };
  });

  const facts = {
    cores: cpus().length,
    cpuModel: (/^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown').trim(),
    kernel: release(),
    rsync: (spawnSync('rsync', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '').trim(),
    node: process.version,
    loadavgBefore: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    tree: { files: size.files, bytes: size.bytes, projects: PROJECTS },
    repeat: REPEAT,
    command: `npx tsx libs/metrics/scenarios/threads-vs-processes.ts ${argv.join(' ')}`.trim(),
  };
  const f1 = (x: number): string => x.toFixed(1);
  const f2 = (x: number): string => x.toFixed(2);
  const lines = [
    `${facts.cores} cores (${facts.cpuModel}), kernel ${facts.kernel}, ${facts.rsync}, node ${facts.node}; ` +
      `${size.files} files, ${(size.bytes / 2 ** 20).toFixed(0)} MiB in ${PROJECTS} projects; median of ${REPEAT}`,
    '',
    '| workload | cache | wall s | MiB/s | child (rsync) CPU s | Node CPU s | cores used (child + Node) | loop delay p50 / p99 / max ms | machine busy % |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.workload} | ${r.cache} | ${f2(r.wallS)} | ${f1(r.mibPerS)} | ${f2(r.childCpuS)} | ${f2(r.nodeCpuS)} | ${f2(r.coresUsed)} (${f2(r.childCores)} + ${f2(r.nodeCores)}) | ${f1(r.loopDelayP50Ms)} / ${f1(r.loopDelayP99Ms)} / ${f1(r.loopDelayMaxMs)} | ${f1(r.machineBusyPct)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (OUT) {
    writeFileSync(OUT, `${JSON.stringify({ facts, rows, runs }, null, 1)}\n`);
    process.stderr.write(`wrote ${OUT}\n`);
  }
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(WORK, { recursive: true, force: true }));
