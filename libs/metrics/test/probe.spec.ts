import fs from 'node:fs/promises';
import path from 'node:path';
import { measureWrite, probeDirName, runProbe } from '../src/index.js';
import { makeTempDir, writeTree } from '../../sync/test/helpers/tree.js';

describe('runProbe', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-probe-'));
  });
  afterEach(() => cleanup());

  test('measures metadata, read, write and CPU on real directories and leaves the destination as it was', async () => {
    const source = path.join(dir, 'src');
    const dest = path.join(dir, 'dst');
    const files: Record<string, Buffer | string> = { 'big.bin': Buffer.alloc(3_000_000, 7) };
    for (let i = 0; i < 40; i++) files[`p${i % 4}/d${i % 7}/f${i}.txt`] = `file ${i}\n`;
    await writeTree(source, files);
    await writeTree(dest, { 'old/keep.txt': 'keep\n' });
    const before = await fs.stat(path.join(dest, 'old/keep.txt'));

    // 6 s: the single walker gets 1.2 s for a 47-entry tree, room for a stall on a busy machine.
    const r = await runProbe({ source, dest, durationMs: 6000, maxWriteBytes: 8 * 2 ** 20, intervalMs: 200 });

    expect(r.metadata.single.ops).toBeGreaterThan(40);
    expect(r.metadata.single.opsPerSec).toBeGreaterThan(0);
    expect(r.metadata.concurrent.walkers).toBe(8);
    expect(r.metadata.concurrent.opsPerSec).toBeGreaterThan(0);
    expect(r.metadata.single.complete).toBe(true); // small tree: walked, then walked again
    // The 16 largest files are read: big.bin first, then 15 of the small ones.
    expect(r.read.files).toBe(16);
    expect(r.read.bytes).toBeGreaterThan(3_000_000);
    expect(r.read.bytes).toBeLessThan(3_000_000 + 16 * 10);
    expect(r.read.bytesPerSec).toBeGreaterThan(0);
    expect(r.write.bytes).toBe(8 * 2 ** 20);
    expect(r.write.bytesPerSec).toBeGreaterThan(0);
    expect(r.cpu.cores).toBeGreaterThan(0);
    expect(r.cpu.idlePct).toBeGreaterThanOrEqual(0);
    expect(r.cpu.idlePct + r.cpu.busyPct + r.cpu.iowaitPct).toBeCloseTo(100, 0);
    expect(r.source).toMatchObject({ path: source, kind: 'local', networkFs: false });
    expect(r.series.samples.length).toBeGreaterThan(0);
    expect(['cpu', 'disk', 'network', 'memory', 'latency']).toContain(r.likely.bottleneck);
    expect(r.likely.evidence.some((e) => e.startsWith('metadata: '))).toBe(true);
    expect(r.likely.suggestion).toMatch(/concurrency/);

    // Only its own temporary directory was written, and it is gone.
    expect(await fs.readdir(dest)).toEqual(['old']);
    expect(await fs.readdir(path.join(dest, 'old'))).toEqual(['keep.txt']);
    expect(await fs.readFile(path.join(dest, 'old/keep.txt'), 'utf8')).toBe('keep\n');
    expect((await fs.stat(path.join(dest, 'old/keep.txt'))).mtimeMs).toBe(before.mtimeMs);
  });

  test('refuses a destination that does not exist, and never removes a probe directory it did not create', async () => {
    await expect(runProbe({ source: dir, dest: path.join(dir, 'missing'), durationMs: 1000 })).rejects.toThrow(/dest .*missing does not exist/);
    await expect(fs.stat(path.join(dir, 'missing'))).rejects.toThrow();
    const foreign = path.join(dir, probeDirName());
    await writeTree(foreign, { 'theirs.txt': 'not ours\n' });
    await expect(measureWrite(dir, 1 << 20, 500)).rejects.toThrow(/EEXIST/);
    expect(await fs.readFile(path.join(foreign, 'theirs.txt'), 'utf8')).toBe('not ours\n');
  });
});

