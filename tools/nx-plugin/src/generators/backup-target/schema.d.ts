/** Options of `nx g @dailysync/nx-plugin:backup-target`; mirrors schema.json. */
export interface BackupTargetGeneratorSchema {
  project: string;
  source: string;
  dest: string;
  targets?: Array<'sync' | 'plan' | 'verify' | 'diagnose'>;
  targetPrefix?: string;
  concurrency?: number | 'auto';
  delete?: boolean;
  include?: string[];
  exclude?: string[];
  reportDir?: string;
  force?: boolean;
}
