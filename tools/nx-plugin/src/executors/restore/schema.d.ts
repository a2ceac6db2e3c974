// Generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit.
/** Options of the `restore` executor. */
export interface RestoreExecutorSchema {
  /** The backup root to restore from, snapshot or mirror mode (relative paths are resolved against the working directory). */
  dest: string;
  /** rsync processes copying back at once (1-256), or "auto", as for sync. */
  concurrency?: number | "auto";
  /** Also delete files in --to that the restore point does not have (within the restored projects). */
  delete?: boolean;
  /** Show what would be copied back; write nothing. */
  dryRun?: boolean;
  /** Write the JSON report of the restore to this file, on every exit path (refusal or error too). */
  report?: string;
  /** Live renderer on a terminal (auto), or plain log lines; the flag sets "plain". */
  output?: "auto" | "tty" | "plain";
  /** sshd port for a user@host:/path side. */
  sshPort?: number;
  /** Private key for ssh (ssh -i), absolute path; ssh runs with BatchMode=yes. */
  sshIdentity?: string;
  /** known_hosts file holding the backup host's key, absolute path. */
  sshKnownHosts?: string;
  /** Refuse hosts whose key is not in known_hosts (yes), or trust a host on first contact and refuse a changed key (accept-new). */
  sshHostKeyChecking?: "yes" | "accept-new";
  /** latest, a snapshot name, or a UTC date/time: the newest complete snapshot at or before it (a mirror-mode backup has only latest). */
  at?: string;
  /** Folder to restore into; it must be empty unless --force (relative paths are resolved against the working directory). */
  to: string;
  /** Restore only this project (repeat the flag for several; an array in Nx options). */
  project?: string[];
  /** Restore into a folder that already holds files (files there with other names stay). */
  force?: boolean;
  /** Allow --to to be the production tree the backup was made from. */
  overwriteSource?: boolean;
}
