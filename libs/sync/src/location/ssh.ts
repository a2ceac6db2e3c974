import fs from 'node:fs';
import { ConfigError } from '../errors.js';

/** ssh settings for `user@host:/path` sides, as given by the user. */
export interface SshOptionsInput {
  /** Port of the remote sshd (ssh -p); default: ssh's own (22 or ~/.ssh/config). */
  sshPort?: number | string;
  /** Absolute path of the private key (ssh -i). */
  sshIdentityFile?: string;
  /** Absolute path of a known_hosts file to check host keys against (ssh UserKnownHostsFile). */
  sshKnownHostsFile?: string;
  /** 'yes' (default): refuse unknown host keys; 'accept-new': trust a host on first contact, refuse changed keys. */
  sshHostKeyChecking?: 'yes' | 'accept-new';
}

export interface SshSettings {
  port?: number;
  identityFile?: string;
  knownHostsFile?: string;
  hostKeyChecking: 'yes' | 'accept-new';
  connectTimeoutSeconds: number;
}

// rsync splits its -e value on whitespace (and honours quotes); paths with only these characters
// pass through that split unchanged, so nothing in a path can add an ssh option.
const SAFE_PATH = /^\/[A-Za-z0-9._\/@+=,~-]*$/;

function checkFile(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`--${option} is empty: give the absolute path of the file`);
  }
  if (!value.startsWith('/')) {
    throw new ConfigError(`--${option} "${value}" is a relative path: give an absolute path (e.g. "$HOME/.ssh/${option === 'ssh-identity' ? 'id_ed25519' : 'known_hosts'}")`);
  }
  if (!SAFE_PATH.test(value)) {
    throw new ConfigError(`--${option} "${value}" contains spaces, quotes or other special characters: move or link the file to a plain path such as /etc/dailysync/id_ed25519`);
  }
  let stat;
  try {
    stat = fs.statSync(value);
  } catch {
    throw new ConfigError(`--${option} ${value} does not exist: check the path${option === 'ssh-identity' ? ' or create a key with "ssh-keygen -t ed25519 -f ' + value + '"' : ''}`);
  }
  if (!stat.isFile()) throw new ConfigError(`--${option} ${value} is not a file: give the path of the file itself`);
  return value;
}

/** Validates the ssh options; every piece that reaches the ssh command line passes a strict check. */
export function resolveSshSettings(raw: SshOptionsInput, connectTimeoutSeconds: number): SshSettings {
  let port: number | undefined;
  if (raw.sshPort !== undefined && raw.sshPort !== null && raw.sshPort !== '') {
    const n = typeof raw.sshPort === 'number' ? raw.sshPort : /^\d+$/.test(raw.sshPort) ? Number(raw.sshPort) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new ConfigError(`--ssh-port "${String(raw.sshPort)}" is not valid: give a port from 1 to 65535, e.g. --ssh-port=22`);
    }
    port = n;
  }
  const checking = raw.sshHostKeyChecking ?? 'yes';
  if (checking !== 'yes' && checking !== 'accept-new') {
    throw new ConfigError(`--ssh-host-key-checking "${String(checking)}" is not valid: use "yes" (known hosts only) or "accept-new" (trust on first use)`);
  }
  return {
    ...(port === undefined ? {} : { port }),
    ...(raw.sshIdentityFile === undefined ? {} : { identityFile: checkFile('ssh-identity', raw.sshIdentityFile) }),
    ...(raw.sshKnownHostsFile === undefined ? {} : { knownHostsFile: checkFile('ssh-known-hosts', raw.sshKnownHostsFile) }),
    hostKeyChecking: checking,
    connectTimeoutSeconds,
  };
}

/** True when the user set any ssh option (they make no sense without an ssh side). */
export function sshOptionsGiven(raw: SshOptionsInput): boolean {
  return [raw.sshPort, raw.sshIdentityFile, raw.sshKnownHostsFile, raw.sshHostKeyChecking].some((v) => v !== undefined && v !== '');
}

/**
 * The value of rsync's `-e`: rsync splits it on spaces and runs ssh directly (no shell), and every
 * piece is a fixed word or a validated number/path. BatchMode makes a missing key fail at once
 * instead of waiting for a password prompt.
 */
export function buildRshCommand(ssh: SshSettings): string {
  const words = ['ssh'];
  if (ssh.port !== undefined) words.push('-p', String(ssh.port));
  if (ssh.identityFile !== undefined) words.push('-i', ssh.identityFile, '-o', 'IdentitiesOnly=yes');
  words.push('-o', 'BatchMode=yes', '-o', `StrictHostKeyChecking=${ssh.hostKeyChecking}`);
  if (ssh.knownHostsFile !== undefined) words.push('-o', `UserKnownHostsFile=${ssh.knownHostsFile}`);
  words.push('-o', `ConnectTimeout=${ssh.connectTimeoutSeconds}`);
  return words.join(' ');
}
