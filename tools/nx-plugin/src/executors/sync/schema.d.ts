/** Options of the `sync` executor; mirrors schema.json. */
export interface SyncExecutorSchema {
  source?: string;
  dest?: string;
  concurrency?: number | 'auto';
  delete?: boolean;
  dryRun?: boolean;
  include?: string[];
  exclude?: string[];
  bwlimit?: number;
  hardLinks?: boolean;
  acls?: boolean;
  xattrs?: boolean;
  report?: string;
  output?: 'auto' | 'tty' | 'plain';
}
