import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { makeTempDir, writeTree } from '../../../libs/sync/test/helpers/tree.js';
import { NX_TEST_ENV } from './nx-env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ScratchWorkspace {
  dir: string;
  /** Runs the workspace's real `nx` (no daemon, no cache, no cloud). */
  nx: (args: string[]) => ReturnType<typeof execa>;
  cleanup: () => Promise<void>;
}

/**
 * A minimal Nx workspace in a temporary folder that uses this repository's installed packages
 * (the plugin included, through the node_modules symlink). `files` are written into it.
 */
export async function scratchWorkspace(files: Record<string, string>, nxJson: Record<string, unknown> = {}): Promise<ScratchWorkspace> {
  const { dir, cleanup } = await makeTempDir('dailysync-scratch-ws-');
  await writeTree(dir, {
    'package.json': JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
    'nx.json': JSON.stringify({ analytics: false, ...nxJson }),
    'tsconfig.base.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', skipLibCheck: true } }),
    ...files,
  });
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const nx = (args: string[]) => execa(path.join(dir, 'node_modules/.bin/nx'), args, { cwd: dir, reject: false, env: NX_TEST_ENV });
  return { dir, nx, cleanup };
}
