import fs from 'node:fs/promises';
import { writtenAsRemote } from '../location/location.js';
import { ConfigError } from '../errors.js';
import { checkPathsDoNotOverlap } from '../preflight.js';
import { runRsync } from '../rsync/run.js';
import { STATE_DIR_NAME } from '../state/run-state.js';

export interface VerifyOptions {
  /** Absolute path of the tree that was backed up. */
  source: string;
  /** Absolute path of the backup root. */
  dest: string;
  /** Compare file contents (rsync --checksum) instead of size and modification time. */
  checksum?: boolean;
  /** Names kept per list (missing, different, extra); the counts are always complete. */
  listLimit?: number;
  rsyncPath?: string;
  signal?: AbortSignal;
}

export interface VerifyResult {
  source: string;
  dest: string;
  mode: 'size-and-time' | 'checksum';
  /** True when nothing is missing from the backup and nothing differs. Extra files do not fail it. */
  ok: boolean;
  /** In the source, not in the backup. */
  missing: string[];
  /** In both, but the backup copy differs (size or time; or content with checksum). */
  different: string[];
  /** In the backup, not in the source (left by earlier runs without --delete). */
  extra: string[];
  /** Same content, other metadata (permissions, owner, times of files with --checksum). Informational. */
  attributesOnly: number;
  counts: { checked: number; missing: number; different: number; extra: number };
  /** rsync's exit code and message when it could not compare everything (the result is then not ok). */
  error: string | null;
  durationMs: number;
}

function requireAbsolute(name: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new ConfigError(`--${name} is missing: give the absolute path, e.g. --${name}=/data/${name === 'source' ? 'prod' : 'prod_backup'}`);
  if (writtenAsRemote(value)) {
    throw new ConfigError(`--${name} ${value} is remote: verify compares two trees on this machine; run it on the backup host, or mount the share and give its path`);
  }
  if (!value.startsWith('/')) throw new ConfigError(`--${name} "${value}" is not an absolute path: give e.g. "$PWD/${value}"`);
  const stripped = value.replace(/\/+$/, '');
  return stripped === '' ? '/' : stripped;
}

async function requireDirectory(name: string, dir: string): Promise<void> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new ConfigError(`--${name} ${dir} is not an existing directory: check the path and that it is mounted`);
}

/**
 * Proves a backup holds everything the source holds: one rsync dry run over the whole tree
 * (`-n --delete -i`, plus `--checksum` for the thorough mode) lists what a sync would still
 * copy (missing or different) and delete (extra). Writes nothing. Names are exact, whatever
 * bytes they contain, because rsync compares them itself.
 */
export async function verifyBackup(options: VerifyOptions): Promise<VerifyResult> {
  const started = Date.now();
  const source = requireAbsolute('source', options.source);
  const dest = requireAbsolute('dest', options.dest);
  await requireDirectory('source', source);
  await requireDirectory('dest', dest);
  await checkPathsDoNotOverlap(source, dest);
  const limit = options.listLimit ?? 1000;
  const result: VerifyResult = {
    source,
    dest,
    mode: options.checksum ? 'checksum' : 'size-and-time',
    ok: false,
    missing: [],
    different: [],
    extra: [],
    attributesOnly: 0,
    counts: { checked: 0, missing: 0, different: 0, extra: 0 },
    error: null,
    durationMs: 0,
  };
  const add = (list: 'missing' | 'different' | 'extra', name: string): void => {
    result.counts[list] += 1;
    if (result[list].length < limit) result[list].push(name);
  };
  const args = ['--archive', '--hard-links', '--numeric-ids', '--dry-run', '--delete', '--stats', '--out-format=%i %n%L', `--exclude=/${STATE_DIR_NAME}/`];
  if (options.checksum) args.push('--checksum');
  args.push('--', `${source}/`, `${dest}/`);
  const run = await runRsync({
    rsyncPath: options.rsyncPath ?? 'rsync',
    args,
    signal: options.signal,
    onItem: (name, itemize) => {
      const y = itemize[0];
      const type = itemize[1];
      if (y === '*') {
        if (itemize.startsWith('*deleting')) add('extra', name);
        return;
      }
      if (itemize.slice(2) === '+++++++++') return add('missing', name);
      // A transfer ('>' '<'), a changed link/device ('c' on non-dirs) or a hard link to make: data differs.
      if (y === '>' || y === '<' || y === 'h' || (y === 'c' && type !== 'd')) return add('different', name);
      // '.' = attributes only; directory times change whenever a file is added, so they are not counted.
      if (type !== 'd') result.attributesOnly += 1;
    },
  });
  result.counts.checked = run.stats?.filesTotal ?? 0;
  if (run.classification.status === 'failed' || run.classification.class === 'interrupted') {
    result.error = `rsync exit ${run.exitCode ?? run.signal}: ${run.classification.meaning}${run.stderrTail.trim() ? ` (${run.stderrTail.trim().split('\n').slice(-2, -1)[0] ?? ''})` : ''}`;
  }
  result.ok = result.error === null && result.counts.missing === 0 && result.counts.different === 0;
  result.durationMs = Date.now() - started;
  return result;
}

/** Plain-text summary of a verification, one line per listed name (control characters made visible). */
export function formatVerifyResult(result: VerifyResult): string {
  const visible = (name: string): string => name.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const lines: string[] = [];
  for (const [label, list, count] of [
    ['missing', result.missing, result.counts.missing],
    ['different', result.different, result.counts.different],
    ['extra', result.extra, result.counts.extra],
  ] as const) {
    for (const name of list) lines.push(`${label.padEnd(9)}  ${visible(name)}`);
    if (count > list.length) lines.push(`${label.padEnd(9)}  ... and ${count - list.length} more`);
  }
  if (result.error) lines.push(`error: ${result.error}`);
  const verdict = result.ok ? 'OK' : 'FAILED';
  lines.push(
    `${verdict} (${result.mode === 'checksum' ? 'content checksums' : 'size and modification time'}): ${result.counts.checked} entries checked, ` +
      `${result.counts.missing} missing, ${result.counts.different} different, ${result.counts.extra} extra in ${result.dest} compared with ${result.source}`,
  );
  return lines.join('\n');
}
