// Generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit.
/** Options of the `sync` executor. */
export interface SyncExecutorSchema {
  /** The production tree; each direct subfolder is a project. An absolute path, [user@]host:/path (ssh) or rsync://host[:port]/module/path (daemon). Omit with dest to back up the built-in demo tree. */
  source?: string;
  /** The backup root, same forms as source; a local one is created if its parent exists. */
  dest?: string;
  /** rsync processes at once (1-256), or "auto": starts moderate, adds streams while throughput rises, backs off when a disk or the CPU saturates. Large projects are split into parts by subfolder, largest work first. */
  concurrency?: number | "auto";
  /** Delete files in the backup that no longer exist in the source. */
  delete?: boolean;
  /** Show what would change; write nothing. */
  dryRun?: boolean;
  /** Back up only projects matching these names or patterns (* and ? wildcards); repeat the flag for several (an array in Nx options and the config file). A comma is part of a name; one that matches no project is refused (exit 2). */
  include?: string[];
  /** Leave out projects matching these names or patterns; repeat the flag for several (never split on commas). */
  exclude?: string[];
  /** Bandwidth limit per rsync process in KiB/s; 0 means none. */
  bwlimit?: number;
  /** Projects estimated below this many ms of work share one rsync (a batch), each still reported on its own; 0 gives every project its own rsync. */
  batchBelow?: number;
  /** Preserve hard links (rsync -H); the flag turns it off. */
  hardLinks?: boolean;
  /** Preserve ACLs (rsync -A); the flag turns it off, e.g. for a backup filesystem without ACLs. */
  acls?: boolean;
  /** Preserve extended attributes (rsync -X); the flag turns it off. */
  xattrs?: boolean;
  /** Write the JSON report to this file, on every exit path (refusal, lock, interruption or error too); the path is checked before the backup starts. */
  report?: string;
  /** Look at each copied file again after its rsync and copy it again if the source was written meanwhile: auto when the source is on this machine's disks, always (on a NAS mount too: two lookups per copied file), or off, like plain rsync. */
  changedCheck?: "auto" | "always" | "off";
  /** Extra attempts after a transient rsync failure (connection, protocol stream, timeout), per task, with backoff. */
  retries?: number;
  /** Refuse the whole run, before any deletion, if it would delete more entries than this count (500) or percent of the backup ("5%"). */
  maxDelete?: number | string;
  /** With delete, refuse a source that lost more than this percent of its entries since the last good run; 100 turns the check off. */
  maxShrink?: number;
  /** File that must exist in the source root (proves the share is mounted). */
  sourceMarker?: string;
  /** File that must exist in the backup root. */
  destMarker?: string;
  /** Filesystem types the backup root must be on, e.g. nfs4 (repeatable); none means any. */
  destFs?: string[];
  /** Live renderer on a terminal (auto), or plain log lines; the flag sets "plain". */
  output?: "auto" | "tty" | "plain";
  /** sshd port for a user@host:/path side. */
  sshPort?: number;
  /** Private key for ssh (ssh -i), absolute path; ssh runs with BatchMode=yes. */
  sshIdentity?: string;
  /** known_hosts file holding the backup host's key, absolute path. */
  sshKnownHosts?: string;
  /** Refuse hosts whose key is not in known_hosts (yes), or trust a host on first contact and refuse a changed key (accept-new). */
  sshHostKeyChecking?: "yes" | "accept-new";
  /** rsync I/O timeout in seconds: no data for that long fails the attempt, which is retried. */
  timeout?: number;
  /** Run only machine I's share of N (I from 1; a 0-based index such as JOB_COMPLETION_INDEX maps to I = index + 1). */
  shard?: string;
  /** Snapshot mode: each run writes a dated, complete tree DEST/snapshots/<UTC time>/, unchanged files hard-linked to the previous snapshot; published only when every task succeeded (see docs/restore.md). */
  snapshots?: boolean;
  /** Snapshot name (UTC, YYYY-MM-DDTHHMMSSZ) shared by every shard of one night. */
  snapshotName?: string;
  /** Snapshot mode, retention after a good run (restic forget rules; the newest snapshot always stays): keep the newest N snapshots. No --keep-* at all: keep every snapshot. */
  keepLast?: number;
  /** Snapshot mode: keep the newest snapshot of each of the last N days that have one (UTC). */
  keepDaily?: number;
  /** Snapshot mode: keep the newest snapshot of each of the last N ISO weeks that have one. */
  keepWeekly?: number;
  /** Snapshot mode: keep the newest snapshot of each of the last N months that have one. */
  keepMonthly?: number;
  /** Snapshot mode: report what retention would remove; remove nothing. */
  pruneDryRun?: boolean;
  /** Read options from this dailysync.config.json (schema: docs/dailysync.config.schema.json); flags and target options override its values. */
  config?: string;
  /** Write JUnit XML with one test case per project to this file (for CI dashboards). */
  junit?: string;
  /** Write a self-contained HTML report (task timeline, CPU/disk/network/memory charts, bottleneck verdict) to this file. */
  html?: string;
  /** With delete: write every path deleted (with dry run: that would be deleted) to this file, one per line, relative to the backup root; a dry run also prints the first 20 per project. */
  listDeletions?: string;
  /** One JSON event per line on stdout (plan, task start, progress, task finish, report) for log shippers; human output goes to stderr. */
  json?: boolean;
  /** Write Prometheus metrics of the run (text format, for node_exporter's textfile collector) to this file at the end of every run, whatever the exit. */
  metricsFile?: string;
  /** Health-check ping URL (healthchecks.io style): URL/start when the run starts, URL on success, URL/fail with the exit status and a summary on failure. A ping that fails never fails the backup. */
  notifyUrl?: string;
  /** Append the run's lines, with ISO-8601 timestamps, to this file. */
  logFile?: string;
  /** Print only the summary and errors (no progress lines, no live view). */
  quiet?: boolean;
}
