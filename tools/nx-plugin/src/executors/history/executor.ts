import path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { errorExitCode, formatBytes, formatDuration, printableName, runBackup } from '@dailysync/sync';
import { appendHistory, historyEntry } from './history-file.js';
import type { HistoryExecutorSchema } from './schema.js';

/**
 * `nx run <project>:history`: the worked example of docs/extending.md. It runs a backup through
 * the engine API (runBackup + BackupHooks), then records the run in a JSON Lines history file.
 */
export default async function historyExecutor(options: HistoryExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const keep = options.keep ?? 30;
  if (!Number.isInteger(keep) || keep < 1) {
    process.stderr.write(`dailysync: error: --keep "${String(options.keep)}" is not valid: give how many runs to keep, a whole number of at least 1\n`);
    return { success: false };
  }
  const historyFile = path.resolve(context.root, options.historyFile ?? 'dist/dailysync/history.jsonl');
  try {
    const report = await runBackup({
      source: options.source,
      dest: options.dest,
      concurrency: options.concurrency,
      include: options.include,
      exclude: options.exclude,
      hooks: {
        onPlan: ({ tasks }) => log(`history: backing up ${tasks.length} task(s) from ${options.source}`),
        onTaskFinish: (task, result) =>
          log(`${printableName(task.id)}: ${result.status}, ${result.filesTransferred} files, ${formatBytes(result.bytesTransferred)} in ${formatDuration(result.durationMs)}${result.error ? ` (${result.error})` : ''}`),
      },
    });
    const { kept, pruned } = await appendHistory(historyFile, historyEntry(report), keep);
    log(`history: ${report.ok ? 'OK' : 'FAILED'}; run recorded in ${historyFile} (${kept} kept${pruned > 0 ? `, ${pruned} pruned` : ''})`);
    return { success: report.ok };
  } catch (error) {
    // Bad options (ConfigError and friends) are one line; anything else is a bug: show the stack.
    const known = errorExitCode(error) !== undefined;
    process.stderr.write(`dailysync: ${known ? 'error' : 'unexpected error'}: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
    return { success: false };
  }
}
