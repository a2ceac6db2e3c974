/** Options of the `plan` executor; mirrors schema.json. */
export interface PlanExecutorSchema {
  source: string;
  dest: string;
  concurrency?: number | 'auto';
  include?: string[];
  exclude?: string[];
  shard?: string;
  json?: boolean;
}
