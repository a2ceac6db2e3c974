/** Options of the `plan` executor; mirrors schema.json. */
export interface PlanExecutorSchema {
  source: string;
  dest: string;
  concurrency?: number | 'auto';
  include?: string[];
  exclude?: string[];
  shard?: string;
  /** KiB/s per rsync; 0 means none. */
  bwlimit?: number;
  json?: boolean;
}
