// Generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit.
/** Options of the `verify` executor. */
export interface VerifyExecutorSchema {
  /** The tree that was backed up (relative paths are resolved against the working directory). */
  source?: string;
  /** The backup root (relative paths are resolved against the working directory). */
  dest?: string;
  /** Write the verification result as JSON to this file. */
  report?: string;
  /** Read options from this dailysync.config.json (schema: docs/dailysync.config.schema.json); flags and target options override its values. */
  config?: string;
  /** Compare file contents (thorough, reads every file) instead of size and modification time (fast). */
  checksum?: boolean;
  /** Snapshot to compare the source with: latest, a snapshot name, or a UTC date/time (the newest complete snapshot at or before it); latest is the newest snapshot when the backup has any, else the mirror. */
  at?: string;
}
