import path from 'node:path';
import { commandHelp, overviewHelp } from '@dailysync/commands/options';
import { appPackageDir, installedVersions } from './installed.js';
import { parseCli, UsageError } from './parse.js';

/**
 * Where the demo tree lives: the workspace root (two levels above apps/backup) in this repository;
 * the current folder for an installed `dailysync`, never inside node_modules.
 */
export function workspaceRootFromHere(): string {
  const appDir = appPackageDir();
  return appDir.split(path.sep).includes('node_modules') ? process.cwd() : path.resolve(appDir, '../..');
}

let outputGuarded = false;
/** Whether a write to stdout failed (its reader went away) since main() first ran. */
let stdoutFailed = false;

/**
 * A closed stdout or stderr (`dailysync sync | head`, a log pipe whose reader died) must not stop
 * a backup half way: Node would throw EPIPE from the next write, killing the run with a stack
 * trace while its rsyncs go on alone, and the report and the state file would never be written.
 * Write errors on the terminal streams are dropped instead; the run ends as it would have, and
 * its report file and exit status still tell how it went.
 */
function keepRunningWhenOutputCloses(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  process.stdout.on('error', () => (stdoutFailed = true));
  process.stderr.on('error', () => undefined);
}

/**
 * With --json, stdout carries the command's result (for sync, the run's report as its last event):
 * when it could not be written, a command that went well still exits 1, as when a --report file
 * cannot be written.
 */
function withJsonDelivered(options: object, exitCode: number): number {
  if (!('json' in options) || options.json !== true || !stdoutFailed || exitCode !== 0) return exitCode;
  process.stderr.write('dailysync: error: the JSON events could not be written: stdout was closed before the end; give --report FILE for a record that does not depend on a reader\n');
  return 1;
}

/**
 * The `dailysync` program. Returns the exit status instead of exiting, so tests can call it.
 * The command layer (and with it execa, listr2, systeminformation and the engine) is imported only
 * once a command runs: --help and --version load nothing but the option registry.
 */
export async function main(argv: readonly string[]): Promise<number> {
  keepRunningWhenOutputCloses();
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`dailysync: error: ${error.message}\n`);
    return error.exitCode;
  }
  switch (parsed.command) {
    case 'help':
      process.stdout.write(parsed.of === undefined ? overviewHelp() : commandHelp(parsed.of));
      return 0;
    case 'version':
      process.stdout.write(installedVersions());
      return 0;
    case 'sync': {
      const { runSyncCommand } = await import('@dailysync/commands/sync');
      return withJsonDelivered(parsed.options, (await runSyncCommand(parsed.options, { workspaceRoot: workspaceRootFromHere(), handleSignals: true })).exitCode);
    }
    case 'verify': {
      const { runVerifyCommand } = await import('@dailysync/commands/verify');
      return (await runVerifyCommand(parsed.options)).exitCode;
    }
    case 'plan': {
      const { runPlanCommand } = await import('@dailysync/commands/plan');
      return withJsonDelivered(parsed.options, (await runPlanCommand(parsed.options)).exitCode);
    }
    case 'diagnose': {
      const { runDiagnoseCommand } = await import('@dailysync/commands/diagnose');
      return withJsonDelivered(parsed.options, (await runDiagnoseCommand(parsed.options)).exitCode);
    }
    case 'snapshots': {
      const { runSnapshotsCommand } = await import('@dailysync/commands/snapshots');
      return withJsonDelivered(parsed.options, (await runSnapshotsCommand(parsed.options)).exitCode);
    }
    case 'restore': {
      const { runRestoreCommand } = await import('@dailysync/commands/restore');
      return (await runRestoreCommand(parsed.options, { handleSignals: true })).exitCode;
    }
    case 'merge-reports': {
      const { runMergeReportsCommand } = await import('@dailysync/commands/merge-reports');
      const { reportCommandError } = await import('@dailysync/commands/command-error');
      try {
        return (await runMergeReportsCommand(parsed)).exitCode;
      } catch (error) {
        return reportCommandError(error, process.stderr);
      }
    }
  }
}
