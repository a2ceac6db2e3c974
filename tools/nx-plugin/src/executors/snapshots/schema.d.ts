// Generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit.
/** Options of the `snapshots` executor. */
export interface SnapshotsExecutorSchema {
  /** The backup root whose snapshots to list (relative paths are resolved against the working directory). */
  dest: string;
  /** Print the list as JSON instead of a table. */
  json?: boolean;
}
