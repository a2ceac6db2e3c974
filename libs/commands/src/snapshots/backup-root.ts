import path from 'node:path';
import { openSnapshotRoot, writtenAsRemote, type SnapshotRoot, type SshOptionsInput } from '@dailysync/sync';

/** The ssh options as the commands and executors name them (the registry's keys). */
export interface SshCommandOptions {
  sshPort?: number | string;
  sshIdentity?: string;
  sshKnownHosts?: string;
  sshHostKeyChecking?: 'yes' | 'accept-new';
}

/** The engine's names for the ssh options. */
export function sshSettingsOf(options: SshCommandOptions): SshOptionsInput {
  return {
    sshPort: options.sshPort,
    sshIdentityFile: options.sshIdentity,
    sshKnownHostsFile: options.sshKnownHosts,
    sshHostKeyChecking: options.sshHostKeyChecking,
  };
}

/** A --dest as the commands take it: a local path (relative to `cwd` allowed) or a remote location. */
export function backupRootArgument(dest: string, cwd: string): string {
  return writtenAsRemote(dest) ? dest : path.resolve(cwd, dest);
}

/** Opens the backup root a command's --dest and ssh options name. Throws ConfigError for bad ones. */
export function openBackupRoot(dest: string, options: SshCommandOptions, cwd: string, signal?: AbortSignal): SnapshotRoot {
  return openSnapshotRoot({ dest: backupRootArgument(dest, cwd), ...sshSettingsOf(options), ...(signal === undefined ? {} : { signal }) });
}
