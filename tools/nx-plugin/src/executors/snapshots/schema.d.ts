/** Options of the `snapshots` executor; mirrors schema.json. */
export interface SnapshotsExecutorSchema {
  dest: string;
  json?: boolean;
}
