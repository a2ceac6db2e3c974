import fs from 'node:fs/promises';
import path from 'node:path';
import { snapshotsRoot } from './layout.js';
import { LATEST_LINK_NAME, PARTIAL_SUFFIX } from './naming.js';

/**
 * Makes a finished snapshot a restore point: renames `<name>.partial` to `<name>` (atomic on one
 * filesystem), then points `latest` at it through a temporary link renamed over the old one, so
 * `latest` always names a complete snapshot, before and after.
 */
export async function publishSnapshot(dest: string, name: string): Promise<string> {
  const root = snapshotsRoot(dest);
  const finalDir = path.join(root, name);
  await fs.rename(path.join(root, `${name}${PARTIAL_SUFFIX}`), finalDir);
  const tempLink = path.join(root, `.${LATEST_LINK_NAME}.${process.pid}.tmp`);
  await fs.rm(tempLink, { force: true });
  await fs.symlink(name, tempLink);
  await fs.rename(tempLink, path.join(root, LATEST_LINK_NAME));
  return finalDir;
}
