import type { RetryPolicy } from './run-task.js';

/** Wait before retry `attempt` (1 = before the second try): the policy's backoff, doubled each time. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return policy.backoffMs * 2 ** (attempt - 1);
}

/**
 * The one wait between retries of every retry loop (tasks, remote listing, remote root check):
 * ends early when `signal` aborts, so Ctrl-C never waits out a backoff, and removes its abort
 * listener either way, so long runs do not pile listeners onto one signal. Resolves true when the
 * wait ran out and a retry should follow, false when aborted.
 */
export function waitBeforeRetry(policy: RetryPolicy, attempt: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, backoffMs(policy, attempt));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
