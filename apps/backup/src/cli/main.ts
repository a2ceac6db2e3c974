import path from 'node:path';
import { reportCommandError, runDiagnoseCommand, runMergeReportsCommand, runPlanCommand, runSyncCommand, runVerifyCommand } from '@dailysync/commands';
import { HELP } from './help.js';
import { appPackageDir, installedVersions } from './installed.js';
import { parseCli } from './parse.js';

/**
 * Where the demo tree lives: the workspace root (two levels above apps/backup) in this repository;
 * the current folder for an installed `dailysync`, never inside node_modules.
 */
export function workspaceRootFromHere(): string {
  const appDir = appPackageDir();
  return appDir.split(path.sep).includes('node_modules') ? process.cwd() : path.resolve(appDir, '../..');
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
      process.stdout.write(installedVersions());
      return 0;
    case 'sync': {
      const { exitCode } = await runSyncCommand(parsed.options, { workspaceRoot: workspaceRootFromHere(), handleSignals: true });
      return exitCode;
    }
    case 'verify':
      return (await runVerifyCommand(parsed.options)).exitCode;
    case 'plan':
      return (await runPlanCommand(parsed.options)).exitCode;
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
