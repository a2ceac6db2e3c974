import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { THRESHOLDS, type RunFacts, type SampleSeries } from '@dailysync/metrics';
import {
  ConfigError,
  DEFAULT_RETRY_POLICY,
  MAX_ABORT_LISTENERS,
  formatSummaryTable,
  isRemote,
  parseConcurrency,
  parseRetentionPolicy,
  parseLocation,
  projectOfEntry,
  runBackup,
  runSnapshotBackup,
  writeFileAtomic,
  writeJsonReport,
  type BackupHooks,
  type BackupReport,
} from '@dailysync/sync';
import { loadConfigFile, mergeConfig } from '../config/load-config.js';
import { ensureDemoTree } from '../demo/demo-tree.js';
import { JsonEventStream } from '../output/json-events.js';
import { formatJunit } from '../output/junit.js';
import type { ListrView } from './listr-view.js';
import { PlainView } from './plain-view.js';
import { RunLog } from '../output/run-log.js';
import { RunSignals, runOutcome } from '../output/run-signals.js';
import { formatVerdictLine, SyncDiagnosis } from './diagnosis.js';
import { buildRunFacts } from './run-facts.js';
import { DeletionList } from './deletion-list.js';
import { renderHtmlReport } from '../reports/html-report.js';
import { reportCommandError } from '../command-error.js';
import { applyDefaults } from '../options/registry.js';
import { checkOutputFile, completeRecord, recordError, recordWithoutReport, writeRunRecord, type RunRecordSink } from './run-record.js';

/** Options of `dailysync sync` and of the Nx `sync` executor: one shape, one code path. */
export interface SyncCommandOptions {
  source?: string;
  dest?: string;
  concurrency?: number | string;
  delete?: boolean;
  dryRun?: boolean;
  include?: string[] | string;
  exclude?: string[] | string;
  bwlimit?: number;
  /** Projects estimated below this many ms of work share one rsync; 0: one rsync each. */
  batchBelow?: number;
  /** Extra attempts after a transient rsync failure (connection, stream, timeout), per task. Default 2. */
  retries?: number;
  /** When copied files are looked at again: auto (default), always or off. */
  changedCheck?: string;
  /** Refuse the whole run if it would delete more: a count or a percent of the backup ("5%"). */
  maxDelete?: number | string;
  /** With delete, refuse a source that shrank by more than this percent since the last good run (default 50). */
  maxShrink?: number | string;
  /** File that must exist in the source root. */
  sourceMarker?: string;
  /** File that must exist in the backup root. */
  destMarker?: string;
  /** Filesystem types the backup root must be on (e.g. nfs4). */
  destFs?: string[] | string;
  hardLinks?: boolean;
  acls?: boolean;
  xattrs?: boolean;
  /** Write the JSON report here (relative paths are resolved against the working directory). */
  report?: string;
  /** 'auto' picks the live renderer on a terminal and plain lines otherwise. */
  output?: 'auto' | 'tty' | 'plain';
  /** ssh port, private key, known_hosts file and host key policy for a `user@host:/path` side. */
  sshPort?: number | string;
  sshIdentity?: string;
  sshKnownHosts?: string;
  sshHostKeyChecking?: 'yes' | 'accept-new';
  /** rsync --timeout in seconds (default 300 with a remote side, none locally). */
  timeout?: number;
  /** This machine's share: "I/N", I from 1 (a 0-based index maps to I = index + 1). */
  shard?: string;
  /** Read options from this dailysync.config.json; options given here override its values. */
  config?: string;
  /** Write JUnit XML here: one test case per project (relative to the working directory). */
  junit?: string;
  /** Stream one JSON event per line on stdout; the human output goes to stderr. */
  json?: boolean;
  /** Write a self-contained HTML report here: task timeline, CPU/disk/network/memory charts, bottleneck verdict. */
  html?: string;
  /** Snapshot mode: write a dated snapshot under <dest>/snapshots/ instead of updating the mirror. */
  snapshots?: boolean;
  /** Snapshot name shared by the shards of one night (YYYY-MM-DDTHHMMSSZ); default the start time. */
  snapshotName?: string;
  /** Retention after a successful snapshot run (restic forget semantics). */
  keepLast?: number | string;
  keepDaily?: number | string;
  keepWeekly?: number | string;
  keepMonthly?: number | string;
  /** Report what retention would remove, remove nothing. */
  pruneDryRun?: boolean;
  /** With --delete: write every path deleted (with --dry-run: that would be deleted) here, one per line, relative to the backup root. */
  listDeletions?: string;
  /** Write Prometheus metrics of the run here at its end, whatever the exit (node_exporter textfile collector). */
  metricsFile?: string;
  /** Health-check ping URL: URL/start at the start, URL on success, URL/fail (exit code and summary in the body) on failure. */
  notifyUrl?: string;
  /** Append the run's lines, timestamped, to this file. */
  logFile?: string;
  /** Print only the summary and errors (no progress lines, no live view). */
  quiet?: boolean;
}

export interface SyncCommandContext {
  /** Workspace root: where the demo tree lives. */
  workspaceRoot: string;
  cwd?: string;
  stdout?: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Handle SIGINT/SIGTERM by stopping rsync cleanly (the CLI and the executor both do). */
  handleSignals?: boolean;
  signal?: AbortSignal;
  /** Resource sampling interval (default 1000 ms; tests use less). */
  sampleIntervalMs?: number;
  /** Receives the raw sample series and the run facts the verdict used (scenario recorders keep them as fixtures). */
  onSeries?: (series: SampleSeries, run: RunFacts) => void;
}

export interface SyncCommandResult {
  exitCode: number;
  report?: BackupReport;
}

/** Exit statuses, documented in the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 75, interrupted: 130 } as const;

async function resolvePaths(options: SyncCommandOptions, ctx: SyncCommandContext, out: NodeJS.WritableStream): Promise<{ source: string; dest: string }> {
  if (options.source === undefined && options.dest === undefined) {
    const demo = await ensureDemoTree(ctx.workspaceRoot);
    out.write(`No --source/--dest given: backing up the built-in demo tree ${demo.source} -> ${demo.dest}${demo.created ? ' (just generated)' : ''}\n`);
    return demo;
  }
  if (options.source === undefined) throw new ConfigError('--source is missing: give the absolute path of the tree to back up, e.g. --source=/data/prod');
  if (options.dest === undefined) throw new ConfigError('--dest is missing: give the absolute path of the backup root, e.g. --dest=/data/prod_backup');
  return { source: options.source, dest: options.dest };
}

function parseRetries(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 20) throw new ConfigError(`--retries "${String(value)}" is not valid: give a whole number from 0 to 20`);
  return n;
}

/** The snapshot-mode part of the request, or undefined in mirror mode (where --keep-* make no sense). */
function snapshotSettings(options: SyncCommandOptions, retention: ReturnType<typeof parseRetentionPolicy>): Parameters<typeof runSnapshotBackup>[0] | undefined {
  if (!options.snapshots) {
    const stray = Object.keys(retention).length > 0 || options.snapshotName !== undefined || options.pruneDryRun;
    if (stray) throw new ConfigError('--keep-*, --snapshot-name and --prune-dry-run apply to snapshot mode only: add --snapshots');
    return undefined;
  }
  return { source: '', dest: '', retention, ...(options.snapshotName === undefined ? {} : { snapshotName: options.snapshotName }), pruneDryRun: options.pruneDryRun };
}

function formatSnapshotLines(report: BackupReport): string {
  const s = report.snapshot!;
  const lines = [s.published ? `Snapshot ${s.name} published: ${s.dir}` : `Snapshot ${s.name} not published (${s.notPublishedBecause ?? 'unknown'}); earlier snapshots are untouched`];
  if (s.linkedAgainst.length > 0) lines.push(`  unchanged files hard-linked to: ${s.linkedAgainst.join(', ')}`);
  if (s.prune) {
    const verb = s.prune.dryRun ? 'would remove' : 'removed';
    lines.push(`  retention ${verb} ${s.prune.removed.length} (${s.prune.removed.map((r) => r.folder).join(', ') || 'none'}), kept ${s.prune.kept.length}, in ${(s.prune.durationMs / 1000).toFixed(1)} s`);
  }
  return lines.join('\n');
}

/** What `recordSinks` sets up: the record sinks, the HTML path, the run's monitoring signals and line log. */
interface RunOutputs {
  sinks: RunRecordSink[];
  htmlPath?: string;
  signals?: RunSignals;
  log?: RunLog;
  /** The first bad output option: the run stops with it (and still leaves its record in the sinks that are good). */
  problem?: unknown;
}

/**
 * The output files, the `--json` stream and the monitoring signals of a run, as record sinks;
 * each file checked before the backup starts (`checkOutputFile`). A bad --notify-url or --log-file
 * stops the run before any sink exists (nothing is written: the run could neither ping nor log).
 */
async function recordSinks(
  options: SyncCommandOptions,
  cwd: string,
  events: JsonEventStream | undefined,
  run: { startedAt: Date; out: NodeJS.WritableStream; err: NodeJS.WritableStream; timestamps: boolean; reported: () => boolean },
): Promise<RunOutputs> {
  const sinks: RunRecordSink[] = [];
  let problem: unknown;
  const file = async (option: string, value: string | undefined, example: string): Promise<string | undefined> => {
    if (value === undefined) return undefined;
    try {
      if (value.trim() === '') throw new ConfigError(`--${option} is empty: give a file name, e.g. --${option}=${example}`);
      const resolved = path.resolve(cwd, value);
      await checkOutputFile(option, resolved);
      return resolved;
    } catch (error) {
      problem ??= error;
      return undefined;
    }
  };
  let signals: RunSignals;
  let log: RunLog;
  try {
    signals = new RunSignals({ metricsFile: options.metricsFile, notifyUrl: options.notifyUrl, cwd, startedAt: run.startedAt, warn: (line) => run.err.write(`${line}\n`) });
    const logFile = await file('log-file', options.logFile, 'dailysync.log');
    if (problem !== undefined) throw problem;
    log = new RunLog({ stream: run.out, timestamps: run.timestamps, quiet: options.quiet === true, ...(logFile === undefined ? {} : { logFile }) });
  } catch (error) {
    return { sinks: [], problem: error };
  }
  const reportPath = await file('report', options.report, 'backup-report.json');
  const junitPath = await file('junit', options.junit, 'backup-junit.xml');
  const htmlPath = await file('html', options.html, 'backup-report.html');
  const metricsPath = signals.metricsFile === undefined ? undefined : await file('metrics-file', signals.metricsFile, 'dailysync.prom');
  if (reportPath !== undefined) sinks.push({ label: 'Report', file: reportPath, write: (record) => writeJsonReport(reportPath, record) });
  if (junitPath !== undefined) sinks.push({ label: 'JUnit XML', file: junitPath, write: (record) => writeFileAtomic(junitPath, formatJunit(record)) });
  if (metricsPath !== undefined) sinks.push({ label: 'Metrics file', file: metricsPath, write: (record) => signals.writeMetrics(runOutcome(record, run.startedAt, run.reported())) });
  if (events) sinks.push({ label: 'JSON events', write: (record) => events.finish(record) });
  return { sinks, signals, log, ...(htmlPath === undefined ? {} : { htmlPath }), ...(problem === undefined ? {} : { problem }) };
}

/** Signals that stop a run the way Ctrl-C does; SIGHUP too, so a closed terminal or ssh session does not leave rsyncs running. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs a whole backup with live output, summary and report; returns the exit status. Never throws.
 * Every end of the run (success, failed projects, bad input once the output paths are known,
 * refusal, lock, interruption, unexpected error) leaves the same run record in every sink
 * (`--report`, `--junit`, `--json`): see run-record.ts.
 */
export async function runSyncCommand(options: SyncCommandOptions, ctx: SyncCommandContext): Promise<SyncCommandResult> {
  let out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
  const cwd = ctx.cwd ?? process.cwd();
  const startedAt = new Date();
  const controller = new AbortController();
  // Every rsync of the deletion count listens on it at once (removed when each ends): not a leak.
  setMaxListeners(MAX_ABORT_LISTENERS, controller.signal);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) err.write(`\ndailysync: ${signal} received: stopping every rsync; the previous backup copies stay intact\n`);
    controller.abort();
  };
  const onOuterAbort = (): void => controller.abort();
  ctx.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (ctx.handleSignals) for (const s of STOP_SIGNALS) process.on(s, onSignal);
  let sinks: RunRecordSink[] = [];
  let htmlPath: string | undefined;
  let view: ListrView | PlainView | undefined;
  let signals: RunSignals | undefined;
  let log: RunLog | undefined;
  let diagnosis: SyncDiagnosis | undefined;
  let report: BackupReport | undefined;
  let failure: unknown;
  let eventHooks: BackupHooks | undefined;
  let deletions: DeletionList | undefined;
  let listDeletionsPath: string | undefined;
  let where: { source?: string; dest?: string } = { source: options.source, dest: options.dest };
  try {
    try {
      if (options.config !== undefined) options = mergeConfig(await loadConfigFile(options.config, cwd), options);
      // Defaults only now, after config and caller options are merged: any value a user set wins.
      options = applyDefaults('sync', options);
    } finally {
      // Output paths come from the merged options, or from the command line when the config file is broken.
      where = { source: options.source, dest: options.dest };
      // With --json, stdout carries only events; what people read moves to stderr.
      const events = options.json ? new JsonEventStream({ stream: out, progressThrottleMs: 5000 }) : undefined;
      if (events) out = err;
      const outputs = await recordSinks(options, cwd, events, { startedAt, out, err, timestamps: plainOutput(options, out), reported: () => report !== undefined });
      sinks = outputs.sinks;
      htmlPath = outputs.htmlPath;
      signals = outputs.signals;
      log = outputs.log;
      if (outputs.problem !== undefined) throw outputs.problem;
      eventHooks = events?.hooks();
    }
    // The run starts here for monitoring: the 'end' ping is sent with the run record, whatever the exit.
    await signals?.started();
    const { source, dest } = await resolvePaths(options, ctx, out);
    where = { source, dest };
    const mode = plainOutput(options, out) ? 'plain' : 'tty';
    const runLog = log;
    if (options.listDeletions !== undefined && options.listDeletions.trim() === '') throw new ConfigError('--list-deletions is empty: give a file name for the list, e.g. --list-deletions=deletions.txt');
    if (options.listDeletions !== undefined && !options.delete) throw new ConfigError('--list-deletions needs --delete: it lists what --delete removes (add --dry-run to only list them)');
    listDeletionsPath = options.listDeletions === undefined ? undefined : path.resolve(cwd, options.listDeletions);
    deletions = options.delete ? await DeletionList.open(listDeletionsPath) : undefined;
    const deleting = deletions;
    diagnosis = new SyncDiagnosis({ source, dest }, ctx.sampleIntervalMs ?? 1000, ctx.onSeries !== undefined);
    const sampling = diagnosis;
    if (eventHooks === undefined) {
      const resources = (): string | undefined => sampling.liveLine();
      // listr2 is loaded only when the live view is drawn: plain output (cron, CI) never needs it.
      view =
        mode === 'tty' || runLog === undefined
          ? new (await import('./listr-view.js')).ListrView({ throttleMs: 200, resources })
          : new PlainView({ log: runLog, throttleMs: 15000, periodMs: 30000, resources });
    }
    const hooks = sampling.track(eventHooks ?? view?.hooks() ?? {});
    if (deleting) hooks.onTaskDeleting = (task, relPath) => deleting.add(projectOfEntry(task, relPath), relPath);
    const retention = parseRetentionPolicy({ keepLast: options.keepLast, keepDaily: options.keepDaily, keepWeekly: options.keepWeekly, keepMonthly: options.keepMonthly });
    const snapshotMode = snapshotSettings(options, retention);
    report = await (snapshotMode ? runSnapshotBackup : runBackup)({
      ...snapshotMode,
      source,
      dest,
      concurrency: parseConcurrency(options.concurrency),
      delete: options.delete,
      dryRun: options.dryRun,
      include: typeof options.include === 'string' ? [options.include] : options.include,
      exclude: typeof options.exclude === 'string' ? [options.exclude] : options.exclude,
      bwlimitKiB: options.bwlimit,
      maxDelete: options.maxDelete,
      maxShrinkPercent: options.maxShrink,
      sourceMarker: options.sourceMarker,
      destMarker: options.destMarker,
      destFsTypes: options.destFs,
      ...(options.retries === undefined ? {} : { retry: { ...DEFAULT_RETRY_POLICY, retries: parseRetries(options.retries) } }),
      changedCheck: options.changedCheck,
      hardLinks: options.hardLinks,
      acls: options.acls,
      xattrs: options.xattrs,
      sshPort: options.sshPort,
      sshIdentityFile: options.sshIdentity,
      sshKnownHostsFile: options.sshKnownHosts,
      sshHostKeyChecking: options.sshHostKeyChecking,
      timeoutSeconds: options.timeout,
      shard: options.shard,
      ...(options.batchBelow === undefined ? {} : { planning: { batchBelowMs: options.batchBelow } }),
      hooks,
      signal: controller.signal,
      saturation: () => sampling.saturation(),
    })
      .catch(async (error: unknown) => {
        await deleting?.discard();
        throw error;
      })
      .finally(() => sampling.stopSampling());
  } catch (error) {
    failure = error;
  }
  try {
    // The live view draws its last frame before anything else is printed, so no message is glued onto a task line.
    await view?.close('not run: the run stopped before this task');
    let measured: Awaited<ReturnType<SyncDiagnosis['stop']>>;
    if (report !== undefined && diagnosis !== undefined) {
      const series = await diagnosis.stopSampling();
      // The run's facts serve a verdict, which needs THRESHOLDS.minSamples samples, and a kept
      // series: a shorter run needs neither (2,000 projects: 10-15 ms of task times after the copy).
      const localSource = isRemote(parseLocation('source', report.source)) ? undefined : report.source;
      const run =
        series !== undefined && (series.samples.length >= THRESHOLDS.minSamples || ctx.onSeries !== undefined)
          ? await buildRunFacts({ report, bwlimitKiB: options.bwlimit, tasks: diagnosis.tasks, ...(localSource === undefined ? {} : { localSource }) })
          : undefined;
      measured = await diagnosis.stop(run);
      if (series && run && ctx.onSeries) ctx.onSeries(series, run);
    } else {
      measured = await diagnosis?.stop();
    }
    let exitCode: number;
    let record: BackupReport;
    // The run's closing lines go through the run log (timestamps in plain output, --quiet, --log-file).
    const say = (text: string): void => (log ? log.line(text, 'summary') : void out.write(`${text}\n`));
    const lines = { write: (chunk: string) => (say(String(chunk).replace(/\n$/, '')), true) } as unknown as NodeJS.WritableStream;
    if (report !== undefined) {
      if (measured) report.diagnosis = measured;
      // --quiet keeps the rows that need attention and the totals line.
      const shown = options.quiet ? { ...report, projects: report.projects.filter((p) => p.status !== 'ok' && p.status !== 'skipped') } : report;
      out.write('\n');
      say(formatSummaryTable(shown));
      if (deletions && report.dryRun) say(deletions.format(true).replace(/\n$/, ''));
      if (deletions && listDeletionsPath !== undefined) {
        await deletions.close();
        say(`${deletions.total} ${report.dryRun ? 'paths that would be deleted' : 'deleted paths'} written to ${listDeletionsPath}`);
      }
      say(measured ? formatVerdictLine(measured.verdict) : 'Bottleneck: not measured (the run was shorter than one resource sample)');
      if (report.snapshot) say(formatSnapshotLines(report));
      exitCode = report.interrupted ? EXIT.interrupted : report.ok ? EXIT.ok : EXIT.failed;
      record = completeRecord(report, exitCode);
      if (report.error !== undefined) {
        err.write(`dailysync: error: ${report.error.message}\n`);
        log?.fileOnly(`dailysync: error: ${report.error.message}`);
      }
    } else {
      await deletions?.discard();
      exitCode = controller.signal.aborted ? EXIT.interrupted : reportCommandError(failure, err);
      if (controller.signal.aborted) err.write(`dailysync: error: ${recordError(failure).message}\n`);
      record = recordWithoutReport(
        { ...where, startedAt, dryRun: options.dryRun, delete: options.delete, concurrency: safeConcurrency(options.concurrency), interrupted: controller.signal.aborted },
        exitCode,
        recordError(failure),
      );
      log?.fileOnly(`dailysync: error: ${record.error?.message ?? 'unexpected error'}`);
    }
    const htmlSink: RunRecordSink[] = htmlPath !== undefined && report !== undefined ? [{ label: 'HTML report', file: htmlPath, write: (r) => writeFileAtomic(htmlPath, renderHtmlReport(r)) }] : [];
    const written = await writeRunRecord(record, [...sinks, ...htmlSink], lines, err);
    if (!written && exitCode === EXIT.ok) exitCode = EXIT.failed;
    // The end ping comes from the same record, with the exit status the process ends with.
    await signals?.finished(runOutcome({ ...record, exitCode }, startedAt, report !== undefined));
    return { exitCode, ...(report === undefined ? {} : { report: record }) };
  } catch (error) {
    return { exitCode: reportCommandError(error, err) };
  } finally {
    log?.close();
    ctx.signal?.removeEventListener('abort', onOuterAbort);
    if (ctx.handleSignals) for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}

/** Plain lines (timestamped, no cursor moves) unless a live view can be drawn: --quiet, --plain, or no sized terminal. */
function plainOutput(options: SyncCommandOptions, out: NodeJS.WritableStream): boolean {
  // A pseudo-terminal without a size (script under cron, some CI runners) cannot hold a live view.
  const isTTY = (out as NodeJS.WriteStream).isTTY === true && ((out as NodeJS.WriteStream).columns ?? 0) > 0;
  // --quiet wants no progress at all, so it takes the plain lines (of which it keeps failures only).
  return !(!options.quiet && (options.output === 'tty' || (options.output !== 'plain' && isTTY)));
}

function safeConcurrency(value: unknown): number | 'auto' {
  try {
    return parseConcurrency(value);
  } catch {
    return 'auto';
  }
}
