import { lstatSync, type BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import { MainThreadSlices } from '../location/local-disk.js';
import { runQueue } from './queue.js';

/**
 * Both roots of a run as local paths (a mounted NAS included): folder attributes can be compared
 * here before an rsync is started to set them again. `localDisks`: both lie on this machine's
 * disks (isOnLocalDisk), where lookups are made synchronously in slices (MainThreadSlices);
 * otherwise they go through the thread pool, several at once, as each is a round trip.
 */
export interface FolderRoots {
  source: string;
  dest: string;
  localDisks: boolean;
}

/** Lookups in flight on a network share. */
const CONCURRENT_LOOKUPS = 16;

function sameAttributes(s: BigIntStats | undefined, b: BigIntStats | undefined): boolean {
  return s !== undefined && b !== undefined && s.mtimeNs === b.mtimeNs && s.mode === b.mode && s.uid === b.uid && s.gid === b.gid;
}

function lookUpHere(p: Buffer): BigIntStats | undefined {
  try {
    return lstatSync(p, { bigint: true });
  } catch {
    return undefined;
  }
}

/**
 * The folders (relative to both roots, `./`-prefixed; an empty one is the root itself) whose backup copy
 * lacks its source folder's modification time (to the nanosecond), mode or owner, in the order
 * given: only those need an rsync to set them again. One that cannot be looked up counts as
 * differing.
 */
export async function foldersThatDiffer(folders: readonly Buffer[], roots: FolderRoots): Promise<Buffer[]> {
  // The roots as UTF-8, the names below them as the bytes they are.
  const sourceRoot = Buffer.from(`${roots.source}/`);
  const destRoot = Buffer.from(`${roots.dest}/`);
  const source = (rel: Buffer): Buffer => Buffer.concat([sourceRoot, rel]);
  const dest = (rel: Buffer): Buffer => Buffer.concat([destRoot, rel]);
  const differs = new Array<boolean>(folders.length).fill(true);
  if (roots.localDisks) {
    const slices = new MainThreadSlices();
    for (const [i, rel] of folders.entries()) {
      differs[i] = !sameAttributes(lookUpHere(source(rel)), lookUpHere(dest(rel)));
      await slices.breathe();
    }
  } else {
    const lookUp = (p: Buffer): Promise<BigIntStats | undefined> => fs.lstat(p, { bigint: true }).catch(() => undefined);
    await runQueue([...folders.keys()], () => CONCURRENT_LOOKUPS, async (i) => {
      const rel = folders[i] as Buffer;
      const [s, b] = await Promise.all([lookUp(source(rel)), lookUp(dest(rel))]);
      differs[i] = !sameAttributes(s, b);
    });
  }
  return folders.filter((_, i) => differs[i]);
}
