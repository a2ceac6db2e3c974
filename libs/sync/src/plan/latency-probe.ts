import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * What one metadata round trip costs on a folder's filesystem beyond a local disk's: the median
 * time of a few lookups of names that do not exist, made one after another (as one rsync makes
 * its calls), less what the same call costs on a local disk through Node. Near 0 locally; about
 * the round trip on a NAS. Fresh random names cannot be answered from a cache (existing entries
 * can: NFS and FUSE fill attribute caches while listing a folder). Nothing is created.
 * Undefined when the folder cannot be reached.
 */
export async function extraMetadataLatencyMs(dir: string, samples = 12): Promise<number | undefined> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const name = path.join(dir, `.dailysync-latency-probe-${randomBytes(6).toString('hex')}`);
    const started = performance.now();
    try {
      await fs.lstat(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    }
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.max(0, (times[Math.floor(times.length / 2)] ?? 0) - LOCAL_LOOKUP_MS);
}

/** A lookup through Node's thread pool on a local disk, measured on our machines. */
const LOCAL_LOOKUP_MS = 0.2;

/** Above this extra latency per operation, storage answers like a network share, not a local disk. */
export const NETWORK_LATENCY_MS = 0.3;
