// Generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit.
/** Options of the `diagnose` executor. */
export interface DiagnoseExecutorSchema {
  /** Existing directory the backup reads from; only read. */
  source?: string;
  /** Existing directory the backup writes to; the probe writes and removes only DEST/.dailysync-probe-<pid>. */
  dest?: string;
  /** Read options from this dailysync.config.json (schema: docs/dailysync.config.schema.json); flags and target options override its values. */
  config?: string;
  /** Print the result as JSON instead of the human summary. */
  json?: boolean;
  /** Length of the probe in seconds (1 to 60). */
  seconds?: number;
}
