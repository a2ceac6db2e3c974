import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitBeforeRetry } from '../engine/backoff.js';
import type { RetryPolicy } from '../engine/run-task.js';
import type { AttemptRecord } from '../report/types.js';
import { runRsync, type RsyncRunResult } from '../rsync/run.js';
import { locationOperand, type Location } from './location.js';
import { transportArgs, type TransportSettings } from './transport.js';

export interface RemoteRootOutcome {
  ok: boolean;
  attempts: AttemptRecord[];
  /** The last attempt's result (exit code, classification, stderr). */
  last: RsyncRunResult;
}

/**
 * Creates the remote backup root if missing, like `mkdir` (never its parents, so a backup volume
 * that is not mounted on the remote host is not papered over), by copying an empty folder's contents
 * into it without attributes. It is also the connection check: transient failures (refused
 * connection, timeouts) are retried with the task policy, so a remote that stays down fails the run
 * once instead of every task failing on its own.
 */
export async function ensureRemoteRoot(
  location: Location,
  settings: TransportSettings & { rsyncPath: string; dryRun: boolean },
  retry: RetryPolicy,
  signal?: AbortSignal,
): Promise<RemoteRootOutcome> {
  const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'dailysync-empty-'));
  try {
    const args = ['--dirs', ...transportArgs(settings), ...(settings.dryRun ? ['--dry-run'] : []), '--', `${empty}/`, locationOperand(location, '')];
    const attempts: AttemptRecord[] = [];
    for (let attempt = 1; ; attempt++) {
      const last = await runRsync({ rsyncPath: settings.rsyncPath, args, signal });
      const c = last.classification;
      attempts.push({ attempt, exitCode: last.exitCode ?? null, class: c.class, meaning: c.meaning, durationMs: last.durationMs });
      if (c.class === 'ok' || c.class === 'warning') return { ok: true, attempts, last };
      if (!c.retryable || attempt > retry.retries || signal?.aborted) return { ok: false, attempts, last };
      if (!(await waitBeforeRetry(retry, attempt, signal))) return { ok: false, attempts, last };
    }
  } finally {
    await fs.rm(empty, { recursive: true, force: true });
  }
}

/**
 * Creates the folders of split tasks in a remote backup before the tasks start (on a local backup
 * prepareSubtreeDestination does it): a split folder's own pass and the parts below it start
 * together, and two rsyncs creating one folder at once make the slower one fail. (Not a project's
 * own folder: this skeleton copy would replace a file of that name unreported, where the root pass
 * deletes it counted and listed.) One rsync copies
 * a skeleton of empty folders, recursively but without attributes or deletion, so existing folders
 * are left as they are; the tasks set the attributes. Returns the rsync result.
 */
export async function ensureRemoteFolders(
  location: Location,
  relPaths: readonly string[],
  settings: TransportSettings & { rsyncPath: string },
  signal?: AbortSignal,
): Promise<RsyncRunResult | undefined> {
  if (relPaths.length === 0) return undefined;
  const skeleton = await fs.mkdtemp(path.join(os.tmpdir(), 'dailysync-skeleton-'));
  try {
    for (const rel of relPaths) await fs.mkdir(path.join(skeleton, rel), { recursive: true });
    const args = ['--recursive', ...transportArgs(settings), '--', `${skeleton}/`, locationOperand(location, '')];
    return await runRsync({ rsyncPath: settings.rsyncPath, args, signal });
  } finally {
    await fs.rm(skeleton, { recursive: true, force: true });
  }
}
