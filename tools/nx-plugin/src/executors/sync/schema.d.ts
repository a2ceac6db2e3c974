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
  retries?: number;
  maxDelete?: number | string;
  maxShrink?: number;
  sourceMarker?: string;
  destMarker?: string;
  destFs?: string[];
  report?: string;
  output?: 'auto' | 'tty' | 'plain';
  config?: string;
  junit?: string;
  html?: string;
  json?: boolean;
  metricsFile?: string;
  notifyUrl?: string;
  logFile?: string;
  quiet?: boolean;
  sshPort?: number;
  sshIdentity?: string;
  sshKnownHosts?: string;
  sshHostKeyChecking?: 'yes' | 'accept-new';
  timeout?: number;
  shard?: string;
}
