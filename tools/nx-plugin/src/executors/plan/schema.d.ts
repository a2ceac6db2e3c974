// Generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit.
/** Options of the `plan` executor. */
export interface PlanExecutorSchema {
  /** The production tree; each direct subfolder is a project. An absolute path, [user@]host:/path (ssh) or rsync://host[:port]/module/path (daemon). */
  source?: string;
  /** The backup root; its recorded history (.dailysync/state.json) sizes the tasks when present. */
  dest?: string;
  /** rsync processes at once to plan for (1-256), or "auto" (plans for where auto starts). */
  concurrency?: number | "auto";
  /** Plan only projects matching these names or patterns (* and ? wildcards); repeat the flag for several. A comma is part of a name. */
  include?: string[];
  /** Leave out projects matching these names or patterns; repeat the flag for several (never split on commas). */
  exclude?: string[];
  /** Bandwidth limit per rsync process in KiB/s, as the sync would use; the estimate honours it. 0 means none. */
  bwlimit?: number;
  /** Projects estimated below this many ms of work share one rsync (a batch), each still reported on its own; 0 gives every project its own rsync. */
  batchBelow?: number;
  /** Mark which tasks machine I of N would run (I from 1). */
  shard?: string;
  /** Read options from this dailysync.config.json (schema: docs/dailysync.config.schema.json); flags and target options override its values. */
  config?: string;
  /** Print the plan as JSON instead of a table. */
  json?: boolean;
}
