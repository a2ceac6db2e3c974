import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Environment for npm, nx and dailysync started from a test: without Jest's NODE_OPTIONS
 * (--experimental-vm-modules) and without colours, daemon or cloud.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0', NO_COLOR: '1' };
  delete env['NODE_OPTIONS'];
  return env;
}

/** Builds every package (Nx, cached) and packs each public one into `dest`; returns the tarballs. */
export async function packWorkspace(dest: string): Promise<string[]> {
  await execa(process.execPath, [path.join(REPO_ROOT, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: REPO_ROOT, env: childEnv() });
  await fs.mkdir(dest, { recursive: true });
  await execa('npm', ['pack', '--workspaces', '--pack-destination', dest], { cwd: REPO_ROOT, env: childEnv() });
  return (await fs.readdir(dest)).filter((f) => f.endsWith('.tgz')).map((f) => path.join(dest, f));
}

/** Lists the files of a tarball. */
export async function tarballFiles(tgz: string): Promise<string[]> {
  const { stdout } = await execa('tar', ['-tzf', tgz]);
  return stdout.split('\n').filter(Boolean);
}
