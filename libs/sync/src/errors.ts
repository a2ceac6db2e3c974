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

export function errorExitCode(error: unknown): number | undefined {
  if (error instanceof ConfigError || error instanceof LockedError || error instanceof SafetyError) {
    return error.exitCode;
  }
  return undefined;
}
