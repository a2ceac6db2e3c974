/** One `--info=progress2` record: whole-transfer progress of one rsync process. */
export interface RsyncProgress {
  /** Bytes of the transfer done so far (rsync counts unchanged files toward this too). */
  bytes: number;
  /** Percent of the currently known total; the total grows while the file list is built (ir-chk). */
  percent: number;
  /** Current rate in bytes per second, as rsync reports it (0 when rsync printed none yet). */
  bytesPerSecond: number;
  /** rsync's remaining-time estimate, `h:mm:ss`, or undefined when not printed. */
  eta?: string;
  /** Number of files transferred so far (`xfr#N`). */
  filesTransferred?: number;
  /** Files still to check and the total known (`to-chk=R/T` or `ir-chk=R/T`). */
  toCheck?: { remaining: number; total: number; listComplete: boolean };
}

/** Totals from rsync `--stats`, all numbers. Missing lines parse as 0. */
export interface RsyncStats {
  filesTotal: number;
  regularFiles: number;
  directories: number;
  filesCreated: number;
  filesDeleted: number;
  filesTransferred: number;
  totalFileSizeBytes: number;
  totalTransferredSizeBytes: number;
  literalDataBytes: number;
  matchedDataBytes: number;
  bytesSent: number;
  bytesReceived: number;
}

/** How a project's rsync run ended, decided from its exit code and stderr. */
export type ExitClass = 'ok' | 'warning' | 'transient' | 'fatal' | 'interrupted';

export interface ExitClassification {
  exitCode: number;
  class: ExitClass;
  /** Status a project gets in the report: transient and fatal both count as failed. */
  status: 'ok' | 'warning' | 'failed';
  /** Plain words: what the code means. */
  meaning: string;
  /** Conditions read from stderr that the exit code can hide (23 hides 24 and 25; 24 hides 25). */
  alsoSeen: Array<'vanished-files' | 'max-delete-stopped' | 'io-error-deletions-skipped' | 'partial-transfer'>;
  /** Whether retrying the same rsync may succeed (connection, stream, timeouts). */
  retryable: boolean;
}
