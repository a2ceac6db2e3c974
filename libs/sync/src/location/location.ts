import path from 'node:path';
import { ConfigError } from '../errors.js';

/** A folder on this machine. */
export interface LocalLocation {
  kind: 'local';
  /** Absolute path without trailing slashes. */
  path: string;
}

/** A folder on another machine reached through ssh: `[user@]host:/abs/path`. */
export interface SshLocation {
  kind: 'ssh';
  user?: string;
  host: string;
  /** Absolute path on the remote host, without trailing slashes. */
  path: string;
}

/** A folder inside a module of an rsync daemon: `rsync://host[:port]/module[/path]`. */
export interface DaemonLocation {
  kind: 'daemon';
  host: string;
  port?: number;
  module: string;
  /** Path inside the module ('' for the module root), without leading or trailing slashes. */
  path: string;
}

export type Location = LocalLocation | SshLocation | DaemonLocation;

const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_BRACKETED = /^\[[0-9A-Fa-f:.]+\]$/;
const USER = /^[a-z_][a-z0-9_.-]*$/;
const MODULE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
// Control characters cannot be passed reliably to a remote side and never belong in a configured path.
const CONTROL = /[\x00-\x1f\x7f]/;

/** Host names (RFC 1123 labels), IPv4 addresses, or IPv6 addresses in brackets; nothing that could be an option. */
export function isValidHost(host: string): boolean {
  if (IPV4.test(host) || IPV6_BRACKETED.test(host)) return true;
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

export function isValidUser(user: string): boolean {
  return USER.test(user) && user.length <= 32;
}

function stripTrailingSlashes(p: string): string {
  const stripped = p.replace(/\/+$/, '');
  return stripped === '' ? '/' : stripped;
}

function parsePort(name: string, text: string, original: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`--${name} "${original}" has port "${text}": give a port from 1 to 65535, e.g. rsync://nas:873/backup`);
  }
  return port;
}

function parseDaemon(name: string, value: string): DaemonLocation {
  const rest = value.slice('rsync://'.length);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const pathPart = slash === -1 ? '' : rest.slice(slash + 1);
  if (authority.includes('@')) {
    throw new ConfigError(`--${name} "${value}" names a daemon user: daemon authentication is not supported; use a module without "auth users", or ssh (user@host:/path)`);
  }
  const portMatch = /^(.*?)(?::([^:\]]*))?$/.exec(authority);
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : (portMatch?.[1] ?? '');
  const portText = authority.slice(host.length).replace(/^:/, '');
  if (!isValidHost(host)) {
    throw new ConfigError(`--${name} "${value}" has an invalid host "${host}": give a host name or IP address, e.g. rsync://nas.example.com/backup`);
  }
  const port = portText === '' ? undefined : parsePort(name, portText, value);
  const [module = '', ...segments] = pathPart.split('/').filter((s) => s !== '');
  if (!MODULE.test(module)) {
    throw new ConfigError(`--${name} "${value}" has no valid module name: give rsync://HOST/MODULE/path, where MODULE is the [name] in the daemon's rsyncd.conf`);
  }
  checkRemoteSegments(name, value, segments);
  return { kind: 'daemon', host, ...(port === undefined ? {} : { port }), module, path: segments.join('/') };
}

function checkRemoteSegments(name: string, value: string, segments: readonly string[]): void {
  if (CONTROL.test(value)) {
    throw new ConfigError(`--${name} "${JSON.stringify(value).slice(1, -1)}" contains control characters: give a plain path`);
  }
  if (segments.some((s) => s === '..' || s === '.')) {
    throw new ConfigError(`--${name} "${value}" contains "." or ".." segments: give the remote path in its plain form`);
  }
}

function parseSsh(name: string, value: string, colon: number): SshLocation {
  const spec = value.slice(0, colon);
  const remotePath = value.slice(colon + 1);
  const at = spec.lastIndexOf('@');
  const user = at === -1 ? undefined : spec.slice(0, at);
  const host = at === -1 ? spec : spec.slice(at + 1);
  if (user !== undefined && !isValidUser(user)) {
    throw new ConfigError(`--${name} "${value}" has an invalid user "${user}": user names are lower-case letters, digits, "_", "." and "-", starting with a letter or "_"`);
  }
  if (!isValidHost(host)) {
    throw new ConfigError(`--${name} "${value}" has an invalid host "${host}": give a host name or IP address, e.g. backup@nas.example.com:/volume1/backup`);
  }
  if (!remotePath.startsWith('/')) {
    throw new ConfigError(`--${name} "${value}" has a relative remote path "${remotePath}": give an absolute path after the colon, e.g. ${spec}:/volume1/backup`);
  }
  checkRemoteSegments(name, value, remotePath.split('/'));
  return { kind: 'ssh', ...(user === undefined ? {} : { user }), host, path: stripTrailingSlashes(remotePath) };
}

/**
 * Parses --source / --dest: an absolute local path, `[user@]host:/abs/path` (ssh) or
 * `rsync://host[:port]/module[/path]` (rsync daemon). Anything else is a ConfigError naming the fix.
 */
export function parseLocation(name: 'source' | 'dest', value: unknown): Location {
  const what = name === 'source' ? 'tree to back up' : 'backup root';
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`--${name} is missing: give the absolute path of the ${what}, e.g. --${name}=/data/${name === 'source' ? 'prod' : 'prod_backup'}`);
  }
  if (value.startsWith('-')) {
    throw new ConfigError(`--${name} "${value}" starts with "-": give an absolute path such as /data/prod, user@host:/path or rsync://host/module`);
  }
  if (value.startsWith('rsync://')) return parseDaemon(name, value);
  if (value.startsWith('/')) return { kind: 'local', path: stripTrailingSlashes(value) };
  // rsync reads "a:b" as remote only when the colon comes before any slash; mirror that rule.
  const colon = value.indexOf(':');
  const slash = value.indexOf('/');
  if (colon > 0 && (slash === -1 || colon < slash) && !value.startsWith('[')) {
    if (value[colon + 1] === ':') {
      throw new ConfigError(`--${name} "${value}" uses the "host::module" form: write it as rsync://HOST/MODULE/path`);
    }
    return parseSsh(name, value, colon);
  }
  if (value.startsWith('[')) {
    const close = value.indexOf(']:');
    if (close > 0) return parseSsh(name, value, close + 1);
  }
  throw new ConfigError(`--${name} "${value}" is a relative path: give an absolute path (e.g. "$PWD/${value}"), user@host:/path or rsync://host/module/path`);
}

/** Whether a location as written is remote: `rsync://...`, or a colon before any slash (rsync's own rule). */
export function writtenAsRemote(value: string): boolean {
  return value.startsWith('rsync://') || /^[^/]*:/.test(value);
}

export function isRemote(location: Location): location is SshLocation | DaemonLocation {
  return location.kind !== 'local';
}

/** The location as the user would write it (used in reports and messages). */
export function formatLocation(location: Location): string {
  switch (location.kind) {
    case 'local':
      return location.path;
    case 'ssh':
      return `${location.user === undefined ? '' : `${location.user}@`}${location.host}:${location.path}`;
    case 'daemon':
      return `rsync://${location.host}${location.port === undefined ? '' : `:${location.port}`}/${location.module}${location.path === '' ? '' : `/${location.path}`}`;
  }
}

/**
 * A remote sender expands `*`, `?` and `[` in the paths it is given (with --secluded-args rsync
 * does it itself), so "a[bc]" would copy folder "ab". Escaped, they stay literal; a backslash is
 * only an escape in a path that holds a wildcard.
 */
function escapeSenderGlob(p: string): string {
  return /[*?[]/.test(p) ? p.replace(/[*?[\\]/g, '\\$&') : p;
}

/**
 * The rsync operand for `relPath` below the location, with a trailing slash ("the contents of").
 * Local operands are absolute, remote ones start with the host, so no name can be read as an option.
 * `sender`: the location is the side rsync reads from, whose remote paths are escaped against globbing.
 */
export function locationOperand(location: Location, relPath: string, sender = false): string {
  const withSlash = (p: string): string => (p.endsWith('/') ? p : `${p}/`);
  const literal = (p: string): string => (sender ? escapeSenderGlob(p) : p);
  switch (location.kind) {
    case 'local':
      return withSlash(relPath === '' ? location.path : path.join(location.path, relPath));
    case 'ssh': {
      const remote = literal(relPath === '' ? location.path : path.posix.join(location.path, relPath));
      return withSlash(`${location.user === undefined ? '' : `${location.user}@`}${location.host}:${remote}`);
    }
    case 'daemon': {
      const joined = literal([location.path, relPath].filter((p) => p !== '').join('/'));
      // A daemon parses the path after the module as an option when it starts with "-", even with
      // --secluded-args (rsync 3.5.0: "-x/: unknown option"); "./" keeps it a path.
      const inside = joined.startsWith('-') ? `./${joined}` : joined;
      const base = `rsync://${location.host}${location.port === undefined ? '' : `:${location.port}`}/${location.module}`;
      return withSlash(inside === '' ? base : `${base}/${inside}`);
    }
  }
}

/** The location one level up (the parent folder), or undefined at a root it cannot go above. */
export function parentLocation(location: Location): Location | undefined {
  if (location.kind === 'daemon') {
    if (location.path === '') return undefined;
    return { ...location, path: path.posix.dirname(location.path) === '.' ? '' : path.posix.dirname(location.path) };
  }
  if (location.path === '/') return undefined;
  return { ...location, path: path.posix.dirname(location.path) };
}

/** The location of `relPath` (a plain relative path) below `location`. */
export function childLocation(location: Location, relPath: string): Location {
  if (location.kind === 'local') return { ...location, path: path.join(location.path, relPath) };
  if (location.kind === 'ssh') return { ...location, path: path.posix.join(location.path, relPath) };
  return { ...location, path: [location.path, relPath].filter((p) => p !== '').join('/') };
}
