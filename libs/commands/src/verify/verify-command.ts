import path from 'node:path';
import { findRestorePoint, formatVerifyResult, openSnapshotRoot, verifyBackup, writeJsonReport, type VerifyResult } from '@dailysync/sync';
import { reportCommandError } from '../command-error.js';
import { withConfigFile } from '../config/with-config-file.js';

/** Options of `dailysync verify` and of the Nx `verify` executor. */
export interface VerifyCommandOptions {
  source?: string;
  dest?: string;
  /** Compare contents (slow, thorough) instead of size and modification time (fast). */
  checksum?: boolean;
  /** Snapshot to compare with: `latest`, a snapshot name or a UTC date; default the newest snapshot when the backup has any, else the mirror. */
  at?: string;
  /** Write the result as JSON here (relative paths are resolved against the working directory). */
  report?: string;
  /** Read options from this dailysync.config.json; options given here override its values. */
  config?: string;
}

export interface VerifyCommandContext {
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** The folder to compare: the snapshot --at names (the newest by default when there are snapshots), else the mirror at --dest. */
async function verifiedTree(options: VerifyCommandOptions): Promise<string> {
  const dest = options.dest ?? '';
  // verifyBackup reports a missing or relative --dest in its own words.
  if (!dest.startsWith('/')) return dest;
  const root = openSnapshotRoot({ dest });
  if (options.at === undefined && (await root.read()).entries.every((s) => s.state !== 'complete')) return dest;
  return (await findRestorePoint(root, options.at ?? 'latest')).dir;
}

/** Exit 0 when nothing is missing or different, 1 when something is, 2 for bad usage. Never throws. */
export async function runVerifyCommand(options: VerifyCommandOptions, ctx: VerifyCommandContext = {}): Promise<{ exitCode: number; result?: VerifyResult }> {
  const out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
  try {
    options = await withConfigFile('verify', options, ctx.cwd ?? process.cwd());
    const dest = await verifiedTree(options);
    const result = await verifyBackup({ source: options.source ?? '', dest, checksum: options.checksum ?? false, signal: ctx.signal });
    out.write(`${formatVerifyResult(result)}\n`);
    if (options.report !== undefined && options.report.trim() !== '') {
      const file = path.resolve(ctx.cwd ?? process.cwd(), options.report);
      await writeJsonReport(file, result);
      out.write(`Report written to ${file}\n`);
    }
    return { exitCode: result.ok ? 0 : 1, result };
  } catch (error) {
    return { exitCode: reportCommandError(error, err) };
  }
}
