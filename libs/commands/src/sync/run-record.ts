import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, VERSION, type BackupReport } from '@dailysync/sync';

/**
 * The run record: what a sync leaves behind for monitors (JSON report, JUnit XML, the `--json`
 * report event, the HTML report), written once from the sync command's `finally`, whatever the
 * run's end: success, failed projects, bad input, a guard or lock refusal, an interruption or an
 * unexpected error. Other kinds of record (a metrics file, a webhook) are added as one more
 * RunRecordSink; they then get the same record on every exit path.
 */

/** Version of the report's shape; 2 added exitCode, hostname, schemaVersion and error. */
export const REPORT_SCHEMA_VERSION = 2;

/** Why a run did not get to (or through) the transfer: one line for people, and the error's class for programs. */
export interface RunRecordError {
  message: string;
  class: string;
}

/** One destination of the run record. */
export interface RunRecordSink {
  /** What the confirmation line calls it, e.g. "Report" ("Report written to FILE"). */
  label: string;
  /** The file written, if any: checked before the backup starts, named in messages. */
  file?: string;
  write: (record: BackupReport) => Promise<void> | void;
}

/** What is known about a run that ended before its engine returned a report. */
export interface RunWithoutReport {
  source?: string;
  dest?: string;
  startedAt: Date;
  dryRun?: boolean;
  delete?: boolean;
  concurrency?: number | 'auto';
  interrupted: boolean;
}

/** The error as the record carries it: its first line only (no stack), and its class name. */
export function recordError(error: unknown): RunRecordError {
  const message = error instanceof Error ? error.message : String(error);
  const className = error instanceof Error ? error.name || error.constructor.name : typeof error;
  return { message: message.split('\n')[0] ?? '', class: className };
}

/** Adds what every record carries to an engine report (a new object; the report is not changed). */
export function completeRecord(report: BackupReport, exitCode: number, error?: RunRecordError): BackupReport {
  return { ...report, schemaVersion: REPORT_SCHEMA_VERSION, hostname: os.hostname(), exitCode, ...(error === undefined ? {} : { ok: false, error }) };
}

/** The record of a run that stopped before the transfer: no projects, zero counts, `error` set. */
export function recordWithoutReport(run: RunWithoutReport, exitCode: number, error: RunRecordError): BackupReport {
  const finishedAt = new Date();
  return {
    tool: 'dailysync',
    version: VERSION,
    schemaVersion: REPORT_SCHEMA_VERSION,
    hostname: os.hostname(),
    exitCode,
    error,
    startedAt: run.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - run.startedAt.getTime(),
    source: run.source ?? '',
    dest: run.dest ?? '',
    dryRun: run.dryRun ?? false,
    delete: run.delete ?? false,
    concurrency: run.concurrency ?? 'auto',
    rsyncVersion: '',
    ok: false,
    interrupted: run.interrupted,
    totals: { projects: 0, ok: 0, warning: 0, failed: 0, skipped: 0, interrupted: 0, filesTransferred: 0, bytesTransferred: 0, filesDeleted: 0 },
    projects: [],
  };
}

/**
 * Checks, before the backup starts, that an output file can be written: not a directory, its
 * parent a directory (or creatable), writable. A run that could not leave its record refuses to
 * start, so a monitor never reads yesterday's report as today's.
 */
export async function checkOutputFile(option: string, file: string): Promise<void> {
  const stat = await fs.stat(file).catch(() => undefined);
  const example = { report: 'backup-report.json', junit: 'backup-junit.xml', html: 'backup-report.html' }[option] ?? `backup-${option}`;
  if (stat?.isDirectory()) throw new ConfigError(`--${option} ${file} is a directory: give a file name, e.g. --${option}=${path.join(file, example)}`);
  let dir = path.dirname(file);
  for (;;) {
    const parent = await fs.stat(dir).catch(() => undefined);
    if (parent !== undefined) {
      if (!parent.isDirectory()) throw new ConfigError(`--${option} ${file} cannot be written: ${dir} is not a directory; give a path in an existing folder`);
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  try {
    await fs.access(dir, fs.constants.W_OK);
    if (stat !== undefined) await fs.access(file, fs.constants.W_OK);
  } catch {
    throw new ConfigError(`--${option} ${file} cannot be written (no write permission in ${stat === undefined ? dir : file}): fix the permissions or choose another path`);
  }
}

/**
 * Writes the record to every sink. A sink that fails costs one line on `err` (never a stack) and
 * does not stop the others; returns false when any failed, so the run's exit status can say so.
 */
export async function writeRunRecord(record: BackupReport, sinks: readonly RunRecordSink[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<boolean> {
  let allWritten = true;
  for (const sink of sinks) {
    try {
      await sink.write(record);
      if (sink.file !== undefined) out.write(`${sink.label} written to ${sink.file}\n`);
    } catch (error) {
      allWritten = false;
      const reason = (error as NodeJS.ErrnoException).code ?? recordError(error).message;
      err.write(`dailysync: error: could not write the ${sink.label.toLowerCase()}${sink.file === undefined ? '' : ` ${sink.file}`} (${reason}): check free space and permissions there\n`);
    }
  }
  return allWritten;
}
