import type { ExitClass } from '../rsync/types.js';
import type { SyncTask } from '../plan/task.js';
import type { SafetyReport } from '../safety/safe-run.js';
import type { SnapshotRunReport } from '../snapshots/run-snapshot.js';

export type TaskStatus = 'ok' | 'warning' | 'failed' | 'skipped' | 'interrupted';

export interface AttemptRecord {
  attempt: number;
  exitCode: number | null;
  class: ExitClass;
  meaning: string;
  durationMs: number;
  /** Why this attempt is in the list when it is not rsync's exit alone (e.g. files changed during the copy). */
  cause?: string;
  /** Conditions read from rsync's messages that its exit code can hide (23 hides 24 and 25), plus 'disk-full'. */
  alsoSeen?: string[];
}

/** What was copied and when: the same fields for one task and for a whole project. */
export interface TransferCounts {
  filesTransferred: number;
  bytesTransferred: number;
  filesDeleted: number;
  filesTotal: number;
  bytesTotal: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number;
}

/** What one rsync task did. */
export interface TaskResult extends TransferCounts {
  id: string;
  project: string;
  kind: SyncTask['kind'];
  status: TaskStatus;
  exitCode: number | null;
  /** rsync's exit code in words. */
  meaning: string;
  /** One line for the operator when the task did not end ok, else null. */
  error: string | null;
  attempts: AttemptRecord[];
  /** Conditions seen in rsync's messages on the last attempt that the exit code can hide (23 hides 24 and 25), and 'disk-full'. */
  alsoSeen?: string[];
  /** kind 'batch': the projects of the batch that failed (after their own rerun), for front ends counting projects. */
  failedProjects?: string[];
  /** Source files that changed while rsync copied them and were still changing after a second copy. */
  changedDuringCopy?: string[];
  /** Root pass: top-level folders it deleted (a project removed or renamed in the source), with the entries deleted in each. */
  removedFolders?: Record<string, number>;
}

/** One entry per project in the report; a project split into several tasks lists them in `parts`. */
export interface ProjectReport extends TransferCounts {
  name: string;
  kind: 'project' | 'root';
  status: TaskStatus;
  exitCode: number | null;
  error: string | null;
  attempts: number;
  /** Every attempt with its exit code and cause, when a task needed more than one (retries). */
  attemptLog?: AttemptRecord[];
  /** Conditions rsync's exit code hid (e.g. vanished files behind a 23), and 'disk-full'. */
  alsoSeen?: string[];
  /** Files that kept changing while being copied (reported, the backup copy may be torn). */
  changedDuringCopy?: string[];
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
  /** Set when this run was one shard of several (--shard I/N); merge-reports combines the shards. */
  shard?: {
    index: number;
    count: number;
    /** Tasks planned across all shards. */
    plannedTasks: number;
    /** Hash of the whole assignment; equal on every shard that planned from the same tree and history. */
    digest: string;
    /** Ids of the tasks this shard ran. */
    taskIds: string[];
  };
  /** With --concurrency auto: each change of the number of rsyncs at once, and why. */
  concurrencyChanges?: Array<{ atMs: number; limit: number; throughput: number; reason: string }>;
  /**
   * Where the run's time went, in milliseconds: checks and listing the source (discover), the plan
   * with its estimate walk (plan), guards, lock and any deletion count (guard), the rsync tasks
   * (transfer), and folder times, history and state (finish).
   */
  phasesMs?: Partial<Record<'discover' | 'plan' | 'guard' | 'transfer' | 'finish', number>>;
  /** Filled by front ends that sample resources (see @dailysync/metrics). */
  diagnosis?: unknown;
  /** What the safety guards did: lock taken over from a killed run, clean-up, deletions counted before the run. */
  safety?: SafetyReport;
  /**
   * Whether copied files were looked at again for writes made while rsync read them (`--changed-check`):
   * the mode asked for, and whether this run checked (auto: only with the source on this machine's disks).
   */
  changedCheck?: { mode: 'auto' | 'always' | 'off'; checked: boolean };
  /** Version of this shape (2: exitCode, hostname, schemaVersion, error); set by the command that writes the record. */
  schemaVersion?: number;
  /** Machine that ran the backup. */
  hostname?: string;
  /** The exit status the run ended with (0 ok, 1 failed, 2 bad input or refusal, 75 locked, 130 interrupted). */
  exitCode?: number;
  /** Set when the run did not get to (or could not finish) the transfer: one line, and the error's class (ConfigError, SafetyError, LockedError...). */
  error?: { message: string; class: string };
  /** Snapshot mode: the snapshot this run wrote, whether it was published, and what retention removed. */
  snapshot?: SnapshotRunReport;
}
