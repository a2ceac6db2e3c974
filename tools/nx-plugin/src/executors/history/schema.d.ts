// Generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit.
/** Options of the `history` executor. */
export interface HistoryExecutorSchema {
  /** The production tree; each direct subfolder is a project. An absolute path, [user@]host:/path (ssh) or rsync://host[:port]/module/path (daemon). */
  source: string;
  /** The backup root, same forms as source; a local one is created if its parent exists. */
  dest: string;
  /** rsync processes at once (1-256), or "auto": starts moderate, adds streams while throughput rises, backs off when a disk or the CPU saturates. Large projects are split into parts by subfolder, largest work first. */
  concurrency?: number | "auto";
  /** Back up only projects matching these names or patterns (* and ? wildcards); repeat the flag for several (an array in Nx options and the config file). A comma is part of a name; one that matches no project is refused (exit 2). */
  include?: string[];
  /** Leave out projects matching these names or patterns; repeat the flag for several (never split on commas). */
  exclude?: string[];
  /** JSON Lines file that gets one line per run (relative to the workspace root). */
  historyFile?: string;
  /** How many runs the history file keeps; older lines are pruned. */
  keep?: number;
}
