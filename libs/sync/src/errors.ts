/**
 * A problem with what the user asked for (options, paths, environment) found before anything is
 * written. Its message is one line that names the problem and the fix; front ends exit with 2.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly exitCode = 2;
}

/** Another dailysync run already holds the lock for the same source/destination pair (exit 75). */
export class LockedError extends Error {
  override readonly name = 'LockedError';
  readonly exitCode = 75;
}

/** A safety guard refused to run because data in the backup could be lost; front ends exit with 2. */
export class SafetyError extends Error {
  override readonly name = 'SafetyError';
  readonly exitCode = 2;
}

/** The run was stopped by a signal (SIGINT, SIGTERM, SIGHUP) before the transfer; front ends exit with 130. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  readonly exitCode = 130;
}

/** A file the run needs (lock, state) could not be written: full disk, read-only or unwritable backup root; exit 1. */
export class WriteError extends Error {
  override readonly name = 'WriteError';
  readonly exitCode = 1;
}

/** A remote side stayed unreachable after the retries (connection refused, timeout): an outage, exit 1, not bad usage. */
export class RemoteUnreachableError extends Error {
  override readonly name = 'RemoteUnreachableError';
  readonly exitCode = 1;
}

export function errorExitCode(error: unknown): number | undefined {
  if (error instanceof ConfigError || error instanceof LockedError || error instanceof SafetyError || error instanceof InterruptedError || error instanceof WriteError || error instanceof RemoteUnreachableError) {
    return error.exitCode;
  }
  return undefined;
}
