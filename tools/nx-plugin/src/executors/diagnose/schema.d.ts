/** Options of the `diagnose` executor; mirrors schema.json. */
export interface DiagnoseExecutorSchema {
  source: string;
  dest: string;
  seconds?: number;
  json?: boolean;
}
