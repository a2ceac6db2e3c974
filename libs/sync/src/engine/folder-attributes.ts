import type { BigIntStats } from 'node:fs';
import { filterByLookups } from '../location/local-disk.js';

/**
 * Both roots of a run as local paths (a mounted NAS included): folder attributes can be compared
 * here before an rsync is started to set them again. `localDisks`: both lie on this machine's
 * disks (isOnLocalDisk); how the lookups run then and otherwise: filterByLookups.
 */
export interface FolderRoots {
  source: string;
  dest: string;
  localDisks: boolean;
}

function sameAttributes(s: BigIntStats | undefined, b: BigIntStats | undefined): boolean {
  return s !== undefined && b !== undefined && s.mtimeNs === b.mtimeNs && s.mode === b.mode && s.uid === b.uid && s.gid === b.gid;
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
  return filterByLookups(folders, roots.localDisks, async (rel, lookUp) => {
    const [s, b] = await Promise.all([lookUp(source(rel)), lookUp(dest(rel))]);
    return !sameAttributes(s, b);
  });
}
