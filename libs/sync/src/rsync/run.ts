import { describeProcessEnd, startProcess } from '../process/spawn.js';
import { classifyExit } from './exit-codes.js';
import { parseItemizeLine, parseProgressLine, RsyncOutputSplitter } from './progress-parser.js';
import { parseStats } from './stats-parser.js';
import type { ExitClassification, RsyncProgress, RsyncStats } from './types.js';
import { rsyncEnvironment } from './args.js';

export interface RsyncRunHooks {
  onProgress?: (progress: RsyncProgress) => void;
  /** Called with each item rsync reports as changed (path relative to the task's subtree). */
  onItem?: (path: string, itemize: string) => void;
  /** Called with each line rsync writes to stderr. */
  onStderrLine?: (line: string) => void;
}

export interface RsyncRunResult {
  exitCode: number | undefined;
  signal: string | undefined;
  classification: ExitClassification;
  stats: RsyncStats | undefined;
  /** The last part of stderr (bounded), for error messages and classification. */
  stderrTail: string;
  /** Number of items rsync itemized as changed or deleted (counted, not stored). */
  itemsChanged: number;
  itemsDeleted: number;
  /** Regular files itemized as sent or received: what was copied when rsync stopped before its --stats. */
  filesItemized: number;
  /** Bytes sent so far by the last progress record: the amount copied when rsync stopped before its --stats. */
  progressBytes: number;
  durationMs: number;
  pid: number | undefined;
}

export interface RsyncRunOptions extends RsyncRunHooks {
  rsyncPath: string;
  args: string[];
  signal?: AbortSignal;
  /** How long rsync gets to exit after SIGTERM before its process group is killed. */
  killGraceMs?: number;
}

const STDERR_TAIL_BYTES = 64 * 1024;
/**
 * Progress goes to the hooks at most this often per rsync, and once more at its end. rsync writes
 * a progress record after every file: 2,000 one-file projects gave 2,000 calls into the live view,
 * the plain view and `auto` (about 0.1 s of node's CPU), whose values are running totals and whose
 * screen is redrawn at most every 100 ms anyway.
 */
export const PROGRESS_EVERY_MS = 50;
const STATS_START = /^Number of files: /;
/** A progress record starts with its byte count (right-aligned: spaces first); an itemized line or a message does not. */
const LOOKS_LIKE_PROGRESS = /^ *\d/;

/** Sends a signal to the whole process group of a detached child, so rsync's helpers go too. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Runs one rsync process, streaming its output: memory stays bounded whatever the tree size
 * (itemized lines are counted, not kept; stderr keeps only a tail).
 */
export async function runRsync(options: RsyncRunOptions): Promise<RsyncRunResult> {
  const started = Date.now();
  const { child, ended } = startProcess(options.rsyncPath, options.args, {
    // Its own process group: an interruption can stop rsync and its receiver/generator children at once.
    detached: true,
    env: rsyncEnvironment(),
  });
  const stdoutSplitter = new RsyncOutputSplitter();
  const stderrSplitter = new RsyncOutputSplitter();
  let stderrTail = '';
  let stdoutMessages = '';
  let statsText: string | undefined;
  let itemsChanged = 0;
  let itemsDeleted = 0;
  let filesItemized = 0;
  let progressShownAt = -Infinity;
  // The newest progress record not yet handed on, as rsync wrote it: only the newest counts, so
  // records are parsed when one is handed on, not each as it comes (rsync writes two or three per
  // file: 6,000 of the 10,000 records of 2,000 one-file projects).
  let progressNotShown: string | undefined;
  let lastProgress: RsyncProgress | undefined;
  // A record held back is shown when its interval is over, even if rsync writes nothing more by then.
  let progressTimer: NodeJS.Timeout | undefined;
  const showProgress = (): void => {
    const record = progressNotShown;
    progressNotShown = undefined;
    const progress = record === undefined ? undefined : parseProgressLine(record);
    if (progress === undefined) {
      // Not a progress record after all: a message that starts with a number.
      if (record !== undefined) stdoutMessages = (stdoutMessages + record + '\n').slice(-STDERR_TAIL_BYTES);
      return;
    }
    progressShownAt = performance.now();
    lastProgress = progress;
    options.onProgress?.(progress);
  };

  const handleStdoutRecord = (record: string): void => {
    if (statsText !== undefined) {
      statsText += `${record}\n`;
      return;
    }
    if (STATS_START.test(record)) {
      statsText = `${record}\n`;
      return;
    }
    if (LOOKS_LIKE_PROGRESS.test(record)) {
      progressNotShown = record;
      const wait = PROGRESS_EVERY_MS - (performance.now() - progressShownAt);
      if (wait <= 0) {
        showProgress();
        return;
      }
      // Node's timers count whole milliseconds: one more keeps the interval whole.
      progressTimer ??= setTimeout(() => {
        progressTimer = undefined;
        showProgress();
      }, Math.ceil(wait) + 1);
      return;
    }
    const item = parseItemizeLine(record);
    if (item) {
      if (item.changeType === 'deleting') itemsDeleted += 1;
      else itemsChanged += 1;
      if (/^[<>]f/.test(item.itemize)) filesItemized += 1;
      options.onItem?.(item.path, item.itemize);
      return;
    }
    // rsync prints some warnings on stdout (e.g. "IO error encountered -- skipping file deletion").
    stdoutMessages = (stdoutMessages + record + '\n').slice(-STDERR_TAIL_BYTES);
  };
  const handleStderrRecord = (record: string): void => {
    stderrTail = (stderrTail + record + '\n').slice(-STDERR_TAIL_BYTES);
    options.onStderrLine?.(record);
  };

  child.stdout?.on('data', (chunk: Buffer) => stdoutSplitter.push(chunk).forEach(handleStdoutRecord));
  child.stderr?.on('data', (chunk: Buffer) => stderrSplitter.push(chunk).forEach(handleStderrRecord));

  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    signalGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 5000);
    killTimer.unref();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const result = await ended;
  options.signal?.removeEventListener('abort', onAbort);
  if (killTimer) clearTimeout(killTimer);
  stdoutSplitter.flush().forEach(handleStdoutRecord);
  stderrSplitter.flush().forEach(handleStderrRecord);
  if (progressTimer) clearTimeout(progressTimer);
  showProgress();

  const spawnFailed = result.startError !== undefined;
  if (spawnFailed) {
    stderrTail += `rsync could not be started: ${describeProcessEnd(result)}\n`;
  }
  const signal = result.signal;
  const interrupted = options.signal?.aborted === true;
  const classification = classifyExit(spawnFailed ? 127 : result.exitCode, `${stdoutMessages}${stderrTail}`, interrupted ? (signal ?? 'SIGTERM') : signal);
  return {
    exitCode: result.exitCode,
    signal,
    classification,
    stats: statsText === undefined ? undefined : parseStats(statsText),
    stderrTail,
    itemsChanged,
    itemsDeleted,
    filesItemized,
    progressBytes: lastProgress?.bytes ?? 0,
    durationMs: Date.now() - started,
    pid: child.pid,
  };
}
