// Generated from libs/commands/src/options/registry.ts by `npm run generate:options`; do not edit.
/** Options of the `snapshots` executor. */
export interface SnapshotsExecutorSchema {
  /** The backup root whose snapshots to list (relative paths are resolved against the working directory). */
  dest: string;
  /** sshd port for a user@host:/path side. */
  sshPort?: number;
  /** Private key for ssh (ssh -i), absolute path; ssh runs with BatchMode=yes. */
  sshIdentity?: string;
  /** known_hosts file holding the backup host's key, absolute path. */
  sshKnownHosts?: string;
  /** Refuse hosts whose key is not in known_hosts (yes), or trust a host on first contact and refuse a changed key (accept-new). */
  sshHostKeyChecking?: "yes" | "accept-new";
  /** Print the list as JSON instead of a table. */
  json?: boolean;
}
