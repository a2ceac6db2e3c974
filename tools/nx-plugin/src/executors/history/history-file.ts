import fs from 'node:fs/promises';
import { writeFileAtomic, type BackupReport, type TaskStatus } from '@dailysync/sync';

/** One line of the history file: what a run did, small enough to keep hundreds of. */
export interface HistoryEntry {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  source: string;
  dest: string;
  ok: boolean;
  interrupted: boolean;
  totals: BackupReport['totals'];
  projects: Array<{ name: string; status: TaskStatus; filesTransferred: number; bytesTransferred: number; durationMs: number; error: string | null }>;
}

export function historyEntry(report: BackupReport): HistoryEntry {
  return {
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    durationMs: report.durationMs,
    source: report.source,
    dest: report.dest,
    ok: report.ok,
    interrupted: report.interrupted,
    totals: report.totals,
    projects: report.projects.map((p) => ({
      name: p.name,
      status: p.status,
      filesTransferred: p.filesTransferred,
      bytesTransferred: p.bytesTransferred,
      durationMs: p.durationMs,
      error: p.error,
    })),
  };
}

/** Entries of a history file, oldest first; a missing file is an empty history. */
export async function readHistory(file: string): Promise<{ entries: HistoryEntry[]; unreadableLines: number }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], unreadableLines: 0 };
    throw error;
  }
  const entries: HistoryEntry[] = [];
  let unreadableLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as HistoryEntry);
    } catch {
      // A line cut short by a crash of some other writer; it is dropped at the next prune.
      unreadableLines++;
    }
  }
  return { entries, unreadableLines };
}

/** Appends one entry and keeps only the newest `keep`; the file is replaced atomically. */
export async function appendHistory(file: string, entry: HistoryEntry, keep: number): Promise<{ kept: number; pruned: number }> {
  const { entries, unreadableLines } = await readHistory(file);
  entries.push(entry);
  const kept = entries.slice(-keep);
  await writeFileAtomic(file, kept.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return { kept: kept.length, pruned: entries.length - kept.length + unreadableLines };
}
