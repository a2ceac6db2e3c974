import { ConfigError, InterruptedError, RemoteUnreachableError } from '../errors.js';
import type { RetryPolicy } from '../engine/run-task.js';
import { describeAttempts, runRemoteRsync } from './remote-rsync.js';
import { formatLocation, locationOperand, type Location } from './location.js';
import { transportArgs, type TransportSettings } from './transport.js';

export interface ListedEntry {
  name: string;
  isDirectory: boolean;
  /** Size rsync reports (the directory entry's own size for folders). */
  size: number;
}

// `drwxr-xr-x          4,096 2026/01/31 07:17:09 name`: type+permissions, size, date, time, then
// exactly one space before the name (so names with leading spaces survive).
const LIST_LINE = /^([-dlbcps])\S{9}\s+([\d,.]+)\s+\d{4}\/\d{2}\/\d{2}\s+\d{2}:\d{2}:\d{2} (.*)$/;

/** rsync prints unprintable bytes of a name as `\#ooo` (octal); turn them back into bytes. */
function decodeListedName(name: string): string {
  if (!name.includes('\\#')) return name;
  const bytes: number[] = [];
  const raw = Buffer.from(name, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const octal = raw.subarray(i, i + 5).toString('latin1');
    if (/^\\#[0-7]{3}$/.test(octal)) {
      bytes.push(parseInt(octal.slice(2), 8));
      i += 4;
    } else {
      bytes.push(raw[i] ?? 0);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses `rsync --list-only DIR/` output: the direct entries of DIR, without "." itself. */
export function parseListOnly(stdout: string): ListedEntry[] {
  const entries: ListedEntry[] = [];
  for (const line of stdout.split('\n')) {
    const match = LIST_LINE.exec(line);
    if (!match) continue;
    const name = decodeListedName(match[3] ?? '');
    if (name === '.' || name === '') continue;
    entries.push({ name, isDirectory: match[1] === 'd', size: Number((match[2] ?? '0').replace(/[,.]/g, '')) });
  }
  return entries;
}

/**
 * Lists the direct entries of a remote folder with `rsync --list-only`, retrying connection
 * trouble like a task. A missing folder or a connection that stays down is a ConfigError: no plan
 * can be made without the listing.
 */
export async function listRemoteDirectory(
  location: Location,
  settings: TransportSettings & { rsyncPath: string },
  retry: RetryPolicy,
  signal?: AbortSignal,
): Promise<ListedEntry[]> {
  const args = ['--list-only', ...transportArgs(settings), '--', locationOperand(location, '', true)];
  const outcome = await runRemoteRsync(settings.rsyncPath, args, { retry, ...(signal === undefined ? {} : { signal }) });
  if (outcome.kind === 'ok') return parseListOnly(outcome.stdout);
  if (outcome.interrupted) throw new InterruptedError(`interrupted while listing --source ${formatLocation(location)}: nothing was written`);
  const what = `--source ${formatLocation(location)} could not be listed ${describeAttempts(outcome)}`;
  // A connection that stays down is an outage (exit 1, like a failed task), not bad usage.
  if (outcome.classification.retryable) throw new RemoteUnreachableError(`${what}: the host is not reachable; nothing was written, the next run retries`);
  throw new ConfigError(`${what}: check the host, the path and the ssh/daemon settings`);
}
