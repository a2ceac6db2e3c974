import path from 'node:path';
import type { RunFacts, SampleSeries } from '@dailysync/metrics';
import {
  ConfigError,
  DEFAULT_RETRY_POLICY,
  formatSummaryTable,
  isRemote,
  parseConcurrency,
  parseLocation,
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
import { formatVerdictLine, SyncDiagnosis } from './diagnosis.js';
import { buildRunFacts } from './run-facts.js';
import { DeletionList } from './deletion-list.js';
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
  /** With --delete: write every path deleted (with --dry-run: that would be deleted) here, one per line, relative to the backup root. */
  listDeletions?: string;
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

/** Runs a whole backup with live output, summary and report; returns the exit status. Never throws. */
export async function runSyncCommand(options: SyncCommandOptions, ctx: SyncCommandContext): Promise<SyncCommandResult> {
  let out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
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
    const isTTY = (out as NodeJS.WriteStream).isTTY === true;
    const mode = options.output === 'tty' || (options.output !== 'plain' && isTTY) ? 'tty' : 'plain';
    if (options.html !== undefined && options.html.trim() === '') throw new ConfigError('--html is empty: give a file name for the HTML report, e.g. --html=backup-report.html');
    const htmlPath = options.html === undefined ? undefined : path.resolve(ctx.cwd ?? process.cwd(), options.html);
    if (options.listDeletions !== undefined && options.listDeletions.trim() === '') throw new ConfigError('--list-deletions is empty: give a file name for the list, e.g. --list-deletions=deletions.txt');
    if (options.listDeletions !== undefined && !options.delete) throw new ConfigError('--list-deletions needs --delete: it lists what --delete removes (add --dry-run to only list them)');
    const deletions = options.delete ? await DeletionList.open(options.listDeletions === undefined ? undefined : path.resolve(ctx.cwd ?? process.cwd(), options.listDeletions)) : undefined;
    const diagnosis = new SyncDiagnosis({ source, dest }, ctx.sampleIntervalMs ?? 1000);
    const view = new ListrView({ mode, throttleMs: mode === 'tty' ? 200 : 15000, stream: out, resources: () => diagnosis.liveLine() });
    const hooks = diagnosis.track(events ? events.hooks() : view.hooks());
    if (deletions) hooks.onTaskDeleting = (task, relPath) => deletions.add(task.project, relPath);
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
      hooks,
      signal: controller.signal,
      saturation: () => diagnosis.saturation(),
    })
      .catch(async (error: unknown) => {
        await deletions?.discard();
        throw error;
      })
      .finally(() => diagnosis.stopSampling());
    if (!events) await view.done();
    const localSource = isRemote(parseLocation('source', source)) ? undefined : source;
    const run = await buildRunFacts({ report, bwlimitKiB: options.bwlimit, tasks: diagnosis.tasks, ...(localSource === undefined ? {} : { localSource }) });
    const measured = await diagnosis.stop(run);
    const series = await diagnosis.stopSampling();
    if (series && ctx.onSeries) ctx.onSeries(series, run);
    if (measured) report.diagnosis = measured;
    out.write(`\n${formatSummaryTable(report)}\n`);
    if (deletions && report.dryRun) out.write(deletions.format(true));
    if (deletions && options.listDeletions !== undefined) {
      await deletions.close();
      out.write(`${deletions.total} ${report.dryRun ? 'paths that would be deleted' : 'deleted paths'} written to ${path.resolve(ctx.cwd ?? process.cwd(), options.listDeletions)}\n`);
    }
    out.write(measured ? `${formatVerdictLine(measured.verdict)}\n` : 'Bottleneck: not measured (the run was shorter than one resource sample)\n');
    if (reportPath !== undefined) {
      await writeJsonReport(reportPath, report);
      out.write(`Report written to ${reportPath}\n`);
    }
    if (junitPath !== undefined) {
      await writeFileAtomic(junitPath, formatJunit(report));
      out.write(`JUnit XML written to ${junitPath}\n`);
    }
    if (htmlPath !== undefined) {
      await writeFileAtomic(htmlPath, renderHtmlReport(report));
      out.write(`HTML report written to ${htmlPath}\n`);
    }
    events?.report(report);
    const exitCode = report.interrupted ? EXIT.interrupted : report.ok ? EXIT.ok : EXIT.failed;
    return { exitCode, report };
  } catch (error) {
    return { exitCode: reportCommandError(error, err) };
  } finally {
    if (ctx.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
