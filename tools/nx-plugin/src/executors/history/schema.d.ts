/** Options of the `history` executor; mirrors schema.json. */
export interface HistoryExecutorSchema {
  source: string;
  dest: string;
  concurrency?: number | 'auto';
  include?: string[];
  exclude?: string[];
  historyFile?: string;
  keep?: number;
}
