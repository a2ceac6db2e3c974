import path from 'node:path';
import {
  ConfigError,
  DEFAULT_RETRY_POLICY,
  errorExitCode,
  formatSummaryTable,
  parseConcurrency,
  runBackup,
  writeFileAtomic,
  writeJsonReport,
  type BackupReport,
} from '@dailysync/sync';
import { loadConfigFile, mergeConfig } from '../config/load-config.js';
import { ensureDemoTree } from '../demo/demo-tree.js';
import { JsonEventStream } from '../output/json-events.js';
import { formatJunit } from '../output/junit.js';
import { ListrView } from './listr-view.js';
import { PlainView } from './plain-view.js';
import { RunLog } from '../output/run-log.js';
import { RunSignals } from '../output/run-signals.js';
import { formatVerdictLine, SyncDiagnosis } from './diagnosis.js';
import { renderHtmlReport } from '../reports/html-report.js';
import { reportCommandError } from '../command-error.js';

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
  /** Extra attempts after a transient rsync failure (connection, stream, timeout), per task. Default 2. */
  retries?: number;
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

/** Runs a whole backup with live output, summary and report; returns the exit status. Never throws. */
export async function runSyncCommand(options: SyncCommandOptions, ctx: SyncCommandContext): Promise<SyncCommandResult> {
  let out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
  const startedAt = new Date();
  let signals: RunSignals | undefined;
  let log: RunLog | undefined;
  let view: ListrView | PlainView | undefined;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) err.write(`\ndailysync: ${signal} received: stopping every rsync; the previous backup copies stay intact\n`);
    controller.abort();
  };
  ctx.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  if (ctx.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    if (options.config !== undefined) options = mergeConfig(await loadConfigFile(options.config, ctx.cwd ?? process.cwd()), options);
    // With --json, stdout carries only events; what people read moves to stderr.
    const events = options.json ? new JsonEventStream({ stream: out, progressThrottleMs: 5000 }) : undefined;
    if (events) out = err;
    const { source, dest } = await resolvePaths(options, ctx, out);
    const reportPath = options.report === undefined ? undefined : path.resolve(ctx.cwd ?? process.cwd(), options.report);
    if (reportPath !== undefined && options.report?.trim() === '') throw new ConfigError('--report is empty: give a file name for the JSON report, e.g. --report=backup-report.json');
    if (options.junit !== undefined && options.junit.trim() === '') throw new ConfigError('--junit is empty: give a file name for the JUnit XML, e.g. --junit=backup-junit.xml');
    const junitPath = options.junit === undefined ? undefined : path.resolve(ctx.cwd ?? process.cwd(), options.junit);
    // A pseudo-terminal without a size (script under cron, some CI runners) cannot hold a live view.
    const isTTY = (out as NodeJS.WriteStream).isTTY === true && ((out as NodeJS.WriteStream).columns ?? 0) > 0;
    // --quiet wants no progress at all, so it takes the plain lines (of which it keeps failures only).
    const mode = !options.quiet && (options.output === 'tty' || (options.output !== 'plain' && isTTY)) ? 'tty' : 'plain';
    // ---- run signals (metrics file, notify pings): set up here, sent at the end whatever the exit ----
    const runSignals = new RunSignals({ metricsFile: options.metricsFile, notifyUrl: options.notifyUrl, cwd: ctx.cwd ?? process.cwd(), startedAt, warn: (line) => err.write(`${line}\n`) });
    log = new RunLog({ stream: out, timestamps: mode === 'plain', quiet: options.quiet === true, ...(options.logFile === undefined ? {} : { logFile: path.resolve(ctx.cwd ?? process.cwd(), options.logFile) }) });
    const runLog = log;
    // Set only once every output option is valid: a bad one writes nothing, not even metrics.
    signals = runSignals;
    await signals.started();
    if (options.html !== undefined && options.html.trim() === '') throw new ConfigError('--html is empty: give a file name for the HTML report, e.g. --html=backup-report.html');
    const htmlPath = options.html === undefined ? undefined : path.resolve(ctx.cwd ?? process.cwd(), options.html);
    const diagnosis = new SyncDiagnosis({ source, dest }, ctx.sampleIntervalMs ?? 1000);
    const resources = (): string | undefined => diagnosis.liveLine();
    view = mode === 'tty' ? new ListrView({ throttleMs: 200, resources }) : new PlainView({ log: runLog, throttleMs: 15000, periodMs: 30000, resources });
    const report = await runBackup({
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
      hardLinks: options.hardLinks,
      acls: options.acls,
      xattrs: options.xattrs,
      sshPort: options.sshPort,
      sshIdentityFile: options.sshIdentity,
      sshKnownHostsFile: options.sshKnownHosts,
      sshHostKeyChecking: options.sshHostKeyChecking,
      timeoutSeconds: options.timeout,
      shard: options.shard,
      hooks: events ? events.hooks() : view.hooks(),
      signal: controller.signal,
      saturation: () => diagnosis.saturation(),
    }).finally(() => diagnosis.stop());
    if (!events) await view.done();
    const measured = await diagnosis.stop();
    if (measured) report.diagnosis = measured;
    // --quiet keeps the rows that need attention and the totals line.
    const shown = options.quiet ? { ...report, projects: report.projects.filter((p) => p.status !== 'ok' && p.status !== 'skipped') } : report;
    out.write('\n');
    runLog.line(formatSummaryTable(shown), 'summary');
    runLog.line(measured ? formatVerdictLine(measured.verdict) : 'Bottleneck: not measured (the run was shorter than one resource sample)', 'summary');
    if (reportPath !== undefined) {
      await writeJsonReport(reportPath, report);
      runLog.line(`Report written to ${reportPath}`, 'summary');
    }
    if (junitPath !== undefined) {
      await writeFileAtomic(junitPath, formatJunit(report));
      runLog.line(`JUnit XML written to ${junitPath}`, 'summary');
    }
    if (htmlPath !== undefined) {
      await writeFileAtomic(htmlPath, renderHtmlReport(report));
      runLog.line(`HTML report written to ${htmlPath}`, 'summary');
    }
    events?.report(report);
    const exitCode = report.interrupted ? EXIT.interrupted : report.ok ? EXIT.ok : EXIT.failed;
    // ---- end of run, reached: metrics file and success/fail ping (trust-exit's run record can take this call over) ----
    await runSignals.finished({ exitCode, report });
    return { exitCode, report };
  } catch (error) {
    // A view that showed the plan must stop drawing before the error line.
    if (view instanceof ListrView) view.close();
    await view?.done();
    const exitCode = reportCommandError(error, err);
    const message = errorExitCode(error) !== undefined ? (error as Error).message : 'unexpected error (see the output)';
    log?.fileOnly(`dailysync: error: ${message}`);
    // ---- end of run, refused or failed before a report: metrics file and fail ping ----
    await signals?.finished({ exitCode, error: message });
    return { exitCode };
  } finally {
    log?.close();
    if (ctx.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
