import { readdirSync, type Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import { projectNameBytes, type Discovery } from '../discovery/discover.js';
import { MainThreadSlices } from '../location/local-disk.js';

const SLASH = Buffer.from('/');

/** Folders read at once: on a NAS each listing is a round trip, and several overlap. */
const CONCURRENT_LISTINGS = 8;

/**
 * Entries of the selected part of a local source: the root entries (when the root pass runs), each
 * selected project folder and everything below it. Only folders are listed (no lstat per file), so
 * it costs one round trip per folder, not per file, and memory holds only folders still to list.
 * Links are counted, not followed. Used by the shrink guard, which compares it with the count of
 * the last good run.
 */
export async function countSourceEntries(
  source: string,
  discovery: Discovery,
  /** Projects already counted (the plan's walks, see BackupPlan.walkedProjectEntries): not listed again. */
  counted: ReadonlyMap<string, number> = new Map(),
  /**
   * The source lies on this machine's disks (isOnLocalDisk): folders are listed with synchronous
   * calls on the main thread, in MainThreadSlices, one after another (a nothing-changed night of
   * 2,000 one-file projects spent 70-90 ms here through the thread pool's promises, for 2,000 listings).
   */
  localDisk = false,
): Promise<number> {
  let count = discovery.rootSelected ? discovery.rootEntries.length : 0;
  // Paths as bytes: names that are not valid UTF-8 must reach the same folders.
  const pending: Buffer[] = [];
  const join = (dir: Buffer, name: Buffer): Buffer => Buffer.concat([dir, SLASH, name]);
  const sourceBytes = Buffer.from(source);
  for (const p of discovery.projects) {
    if (!p.selected) continue;
    const known = p.rawName === undefined ? counted.get(p.name) : undefined;
    if (known !== undefined) {
      count += known;
      continue;
    }
    count += 1;
    pending.push(join(sourceBytes, projectNameBytes(p)));
  }
  const listed = (entries: Array<Dirent<Buffer>>, dir: Buffer): void => {
    count += entries.length;
    for (const e of entries) if (e.isDirectory()) pending.push(join(dir, e.name));
  };
  if (localDisk) {
    const slices = new MainThreadSlices();
    for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
      try {
        listed(readdirSync(dir, { withFileTypes: true, encoding: 'buffer' }), dir);
      } catch {
        // Unreadable now: it counts as empty, which errs towards refusing a shrunk source.
      }
      const pause = slices.breathe();
      if (pause) await pause;
    }
    return count;
  }
  // Depth first from a stack, several listings in flight: memory holds the folders not yet listed.
  await new Promise<void>((resolve) => {
    let inFlight = 0;
    const pump = (): void => {
      while (inFlight < CONCURRENT_LISTINGS && pending.length > 0) {
        const dir = pending.pop() as Buffer;
        inFlight += 1;
        fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' })
          .then(
            (entries) => listed(entries as unknown as Array<Dirent<Buffer>>, dir),
            // Unreadable now: it counts as empty, which errs towards refusing a shrunk source.
            () => undefined,
          )
          .finally(() => {
            inFlight -= 1;
            pump();
          });
      }
      if (inFlight === 0 && pending.length === 0) resolve();
    };
    pump();
  });
  return count;
}
