/** Options of the `verify` executor; mirrors schema.json. */
export interface VerifyExecutorSchema {
  source: string;
  dest: string;
  checksum?: boolean;
  at?: string;
  report?: string;
}
