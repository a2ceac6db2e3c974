import type { InterfaceFact, Limit, Resource, RunFacts, RunTask, Sample, SampleSeries, Verdict } from './types.js';
import { formatBytes, formatGiB, pct } from './format.js';

/** Saturation thresholds; sources in docs/diagnosis.md. A level of 1 means "at the threshold". */
export const THRESHOLDS = {
  /** Machine CPU busy share (netdata warns at 85%, atop at 90%). */
  cpuBusyPct: 85,
  /** One process using this many cores is pegged on its own thread. */
  singleThreadCores: 0.9,
  /** Disk busy (atop 90%) counts only together with await or queue (USE; glances 10-50 ms). */
  diskBusyPct: 90,
  diskAwaitMs: 10,
  diskQueue: 1,
  /** Share of time tasks stalled on I/O: catches cgroup throttles that leave the device idle. */
  ioPsiSomePct: 50,
  ioPsiFullPct: 40,
  /** Share of a trusted link capacity (netdata, atop 85-90%). */
  netUtilPct: 85,
  netDropsPerSec: 10,
  /** systemd-oomd's default ManagedOOMMemoryPressureLimit is 60% (full). */
  memPsiFullPct: 60,
  memPsiSomePct: 40,
  /** atop flags swap-out above 10 pages/s; netdata warns below 10% available. */
  swapOutPerSec: 10,
  memAvailablePct: 10,
  /** A resource whose score reaches this is called saturated. */
  saturatedScore: 0.5,
  /**
   * Below this top score nothing is saturated (latency). Between it and saturatedScore the top
   * resource is named as partly saturated: a margin so a run at 49% and its repeat at 52% get
   * the same verdict instead of flipping between a resource and latency.
   */
  partlySaturatedScore: 0.3,
  /** Fewer samples than this: "not enough data" (each sample is one interval, 1 s by default). */
  minSamples: 5,
  /** A stream counts as held by --bwlimit when it averaged at least this share of the limit. */
  bwlimitShare: 0.7,
  /** Tasks shorter than this say nothing about a rate limit (rsync bursts before it throttles). */
  bwlimitMinTaskMs: 1000,
  /** One task on the critical path: it ran alone for at least this share of the transfer. */
  criticalPathShare: 0.5,
  /** Runs shorter than this have no critical path worth naming. */
  criticalPathMinMs: 3000,
  /** Contention: the machine CPU at its threshold while other work used at least this share of it. */
  contentionOtherShare: 0.5,
} as const;

const T = THRESHOLDS;
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const max = (xs: number[]): number => (xs.length ? Math.max(...xs) : 0);
const ms = (n: number | undefined): string => (n === undefined ? 'n/a' : `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`);

/** Steady part of a run: drop ramp-up and ramp-down samples when there are enough. */
function steady(samples: Sample[]): Sample[] {
  return samples.length >= 6 ? samples.slice(1, -1) : samples;
}

/** Score from per-sample levels: mostly how often saturated, partly how close on average. */
function score(levels: number[]): number {
  if (levels.length === 0) return 0;
  const frac = levels.filter((l) => l >= 1).length / levels.length;
  return 0.6 * frac + 0.4 * Math.min(1, mean(levels.map((l) => Math.min(l, 1.5))));
}

interface Analysis {
  score: number;
  evidence: string[];
  summary: string;
  level: (s: Sample) => number;
}

function analyzeCpu(series: SampleSeries, ss: Sample[]): Analysis & { hot: number; treeShare: number | undefined; runq: number } {
  const cores = series.facts.cores || 1;
  const machineLvl = (s: Sample): number => {
    const busy = s.cpu.busyPct / T.cpuBusyPct;
    // A run queue longer than the cores only means saturation when the CPUs are also mostly busy.
    const queued = s.cpu.runnable - 1 > cores && s.cpu.busyPct >= 60 ? 1 : 0;
    return Math.max(busy, queued);
  };
  // The backup limits itself on CPU only through its own demand: a full machine counts in
  // proportion to the backup's share of the busy time (full at half or more), so a host busy
  // with other work is contention, not a CPU-bound backup.
  const lvl = (s: Sample): number => {
    if (!s.tree) return machineLvl(s);
    const share = s.cpu.busyPct > 0 ? Math.min(1, s.tree.cpuPctOfMachine / s.cpu.busyPct) : 0;
    return Math.max(s.tree.cpuPctOfMachine / T.cpuBusyPct, machineLvl(s) * Math.min(1, share / T.contentionOtherShare));
  };
  const machine = score(ss.map(lvl));
  const hotLevels = ss.map((s) => (s.tree?.top?.cpuCores ?? 0) / T.singleThreadCores);
  const hot = score(hotLevels);
  const busy = mean(ss.map((s) => s.cpu.busyPct));
  const runq = mean(ss.map((s) => Math.max(0, s.cpu.runnable - 1)));
  const withTree = ss.filter((s) => s.tree);
  const treePct = withTree.length ? mean(withTree.map((s) => s.tree?.cpuPctOfMachine ?? 0)) : undefined;
  const treeShare = treePct !== undefined && busy > 0 ? Math.min(1, treePct / busy) : undefined;
  const satN = ss.filter((s) => lvl(s) >= 1).length;
  const evidence = [
    `CPU ${pct(busy)} busy across ${cores} cores (saturated at ${T.cpuBusyPct}%) in ${satN} of ${ss.length} samples, run queue ${runq.toFixed(1)} for ${cores} cores`,
  ];
  if (treePct !== undefined) {
    evidence.push(`backup process tree uses ${pct(treePct)} of the machine, ${pct(100 * (treeShare ?? 0))} of the busy CPU`);
  }
  const tops = ss.map((s) => s.tree?.top).filter((x): x is NonNullable<typeof x> => !!x);
  if (tops.length) {
    const peak = tops.reduce((a, b) => (b.cpuCores > a.cpuCores ? b : a));
    evidence.push(`busiest process ${peak.comm} (pid ${peak.pid}) up to ${pct(100 * peak.cpuCores)} of one core, ${pct(100 * mean(tops.map((t) => t.cpuCores)))} on average`);
  }
  const iow = mean(ss.map((s) => s.cpu.iowaitPct));
  if (iow >= 5) evidence.push(`iowait ${pct(iow)}`);
  const psi = ss.map((s) => s.psi.cpu?.somePct).filter((x): x is number => x !== undefined);
  if (psi.length) evidence.push(`CPU PSI some ${pct(mean(psi))}`);
  const summary = `CPU ${pct(busy)}${treePct !== undefined ? ` (backup ${pct(treePct)})` : ''}`;
  const hotLvl = (s: Sample): number => (s.tree?.top?.cpuCores ?? 0) / T.singleThreadCores;
  const level = (s: Sample): number => Math.max(lvl(s), hotLvl(s));
  return { score: Math.max(machine, hot), evidence, summary, level, hot: hot > machine ? hot : 0, treeShare, runq };
}

function watchedDisks(series: SampleSeries, ss: Sample[]): Array<{ name: string; role: string }> {
  const out: Array<{ name: string; role: string }> = [];
  for (const role of ['source', 'dest'] as const) {
    for (const d of series.facts[role]?.devices ?? []) out.push({ name: d, role });
  }
  if (out.length > 0) return out;
  // Without known paths every active whole disk is a suspect.
  const names = new Set(ss.flatMap((s) => Object.keys(s.disks)));
  return [...names].map((name) => ({ name, role: '' }));
}

function analyzeDisk(series: SampleSeries, ss: Sample[]): Analysis & { queue: number } {
  const devs = watchedDisks(series, ss);
  const devLvl = (s: Sample, name: string): number => {
    const d = s.disks[name];
    if (!d) return 0;
    // Busy alone misleads on virtual disks (busy but fast): require latency or queueing too.
    const gate = Math.max((d.awaitMs ?? 0) / T.diskAwaitMs, d.avgQueue / T.diskQueue);
    return Math.min(d.busyPct / T.diskBusyPct, gate);
  };
  const psiLvl = (s: Sample): number => {
    const io = s.psi.io;
    return io ? Math.max(io.somePct / T.ioPsiSomePct, (io.fullPct ?? 0) / T.ioPsiFullPct) : 0;
  };
  const lvl = (s: Sample): number => Math.max(psiLvl(s), ...devs.map((d) => devLvl(s, d.name)));
  const evidence: string[] = [];
  let worst: { name: string; role: string; lvl: number } | undefined;
  for (const d of devs) {
    const l = mean(ss.map((s) => devLvl(s, d.name)));
    if (!worst || l > worst.lvl) worst = { ...d, lvl: l };
  }
  let queue = 0;
  const describe = (d: { name: string; role: string }): string => {
    const rs = ss.map((s) => s.disks[d.name]).filter((x): x is NonNullable<typeof x> => !!x);
    const aw = rs.map((r) => r.awaitMs).filter((x): x is number => x !== undefined);
    const q = mean(rs.map((r) => r.avgQueue));
    queue = Math.max(queue, q);
    return `${d.role ? `${d.role} ` : ''}disk ${d.name} ${pct(mean(rs.map((r) => r.busyPct)))} busy, await ${ms(aw.length ? mean(aw) : undefined)}, queue ${q.toFixed(1)}, r ${formatBytes(mean(rs.map((r) => r.readBytesPerSec)))}/s w ${formatBytes(mean(rs.map((r) => r.writeBytesPerSec)))}/s`;
  };
  const seen = new Set<string>();
  for (const d of worst ? [worst, ...devs] : devs) {
    if (seen.has(d.name) || evidence.length >= 3) continue;
    seen.add(d.name);
    if (ss.some((s) => s.disks[d.name])) evidence.push(describe(d));
  }
  const io = ss.map((s) => s.psi.io).filter((x): x is NonNullable<typeof x> => !!x);
  if (io.length) evidence.push(`I/O PSI some ${pct(mean(io.map((p) => p.somePct)))}, full ${pct(mean(io.map((p) => p.fullPct ?? 0)))}`);
  const ioSome = io.length ? mean(io.map((p) => p.somePct)) : 0;
  const maxBusy = max(devs.map((d) => mean(ss.map((s) => s.disks[d.name]?.busyPct ?? 0))));
  if (ioSome >= T.ioPsiSomePct / 2 && maxBusy < 50) {
    evidence.push(`tasks stall on I/O ${pct(ioSome)} of the time while the devices are at most ${pct(maxBusy)} busy: an I/O limit (cgroup blkio/io.max or a hypervisor cap) is the likely ceiling`);
  }
  const iow = mean(ss.map((s) => s.cpu.iowaitPct));
  evidence.push(`iowait ${pct(iow)}, ${mean(ss.map((s) => s.cpu.blocked)).toFixed(1)} tasks blocked`);
  const trees = ss.filter((s) => s.tree);
  if (trees.length) {
    evidence.push(
      `backup tree block I/O r ${formatBytes(mean(trees.map((s) => s.tree?.readBytesPerSec ?? 0)))}/s w ${formatBytes(mean(trees.map((s) => s.tree?.writeBytesPerSec ?? 0)))}/s`,
    );
  }
  const summary = worst ? `${worst.name} ${pct(mean(ss.map((s) => s.disks[worst.name]?.busyPct ?? 0)))} busy` : 'no disk activity';
  return { score: score(ss.map(lvl)), evidence, summary, level: lvl, queue };
}

function trustedInterfaces(series: SampleSeries): InterfaceFact[] {
  const facts = series.facts.interfaces;
  const watched = new Set([series.facts.source?.iface, series.facts.dest?.iface].filter((x): x is string => !!x));
  // Loopback "network" is really CPU; veth speed is fake: such links count only with a shaped cap.
  const usable = (f: InterfaceFact): boolean => f.kind !== 'loopback' && (f.kind === 'physical' || f.shapedBps !== undefined);
  const w = facts.filter((f) => watched.has(f.name) && usable(f));
  if (watched.size > 0) return w;
  return facts.filter(usable);
}

function analyzeNet(series: SampleSeries, ss: Sample[]): Analysis & { drops: number } {
  const ifs = trustedInterfaces(series);
  const ifLvl = (s: Sample, f: InterfaceFact): number => {
    const r = s.net[f.name];
    if (!r) return 0;
    const util = f.capacityBytesPerSec ? Math.max(r.rxBytesPerSec, r.txBytesPerSec) / f.capacityBytesPerSec : 0;
    return Math.max(util / (T.netUtilPct / 100), (r.rxDropsPerSec + r.txDropsPerSec) / T.netDropsPerSec);
  };
  const lvl = (s: Sample): number => max(ifs.map((f) => ifLvl(s, f)));
  const evidence: string[] = [];
  let drops = 0;
  const ranked = [...ifs].sort((a, b) => mean(ss.map((s) => ifLvl(s, b))) - mean(ss.map((s) => ifLvl(s, a))));
  for (const f of ranked.slice(0, 2)) {
    const rs = ss.map((s) => s.net[f.name]).filter((x): x is NonNullable<typeof x> => !!x);
    const rate = mean(rs.map((r) => Math.max(r.rxBytesPerSec, r.txBytesPerSec)));
    const d = mean(rs.map((r) => r.rxDropsPerSec + r.txDropsPerSec));
    drops = Math.max(drops, d);
    const cap = f.capacityBytesPerSec;
    const capText = f.shapedBps ? `shaped ${Math.round(f.shapedBps / 1e6)} Mbit/s` : `${f.speedMbps} Mbit/s link`;
    evidence.push(`${f.kind} ${f.name} ${formatBytes(rate)}/s${cap ? ` = ${pct((100 * rate) / cap)} of ${capText}` : ''}, ${d.toFixed(1)} drops/s`);
  }
  const untrusted = series.facts.interfaces.filter((f) => f.kind !== 'loopback' && !ifs.includes(f));
  for (const f of untrusted) {
    const rate = mean(ss.map((s) => Math.max(s.net[f.name]?.rxBytesPerSec ?? 0, s.net[f.name]?.txBytesPerSec ?? 0)));
    if (rate >= 1e5) evidence.push(`${f.kind} ${f.name} ${formatBytes(rate)}/s (capacity unknown, not judged)`);
  }
  if (evidence.length === 0) evidence.push('no interface with a known capacity');
  const busiest = ranked[0];
  const summary = busiest
    ? `net ${busiest.name} ${formatBytes(mean(ss.map((s) => Math.max(s.net[busiest.name]?.rxBytesPerSec ?? 0, s.net[busiest.name]?.txBytesPerSec ?? 0))))}/s`
    : 'net n/a';
  return { score: score(ss.map(lvl)), evidence, summary, level: lvl, drops };
}

function analyzeMem(ss: Sample[]): Analysis {
  const lvl = (s: Sample): number => {
    const p = s.psi.memory;
    const psi = p ? Math.max((p.fullPct ?? 0) / T.memPsiFullPct, p.somePct / T.memPsiSomePct) : 0;
    const avail = T.memAvailablePct / Math.max(0.1, s.mem.availablePct);
    return Math.max(psi, s.mem.swapOutPerSec / T.swapOutPerSec, avail);
  };
  const evidence: string[] = [];
  const p = ss.map((s) => s.psi.memory).filter((x): x is NonNullable<typeof x> => !!x);
  if (p.length) evidence.push(`memory PSI full ${pct(mean(p.map((x) => x.fullPct ?? 0)))}, some ${pct(mean(p.map((x) => x.somePct)))}`);
  evidence.push(
    `swap out ${Math.round(mean(ss.map((s) => s.mem.swapOutPerSec)))} pages/s, in ${Math.round(mean(ss.map((s) => s.mem.swapInPerSec)))} pages/s, reclaim scans ${Math.round(mean(ss.map((s) => s.mem.pgscanPerSec)))} pages/s`,
  );
  const minAvail = ss.reduce((a, s) => (s.mem.availablePct < a.mem.availablePct ? s : a), ss[0] as Sample);
  evidence.push(`available down to ${pct(minAvail.mem.availablePct)} (${formatGiB(minAvail.mem.availableBytes)} of ${formatGiB(minAvail.mem.totalBytes)})`);
  const summary = `mem ${formatGiB(mean(ss.map((s) => s.mem.availableBytes)))} free${p.length ? `, PSI some ${pct(mean(p.map((x) => x.somePct)))}` : ''}`;
  return { score: score(ss.map(lvl)), evidence, summary, level: lvl };
}

const seconds = (msv: number): string => `${(msv / 1000).toFixed(1)} s`;
const ZERO_SCORES: Record<Resource, number> = { cpu: 0, disk: 0, network: 0, memory: 0, latency: 0 };

/** Share of the transfer span during which each task ran alone: the critical path's evidence. */
function aloneTimes(tasks: RunTask[]): { span: number; start: number; alone: Map<string, number> } {
  const start = Math.min(...tasks.map((t) => t.startedAt));
  const end = Math.max(...tasks.map((t) => t.finishedAt));
  const edges = [...new Set(tasks.flatMap((t) => [t.startedAt, t.finishedAt]))].sort((a, b) => a - b);
  const alone = new Map<string, number>();
  for (let i = 0; i + 1 < edges.length; i++) {
    const [a, b] = [edges[i] as number, edges[i + 1] as number];
    const running = tasks.filter((t) => t.startedAt <= a && t.finishedAt >= b);
    if (running.length === 1) {
      const id = (running[0] as RunTask).id;
      alone.set(id, (alone.get(id) ?? 0) + (b - a));
    }
  }
  return { span: end - start, start, alone };
}

type RunVerdict = Pick<Verdict, 'limitedBy' | 'confidence' | 'evidence' | 'suggestion'>;

/** Every stream held at its --bwlimit: the user's own limit set the pace. */
function bwlimitVerdict(run: RunFacts): RunVerdict | undefined {
  const limit = run.bwlimitBytesPerSec ?? 0;
  if (limit <= 0) return undefined;
  const timed = run.tasks.filter((t) => t.finishedAt - t.startedAt >= T.bwlimitMinTaskMs && t.bytes > 0);
  const total = timed.reduce((a, t) => a + t.bytes, 0);
  if (total === 0) return undefined;
  const rate = (t: RunTask): number => (t.bytes * 1000) / (t.finishedAt - t.startedAt);
  const held = timed.filter((t) => rate(t) >= T.bwlimitShare * limit);
  const share = held.reduce((a, t) => a + t.bytes, 0) / total;
  if (share < 0.5) return undefined;
  return {
    limitedBy: 'bwlimit',
    confidence: share,
    evidence: [
      `--bwlimit ${Math.round(limit / 1024)} KiB/s (${formatBytes(limit)}/s) per stream: ${held.length} of ${timed.length} streams averaged ${formatBytes(mean(held.map(rate)))}/s, at least ${pct(100 * T.bwlimitShare)} of the limit`,
      `those streams moved ${pct(100 * share)} of the ${formatBytes(total)} copied`,
    ],
    suggestion: { concurrency: 'raise', reason: `--bwlimit caps each rsync at ${formatBytes(limit)}/s: a higher --bwlimit (or none) or more streams move more; keep it if it protects a shared link` },
  };
}

/** The task that ran alone for most of the transfer (the critical path), with how long, of what span, among how many tasks. */
function loneTask(runTasks: readonly RunTask[]): { task: RunTask; ms: number; span: number; taskCount: number } | undefined {
  const tasks = runTasks.filter((t) => t.finishedAt >= t.startedAt);
  if (tasks.length === 0) return undefined;
  const { span, alone } = aloneTimes(tasks);
  if (span < T.criticalPathMinMs) return undefined;
  let id: string | undefined;
  let ms = 0;
  for (const [k, v] of alone) if (v > ms) [id, ms] = [k, v];
  if (id === undefined || ms < T.criticalPathShare * span) return undefined;
  return { task: tasks.find((t) => t.id === id) as RunTask, ms, span, taskCount: tasks.length };
}

/**
 * The task a critical-path verdict would name and whose largest file could explain it (it copied
 * bytes), or undefined: only then is RunFacts.largestFile worth looking up. A run that copied
 * nothing there (a nothing-changed night) needs no walk of the source.
 */
export function criticalPathTaskWithBytes(tasks: readonly RunTask[]): RunTask | undefined {
  const lone = loneTask(tasks);
  return lone !== undefined && lone.task.bytes > 0 ? lone.task : undefined;
}

/** One task (or one file) ran alone for most of the transfer: more streams cannot shorten it. */
function criticalPathVerdict(run: RunFacts): RunVerdict | undefined {
  const lone = loneTask(run.tasks);
  if (lone === undefined) return undefined;
  const { task, ms, span, taskCount } = lone;
  const { id } = task;
  const evidence = [
    `task ${id} ran alone for ${seconds(ms)} of the ${seconds(span)} transfer (${pct((100 * ms) / span)}), ${task.files} file${task.files === 1 ? '' : 's'}, ${formatBytes(task.bytes)}`,
  ];
  const file = run.largestFile;
  const duration = task.finishedAt - task.startedAt;
  // rsync names a file only when it is done: its time is its share of the task's bytes.
  const fileMs = file !== undefined && file.task === id && task.bytes >= file.bytes && task.bytes > 0 ? (duration * file.bytes) / task.bytes : 0;
  const oneFile = file !== undefined && fileMs >= T.criticalPathShare * span;
  if (file !== undefined && fileMs > 0) evidence.push(`its largest file ${file.path} (${formatBytes(file.bytes)}) took about ${seconds(fileMs)} at the task's rate`);
  evidence.push(`${taskCount} task${taskCount === 1 ? '' : 's'} in all; more streams cannot shorten a single task`);
  return {
    limitedBy: 'critical-path',
    confidence: ms / span,
    evidence,
    suggestion: oneFile
      ? { concurrency: 'keep', reason: `one file (${file?.path}) set the run length: nothing to split, more streams cannot help` }
      : { concurrency: 'keep', reason: `split ${id} into subfolders so its parts run in parallel (dailysync splits large projects by subfolder); more streams alone cannot help` },
  };
}

/** The machine's CPU full of work that is not the backup. */
function contentionVerdict(ss: Sample[], cores: number): RunVerdict | undefined {
  const withTree = ss.filter((s) => s.tree);
  if (withTree.length === 0) return undefined;
  const others = (s: Sample): number => Math.max(0, s.cpu.busyPct - (s.tree?.cpuPctOfMachine ?? 0));
  const busyWithOthers = withTree.filter((s) => s.cpu.busyPct >= T.cpuBusyPct && others(s) >= T.contentionOtherShare * s.cpu.busyPct);
  const frac = busyWithOthers.length / withTree.length;
  if (frac < 0.5) return undefined;
  const busy = mean(withTree.map((s) => s.cpu.busyPct));
  const own = mean(withTree.map((s) => s.tree?.cpuPctOfMachine ?? 0));
  const otherShare = busy > 0 ? (busy - own) / busy : 0;
  return {
    limitedBy: 'contention',
    confidence: frac,
    evidence: [
      `the host was busy with other work: CPU ${pct(busy)} busy across ${cores} cores, of which the backup used ${pct(own)} and other processes ${pct(busy - own)} (${pct(100 * otherShare)} of the busy time)`,
      `CPU full of other work in ${busyWithOthers.length} of ${withTree.length} samples`,
    ],
    suggestion: { concurrency: 'keep', reason: 'other work on the host holds the CPU: run the backup when the host is quieter, or give it priority; more rsyncs would only compete' },
  };
}

/**
 * Decide what limited a run. Without `run` facts only the resource verdict is possible; with
 * them the run's own limits and its critical path come first (see Limit).
 */
export function classifyBottleneck(series: SampleSeries, run?: RunFacts): Verdict {
  const n = series.samples.length;
  if (n < T.minSamples) {
    return {
      limitedBy: 'not-enough-data',
      bottleneck: 'latency',
      confidence: 0,
      evidence: [`${n} sample${n === 1 ? '' : 's'}, at least ${T.minSamples} are needed (one per ${series.intervalMs} ms)`],
      suggestion: { concurrency: 'keep', reason: 'not enough data to judge' },
      scores: { ...ZERO_SCORES },
    };
  }
  const ss = steady(series.samples);
  const cpu = analyzeCpu(series, ss);
  const disk = analyzeDisk(series, ss);
  const net = analyzeNet(series, ss);
  const mem = analyzeMem(ss);
  const r = (x: number): number => Math.round(x * 100) / 100;
  const sat = { cpu: cpu.score, disk: disk.score, network: net.score, memory: mem.score };
  const levels = { cpu: cpu.level, disk: disk.level, network: net.level, memory: mem.level };
  const top = Math.max(...Object.values(sat));
  const scores: Record<Resource, number> = { cpu: r(cpu.score), disk: r(disk.score), network: r(net.score), memory: r(mem.score), latency: r(1 - top) };

  // Near-ties go to the cause, not the symptom: memory pressure shows up as disk I/O and CPU
  // (reclaim), disk stalls as iowait.
  const order: Array<Exclude<Resource, 'latency'>> = ['memory', 'disk', 'network', 'cpu'];
  let winner: Resource = 'latency';
  const floor = top >= T.saturatedScore ? T.saturatedScore : T.partlySaturatedScore;
  if (top >= floor) winner = order.find((k) => sat[k] >= floor && sat[k] >= top - 0.1) ?? 'latency';
  const partly = winner !== 'latency' && top < T.saturatedScore;
  // Confidence: the share of steady samples that agree with the winner.
  const saturatedIn = (s: Sample): boolean => order.some((k) => levels[k](s) >= 1);
  const agreeing = winner === 'latency' ? ss.filter((s) => !saturatedIn(s)).length : ss.filter((s) => levels[winner as Exclude<Resource, 'latency'>](s) >= 1).length;
  const confidence = agreeing / ss.length;

  const summaries = `${cpu.summary}; ${disk.summary}; ${net.summary}; ${mem.summary}`;
  let evidence: string[];
  let suggestion: Verdict['suggestion'];
  const cores = series.facts.cores;
  switch (winner) {
    case 'cpu':
      evidence = [...cpu.evidence, `others: ${disk.summary}; ${net.summary}; ${mem.summary}`];
      if (cpu.hot > 0) {
        suggestion = { concurrency: 'raise', reason: `one process is pegged at a full core while the machine has ${cores} cores; more concurrent rsyncs would use the idle ones` };
      } else if (cpu.runq > 1.5 * cores) {
        suggestion = { concurrency: 'lower', reason: `more runnable tasks (${cpu.runq.toFixed(1)}) than ${cores} cores: rsyncs queue for CPU; fewer at once, or drop compression/--checksum` };
      } else {
        suggestion = { concurrency: 'keep', reason: 'the CPU is full; more rsyncs would only share it (a copy served from page cache, compression or --checksum all spend CPU)' };
      }
      break;
    case 'disk':
      evidence = [...disk.evidence, `others: ${cpu.summary}; ${net.summary}; ${mem.summary}`];
      suggestion =
        disk.queue >= 2
          ? { concurrency: 'lower', reason: `the disk queue is ${disk.queue.toFixed(1)} deep: more streams add seeks and waiting, fewer finish sooner` }
          : { concurrency: 'keep', reason: 'the disk (or its I/O limit) is the ceiling; more streams would only share it' };
      break;
    case 'network':
      evidence = [...net.evidence, `others: ${cpu.summary}; ${disk.summary}; ${mem.summary}`];
      suggestion =
        net.drops >= T.netDropsPerSec
          ? { concurrency: 'lower', reason: 'the link drops packets: fewer streams reduce retransmits' }
          : { concurrency: 'keep', reason: 'the link is full; more streams would only share it' };
      break;
    case 'memory':
      evidence = [...mem.evidence, `others: ${cpu.summary}; ${disk.summary}; ${net.summary}`];
      suggestion = { concurrency: 'lower', reason: 'each rsync holds its file list and buffers in memory; fewer at once relieves reclaim and swapping' };
      break;
    default: {
      evidence = [`nothing saturated: ${summaries}`];
      const trees = ss.filter((s) => s.tree);
      if (trees.length) {
        evidence.push(
          `backup tree ${pct(mean(trees.map((s) => s.tree?.cpuPctOfMachine ?? 0)))} CPU, read ${formatBytes(mean(trees.map((s) => s.tree?.rcharPerSec ?? 0)))}/s, wrote ${formatBytes(mean(trees.map((s) => s.tree?.wcharPerSec ?? 0)))}/s through syscalls`,
        );
      }
      evidence.push(...disk.evidence.slice(-2, -1));
      const remote = [series.facts.source, series.facts.dest].some((t) => t !== undefined && (t.kind !== 'local' || /^(nfs|cifs|smb|fuse|sshfs)/.test(t.fsType ?? '')));
      suggestion = remote
        ? { concurrency: 'raise', reason: 'no resource is saturated: each stream waits on per-operation latency (NAS round trips); more streams in parallel hide it' }
        : { concurrency: 'raise', reason: 'no resource is saturated: each stream waits on per-file work (opens, metadata, small writes); more streams in parallel overlap it' };
    }
  }
  if (partly) {
    evidence[0] = `partly saturated (score ${scores[winner]}, saturated from ${T.saturatedScore}): ${evidence[0] ?? ''}`;
    if (suggestion.concurrency === 'lower') suggestion = { concurrency: 'keep', reason: `${winner} is near its limit: ${suggestion.reason}` };
  }
  const resourceVerdict: Verdict = { limitedBy: winner, bottleneck: winner, confidence: r(confidence), evidence, suggestion, scores };
  if (!run) return resourceVerdict;

  const first = bwlimitVerdict(run) ?? criticalPathVerdict(run) ?? contentionVerdict(ss, cores);
  if (first) {
    return { ...first, confidence: r(first.confidence), bottleneck: winner, scores, evidence: [...first.evidence, `resources: ${summaries}`] };
  }
  const queued = run.fixedConcurrency !== undefined ? run.tasks.length - run.fixedConcurrency : 0;
  if (winner === 'latency' && run.fixedConcurrency !== undefined && queued > 0) {
    const limitedBy: Limit = 'fixed-concurrency';
    return {
      ...resourceVerdict,
      limitedBy,
      evidence: [`nothing saturated while at most ${run.fixedConcurrency} rsyncs ran at once (--concurrency ${run.fixedConcurrency}) and ${queued} of ${run.tasks.length} tasks waited for a slot`, ...evidence],
      suggestion: { concurrency: 'raise', reason: `--concurrency ${run.fixedConcurrency} was the limit: raise it, or use --concurrency auto to find the point where more streams stop paying` },
    };
  }
  return resourceVerdict;
}
