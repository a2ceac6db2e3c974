// dailysync benchmark harness.
//
//   npx tsx bench/run.ts [--scenario latency|latency-nocache|local|all] [--files N] [--repeats R] [--quick]
//   npx tsx bench/run.ts --memory [--files 200000]
//   npx tsx bench/run.ts --summarize bench/results/FILE.json   (re-print the table of a results file)
//
// Many-projects scenario: --small-projects N adds N one-file projects to the tree (e.g.
// `--projects 3 --small-projects 2000 --files 3000 --size-mb 100`: 2,000 small projects next to 3 big ones).
// Other options: --projects N, --size-mb MB, --seed S, --latency-ms MS (per FUSE op, default 1),
// --jobs N (parallel -j / fpsync -n, default 8), --concurrency auto|N (dailysync), --workdir DIR
// (default /tmp), --keep (keep the work dir), --contestants a,b,c, --cp-in-latency,
// --timeout-min M (per contestant run, default 60), --dailysync-extra "ARGS" (appended to the dailysync command),
// --workloads full,nochange,change1pct,foreign-copy (default all four; on a busy machine, fewer keep a run short).
// --scenario all = latency + local; latency-nocache (FUSE with no attribute/entry cache) runs only when named.
// See docs/benchmarks.md for what every scenario/workload/contestant means.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateTree, mutateTree, type MutationSummary, type TreeSummary } from './generate-tree.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');

// =====================================================================================
// DAILYSYNC CONTESTANT COMMAND — the one place to adjust when the CLI changes.
// =====================================================================================
// The published command (compiled JS), as users run it; the development launcher (bin/, sources
// through tsx) added about 0.65 s and 40 MiB to every run. Built when the harness first needs it
// (Nx's cache makes that quick when nothing changed).
export const DAILYSYNC_BIN = path.join(REPO_ROOT, 'apps/backup/dist/bin/dailysync.cjs');
export function dailysyncCommand(src: string, dst: string, reportFile: string, concurrency: string, extra: string[] = []): string[] {
  // NB: dailysync preserves hard links, ACLs and xattrs by default (-H -A -X on top of -a); the rsync
  // contestants run plain -a. Pass --dailysync-extra "--no-hard-links --no-acls --no-xattrs" to compare like for like.
  return [
    process.execPath, DAILYSYNC_BIN, 'sync',
    '--source', src,
    '--dest', dst,
    '--concurrency', concurrency,
    '--delete',
    '--report', reportFile,
    ...extra,
  ];
}
/** Returns null when the CLI is runnable, else the reason it is pending. */
let dailysyncAvailability: string | null | undefined;
export function dailysyncUnavailable(): string | null {
  dailysyncAvailability ??= buildAndCheckDailysync();
  return dailysyncAvailability;
}
function buildAndCheckDailysync(): string | null {
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
  if (build.status !== 0) return `pending: the build (npm run build) failed: ${`${build.stdout ?? ''}${build.stderr ?? ''}`.slice(-300)}`;
  if (!fs.existsSync(DAILYSYNC_BIN)) return `pending: ${DAILYSYNC_BIN} does not exist after the build`;
  // Generous: on a busy shared machine the CLI's start-up (tsx) alone took 11-17 s.
  const r = spawnSync(process.execPath, [DAILYSYNC_BIN, '--help'], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) return `pending: \`node ${DAILYSYNC_BIN} --help\` exited ${r.status}: ${(r.stderr || '').slice(0, 300)}`;
  return null;
}
// =====================================================================================

// foreign-copy: the destination was just made an exact copy of the source by another tool (`cp -a` on the
// backing dirs, untimed), with no dailysync state: the first night after switching to a contestant.
type Workload = 'full' | 'nochange' | 'change1pct' | 'foreign-copy';
const WORKLOADS: Workload[] = ['full', 'nochange', 'change1pct', 'foreign-copy'];
/** Workloads that start from the destination the previous workload left (a failed previous run spoils them). */
const CONTINUES_PREVIOUS: Workload[] = ['nochange', 'change1pct'];
// latency-nocache: the latency mounts with no kernel attribute/entry cache (--attr-timeout 0), like a NAS
// client whose cache lifetime is shorter than the walk of the tree.
type Scenario = 'latency' | 'latency-nocache' | 'local';
const SCENARIOS: Scenario[] = ['latency', 'latency-nocache', 'local'];
const isFuse = (sc: Scenario) => sc === 'latency' || sc === 'latency-nocache';

interface Args {
  scenario: Scenario | 'all';
  files: number;
  projects: number;
  smallProjects: number;
  sizeMb: number;
  repeats: number;
  seed: number;
  latencyMs: number;
  jobs: number;
  concurrency: string;
  workdir: string;
  keep: boolean;
  quick: boolean;
  memory: boolean;
  contestants: string[] | null;
  cpInLatency: boolean;
  timeoutMin: number;
  dailysyncExtra: string[];
  workloads: Workload[];
}

function parseWorkloads(value: string | true | undefined): Workload[] {
  if (value === undefined) return WORKLOADS;
  const list = String(value).split(',').filter(Boolean);
  const bad = list.filter((w) => !(WORKLOADS as string[]).includes(w));
  if (bad.length > 0 || list.length === 0) throw new Error(`--workloads takes a comma list of ${WORKLOADS.join(', ')}`);
  // Always in the harness's order: nochange and change1pct start from the backup the previous workload left.
  return WORKLOADS.filter((w) => list.includes(w));
}

function parseArgs(argv: string[]): Args {
  const m = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) { m.set(a.slice(2, eq), a.slice(eq + 1)); continue; }
    const nxt = argv[i + 1];
    if (a === '--dailysync-extra' && nxt !== undefined) { m.set('dailysync-extra', nxt); i++; continue; }
    if (nxt === undefined || nxt.startsWith('--')) m.set(a.slice(2), true);
    else { m.set(a.slice(2), nxt); i++; }
  }
  const known = ['scenario', 'files', 'projects', 'small-projects', 'size-mb', 'repeats', 'seed', 'latency-ms', 'jobs', 'concurrency',
    'workdir', 'keep', 'quick', 'memory', 'contestants', 'cp-in-latency', 'timeout-min', 'dailysync-extra', 'workloads', 'help'];
  for (const k of m.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k}`);
  if (m.has('help')) {
    console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 10).join('\n'));
    process.exit(0);
  }
  const quick = m.has('quick');
  const memory = m.has('memory');
  const num = (k: string, d: number) => (m.has(k) ? Number(m.get(k)) : d);
  const sc = String(m.get('scenario') ?? 'all');
  if (![...SCENARIOS, 'all'].includes(sc)) throw new Error(`--scenario must be ${SCENARIOS.join('|')}|all`);
  return {
    scenario: sc as Args['scenario'],
    files: num('files', memory ? 200000 : quick ? 2000 : 10000),
    projects: num('projects', quick ? 8 : 12),
    smallProjects: num('small-projects', 0),
    sizeMb: num('size-mb', quick ? 60 : 300),
    repeats: num('repeats', quick ? 1 : 3),
    seed: num('seed', 42),
    latencyMs: num('latency-ms', 1),
    jobs: num('jobs', 8),
    concurrency: String(m.get('concurrency') ?? 'auto'),
    workdir: String(m.get('workdir') ?? '/tmp'),
    keep: m.has('keep'),
    quick,
    memory,
    contestants: m.has('contestants') ? String(m.get('contestants')).split(',') : null,
    cpInLatency: m.has('cp-in-latency'),
    timeoutMin: num('timeout-min', 60),
    dailysyncExtra: m.has('dailysync-extra') ? String(m.get('dailysync-extra')).split(/\s+/).filter(Boolean) : [],
    workloads: parseWorkloads(m.get('workloads')),
  };
}

// ---------------------------------------------------------------- cleanup machinery
const mounts: string[] = [];
const daemons: number[] = [];
let currentChild: number | null = null;
let workRoot: string | null = null;
let keepWork = false;
let cleanedUp = false;
/** Partial results are rewritten after every run so a killed benchmark still leaves its numbers behind. */
let partialFile: string | null = null;
let partialHeader: Record<string, unknown> = {};
function savePartial(runs: unknown[]): void {
  if (partialFile) fs.writeFileSync(partialFile, JSON.stringify({ ...partialHeader, partial: true, runs }, null, 2));
}

function isMounted(p: string): boolean {
  const txt = fs.readFileSync('/proc/mounts', 'utf8');
  return txt.split('\n').some((l) => l.split(' ')[1]?.replace(/\\040/g, ' ') === p);
}

function unmount(p: string): void {
  if (!isMounted(p)) return;
  spawnSync('fusermount', ['-u', p], { stdio: 'ignore' });
  if (isMounted(p)) spawnSync('fusermount3', ['-u', p], { stdio: 'ignore' });
  if (isMounted(p)) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
}

function cleanup(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  if (currentChild) { try { process.kill(-currentChild, 'SIGKILL'); } catch { /* gone */ } }
  for (const m of mounts.splice(0)) unmount(m);
  for (const pid of daemons.splice(0)) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  if (workRoot && !keepWork) {
    const stillMounted = fs.readFileSync('/proc/mounts', 'utf8').includes(workRoot);
    if (stillMounted) console.error(`[bench] NOT removing ${workRoot}: something is still mounted under it`);
    else fs.rmSync(workRoot, { recursive: true, force: true });
  } else if (workRoot) console.error(`[bench] kept work dir ${workRoot}`);
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => { console.error(`[bench] ${sig}: cleaning up`); cleanup(); process.exit(130); });
}
process.on('uncaughtException', (e) => { console.error('[bench] fatal:', e); cleanup(); process.exit(1); });
process.on('unhandledRejection', (e) => { console.error('[bench] fatal:', e); cleanup(); process.exit(1); });

const log = (...a: unknown[]) => console.error('[bench]', ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- FUSE
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

async function mountLatency(backing: string, mnt: string, latencyMs: number, attrTimeoutS: number, logFile: string, statsFile: string): Promise<void> {
  fs.mkdirSync(mnt, { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(PYTHON, [path.join(BENCH_DIR, 'latencyfs.py'), backing, mnt, '--latency-ms', String(latencyMs),
    '--attr-timeout', String(attrTimeoutS), '--stats', statsFile, '--watch-parent'], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (child.pid) daemons.push(child.pid);
  mounts.push(mnt);
  for (let i = 0; i < 100; i++) {
    if (isMounted(mnt)) return;
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`latencyfs did not mount ${mnt}; see ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}

async function unmountLatency(mnt: string): Promise<void> {
  unmount(mnt);
  const i = mounts.indexOf(mnt);
  if (i >= 0) mounts.splice(i, 1);
  await sleep(300);
}

// ---------------------------------------------------------------- process tree RSS sampler
interface ProcInfo { ppid: number; comm: string }
function readProcTable(): Map<number, ProcInfo> {
  const t = new Map<number, ProcInfo>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = s.lastIndexOf(')');
      const comm = s.slice(s.indexOf('(') + 1, close);
      const ppid = Number(s.slice(close + 2).split(' ')[1]);
      t.set(Number(d), { ppid, comm });
    } catch { /* raced */ }
  }
  return t;
}
function readStatusKb(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0);
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0);
    return { rss, hwm };
  } catch { return null; }
}
class TreeSampler {
  treePeakKb = 0;
  perComm = new Map<string, number>(); // comm -> max VmHWM seen for one process with that comm
  samples = 0;
  private timer: NodeJS.Timeout | null = null;
  constructor(private rootPid: number, private intervalMs: number) {}
  start() { this.sample(); this.timer = setInterval(() => this.sample(), this.intervalMs); }
  stop() { if (this.timer) clearInterval(this.timer); }
  sample() {
    const t = readProcTable();
    const kids = new Map<number, number[]>();
    for (const [pid, p] of t) { const a = kids.get(p.ppid) ?? []; a.push(pid); kids.set(p.ppid, a); }
    const stack = [...(kids.get(this.rootPid) ?? [])]; // descendants of the /usr/bin/time wrapper
    let sum = 0;
    while (stack.length) {
      const pid = stack.pop()!;
      const st = readStatusKb(pid);
      if (st) {
        sum += st.rss;
        const comm = t.get(pid)!.comm;
        this.perComm.set(comm, Math.max(this.perComm.get(comm) ?? 0, st.hwm));
      }
      stack.push(...(kids.get(pid) ?? []));
    }
    this.samples++;
    this.treePeakKb = Math.max(this.treePeakKb, sum);
  }
}

// ---------------------------------------------------------------- running a command
interface RunOut {
  wallS: number; exitCode: number | null; signal: string | null; timedOut: boolean;
  maxRssKb: number | null; // /usr/bin/time %M: largest single process in the tree
  treePeakKb: number; // sampled sum of VmRSS over the whole tree
  perCommHwmKb: Record<string, number>;
  logFile: string;
}
const HAVE_TIME = fs.existsSync('/usr/bin/time');

async function runCmd(argv: string[], logFile: string, timeoutMin: number, sampleMs: number, cwd?: string): Promise<RunOut> {
  const rssFile = `${logFile}.rss`;
  const full = HAVE_TIME ? ['/usr/bin/time', '-f', '%M', '-o', rssFile, ...argv] : argv;
  const fd = fs.openSync(logFile, 'w');
  fs.writeSync(fd, `$ ${argv.map((a) => JSON.stringify(a)).join(' ')}\n`);
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('RSYNC_')) delete env[k];
  const t0 = performance.now();
  const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', fd, fd], detached: true, env, cwd });
  fs.closeSync(fd);
  currentChild = child.pid ?? null;
  const sampler = new TreeSampler(child.pid!, sampleMs);
  sampler.start();
  let timedOut = false;
  const to = setTimeout(() => { timedOut = true; try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* */ } }, timeoutMin * 60000);
  const [code, sig] = await new Promise<[number | null, string | null]>((res) => child.on('exit', (c, s) => res([c, s])));
  const wallS = (performance.now() - t0) / 1000;
  clearTimeout(to);
  sampler.stop();
  currentChild = null;
  try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* group already gone */ }
  let maxRssKb: number | null = null;
  if (HAVE_TIME && fs.existsSync(rssFile)) {
    const lines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
    const v = Number(lines[lines.length - 1]);
    if (Number.isFinite(v)) maxRssKb = v;
  }
  return { wallS, exitCode: code, signal: sig, timedOut, maxRssKb, treePeakKb: sampler.treePeakKb,
    perCommHwmKb: Object.fromEntries(sampler.perComm), logFile };
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
function tryOut(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

// ---------------------------------------------------------------- correctness
interface Check { pass: boolean; diffLines: number; diffSample: string[]; rootAttrOnly: boolean;
  srcCount: { files: number; dirs: number }; dstCount: { files: number; dirs: number } }
function countTree(root: string, ignoreTop: string[] = []): { files: number; dirs: number } {
  let files = 0, dirs = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (d === root && ignoreTop.includes(e.name)) continue;
      if (e.isDirectory()) { dirs++; walk(path.join(d, e.name)); } else files++;
    }
  };
  walk(root);
  return { files, dirs };
}
/** ignoreTop: top-level names in the destination that are the tool's own state (e.g. `.dailysync`), not backup content. */
function verify(srcBacking: string, dstBacking: string, ignoreTop: string[] = []): Check {
  const excl = ignoreTop.map((n) => `--exclude=/${n}`);
  const out = sh('rsync', ['-an', '--delete', ...excl, '--itemize-changes', '--out-format=%i%n', '--', `${srcBacking}/`, `${dstBacking}/`]);
  const lines = out.split('\n').filter((l) => l.length > 0);
  const nonRoot = lines.filter((l) => !/^\.d\S* \.\/$/.test(l) && !/^\.d\S*\s+\.\/$/.test(l));
  const srcCount = countTree(srcBacking);
  const dstCount = countTree(dstBacking, ignoreTop);
  const countsEqual = srcCount.files === dstCount.files && srcCount.dirs === dstCount.dirs;
  return { pass: nonRoot.length === 0 && countsEqual, diffLines: lines.length, diffSample: lines.slice(0, 8),
    rootAttrOnly: lines.length > 0 && nonRoot.length === 0, srcCount, dstCount };
}

// ---------------------------------------------------------------- contestants
interface Ctx { src: string; dst: string; work: string; runId: string; args: Args }
interface Contestant {
  name: string;
  label: string;
  workloads: Workload[];
  scenarios: Scenario[];
  unavailable: () => string | null;
  argv: (c: Ctx) => string[];
  /** top-level entries the tool keeps in the destination for itself; excluded from the equality check */
  ownStateInDest?: string[];
  /** The folder that must equal the source after a run, when it is not the destination itself (snapshot mode). */
  checkedTree?: (dst: string) => string;
}

// Snapshot names have one-second resolution: a fast local run must not reuse the previous run's name.
let lastSnapshotMs = 0;
function nextSnapshotName(): string {
  lastSnapshotMs = Math.max(Date.now(), lastSnapshotMs + 1000);
  return new Date(lastSnapshotMs).toISOString().replace(/[-:]|\.\d+/g, '').replace(/^(\d{4})(\d{2})(\d{2})T/, '$1-$2-$3T');
}

const PARALLEL_SCRIPT = `set -o pipefail
S="$1"; D="$2"; J="$3"
# pass 1: root-level files, project folders themselves, deletions at the root (contents excluded)
rsync -a --delete --exclude='/*/*' -- "$S/" "$D/" || exit $?
# pass 2: one rsync per project folder, -j$J at a time; each rsync owns its subtree (--delete safe)
cd "$S" || exit 1
find . -mindepth 1 -maxdepth 1 -type d -printf '%f\\0' | parallel -0 -j"$J" --will-cite rsync -a --delete -- "$S"/{}/ "$D"/{}/
`;

function whichOk(bin: string): boolean { return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0; }

const CONTESTANTS: Contestant[] = [
  {
    name: 'rsync', label: 'single `rsync -a --delete`', workloads: WORKLOADS, scenarios: SCENARIOS,
    unavailable: () => (whichOk('rsync') ? null : 'rsync not installed'),
    argv: (c) => ['rsync', '-a', '--delete', '--', `${c.src}/`, `${c.dst}/`],
  },
  {
    name: 'parallel', label: 'rsync per project, GNU `parallel -j8`', workloads: WORKLOADS, scenarios: SCENARIOS,
    unavailable: () => (whichOk('parallel') ? null : 'GNU parallel not installed'),
    argv: (c) => ['bash', '-c', PARALLEL_SCRIPT, 'bench-parallel', c.src, c.dst, String(c.args.jobs)],
  },
  {
    name: 'fpsync', label: '`fpsync -n 8 -E` (fpart dir mode, --delete)', workloads: WORKLOADS, scenarios: SCENARIOS,
    unavailable: () => (whichOk('fpsync') && whichOk('fpart') ? null : 'fpart/fpsync not installed'),
    argv: (c) => {
      const t = path.join(c.work, 'fpsync-tmp', c.runId);
      fs.mkdirSync(t, { recursive: true });
      // -E: directory mode, the only mode where fpsync passes --delete to rsync (documented in fpsync(1)).
      return ['fpsync', '-n', String(c.args.jobs), '-E', '-t', t, `${c.src}/`, `${c.dst}/`];
    },
  },
  {
    name: 'cp', label: '`cp -a` (lower bound, full copy only)', workloads: ['full'], scenarios: ['local'],
    unavailable: () => null,
    argv: (c) => ['cp', '-a', '--', `${c.src}/.`, `${c.dst}/`],
  },
  {
    name: 'dailysync', label: '`dailysync sync --delete`', workloads: WORKLOADS, scenarios: SCENARIOS,
    unavailable: dailysyncUnavailable,
    ownStateInDest: ['.dailysync'], // dailysync's own state dir (state.json) in the backup root
    argv: (c) => dailysyncCommand(c.src, c.dst, path.join(c.work, 'reports', `${c.runId}.json`), c.args.concurrency, c.args.dailysyncExtra),
  },
  {
    // Same tool, but preserving exactly what `rsync -a` preserves (no -H/-A/-X): a like-for-like comparison.
    name: 'dailysync-a', label: '`dailysync sync --delete --no-hard-links --no-acls --no-xattrs`', workloads: WORKLOADS,
    scenarios: SCENARIOS,
    unavailable: dailysyncUnavailable,
    ownStateInDest: ['.dailysync'],
    argv: (c) => dailysyncCommand(c.src, c.dst, path.join(c.work, 'reports', `${c.runId}.json`), c.args.concurrency,
      ['--no-hard-links', '--no-acls', '--no-xattrs', ...c.args.dailysyncExtra]),
  },
  {
    // Snapshot mode: each night a dated tree under DST/snapshots/, unchanged files hard-linked to the previous one.
    // Not foreign-copy: a snapshot night checks DST/snapshots/latest, which another tool's mirror copy is not.
    name: 'dailysync-snap', label: '`dailysync sync --snapshots`', workloads: ['full', 'nochange', 'change1pct'],
    scenarios: SCENARIOS,
    unavailable: dailysyncUnavailable,
    ownStateInDest: ['.dailysync'],
    checkedTree: (dst) => path.join(dst, 'snapshots', 'latest'),
    argv: (c) => dailysyncCommand(c.src, c.dst, path.join(c.work, 'reports', `${c.runId}.json`), c.args.concurrency,
      ['--snapshots', '--snapshot-name', nextSnapshotName(), ...c.args.dailysyncExtra]).filter((a) => a !== '--delete'),
  },
];

// ---------------------------------------------------------------- results
interface RunRecord {
  scenario: Scenario; workload: Workload; contestant: string; repeat: number; position: number; loadAvg1: number;
  wallS: number; exitCode: number | null; signal: string | null; timedOut: boolean;
  maxRssKb: number | null; treePeakKb: number; perCommHwmKb: Record<string, number>;
  check: Check; log: string;
  /** `du -sk` of the destination after the run. */
  dstKiB?: number | null;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

function machineFacts(workdir: string) {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.release()} ${tryOut('uname', ['-v'])}`,
    os: (/PRETTY_NAME="([^"]+)"/.exec(fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '')?.[1]) ?? 'unknown',
    rsync: tryOut('rsync', ['--version']).split('\n')[0],
    node: process.version,
    parallel: tryOut('parallel', ['--version']).split('\n')[0],
    fpart: tryOut('fpart', ['-V']).split('\n')[0],
    fusepy: tryOut('dpkg-query', ['-W', '-f', '${Version}', 'python3-fusepy']),
    python: tryOut(PYTHON, ['--version']),
    gnuTime: tryOut('/usr/bin/time', ['--version']).split('\n')[0],
    workdirFs: tryOut('stat', ['-f', '-c', '%T', workdir]),
  };
}

interface SummaryRow {
  scenario: Scenario; workload: Workload; contestant: string; n: number; medianS: number | null; minS: number | null; maxS: number | null;
  vsRsync: number | null; vsParallel: number | null; vsCp: number | null; pass: string; maxRssMiB: number | null; treePeakMiB: number | null;
  note?: string;
}

/** A nochange/change1pct run whose previous workload in the same repeat failed started from a wrong destination
 * (e.g. empty): its time is not that workload's time. foreign-copy starts from its own fresh copy. */
function earlierFailed(records: RunRecord[], r: RunRecord): boolean {
  if (!CONTINUES_PREVIOUS.includes(r.workload)) return false;
  return records.some((o) => o.scenario === r.scenario && o.contestant === r.contestant && o.repeat === r.repeat
    && WORKLOADS.indexOf(o.workload) === WORKLOADS.indexOf(r.workload) - 1 && !(o.check.pass && o.exitCode === 0));
}

function summarize(records: RunRecord[], pending: Map<string, string>, scenarios: Scenario[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const sc of scenarios) for (const wl of WORKLOADS) {
    const med = (c: string) => {
      const rs = records.filter((r) => r.scenario === sc && r.workload === wl && r.contestant === c && r.check.pass && r.exitCode === 0
        && !earlierFailed(records, r));
      return rs.length ? median(rs.map((r) => r.wallS)) : null;
    };
    const base = med('rsync'), par = med('parallel');
    const cpMed = sc === 'local' ? records.filter((r) => r.scenario === sc && r.workload === 'full' && r.contestant === 'cp' && r.check.pass && r.exitCode === 0).map((r) => r.wallS) : [];
    const cpMedian = cpMed.length ? median(cpMed) : null;
    for (const c of CONTESTANTS) {
      if (!c.scenarios.includes(sc) || !c.workloads.includes(wl)) continue;
      const rs = records.filter((r) => r.scenario === sc && r.workload === wl && r.contestant === c.name);
      if (!rs.length) {
        if (pending.has(c.name)) rows.push({ scenario: sc, workload: wl, contestant: c.name, n: 0, medianS: null, minS: null, maxS: null,
          vsRsync: null, vsParallel: null, vsCp: null, pass: '-', maxRssMiB: null, treePeakMiB: null, note: pending.get(c.name) });
        continue;
      }
      // Times of failed runs (wrong result or non-zero exit) are meaningless: the median uses passing runs only
      // (all runs when none passed, flagged in the note).
      // Runs that started from a destination a failed previous run left are not timed (earlierFailed).
      const okRuns = rs.filter((r) => r.check.pass && r.exitCode === 0 && !earlierFailed(records, r));
      const timed = okRuns.length ? okRuns : rs;
      const m = median(timed.map((r) => r.wallS));
      const rss = timed.map((r) => r.maxRssKb ?? 0);
      rows.push({
        scenario: sc, workload: wl, contestant: c.name, n: rs.length, medianS: m,
        minS: Math.min(...timed.map((r) => r.wallS)), maxS: Math.max(...timed.map((r) => r.wallS)),
        vsRsync: base ? m / base : null, vsParallel: par ? m / par : null, vsCp: wl === 'full' && cpMedian ? m / cpMedian : null,
        pass: `${rs.filter((r) => r.check.pass && r.exitCode === 0).length}/${rs.length}${rs.some((r) => earlierFailed(records, r)) ? ` (${rs.filter((r) => earlierFailed(records, r)).length} after a failed previous run, not timed)` : ''}`,
        maxRssMiB: Math.max(...rss) / 1024, treePeakMiB: Math.max(...timed.map((r) => r.treePeakKb)) / 1024,
        note: (() => {
          const bad = rs.filter((r) => !(r.check.pass && r.exitCode === 0));
          if (!bad.length) return undefined;
          const first = bad[0]!;
          return `${okRuns.length ? '' : 'NO passing run, times are of failed runs; '}${bad.length} failed (repeat ${bad.map((r) => r.repeat).join(',')}; exit ${bad.map((r) => r.exitCode).join(',')})${first.check.diffSample.length ? `; diff: ${first.check.diffSample.slice(0, 2).join(' | ')}` : ''}`;
        })(),
      });
    }
  }
  return rows;
}

const f2 = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(d));
function markdown(rows: SummaryRow[]): string {
  const out = ['| scenario | workload | contestant | runs | median s | min-max s | vs rsync | vs parallel | vs cp -a | correct | max RSS 1 proc MiB | peak RSS tree MiB | note |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    out.push(`| ${r.scenario} | ${r.workload} | ${r.contestant} | ${r.n} | ${f2(r.medianS)} | ${r.minS === null ? '-' : `${f2(r.minS)}-${f2(r.maxS)}`} | ${f2(r.vsRsync)} | ${f2(r.vsParallel)} | ${f2(r.vsCp)} | ${r.pass} | ${f2(r.maxRssMiB, 1)} | ${f2(r.treePeakMiB, 1)} | ${(r.note ?? '').replace(/\|/g, '\\|').slice(0, 160)} |`);
  }
  return out.join('\n');
}

function targets(rows: SummaryRow[], manyProjects = false): string[] {
  const find = (c: string, sc: Scenario, wl: Workload) => rows.find((r) => r.scenario === sc && r.workload === wl && r.contestant === c);
  const get = (sc: Scenario, wl: Workload) => find('dailysync', sc, wl);
  const out: string[] = [];
  const t = (label: string, v: number | null | undefined, lim: number, row?: SummaryRow) =>
    out.push(`- ${label}: ${v === null || v === undefined ? 'pending/not measured' : `${v.toFixed(2)} (target <= ${lim}) ${v <= lim ? 'MET' : 'MISSED'}${row ? `, correct ${row.pass}` : ''}`}`);
  const nocache = rows.some((r) => r.scenario === 'latency-nocache');
  if (manyProjects) {
    // Issue 15: small projects share rsync tasks, so process start-up no longer dominates.
    t('many projects, local full: dailysync / single rsync', get('local', 'full')?.vsRsync, 2);
    t('many projects, latency full: dailysync / single rsync (ahead: < 1)', get('latency', 'full')?.vsRsync, 1);
    t('many projects, latency full: dailysync / per-project parallel (ahead: < 1)', get('latency', 'full')?.vsParallel, 1);
    if (nocache) {
      for (const c of ['dailysync', 'dailysync-a']) {
        const r = find(c, 'latency-nocache', 'full');
        t(`many projects, latency-nocache full: ${c} / single rsync (ahead: < 1, exact copies)`, r?.vsRsync, 1, r);
        t(`many projects, latency-nocache full: ${c} / per-project parallel (ahead: < 1, exact copies)`, r?.vsParallel, 1, r);
      }
    }
    return out;
  }
  // The cached-latency and local targets, unless the run had neither scenario (e.g. --scenario latency-nocache).
  if (!nocache || rows.some((r) => r.scenario === 'latency' || r.scenario === 'local')) {
    t('latency full: dailysync / single rsync', get('latency', 'full')?.vsRsync, 0.35);
    t('latency full: dailysync / per-project parallel', get('latency', 'full')?.vsParallel, 0.85);
    t('latency nochange: dailysync / single rsync', get('latency', 'nochange')?.vsRsync, 0.25);
    t('local full: dailysync / cp -a', get('local', 'full')?.vsCp, 1.3);
    const geta = (sc: Scenario, wl: Workload) => find('dailysync-a', sc, wl);
    t('(like-for-like dailysync-a) latency full / single rsync', geta('latency', 'full')?.vsRsync, 0.35);
    t('(like-for-like dailysync-a) latency full / per-project parallel', geta('latency', 'full')?.vsParallel, 0.85);
    t('(like-for-like dailysync-a) latency nochange / single rsync', geta('latency', 'nochange')?.vsRsync, 0.25);
    t('(like-for-like dailysync-a) local full / cp -a', geta('local', 'full')?.vsCp, 1.3);
  }
  if (nocache) {
    // Issue 15's slow-NAS row, on mounts with no attribute/entry cache.
    for (const c of ['dailysync', 'dailysync-a']) {
      const r = (wl: Workload) => find(c, 'latency-nocache', wl);
      t(`latency-nocache full: ${c} / single rsync`, r('full')?.vsRsync, 0.2, r('full'));
      t(`latency-nocache full: ${c} / per-project parallel`, r('full')?.vsParallel, 0.5, r('full'));
      t(`latency-nocache nochange: ${c} / single rsync`, r('nochange')?.vsRsync, 0.15, r('nochange'));
      t(`latency-nocache change1pct: ${c} / single rsync`, r('change1pct')?.vsRsync, 0.2, r('change1pct'));
      t(`latency-nocache foreign-copy: ${c} / single rsync`, r('foreign-copy')?.vsRsync, 0.25, r('foreign-copy'));
    }
  }
  return out;
}

// ---------------------------------------------------------------- scenarios
async function runScenario(sc: Scenario, args: Args, work: string, pristine: string, records: RunRecord[],
  pending: Map<string, string>, mutationInfo: { value: MutationSummary | null }): Promise<Record<string, unknown>> {
  const base = path.join(work, sc);
  const srcB = path.join(base, 'src-backing');
  const dstB = path.join(base, 'dst-backing');
  fs.mkdirSync(srcB, { recursive: true });
  fs.mkdirSync(dstB, { recursive: true });
  let src = srcB, dstRoot = dstB;
  const fuseInfo: Record<string, unknown> = {};
  // latency: libfuse's default 1 s attribute/entry cache; latency-nocache: none (every lookup/getattr reaches the daemon).
  const attrTimeoutS = sc === 'latency-nocache' ? 0 : 1;
  if (isFuse(sc)) {
    src = path.join(base, 'mnt-src');
    dstRoot = path.join(base, 'mnt-dst');
    await mountLatency(srcB, src, args.latencyMs, attrTimeoutS, path.join(work, 'logs', `${sc}fs-src.log`), path.join(base, 'fuse-src-ops.json'));
    await mountLatency(dstB, dstRoot, args.latencyMs, attrTimeoutS, path.join(work, 'logs', `${sc}fs-dst.log`), path.join(base, 'fuse-dst-ops.json'));
    log(`${sc} scenario: ${args.latencyMs} ms per FUSE op on source and destination, attr/entry cache ${attrTimeoutS} s`);
  }
  const settle = () => sleep(isFuse(sc) ? 1500 : 0); // FUSE attr/entry cache (1 s) after backing-dir edits
  const contestants = CONTESTANTS.filter((c) => c.scenarios.includes(sc) || (c.name === 'cp' && args.cpInLatency && isFuse(sc)))
    .filter((c) => !args.contestants || args.contestants.includes(c.name))
    .filter((c) => !pending.has(c.name));
  try {
    for (let rep = 0; rep < args.repeats; rep++) {
      const order = rep % 2 === 0 ? contestants : [...contestants].reverse();
      log(`${sc} repeat ${rep + 1}/${args.repeats}: order ${order.map((c) => c.name).join(', ')}`);
      sh('rsync', ['-a', '--delete', '--', `${pristine}/`, `${srcB}/`]);
      for (const c of contestants) {
        fs.rmSync(path.join(dstB, c.name), { recursive: true, force: true });
        fs.mkdirSync(path.join(dstB, c.name));
      }
      await settle();
      for (const wl of args.workloads) {
        if (wl === 'change1pct') {
          mutationInfo.value = mutateTree(srcB, { seed: args.seed, percent: 1 });
          log(`applied mutation ${JSON.stringify(mutationInfo.value)}`);
          await settle();
        }
        if (wl === 'foreign-copy') {
          // Another tool's exact copy, made on the backing dirs before the timed runs: the destination holds the
          // source (after any change1pct mutation), without dailysync's state folder or anything else of a contestant.
          for (const c of contestants) {
            if (!c.workloads.includes(wl)) continue;
            const d = path.join(dstB, c.name);
            fs.rmSync(d, { recursive: true, force: true });
            fs.mkdirSync(d);
            sh('cp', ['-a', '--', `${srcB}/.`, `${d}/`]);
          }
          log(`foreign-copy: destinations replaced by \`cp -a\` copies of the source`);
          await settle();
        }
        let pos = 0;
        for (const c of order) {
          if (!c.workloads.includes(wl)) continue;
          spawnSync('sync');
          const loadAvg1 = +os.loadavg()[0]!.toFixed(2); // other work on the box skews timings; recorded per run
          const runId = `${sc}-${wl}-${c.name}-r${rep + 1}`;
          const ctx: Ctx = { src, dst: path.join(dstRoot, c.name), work, runId, args };
          const r = await runCmd(c.argv(ctx), path.join(work, 'logs', `${runId}.log`), args.timeoutMin, 200);
          const check = verify(srcB, c.checkedTree ? c.checkedTree(path.join(dstB, c.name)) : path.join(dstB, c.name), c.ownStateInDest);
          // Disk used by the whole destination (hard links counted once): what a snapshot night costs.
          const dstKiB = Number(tryOut('du', ['-sk', path.join(dstB, c.name)]).split('\t')[0]) || null;
          const ok = check.pass && r.exitCode === 0;
          log(`${runId}: ${r.wallS.toFixed(2)} s exit=${r.exitCode}${r.timedOut ? ' TIMEOUT' : ''} ${ok ? 'PASS' : `FAIL ${check.diffLines} diff lines ${JSON.stringify(check.diffSample.slice(0, 3))} counts src=${JSON.stringify(check.srcCount)} dst=${JSON.stringify(check.dstCount)}`} rss=${r.maxRssKb}kB tree=${r.treePeakKb}kB`);
          if (!ok) log(`  log tail: ${fs.readFileSync(r.logFile, 'utf8').slice(-600).replace(/\n/g, '\n    ')}`);
          const { logFile, ...rest } = r;
          records.push({ scenario: sc, workload: wl, contestant: c.name, repeat: rep + 1, position: pos++, loadAvg1, ...rest, check, dstKiB,
            log: ok ? '' : fs.readFileSync(logFile, 'utf8').slice(-2000) });
          savePartial(records);
          if (isFuse(sc)) await settle();
        }
      }
    }
  } finally {
    if (isFuse(sc)) {
      await unmountLatency(src);
      await unmountLatency(dstRoot);
      for (const k of ['src', 'dst']) {
        const f = path.join(base, `fuse-${k}-ops.json`);
        if (fs.existsSync(f)) fuseInfo[`${k}OpsTotal`] = JSON.parse(fs.readFileSync(f, 'utf8')).total;
      }
    }
    for (const c of contestants) fs.rmSync(path.join(dstB, c.name), { recursive: true, force: true });
  }
  return fuseInfo;
}

async function memoryMode(args: Args, work: string, pending: Map<string, string>) {
  const src = path.join(work, 'mem-src');
  log(`memory mode: generating ${args.files} tiny files`);
  const t0 = Date.now();
  const tree = generateTree({ out: src, files: args.files, projects: args.projects, seed: args.seed, tiny: true });
  log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify({ files: tree.files, dirs: tree.dirs, bytes: tree.bytes })}`);
  const res: Record<string, unknown>[] = [];
  const names = ['dailysync', 'dailysync-a', 'rsync'].filter((n) => !args.contestants || args.contestants.includes(n));
  for (const name of names) {
    if (pending.has(name)) { res.push({ contestant: name, pending: pending.get(name) }); continue; }
    const c = CONTESTANTS.find((x) => x.name === name)!;
    const dst = path.join(work, `mem-dst-${name}`);
    fs.mkdirSync(dst);
    spawnSync('sync');
    const runId = `memory-full-${name}`;
    const r = await runCmd(c.argv({ src, dst, work, runId, args }), path.join(work, 'logs', `${runId}.log`), args.timeoutMin, 50);
    const check = verify(src, dst, c.ownStateInDest);
    const nodeHwm = r.perCommHwmKb['node'] ?? r.perCommHwmKb['MainThread'] ?? null;
    const row = { contestant: name, wallS: r.wallS, exitCode: r.exitCode, pass: check.pass && r.exitCode === 0,
      treePeakMiB: r.treePeakKb / 1024, maxSingleProcessRssMiB: (r.maxRssKb ?? 0) / 1024,
      nodeProcessPeakMiB: nodeHwm === null ? null : nodeHwm / 1024, perCommHwmMiB: Object.fromEntries(Object.entries(r.perCommHwmKb).map(([k, v]) => [k, +(v / 1024).toFixed(1)])),
      diffSample: check.diffSample };
    log(`${runId}: ${JSON.stringify(row)}`);
    res.push(row);
    savePartial(res);
    fs.rmSync(dst, { recursive: true, force: true });
  }
  return { tree: { files: tree.files, dirs: tree.dirs, bytes: tree.bytes }, results: res };
}

async function main() {
  if (process.argv[2] === '--summarize') {
    // Re-print the table/targets of a results file (partial or final) with the current summary logic.
    const j = JSON.parse(fs.readFileSync(process.argv[3]!, 'utf8'));
    const recs = j.runs as RunRecord[];
    const scs = [...new Set(recs.map((r) => r.scenario))];
    const rows = summarize(recs, new Map(Object.entries(j.pending ?? {})), scs);
    console.log(`command: \`${j.command}\`\n`);
    console.log(markdown(rows));
    console.log(`\ntargets (dailysync):\n${targets(rows, (j.args?.smallProjects ?? 0) > 0).join('\n')}`);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  keepWork = args.keep;
  for (const bin of ['rsync']) if (!whichOk(bin)) throw new Error(`${bin} is required`);
  if (!HAVE_TIME) log('WARNING: /usr/bin/time missing (apt-get install -y time); max single-process RSS will be null');
  const work = fs.mkdtempSync(path.join(args.workdir, 'dailysync-bench-'));
  workRoot = work;
  fs.mkdirSync(path.join(work, 'logs'));
  fs.mkdirSync(path.join(work, 'reports'));
  const started = new Date();
  const machine = machineFacts(work);
  const pending = new Map<string, string>();
  for (const c of CONTESTANTS) { const why = c.unavailable(); if (why) { pending.set(c.name, why); log(`${c.name}: ${why}`); } }
  const resultsDir = path.join(BENCH_DIR, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const command = `npx tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim();
  partialFile = path.join(resultsDir, `${stamp}${args.memory ? '-memory' : ''}.partial.json`);
  partialHeader = { command, started: started.toISOString(), machine, args };

  if (args.memory) {
    const mem = await memoryMode(args, work, pending);
    const out = { kind: 'memory', command, started: started.toISOString(), finished: new Date().toISOString(), machine, args, ...mem };
    const file = path.join(resultsDir, `${stamp}-memory.json`);
    fs.writeFileSync(file, JSON.stringify(out, null, 2));
    fs.rmSync(partialFile, { force: true });
    console.log(`## memory mode (${mem.tree.files} tiny files, local)\n`);
    console.log('| contestant | wall s | exit | correct | peak RSS whole tree MiB | node process peak (VmHWM) MiB | largest single process MiB |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of mem.results as Record<string, any>[]) {
      if (r.pending) console.log(`| ${r.contestant} | pending | | | | | ${r.pending} |`);
      else console.log(`| ${r.contestant} | ${f2(r.wallS)} | ${r.exitCode} | ${r.pass ? 'pass' : 'FAIL'} | ${f2(r.treePeakMiB, 1)} | ${r.nodeProcessPeakMiB === null ? '-' : f2(r.nodeProcessPeakMiB, 1)} | ${f2(r.maxSingleProcessRssMiB, 1)} |`);
    }
    console.log(`\nJSON: ${path.relative(REPO_ROOT, file)}`);
    return;
  }

  const scenarios: Scenario[] = args.scenario === 'all' ? ['latency', 'local'] : [args.scenario];
  const pristine = path.join(work, 'pristine');
  log(`generating tree: ${args.files} files, ${args.projects} projects, seed ${args.seed}, <= ~${args.sizeMb} MB`);
  const tree: TreeSummary = generateTree({ out: pristine, files: args.files, projects: args.projects, seed: args.seed, sizeMb: args.sizeMb, smallProjects: args.smallProjects });
  log(`tree: ${tree.files} files, ${tree.dirs} dirs, ${(tree.bytes / 2 ** 20).toFixed(1)} MiB; largest project ${tree.perProject[0]!.files} files (${((100 * tree.perProject[0]!.files) / tree.files).toFixed(0)}%)`);
  const records: RunRecord[] = [];
  const mutationInfo = { value: null as MutationSummary | null };
  const fuse: Record<string, unknown> = {};
  for (const sc of scenarios) fuse[sc] = await runScenario(sc, args, work, pristine, records, pending, mutationInfo);
  const reportsDir = path.join(work, 'reports');
  if (fs.readdirSync(reportsDir).length) {
    // keep dailysync's own JSON reports next to the results (they show e.g. the concurrency `auto` chose)
    fs.cpSync(reportsDir, path.join(resultsDir, `${stamp}-reports`), { recursive: true });
  }
  const rows = summarize(records, pending, scenarios);
  const md = markdown(rows);
  const tg = targets(rows, args.smallProjects > 0);
  const out = {
    kind: 'scenarios', command, started: started.toISOString(), finished: new Date().toISOString(), machine, args,
    // The big projects and a few small ones: thousands of one-file entries say nothing more.
    tree: { files: tree.files, dirs: tree.dirs, bytes: tree.bytes, projects: tree.perProject.length, perProject: tree.perProject.slice(0, args.projects + 5) }, mutation: mutationInfo.value,
    fuse, pending: Object.fromEntries(pending), summary: rows, targets: tg, markdown: md, runs: records,
  };
  const file = path.join(resultsDir, `${stamp}.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2));
  fs.rmSync(partialFile, { force: true });
  console.log(`## dailysync benchmark — ${started.toISOString()}\n`);
  console.log(`command: \`${command}\`  `);
  console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, kernel ${os.release()}, ${machine.rsync}, node ${machine.node}  `);
  console.log(`tree: ${tree.files} files, ${tree.dirs} dirs, ${(tree.bytes / 2 ** 20).toFixed(1)} MiB, ${args.projects} projects${args.smallProjects ? ` + ${args.smallProjects} one-file projects` : ''}; latency ${args.latencyMs} ms/op; repeats ${args.repeats}\n`);
  console.log(md);
  console.log(`\ntargets (dailysync):\n${tg.join('\n')}`);
  console.log(`\nJSON: ${path.relative(REPO_ROOT, file)}`);
}

await main();
