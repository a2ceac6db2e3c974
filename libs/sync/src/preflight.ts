import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { describeProcessEnd, runProcess } from './process/spawn.js';
import type { ResolvedBackupOptions } from './options.js';

/** Real path of `p`, or of its nearest existing ancestor joined with the rest when `p` does not exist yet. */
export async function realPathOrAncestor(p: string): Promise<string> {
  const missing: string[] = [];
  let current = p;
  for (;;) {
    try {
      const real = await fs.realpath(current);
      return path.join(real, ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = path.dirname(current);
      if (parent === current) return p;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  // `..bk` is a child named "..bk", not a way up: only ".." itself or "../..." leaves the parent.
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Refuses source/destination pairs that rsync would accept but that lose or nest data: the same
 * folder, a backup inside the source (it would copy itself one level deeper every night), or a
 * source inside the backup (--delete would remove the source). Compares real paths, after symlinks.
 */
export async function checkPathsDoNotOverlap(source: string, dest: string): Promise<void> {
  const realSource = await realPathOrAncestor(source);
  const realDest = await realPathOrAncestor(dest);
  if (realSource === realDest) {
    throw new ConfigError(`--dest ${dest} is the same folder as --source ${source}: point --dest at a separate backup folder`);
  }
  if (isInside(realDest, realSource)) {
    throw new ConfigError(`--dest ${dest} is inside --source ${source}: the backup would copy itself every run; choose a destination outside the source`);
  }
  if (isInside(realSource, realDest)) {
    throw new ConfigError(`--source ${source} is inside --dest ${dest}: the backup would overwrite its own source; choose a destination outside the source`);
  }
}

export async function checkSourceDirectory(source: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`--source ${source} does not exist: check the path and that the production NAS is mounted`);
    throw new ConfigError(`--source ${source} cannot be read (${code ?? String(error)}): check its permissions`);
  }
  if (!stat.isDirectory()) throw new ConfigError(`--source ${source} is not a directory: give the folder that holds the projects`);
}

/** The backup root may be created, but only inside an existing parent, so a missing NAS mount is not papered over. */
export async function checkDestDirectory(dest: string): Promise<{ exists: boolean }> {
  try {
    const stat = await fs.stat(dest);
    if (!stat.isDirectory()) throw new ConfigError(`--dest ${dest} exists and is not a directory: give a folder for the backup`);
    return { exists: true };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`--dest ${dest} cannot be read (${(error as NodeJS.ErrnoException).code}): check its permissions`);
    }
  }
  const parent = path.dirname(dest);
  try {
    if (!(await fs.stat(parent)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new ConfigError(`--dest ${dest} cannot be created because its parent ${parent} does not exist: create it or mount the backup NAS there`);
  }
  return { exists: false };
}

/** Returns rsync's version string, or explains how to install rsync. */
export async function checkRsyncInstalled(rsyncPath: string): Promise<string> {
  const end = await runProcess(rsyncPath, ['--version'], { env: { PATH: process.env['PATH'] ?? '' } });
  if (end.startError?.code === 'ENOENT') {
    throw new ConfigError(`rsync is not installed (no "${rsyncPath}" on PATH): install it with "sudo apt-get install -y rsync" (Debian/Ubuntu) or "sudo dnf install rsync"`);
  }
  if (end.exitCode !== 0) {
    throw new ConfigError(`"${rsyncPath} --version" failed (${describeProcessEnd(end).split('\n')[0]}): check the rsync installation`);
  }
  const match = /version\s+(\S+)/.exec(end.stdout.toString());
  return match?.[1] ?? 'unknown';
}

/**
 * All checks that must pass before anything is written. rsync's own check (a process to start,
 * the slowest of them) runs beside the path checks; when several fail, rsync's error is the one
 * reported, as when they ran one after another.
 */
export async function preflight(options: ResolvedBackupOptions): Promise<{ rsyncVersion: string; destExists: boolean }> {
  const paths = checkPaths(options);
  // Its error is thrown below, after rsync's; a missing rsync is reported at once, even while a
  // path check waits on a hung NAS mount.
  paths.catch(() => undefined);
  const rsyncVersion = await checkRsyncInstalled(options.rsyncPath);
  return { rsyncVersion, destExists: (await paths).destExists };
}

async function checkPaths(options: ResolvedBackupOptions): Promise<{ destExists: boolean }> {
  // Remote sides cannot be checked with fs: a remote source is checked by listing it, a remote
  // backup root is created (parent must exist) by ensureRemoteDest before any task runs.
  if (options.sourceLocation.kind === 'local') await checkSourceDirectory(options.source);
  if (options.sourceLocation.kind === 'local' && options.destLocation.kind === 'local') {
    await checkPathsDoNotOverlap(options.source, options.dest);
  }
  if (options.destLocation.kind !== 'local') return { destExists: false };
  const { exists } = await checkDestDirectory(options.dest);
  return { destExists: exists };
}
