import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, foldEntries, formatSummaryTable, reportTotals, writeJsonReport, type BackupReport, type ProjectReport } from '@dailysync/sync';

/** Several shard reports (or separate runs) folded into one, plus what does not add up. */
export interface MergedReport extends BackupReport {
  merged: {
    /** The report files, in the order given. */
    files: string[];
    /** Shard numbers found, e.g. [1, 2, 3]; empty when the reports were not shards. */
    shards: number[];
    /** Problems with the set itself: missing or repeated shards, overlapping shares, different plans. */
    issues: string[];
  };
}

function isBackupReport(value: unknown): value is BackupReport {
  const r = value as Partial<BackupReport> | null;
  return typeof r === 'object' && r !== null && r.tool === 'dailysync' && Array.isArray(r.projects) && typeof r.totals === 'object';
}

/** Reads one JSON report; a missing or foreign file is a ConfigError naming it. */
export async function readReport(file: string): Promise<BackupReport> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read report ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}): give the JSON files written by "dailysync sync --report FILE"`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`report ${file} is not valid JSON: give the JSON files written by "dailysync sync --report FILE"`);
  }
  if (!isBackupReport(parsed)) throw new ConfigError(`${file} is not a dailysync report: give the JSON files written by "dailysync sync --report FILE"`);
  return parsed;
}

const earliest = (values: Array<string | null>): string | null => values.filter((v): v is string => v !== null).sort()[0] ?? null;
const latest = (values: Array<string | null>): string | null => values.filter((v): v is string => v !== null).sort().pop() ?? null;

/** One entry per project: a split project whose parts ran on several shards is summed back together. */
function mergeProjectEntries(entries: readonly ProjectReport[]): ProjectReport {
  const ran = entries.filter((e) => e.status !== 'skipped');
  // Projects left out by --include/--exclude appear as skipped in every shard's report.
  if (ran.length === 0) return entries[0] as ProjectReport;
  if (ran.length === 1) return ran[0] as ProjectReport;
  const errors = ran.map((e) => e.error).filter((e): e is string => e !== null);
  const parts = ran.flatMap((e) => e.parts ?? []);
  return {
    name: ran[0]?.name ?? '',
    kind: ran[0]?.kind ?? 'project',
    ...foldEntries(ran),
    error: errors.length > 0 ? errors.join('; ') : null,
    attempts: Math.max(0, ...ran.map((e) => e.attempts)),
    ...(parts.length > 0 ? { parts } : {}),
  };
}

/** The checks that make a set of shard reports a complete backup: every shard once, same plan, no task twice. */
function shardIssues(reports: readonly BackupReport[], files: readonly string[]): { shards: number[]; issues: string[] } {
  const issues: string[] = [];
  const sharded = reports.map((r, i) => ({ r, file: files[i] ?? '' })).filter(({ r }) => r.shard !== undefined);
  if (sharded.length === 0) return { shards: [], issues };
  if (sharded.length !== reports.length) issues.push('some reports come from --shard runs and some do not: merge the reports of one sharded run');
  const counts = new Set(sharded.map(({ r }) => r.shard?.count));
  if (counts.size > 1) issues.push(`the reports disagree on the number of shards (${[...counts].join(', ')}): merge the reports of one sharded run`);
  const count = Math.max(...sharded.map(({ r }) => r.shard?.count ?? 0));
  const seen = new Map<number, string>();
  for (const { r, file } of sharded) {
    const index = r.shard?.index ?? 0;
    const before = seen.get(index);
    if (before !== undefined) issues.push(`shard ${index}/${count} appears twice (${before} and ${file})`);
    else seen.set(index, file);
  }
  for (let i = 1; i <= count; i++) {
    if (!seen.has(i)) issues.push(`shard ${i}/${count} is missing: its share of the tasks is not in this summary`);
  }
  const digests = new Set(sharded.map(({ r }) => r.shard?.digest));
  if (digests.size > 1) {
    issues.push('the shards planned different task lists (the tree or the shared history changed between their starts): some tasks may have run twice or not at all');
  }
  const owner = new Map<string, number>();
  for (const { r } of sharded) {
    for (const id of r.shard?.taskIds ?? []) {
      const other = owner.get(id);
      if (other !== undefined && other !== r.shard?.index) issues.push(`task "${id}" ran on shard ${other} and on shard ${r.shard?.index}`);
      owner.set(id, r.shard?.index ?? 0);
    }
  }
  const planned = Math.max(...sharded.map(({ r }) => r.shard?.plannedTasks ?? 0));
  if (seen.size === count && digests.size === 1 && owner.size !== planned) {
    issues.push(`the shards ran ${owner.size} distinct tasks but planned ${planned}`);
  }
  return { shards: [...seen.keys()].sort((a, b) => a - b), issues };
}

/** Folds N reports (normally the shards of one run) into one summary report. */
export function mergeReports(reports: readonly BackupReport[], files: readonly string[] = []): MergedReport {
  const first = reports[0];
  if (first === undefined) throw new ConfigError('merge-reports needs at least one report file: dailysync merge-reports a.json b.json ...');
  const byName = new Map<string, ProjectReport[]>();
  for (const report of reports) {
    for (const project of report.projects) {
      const list = byName.get(project.name) ?? [];
      list.push(project);
      byName.set(project.name, list);
    }
  }
  const projects = [...byName.values()].map(mergeProjectEntries);
  const { shards, issues } = shardIssues(reports, files);
  const sources = new Set(reports.map((r) => r.source));
  const dests = new Set(reports.map((r) => r.dest));
  if (sources.size > 1 || dests.size > 1) issues.push('the reports name different sources or destinations: they are not one backup');
  const startedAt = earliest(reports.map((r) => r.startedAt)) ?? first.startedAt;
  const finishedAt = latest(reports.map((r) => r.finishedAt)) ?? first.finishedAt;
  const totals = reportTotals(projects);
  const interrupted = reports.some((r) => r.interrupted);
  const { shard: _shard, diagnosis: _diagnosis, ...base } = first;
  return {
    ...base,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    dryRun: reports.some((r) => r.dryRun),
    delete: reports.some((r) => r.delete),
    ok: totals.failed === 0 && !interrupted && issues.length === 0,
    interrupted,
    totals,
    projects,
    merged: { files: [...files], shards, issues },
  };
}

/** The summary table of a merged report, followed by one line per issue. */
export function formatMergedSummary(merged: MergedReport): string {
  const head = `Merged ${merged.merged.files.length} report${merged.merged.files.length === 1 ? '' : 's'}${
    merged.merged.shards.length > 0 ? ` (shards ${merged.merged.shards.join(', ')})` : ''
  }`;
  const issues = merged.merged.issues.map((i) => `PROBLEM: ${i}`);
  return [head, '', formatSummaryTable(merged), ...(issues.length > 0 ? ['', ...issues] : [])].join('\n');
}

export interface MergeReportsCommand {
  files: string[];
  out?: string;
}

/** `dailysync merge-reports FILE... [--out FILE]`: 0 when all ok, 1 when a project failed or the set is incomplete. */
export async function runMergeReportsCommand(
  command: MergeReportsCommand,
  ctx: { cwd?: string; stdout?: NodeJS.WritableStream } = {},
): Promise<{ exitCode: number; merged: MergedReport }> {
  const cwd = ctx.cwd ?? process.cwd();
  const out = ctx.stdout ?? process.stdout;
  const files = command.files.map((f) => path.resolve(cwd, f));
  const reports = await Promise.all(files.map(readReport));
  const merged = mergeReports(reports, files);
  out.write(`${formatMergedSummary(merged)}\n`);
  if (command.out !== undefined) {
    const outPath = path.resolve(cwd, command.out);
    await writeJsonReport(outPath, merged);
    out.write(`Merged report written to ${outPath}\n`);
  }
  return { exitCode: merged.ok ? 0 : 1, merged };
}
