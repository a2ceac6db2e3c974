import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '@dailysync/sync';
import { reportCommandError, runDiagnoseCommand, runMergeReportsCommand, runPlanCommand, runRestoreCommand, runSnapshotsCommand, runSyncCommand, runVerifyCommand } from '@dailysync/commands';
import { HELP } from './help.js';
import { parseCli } from './parse.js';

/** The workspace root, four levels above this file (apps/backup/src/cli). */
export function workspaceRootFromHere(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
}

/** The `dailysync` program. Returns the exit status instead of exiting, so tests can call it. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    // Parsing only throws ConfigError: a usage problem (exit 2).
    return reportCommandError(error, process.stderr);
  }
  switch (parsed.command) {
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case 'version':
      process.stdout.write(`dailysync ${VERSION}\n`);
      return 0;
    case 'sync': {
      const { exitCode } = await runSyncCommand(parsed.options, { workspaceRoot: workspaceRootFromHere(), handleSignals: true });
      return exitCode;
    }
    case 'verify':
      return (await runVerifyCommand(parsed.options)).exitCode;
    case 'plan':
      return (await runPlanCommand(parsed.options)).exitCode;
    case 'snapshots':
      return (await runSnapshotsCommand(parsed.options)).exitCode;
    case 'restore':
      return (await runRestoreCommand(parsed.options, { handleSignals: true })).exitCode;
    case 'diagnose':
      return (await runDiagnoseCommand(parsed.options)).exitCode;
    case 'merge-reports':
      try {
        return (await runMergeReportsCommand(parsed)).exitCode;
      } catch (error) {
        return reportCommandError(error, process.stderr);
      }
  }
}
