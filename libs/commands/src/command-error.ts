import { errorExitCode } from '@dailysync/sync';

/** Set DAILYSYNC_DEBUG=1 to see the stack of an unexpected error (people see one line). */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['DAILYSYNC_DEBUG'] === '1' || env['DAILYSYNC_DEBUG'] === 'true';
}

/**
 * Prints a command's failure and returns its exit status: a known error (bad input, lock, safety
 * refusal, interruption) as one `dailysync: error:` line with its own status; anything else as one
 * `dailysync: unexpected error:` line and 1, with the stack only under DAILYSYNC_DEBUG=1.
 */
export function reportCommandError(error: unknown, err: NodeJS.WritableStream): number {
  const code = errorExitCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined) {
    err.write(`dailysync: error: ${message}\n`);
    return code;
  }
  if (debugEnabled()) {
    err.write(`dailysync: unexpected error: ${(error as Error).stack ?? message}\n`);
  } else {
    err.write(`dailysync: unexpected error: ${message.split('\n')[0]} (a bug or an unusual system state; rerun with DAILYSYNC_DEBUG=1 for the stack and report it)\n`);
  }
  return 1;
}
