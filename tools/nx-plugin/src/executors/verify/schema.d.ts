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
}
