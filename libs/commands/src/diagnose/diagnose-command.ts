import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatBytes, runProbe, type ProbeResult } from '@dailysync/metrics';
import { ConfigError } from '@dailysync/sync';
import { reportCommandError } from '../command-error.js';
import { withConfigFile } from '../config/with-config-file.js';

/** Options of `dailysync diagnose` and of the Nx `diagnose` executor. */
export interface DiagnoseCommandOptions {
  source?: string;
  dest?: string;
  /** Probe length in seconds (default 15, at most 60). */
  seconds?: number | string;
  /** Print the result as JSON on stdout instead of the human summary. */
  json?: boolean;
  /** Read options from this dailysync.config.json; options given here override its values. */
  config?: string;
}

export interface DiagnoseCommandContext {
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export interface DiagnoseCommandResult {
  exitCode: number;
  result?: ProbeResult;
}

function existingDir(name: 'source' | 'dest', value: string | undefined, cwd: string): string {
  if (value === undefined || value.trim() === '') throw new ConfigError(`--${name} is missing: give the directory to probe, e.g. --${name}=/data/${name === 'source' ? 'prod' : 'prod_backup'}`);
  const abs = path.resolve(cwd, value);
  if (!existsSync(abs)) throw new ConfigError(`--${name} ${abs} does not exist: give an existing directory (diagnose creates nothing but its own temporary file)`);
  if (!statSync(abs).isDirectory()) throw new ConfigError(`--${name} ${abs} is not a directory: give the directory the backup reads from or writes to`);
  return abs;
}

function parseSeconds(value: number | string | undefined): number {
  if (value === undefined) return 15;
  const n = Number(value);
  if (String(value).trim() === '' || !Number.isFinite(n) || n < 1 || n > 60) throw new ConfigError(`--seconds "${String(value)}" is not valid: give a probe length from 1 to 60 seconds`);
  return n;
}

const rate = (bytesPerSec: number): string => `${formatBytes(bytesPerSec)}/s`;

/** The human summary of a probe. */
export function formatProbe(r: ProbeResult): string {
  const lines = [
    `Probe of ${r.source.path} -> ${r.dest.path} (${(r.durationMs / 1000).toFixed(1)} s)`,
    `  metadata (source)  ${Math.round(r.metadata.single.opsPerSec)} ops/s with 1 walker, ${Math.round(r.metadata.concurrent.opsPerSec)} ops/s with ${r.metadata.concurrent.walkers} (x${r.metadata.speedup.toFixed(1)})${r.metadata.single.complete ? ', whole tree walked' : ''}`,
    `  read (source)      ${rate(r.read.bytesPerSec)}, ${formatBytes(r.read.bytes)} from ${r.read.files} largest files${r.read.blockShare !== null && r.read.blockShare < 0.5 ? ' (mostly page cache)' : ''}`,
    `  write (dest)       ${rate(r.write.bytesPerSec)}, ${formatBytes(r.write.bytes)} written and fsynced, then removed`,
    `  CPU                ${Math.round(r.cpu.idlePct)}% idle on ${r.cpu.cores} cores (iowait ${Math.round(r.cpu.iowaitPct)}%)`,
  ];
  for (const [role, p] of [['source', r.source], ['dest', r.dest]] as const) {
    const where =
      p.kind === 'remote'
        ? `remote ${p.host ?? ''} via ${p.iface ?? 'unknown interface'}${p.link?.speedMbps ? ` (${p.link.speedMbps} Mbit/s${p.link.kind !== 'physical' ? `, ${p.link.kind}` : ''})` : p.link ? ` (${p.link.kind})` : ''}`
        : `${p.fsType ?? 'local'}${p.networkFs ? ' (network filesystem)' : ''} on ${p.devices.length ? p.devices.join(' > ') : 'no block device'}`;
    lines.push(`  ${`${role} path`.padEnd(18)} ${where}`);
  }
  lines.push('', `Likely bottleneck: ${r.likely.bottleneck}`, ...r.likely.evidence.map((e) => `  - ${e}`), `  ${r.likely.suggestion}`);
  return `${lines.join('\n')}\n`;
}

/** `dailysync diagnose`: a short probe of both paths (no backup); never throws. */
export async function runDiagnoseCommand(options: DiagnoseCommandOptions, ctx: DiagnoseCommandContext = {}): Promise<DiagnoseCommandResult> {
  const out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
  try {
    const cwd = ctx.cwd ?? process.cwd();
    options = await withConfigFile('diagnose', options, cwd);
    const source = existingDir('source', options.source, cwd);
    const dest = existingDir('dest', options.dest, cwd);
    const seconds = parseSeconds(options.seconds);
    if (!options.json) err.write(`Probing ${source} and ${dest} for about ${seconds} s (reads the source, writes one temporary file in the destination)...\n`);
    const result = await runProbe({ source, dest, durationMs: seconds * 1000 });
    if (options.json) {
      // The raw samples stay out of the JSON: the summary is what scripts compare.
      const { series, ...rest } = result;
      out.write(`${JSON.stringify({ ...rest, samples: series.samples.length }, null, 2)}\n`);
    } else out.write(formatProbe(result));
    return { exitCode: 0, result };
  } catch (error) {
    return { exitCode: reportCommandError(error, err) };
  }
}
