/** Options of the `restore` executor; mirrors schema.json. */
export interface RestoreExecutorSchema {
  dest: string;
  to: string;
  at?: string;
  project?: string[];
  force?: boolean;
  overwriteSource?: boolean;
  delete?: boolean;
  concurrency?: number | 'auto';
  dryRun?: boolean;
  report?: string;
}
