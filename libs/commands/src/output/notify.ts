import { ConfigError } from '@dailysync/sync';
import type { RunOutcome } from './prometheus.js';

export interface NotifyOptions {
  /** Per request; a monitoring endpoint that hangs must not hold the backup. Default 10 s. */
  timeoutMs?: number;
  /** Extra attempts after a failed request (network error, timeout, 5xx, 429). Default 2. */
  retries?: number;
  /** Wait before the first retry; doubles each time. Default 1 s. */
  backoffMs?: number;
  /** Where a ping that could not be delivered is reported (one warning line). */
  warn: (line: string) => void;
}

export type PingKind = 'start' | 'success' | 'fail';

/** Checks --notify-url before the run, so a typo is a one-line error and not a silent night. */
export function parseNotifyUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--notify-url "${value}" is not a URL: give the check's ping URL, e.g. --notify-url=https://hc-ping.com/<uuid>`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`--notify-url "${value}" must be http:// or https://: give the check's ping URL, e.g. --notify-url=https://hc-ping.com/<uuid>`);
  }
  return url;
}

/** healthchecks.io style: URL/start when the run starts, URL on success, URL/fail on failure. */
export function pingUrl(base: URL, kind: PingKind): string {
  if (kind === 'success') return base.href;
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${kind}`;
  return url.href;
}

/** The body of the success or failure ping: exit status and a few lines a person can act on (health-check services show it). */
export function pingSummary(outcome: RunOutcome): string {
  const r = outcome.report;
  const lines = [`dailysync exit ${outcome.exitCode}`];
  if (outcome.error !== undefined) lines.push(outcome.error);
  if (r) {
    const t = r.totals;
    lines.push(
      `${r.interrupted ? 'INTERRUPTED' : r.ok ? 'OK' : 'FAILED'}${r.dryRun ? ' (dry run)' : ''}: ${t.ok} ok, ${t.warning} warning, ${t.failed} failed, ${t.skipped} skipped; ` +
        `${t.filesTransferred} files, ${t.bytesTransferred} bytes transferred, ${t.filesDeleted} deleted in ${(r.durationMs / 1000).toFixed(1)} s`,
    );
    const bad = r.projects.filter((p) => p.status === 'failed' || p.status === 'interrupted');
    for (const p of bad.slice(0, 20)) lines.push(`${p.name}: ${p.status}${p.error ? `: ${p.error}` : ''}`);
    if (bad.length > 20) lines.push(`… and ${bad.length - 20} more (see the report)`);
  }
  // Health-check services keep the first 10 kB or so of a body.
  return lines.join('\n').slice(0, 10_000);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends one ping with a timeout and retries. Never throws: a monitoring outage must not fail the
 * backup; it only prints a warning. Returns whether the ping was delivered.
 */
export async function sendPing(base: URL, kind: PingKind, body: string, options: NotifyOptions): Promise<boolean> {
  const url = pingUrl(base, kind);
  const retries = options.retries ?? 2;
  let backoff = options.backoffMs ?? 1000;
  let last = '';
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (attempt > 0) {
      await sleep(backoff);
      backoff *= 2;
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'user-agent': 'dailysync' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return true;
      last = `HTTP ${response.status}`;
      // A 4xx other than 429 will not get better by asking again (wrong URL, unknown check).
      if (response.status < 500 && response.status !== 429) break;
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      last = e.name === 'TimeoutError' ? `no answer within ${options.timeoutMs ?? 10_000} ms` : (e.cause?.code ?? e.message);
    }
  }
  // The ping URL's path is often the check's secret: name the host only.
  options.warn(`dailysync: warning: the ${kind} ping to ${new URL(url).host} was not delivered (${last}); the backup result is not affected`);
  return false;
}
