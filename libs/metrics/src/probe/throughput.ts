import { open, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readText } from '../proc/read.js';
import { parsePidIo } from '../proc/pid.js';
import type { FileSeen } from './walk.js';

export interface ThroughputResult {
  bytes: number;
  seconds: number;
  bytesPerSec: number;
  files: number;
  /**
   * Share of the bytes that really went through the block layer (/proc/self/io); near 0 for
   * reads served from the page cache, so a high read rate there says nothing about the disk.
   */
  blockShare: number | null;
}

const CHUNK = 1 << 20;

function selfIo(): { readBytes: number; writeBytes: number } | undefined {
  const io = parsePidIo(readText('/proc/self/io') ?? '');
  return io ? { readBytes: io.readBytes, writeBytes: io.writeBytes } : undefined;
}

const result = (bytes: number, start: number, files: number, blockBytes: number | undefined): ThroughputResult => {
  const seconds = (performance.now() - start) / 1000;
  return {
    bytes,
    seconds,
    bytesPerSec: seconds > 0 ? bytes / seconds : 0,
    files,
    blockShare: blockBytes === undefined || bytes === 0 ? null : Math.min(1, blockBytes / bytes),
  };
};

/** Reads the given files (largest first) until `maxBytes` or `budgetMs`; read-only. */
export async function measureRead(files: FileSeen[], maxBytes: number, budgetMs: number): Promise<ThroughputResult> {
  const start = performance.now();
  const deadline = start + budgetMs;
  const io0 = selfIo();
  const buf = Buffer.allocUnsafe(CHUNK);
  let bytes = 0;
  let used = 0;
  for (const f of files) {
    if (bytes >= maxBytes || performance.now() >= deadline) break;
    let fh;
    try {
      fh = await open(f.path, 'r');
    } catch {
      continue;
    }
    used++;
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, maxBytes - bytes), null);
        bytes += bytesRead;
        if (bytesRead === 0 || bytes >= maxBytes || performance.now() >= deadline) break;
      }
    } finally {
      await fh.close();
    }
  }
  const io1 = selfIo();
  return result(bytes, start, used, io0 && io1 ? io1.readBytes - io0.readBytes : undefined);
}

/** Name of the probe's own directory inside the destination. */
export const probeDirName = (pid = process.pid): string => `.dailysync-probe-${pid}`;

/**
 * Writes and fsyncs one temporary file inside `dest/.dailysync-probe-<pid>` until `maxBytes` or
 * `budgetMs`, then removes that directory. Never touches anything else in `dest`.
 */
export async function measureWrite(dest: string, maxBytes: number, budgetMs: number): Promise<ThroughputResult> {
  const dir = join(dest, probeDirName());
  // exclusive mkdir: an existing directory of that name is not ours to remove
  await mkdir(dir);
  try {
    const file = join(dir, 'write-test.bin');
    const chunk = Buffer.alloc(CHUNK);
    // Random-ish content: compressing or deduplicating filesystems would flatter zeros.
    for (let i = 0; i < CHUNK; i += 4) chunk.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
    const start = performance.now();
    const deadline = start + budgetMs;
    const io0 = selfIo();
    let bytes = 0;
    const fh = await open(file, 'wx');
    try {
      while (bytes < maxBytes && performance.now() < deadline) {
        const { bytesWritten } = await fh.write(chunk, 0, Math.min(CHUNK, maxBytes - bytes));
        bytes += bytesWritten;
        // fsync as we go, so the time includes the device, not only the page cache
        if (bytes % (16 * CHUNK) === 0) await fh.sync();
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const io1 = selfIo();
    return result(bytes, start, 1, io0 && io1 ? io1.writeBytes - io0.writeBytes : undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
