import { parseArgs } from 'node:util';
import { CLI_COMMANDS, FlagValueError, optionsFromFlags, parseArgsTable, type CliCommandName } from '@dailysync/commands/options';
import type { DiagnoseCommandOptions, PlanCommandOptions, RestoreCommandOptions, SnapshotsCommandOptions, SyncCommandOptions, VerifyCommandOptions } from '@dailysync/commands';

/**
 * Bad usage: one line that names the problem and the fix (exit 2). Its own class, not the engine's
 * ConfigError, so that parsing (and --help) loads none of the engine.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export type CliCommand =
  | { command: 'help'; of?: CliCommandName }
  | { command: 'version' }
  | { command: 'sync'; options: SyncCommandOptions }
  | { command: 'merge-reports'; files: string[]; out?: string }
  | { command: 'verify'; options: VerifyCommandOptions }
  | { command: 'plan'; options: PlanCommandOptions }
  | { command: 'diagnose'; options: DiagnoseCommandOptions }
  | { command: 'snapshots'; options: SnapshotsCommandOptions }
  | { command: 'restore'; options: RestoreCommandOptions };

/** node:util's parseArgs over the command's table from the option registry; errors become one UsageError line. */
function parseCommand(command: CliCommandName, args: readonly string[]): { options: Record<string, unknown>; positionals: string[]; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: parseArgsTable(command), strict: true, allowPositionals: command === 'merge-reports' });
  } catch (error) {
    throw usageError(command, error);
  }
  const values = parsed.values as Record<string, unknown>;
  try {
    return { options: optionsFromFlags(command, values), positionals: parsed.positionals, help: values['help'] === true };
  } catch (error) {
    if (error instanceof FlagValueError) throw new UsageError(error.message);
    throw error;
  }
}

function usageError(command: CliCommandName, error: unknown): UsageError {
  const message = (error as Error).message.split('\n')[0] ?? String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return new UsageError(`unknown option ${unknown[1]}: run "dailysync ${command} --help" for the options`);
  return new UsageError(`${message.replace(/\.$/, '')}: run "dailysync ${command} --help" for the usage`);
}

export function parseCli(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return { command: 'help' };
  if (first === '--version' || first === '-V') return { command: 'version' };
  if (!(CLI_COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command "${first}": use one of ${CLI_COMMANDS.join(', ')}, e.g. "dailysync sync --source DIR --dest DIR" (see "dailysync --help")`);
  }
  const command = first as CliCommandName;
  const { options, positionals, help } = parseCommand(command, rest);
  if (help) return { command: 'help', of: command };
  switch (command) {
    case 'merge-reports': {
      if (positionals.length === 0) throw new UsageError('merge-reports needs report files: dailysync merge-reports shard-1.json shard-2.json ... [--out merged.json]');
      const out = options['out'] as string | undefined;
      if (out !== undefined && out.trim() === '') throw new UsageError('--out is empty: give a file name for the merged report, e.g. --out=merged.json');
      return { command, files: positionals, ...(out === undefined ? {} : { out }) };
    }
    case 'sync':
      return { command, options: options as SyncCommandOptions };
    case 'plan':
      return { command, options: options as PlanCommandOptions };
    case 'verify':
      return { command, options: options as VerifyCommandOptions };
    case 'diagnose':
      return { command, options: options as DiagnoseCommandOptions };
    case 'snapshots':
      return { command, options: options as SnapshotsCommandOptions };
    case 'restore':
      return { command, options: options as RestoreCommandOptions };
  }
}
