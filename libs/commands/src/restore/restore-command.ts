import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, MAX_ABORT_LISTENERS, findRestorePoint, formatSummaryTable, parseConcurrency, runBackup, writeJsonReport, type BackupReport } from '@dailysync/sync';
import { reportCommandError } from '../command-error.js';
import { openBackupRoot, sshSettingsOf, type SshCommandOptions } from '../snapshots/backup-root.js';
import { applyDefaults } from '../options/registry.js';
import { RunLog } from '../output/run-log.js';
import { ListrView } from '../sync/listr-view.js';
import { PlainView } from '../sync/plain-view.js';
import { checkOutputFile, completeRecord, recordError, recordWithoutReport, writeRunRecord, type RunRecordSink } from '../sync/run-record.js';
import { EXIT } from '../sync/sync-command.js';

/** Options of `dailysync restore` and of the Nx `restore` executor. */
export interface RestoreCommandOptions extends SshCommandOptions {
  /** Backup root (mirror or snapshot mode): a local path, user@host:/path (ssh) or rsync://host/module/path (daemon). */
  dest?: string;
  /** `latest` (default), a snapshot name, or a UTC date/time: the newest snapshot at or before it. */
  at?: string;
  /** Projects to restore; empty: the whole tree, root files included. */
  project?: string[] | string;
  /** Folder to restore into. */
  to?: string;
  /** Restore into a --to that already holds files (files there with other names stay). */
  force?: boolean;
  /** Allow --to to be the production tree the backup was made from. */
  overwriteSource?: boolean;
  /** Delete files in --to that the restore point does not have (within the restored projects). */
  delete?: boolean;
  /** The production tree, when known from a config file: --to equal to it needs overwriteSource. */
  source?: string;
  concurrency?: number | string;
  dryRun?: boolean;
  report?: string;
  output?: 'auto' | 'tty' | 'plain';
}

export interface RestoreCommandContext {
  cwd?: string;
  stdout?: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
  handleSignals?: boolean;
  signal?: AbortSignal;
}

/** The concurrency for a record of a run that never started: the value asked for when it is valid. */
function safeConcurrency(value: unknown): number | 'auto' {
  try {
    return parseConcurrency(value as number | string | undefined);
  } catch {
    return 'auto';
  }
}

async function realOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return path.resolve(p);
  }
}

async function entriesOf(dir: string): Promise<string[] | undefined> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Copies a restore point back with the backup engine (same concurrency, splitting, guards and
 * report): source = the snapshot (or mirror), dest = --to. Refuses a non-empty --to without
 * --force, and the production tree itself without --overwrite-source. Never throws. With --report,
 * every exit (refusal, bad input, interruption, error) writes a run record, as sync does.
 */
export async function runRestoreCommand(options: RestoreCommandOptions, ctx: RestoreCommandContext = {}): Promise<{ exitCode: number; report?: BackupReport }> {
  const out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
  const controller = new AbortController();
  // Every rsync of the deletion count listens on it at once (removed when each ends): not a leak.
  setMaxListeners(MAX_ABORT_LISTENERS, controller.signal);
  const onSignal = (): void => controller.abort();
  ctx.signal?.addEventListener('abort', onSignal, { once: true });
  if (ctx.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const startedAt = new Date();
  const cwd = ctx.cwd ?? process.cwd();
  // Defaults only after the caller's options are in (no executor-schema defaults): any value set wins.
  options = applyDefaults('restore', options);
  const sinks: RunRecordSink[] = [];
  let report: BackupReport | undefined;
  let view: ListrView | PlainView | undefined;
  let failure: unknown;
  let where: { source?: string; dest?: string } = { source: options.dest, dest: options.to };
  try {
    if (options.report !== undefined) {
      if (options.report.trim() === '') throw new ConfigError('--report is empty: give a file name, e.g. --report=restore-report.json');
      const reportPath = path.resolve(cwd, options.report);
      await checkOutputFile('report', reportPath);
      sinks.push({ label: 'Report', file: reportPath, write: (record) => writeJsonReport(reportPath, record) });
    }
    if (options.dest === undefined || options.dest.trim() === '') throw new ConfigError('--dest is missing: give the backup root to restore from, e.g. --dest=/data/prod_backup');
    if (options.to === undefined || options.to.trim() === '') throw new ConfigError('--to is missing: give the folder to restore into, e.g. --to=/data/restore');
    const root = openBackupRoot(options.dest, options, cwd, controller.signal);
    const to = path.resolve(cwd, options.to);
    where = { source: root.dest, dest: to };
    const point = await findRestorePoint(root, options.at ?? 'latest');
    where = { source: point.dir, dest: to };
    const projects = (typeof options.project === 'string' ? [options.project] : (options.project ?? [])).flatMap((p) => p.split(',')).filter((p) => p !== '');
    const folders = projects.length === 0 ? [] : (await root.topEntries(point.dir)).filter((e) => e.isDirectory).map((e) => e.name);
    for (const project of projects) {
      if (!folders.includes(project) || point.ownEntries.includes(project)) {
        throw new ConfigError(`project "${project}" is not in ${point.label === 'mirror' ? 'the mirror' : `snapshot ${point.label}`} (${point.dir}): list its folders, or pick another --at`);
      }
    }
    const production = options.source ?? point.snapshot?.manifest.source;
    if (production !== undefined && !production.includes(':') && (await realOrSelf(production)) === (await realOrSelf(to)) && !options.overwriteSource) {
      throw new ConfigError(`--to ${to} is the production tree this backup was made from: add --overwrite-source to restore over it (add --delete only to also remove files the backup does not have)`);
    }
    const existing = await entriesOf(to);
    // Checked here so the message names --to (the engine would call it the backup root).
    if (existing === undefined && !(await fs.stat(path.dirname(to)).catch(() => undefined))?.isDirectory()) {
      throw new ConfigError(`--to ${to} cannot be created: its parent ${path.dirname(to)} does not exist; create it first (mkdir -p "${path.dirname(to)}") or pick another folder`);
    }
    // Restoring one project only meets that project's folder; a whole tree meets everything.
    const inTheWay = projects.length > 0 ? (existing ?? []).filter((e) => projects.includes(e)) : (existing ?? []);
    if (inTheWay.length > 0 && !options.force && !options.overwriteSource) {
      throw new ConfigError(`--to ${to} is not empty (${inTheWay.slice(0, 3).join(', ')}${inTheWay.length > 3 ? ', ...' : ''}): restore into an empty folder, or add --force to write over files there`);
    }
    out.write(`Restoring ${point.label === 'mirror' ? 'the mirror' : `snapshot ${point.label}`} (${point.dir})${projects.length ? `, projects ${projects.join(', ')}` : ''} into ${to}\n`);
    const isTTY = (out as NodeJS.WriteStream).isTTY === true;
    const mode = options.output === 'tty' || (options.output !== 'plain' && isTTY) ? 'tty' : 'plain';
    // The same views as a sync: live rows on a terminal, timestamped plain lines otherwise.
    view = mode === 'tty' ? new ListrView({ throttleMs: 200 }) : new PlainView({ log: new RunLog({ stream: out, timestamps: true, quiet: false }), throttleMs: 15000, periodMs: 30000 });
    report = await runBackup({
      source: point.dir,
      dest: to,
      // A snapshot on an ssh backup root is read over the same connection settings.
      ...(root.location.kind === 'ssh' ? sshSettingsOf(options) : {}),
      include: projects,
      // dailysync's own folders in the backup (state, and the snapshots beside a mirror) are not data.
      exclude: point.ownEntries,
      delete: options.delete ?? false,
      dryRun: options.dryRun ?? false,
      concurrency: parseConcurrency(options.concurrency),
      // The run state of a restore must not land in --to (it may be the production tree).
      // One state per restore point and target, so the guards never compare unrelated restores.
      stateRoot: path.join(os.tmpdir(), 'dailysync-restore-state', createHash('sha256').update(`${point.dir}\0${to}`).digest('hex').slice(0, 16)),
      hooks: view.hooks(),
      signal: controller.signal,
    });
    // dailysync's own folders were left out on purpose: not "skipped projects" to the reader.
    const hidden = report.projects.filter((p) => p.status === 'skipped' && point.ownEntries.includes(p.name)).length;
    report.projects = report.projects.filter((p) => !(p.status === 'skipped' && point.ownEntries.includes(p.name)));
    report.totals = { ...report.totals, projects: report.totals.projects - hidden, skipped: report.totals.skipped - hidden };
  } catch (error) {
    failure = error;
  }
  try {
    // The live view draws its last frame before anything else is printed.
    await view?.close('not run: the restore stopped before this task');
    let exitCode: number;
    let record: BackupReport;
    if (report !== undefined) {
      out.write(`\n${formatSummaryTable(report)}\n`);
      exitCode = report.interrupted ? EXIT.interrupted : report.ok ? EXIT.ok : EXIT.failed;
      record = completeRecord(report, exitCode);
      if (report.error !== undefined) err.write(`dailysync: error: ${report.error.message}\n`);
    } else {
      exitCode = controller.signal.aborted ? EXIT.interrupted : reportCommandError(failure, err);
      if (controller.signal.aborted) err.write(`dailysync: error: ${recordError(failure).message}\n`);
      record = recordWithoutReport(
        { ...where, startedAt, dryRun: options.dryRun, delete: options.delete, concurrency: safeConcurrency(options.concurrency), interrupted: controller.signal.aborted },
        exitCode,
        recordError(failure),
      );
    }
    const written = await writeRunRecord(record, sinks, out, err);
    if (!written && exitCode === EXIT.ok) exitCode = EXIT.failed;
    return { exitCode, ...(report === undefined ? {} : { report: record }) };
  } catch (error) {
    return { exitCode: reportCommandError(error, err) };
  } finally {
    if (ctx.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
