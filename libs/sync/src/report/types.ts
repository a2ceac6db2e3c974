import type { ExitClass } from '../rsync/types.js';
import type { SyncTask } from '../plan/task.js';

export type TaskStatus = 'ok' | 'warning' | 'failed' | 'skipped' | 'interrupted';

export interface AttemptRecord {
  attempt: number;
  exitCode: number | null;
  class: ExitClass;
  meaning: string;
  durationMs: number;
}

/** What one rsync task did. */
export interface TaskResult {
  id: string;
  project: string;
  kind: SyncTask['kind'];
  status: TaskStatus;
  exitCode: number | null;
  /** rsync's exit code in words. */
  meaning: string;
  /** One line for the operator when the task did not end ok, else null. */
  error: string | null;
  filesTransferred: number;
  bytesTransferred: number;
  filesDeleted: number;
  filesTotal: number;
  bytesTotal: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number;
  attempts: AttemptRecord[];
}

/** One entry per project in the report; a project split into several tasks lists them in `parts`. */
export interface ProjectReport {
  name: string;
  kind: 'project' | 'root';
  status: TaskStatus;
  exitCode: number | null;
  filesTransferred: number;
  bytesTransferred: number;
  filesDeleted: number;
  filesTotal: number;
  bytesTotal: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number;
  error: string | null;
  attempts: number;
  parts?: TaskResult[];
}

export interface BackupReport {
  tool: 'dailysync';
  version: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  source: string;
  dest: string;
  dryRun: boolean;
  delete: boolean;
  concurrency: number | 'auto';
  rsyncVersion: string;
  /** True when no project failed and the run was not interrupted (warnings still count as ok). */
  ok: boolean;
  interrupted: boolean;
  totals: {
    projects: number;
    ok: number;
    warning: number;
    failed: number;
    skipped: number;
    interrupted: number;
    filesTransferred: number;
    bytesTransferred: number;
    filesDeleted: number;
  };
  projects: ProjectReport[];
  /** Filled by front ends that sample resources (see @dailysync/metrics). */
  diagnosis?: unknown;
}
