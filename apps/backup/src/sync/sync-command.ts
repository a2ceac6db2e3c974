import path from 'node:path';
import {
  ConfigError,
  errorExitCode,
  formatSummaryTable,
  parseConcurrency,
  runBackup,
  writeJsonReport,
  type BackupReport,
} from '@dailysync/sync';
import { ensureDemoTree } from '../demo/demo-tree.js';
import { ListrView } from './listr-view.js';

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
  hardLinks?: boolean;
  acls?: boolean;
  xattrs?: boolean;
  /** Write the JSON report here (relative paths are resolved against the working directory). */
  report?: string;
  /** 'auto' picks the live renderer on a terminal and plain lines otherwise. */
  output?: 'auto' | 'tty' | 'plain';
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

/** Runs a whole backup with live output, summary and report; returns the exit status. Never throws. */
export async function runSyncCommand(options: SyncCommandOptions, ctx: SyncCommandContext): Promise<SyncCommandResult> {
  const out = ctx.stdout ?? process.stdout;
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
    const { source, dest } = await resolvePaths(options, ctx, out);
    const reportPath = options.report === undefined ? undefined : path.resolve(ctx.cwd ?? process.cwd(), options.report);
    if (reportPath !== undefined && options.report?.trim() === '') throw new ConfigError('--report is empty: give a file name for the JSON report, e.g. --report=backup-report.json');
    const isTTY = (out as NodeJS.WriteStream).isTTY === true;
    const mode = options.output === 'tty' || (options.output !== 'plain' && isTTY) ? 'tty' : 'plain';
    const view = new ListrView({ mode, throttleMs: mode === 'tty' ? 200 : 15000, stream: out });
    const report = await runBackup({
      source,
      dest,
      concurrency: parseConcurrency(options.concurrency),
      delete: options.delete,
      dryRun: options.dryRun,
      include: typeof options.include === 'string' ? [options.include] : options.include,
      exclude: typeof options.exclude === 'string' ? [options.exclude] : options.exclude,
      bwlimitKiB: options.bwlimit,
      hardLinks: options.hardLinks,
      acls: options.acls,
      xattrs: options.xattrs,
      hooks: view.hooks(),
      signal: controller.signal,
    });
    await view.done();
    out.write(`\n${formatSummaryTable(report)}\n`);
    if (reportPath !== undefined) {
      await writeJsonReport(reportPath, report);
      out.write(`Report written to ${reportPath}\n`);
    }
    const exitCode = report.interrupted ? EXIT.interrupted : report.ok ? EXIT.ok : EXIT.failed;
    return { exitCode, report };
  } catch (error) {
    const code = errorExitCode(error);
    if (code !== undefined) {
      err.write(`dailysync: error: ${(error as Error).message}\n`);
      return { exitCode: code };
    }
    err.write(`dailysync: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return { exitCode: EXIT.failed };
  } finally {
    if (ctx.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
