import { waitBeforeRetry } from '../engine/backoff.js';
import type { RetryPolicy } from '../engine/run-task.js';
import { runProcess } from '../process/spawn.js';
import { rsyncEnvironment } from '../rsync/args.js';
import { classifyExit, rsyncErrorDetail } from '../rsync/exit-codes.js';
import type { ExitClassification } from '../rsync/types.js';

/** How one short rsync against a remote side ended, after its retries. */
export type RemoteRsyncOutcome =
  | { kind: 'ok'; stdout: string }
  | {
      kind: 'failed';
      attempts: number;
      classification: ExitClassification;
      stderr: string;
      /** rsync's line saying what went wrong (rsyncErrorDetail). */
      detail: string;
      /** Stopped by the caller's signal. */
      interrupted: boolean;
    };

/**
 * Runs one short rsync against a remote side (a listing, a manifest, a removal), retrying
 * connection trouble like a task (the same policy and backoff). Never throws: each caller words
 * its own message from the outcome.
 */
export async function runRemoteRsync(rsyncPath: string, args: string[], options: { retry: RetryPolicy; signal?: AbortSignal }): Promise<RemoteRsyncOutcome> {
  const { retry, signal } = options;
  for (let attempt = 1; ; attempt++) {
    const result = await runProcess(rsyncPath, args, { env: rsyncEnvironment(), ...(signal === undefined ? {} : { signal }) });
    const stderr = result.stderr.toString();
    const classification = classifyExit(result.startError ? 127 : result.exitCode, stderr || (result.startError?.message ?? ''), result.signal);
    if (classification.class === 'ok') return { kind: 'ok', stdout: result.stdout.toString() };
    const giveUp = !classification.retryable || attempt > retry.retries || signal?.aborted === true || !(await waitBeforeRetry(retry, attempt, signal));
    if (giveUp) return { kind: 'failed', attempts: attempt, classification, stderr, detail: rsyncErrorDetail(stderr), interrupted: signal?.aborted === true };
  }
}

/** `after 3 attempts (rsync exit 12: connection reset)`: the common part of the callers' messages. */
export function describeAttempts(outcome: Extract<RemoteRsyncOutcome, { kind: 'failed' }>): string {
  const { attempts, classification, detail } = outcome;
  return `after ${attempts} attempt${attempts === 1 ? '' : 's'} (rsync exit ${classification.exitCode}${detail ? `: ${detail}` : ''})`;
}
