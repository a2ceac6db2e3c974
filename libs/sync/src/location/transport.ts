import type { Location } from './location.js';
import { buildRshCommand, type SshSettings } from './ssh.js';

export interface TransportSettings {
  sourceLocation: Location;
  destLocation: Location;
  ssh?: SshSettings;
  /** rsync --timeout: seconds without data before rsync gives up (exit 30); 0 = none. */
  timeoutSeconds: number;
}

/** Seconds to wait for a daemon or ssh connection before the attempt fails (and may be retried). */
export const CONNECT_TIMEOUT_SECONDS = 30;

/**
 * rsync options that depend on where the two sides are: how to reach a remote side, and
 * --secluded-args so remote paths with spaces or odd characters travel inside the protocol
 * instead of through the remote shell's word splitting.
 */
export function transportArgs(settings: TransportSettings): string[] {
  const sides = [settings.sourceLocation, settings.destLocation];
  const args: string[] = [];
  if (sides.some((l) => l.kind === 'ssh')) {
    if (settings.ssh === undefined) throw new Error('ssh settings are required for an ssh location');
    args.push('-e', buildRshCommand(settings.ssh));
  }
  if (sides.some((l) => l.kind !== 'local')) args.push('--secluded-args');
  if (sides.some((l) => l.kind === 'daemon')) args.push(`--contimeout=${CONNECT_TIMEOUT_SECONDS}`);
  if (settings.timeoutSeconds > 0) args.push(`--timeout=${settings.timeoutSeconds}`);
  return args;
}
