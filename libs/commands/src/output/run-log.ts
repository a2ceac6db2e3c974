import fs from 'node:fs';
import { ConfigError } from '@dailysync/sync';

export interface RunLogOptions {
  /** Where people read the run (stdout, or stderr with --json). */
  stream: NodeJS.WritableStream;
  /** Prefix every line on the stream with an ISO-8601 time (plain output: logs, journald, CI). */
  timestamps: boolean;
  /** --quiet: only the summary and errors reach the stream (the log file still gets everything). */
  quiet: boolean;
  /** --log-file: every line, timestamped, appended (opened before anything runs, so a bad path writes nothing). */
  logFile?: string;
  now?: () => Date;
}

export type LineKind = 'progress' | 'summary' | 'error';

/** Matches ANSI escape sequences (colours, cursor moves), which never belong in a log. */
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(\x07|\x1b\\)/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Opens --log-file for appending, or explains in one line why it cannot be. */
export function openLogFile(file: string): number {
  if (file.trim() === '') throw new ConfigError('--log-file is empty: give a file to append the run\'s lines to, e.g. --log-file=/var/log/dailysync.log');
  try {
    return fs.openSync(file, 'a');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`--log-file ${file} cannot be opened for appending (${code}): give a writable file in an existing folder`);
  }
}

/**
 * The run's human lines: to the stream (with timestamps in plain output, filtered by --quiet) and
 * to the log file (always timestamped, never coloured). Writes to the file are synchronous so the
 * lines before a crash or a kill are there.
 */
export class RunLog {
  private fd: number | undefined;

  constructor(private readonly options: RunLogOptions) {
    if (options.logFile !== undefined) this.fd = openLogFile(options.logFile);
  }

  get quiet(): boolean {
    return this.options.quiet;
  }

  /** One or more lines (a trailing newline is implied). */
  line(text: string, kind: LineKind = 'progress'): void {
    const time = (this.options.now?.() ?? new Date()).toISOString();
    const lines = stripAnsi(text).split('\n');
    if (this.fd !== undefined) fs.writeSync(this.fd, lines.map((l) => `${time} ${l}`).join('\n') + '\n');
    if (this.options.quiet && kind === 'progress') return;
    this.options.stream.write((this.options.timestamps ? lines.map((l) => (l === '' ? l : `${time} ${l}`)) : lines).join('\n') + '\n');
  }

  /** Lines only the log file gets (the live view already shows them on the terminal). */
  fileOnly(text: string): void {
    if (this.fd === undefined) return;
    const time = (this.options.now?.() ?? new Date()).toISOString();
    fs.writeSync(this.fd, stripAnsi(text).split('\n').map((l) => `${time} ${l}`).join('\n') + '\n');
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
