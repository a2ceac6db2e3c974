import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import { criticalPathTaskWithBytes, type RunFacts, type RunTask } from '@dailysync/metrics';
import type { BackupReport, SyncTask } from '@dailysync/sync';

/** Entries the largest-file look-up reads at most: it runs after the backup and must stay cheap. */
const LARGEST_FILE_WALK_CAP = 20_000;

/** Every rsync task of the report with its times and what it moved (parts of split projects each count). */
export function runTasks(report: BackupReport): RunTask[] {
  const out: RunTask[] = [];
  for (const p of report.projects) {
    for (const t of p.parts ?? [{ ...p, id: p.name }]) {
      if (t.startedAt === null || t.finishedAt === null) continue;
      out.push({ id: t.id, startedAt: Date.parse(t.startedAt), finishedAt: Date.parse(t.finishedAt), bytes: t.bytesTransferred, files: t.filesTransferred });
    }
  }
  return out;
}

/** The largest regular file of a task's own part of the source (top-level only for root and project-top tasks). */
export async function largestFileOf(sourceRoot: string, task: Pick<SyncTask, 'relPath' | 'kind'>, cap = LARGEST_FILE_WALK_CAP): Promise<{ path: string; bytes: number } | undefined> {
  const topOnly = task.kind === 'root' || task.kind === 'project-top';
  const base = path.join(sourceRoot, task.relPath);
  let best: { path: string; bytes: number } | undefined;
  let seen = 0;
  const walk = async (dir: string): Promise<void> => {
    let handle;
    try {
      handle = await opendir(dir);
    } catch {
      return;
    }
    for await (const e of handle) {
      if (++seen > cap) return;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!topOnly) await walk(full);
      } else if (e.isFile()) {
        const st = await lstat(full).catch(() => undefined);
        if (st && (!best || st.size > best.bytes)) best = { path: path.relative(sourceRoot, full), bytes: st.size };
      }
    }
  };
  await walk(base);
  return best;
}

export interface RunFactsInput {
  report: BackupReport;
  /** KiB/s per rsync as given to --bwlimit. */
  bwlimitKiB?: number;
  /** The tasks as planned (to find the source part of the task on the critical path). */
  tasks?: readonly SyncTask[];
  /** Local source root; a remote source is not walked. */
  localSource?: string;
}

/** What the classifier needs to know about the run beyond /proc: its limits and its task times. */
export async function buildRunFacts(input: RunFactsInput): Promise<RunFacts> {
  const tasks = runTasks(input.report);
  const facts: RunFacts = { tasks };
  if (input.bwlimitKiB !== undefined && input.bwlimitKiB > 0) facts.bwlimitBytesPerSec = input.bwlimitKiB * 1024;
  if (typeof input.report.concurrency === 'number') facts.fixedConcurrency = input.report.concurrency;
  // Only the task a critical-path verdict names, and only if it copied bytes, can be a one-file
  // critical path: the walk looks at that one alone, and not at all on a night that copied nothing
  // there (on a slow NAS it cost a nothing-changed night 1.2 s of 7.7, after the backup had ended).
  const lone = criticalPathTaskWithBytes(tasks);
  const planned = lone && input.tasks?.find((t) => t.id === lone.id);
  if (planned && input.localSource !== undefined && !input.report.dryRun) {
    const file = await largestFileOf(input.localSource, planned);
    if (file) facts.largestFile = { task: planned.id, ...file };
  }
  return facts;
}
