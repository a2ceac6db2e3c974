import { errorExitCode } from '@dailysync/sync';

/**
 * Prints a command's failure and returns its exit status: a known error (bad input, lock, safety
 * refusal) as one `dailysync: error:` line with its own status; anything else with its stack and 1,
 * since that is a bug to report rather than something the user can fix.
 */
export function reportCommandError(error: unknown, err: NodeJS.WritableStream): number {
  const code = errorExitCode(error);
  if (code !== undefined) {
    err.write(`dailysync: error: ${(error as Error).message}\n`);
    return code;
  }
  err.write(`dailysync: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  return 1;
}
