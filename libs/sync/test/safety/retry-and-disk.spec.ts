import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { runBackup } from '../../src/engine/backup.js';
import { makeTempDir, treeDifferences, writeTree } from '../helpers/tree.js';
import { whenCopyStarts } from '../helpers/when-copy-starts.js';

/** A TCP port on 127.0.0.1 with nothing listening: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * An rsync that, on its first real run, makes a real connection-refused failure (exit 10) by
 * asking the real rsync for a daemon on a closed port; later runs are the real rsync.
 */
async function flakyRsync(dir: string, failures: number, failCommand: string): Promise<string> {
  const script = path.join(dir, 'flaky-rsync');
  const counter = path.join(dir, 'calls');
  await fs.writeFile(
    script,
    `#!/bin/bash
for a in "$@"; do case "$a" in --version|--dry-run) exec rsync "$@";; esac; done
n=$(cat '${counter}' 2>/dev/null || echo 0); echo $((n+1)) > '${counter}'
if [ "$n" -lt ${failures} ]; then ${failCommand}; fi
exec rsync "$@"
`,
    { mode: 0o755 },
  );
  return script;
}

describe('retries of transient rsync failures', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-retry-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    await writeTree(source, { 'alpha/a.txt': 'alpha\n', 'alpha/deep/b.txt': 'b\n' });
  });
  afterEach(() => cleanup());

  test('a real connection failure (exit 10) is retried with backoff and the data arrives; the report shows both attempts', async () => {
    const port = await closedPort();
    const rsyncPath = await flakyRsync(dir, 1, `exec rsync -- 'rsync://127.0.0.1:${port}/mod/' '${dir}/nowhere/'`);
    const started = Date.now();
    const report = await runBackup({ source, dest, include: ['alpha'], rsyncPath, retry: { retries: 2, backoffMs: 300 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const alpha = report.projects.find((p) => p.name === 'alpha');
    expect(alpha?.status).toBe('ok');
    expect(alpha?.attempts).toBe(2);
    expect(alpha?.attemptLog?.map((a) => [a.exitCode, a.class])).toEqual([[10, 'transient'], [0, 'ok']]);
    expect(alpha?.attemptLog?.[0]?.meaning).toMatch(/network socket error/);
    expect(await treeDifferences(path.join(source, 'alpha'), path.join(dest, 'alpha'))).toEqual([]);
  });

  test('a backup daemon that stays unreachable is tried 1 + --retries times, then reported failed', async () => {
    const port = await closedPort();
    const report = await runBackup({ source, dest: `rsync://127.0.0.1:${port}/mod/backup`, include: ['alpha'], retry: { retries: 1, backoffMs: 50 } });
    expect(report.ok).toBe(false);
    const project = report.projects.find((p) => p.name === 'alpha');
    expect(project?.status).toBe('failed');
    expect(project?.attempts).toBe(2);
    expect(project?.error).toMatch(/socket|reach|connect/i);
  });

  test('a fatal failure (usage error, exit 1) is not retried', async () => {
    const rsyncPath = await flakyRsync(dir, 5, 'exec rsync --no-such-option');
    const report = await runBackup({ source, dest, include: ['alpha'], rsyncPath, retry: { retries: 3, backoffMs: 10 } });
    const alpha = report.projects.find((p) => p.name === 'alpha');
    expect(alpha?.status).toBe('failed');
    expect(alpha?.exitCode).toBe(1);
    expect(alpha?.attempts).toBe(1);
    expect(await fs.readFile(path.join(dir, 'calls'), 'utf8')).toBe('1\n');
  });

  test('exit 23 hiding a vanished file (24) is detected from the messages and reported in alsoSeen', async () => {
    // A 3 MB file at 1000 KiB/s keeps rsync busy while a later file is removed; a file where the
    // backup has a non-empty folder of the same name cannot be written (exit 23).
    await writeTree(source, { 'alpha/a-big': Buffer.alloc(3_000_000, 1), 'alpha/z-vanish': 'x\n', 'alpha/conflict': 'file now\n' });
    await writeTree(dest, { 'alpha/conflict/keep.txt': 'old folder content\n' });
    const remover = whenCopyStarts(dest, 'a-big', () => fs.rm(path.join(source, 'alpha/z-vanish')));
    const report = await runBackup({ source, dest, include: ['alpha'], bwlimitKiB: 1000, retry: { retries: 0, backoffMs: 0 } });
    await remover;
    const alpha = report.projects.find((p) => p.name === 'alpha');
    expect(alpha?.exitCode).toBe(23);
    expect(alpha?.alsoSeen).toEqual(expect.arrayContaining(['vanished-files', 'partial-transfer']));
    expect(alpha?.error).toMatch(/also: some source files vanished/);
    // The backup's folder was not replaced, the rest was copied.
    expect(await fs.readFile(path.join(dest, 'alpha/conflict/keep.txt'), 'utf8')).toBe('old folder content\n');
    expect((await fs.stat(path.join(dest, 'alpha/a-big'))).size).toBe(3_000_000);
  });
});

describe('a full backup disk', () => {
  let dir: string;
  let source: string;
  let volume: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-full-'));
    source = path.join(dir, 'prod');
    volume = path.join(dir, 'volume');
    await fs.mkdir(volume);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', volume]);
  });
  afterAll(async () => {
    await execa('umount', ['-l', volume], { reject: false });
    await cleanup();
  });

  test('gives a clear error, stops the other tasks and leaves the older copies intact', async () => {
    const dest = path.join(volume, 'backup');
    const v1 = Buffer.alloc(300_000, 'a');
    await writeTree(source, { 'alpha/doc.bin': v1, 'beta/doc.bin': v1, 'gamma/doc.bin': v1, 'delta/doc.bin': v1 });
    expect((await runBackup({ source, dest, concurrency: 1 })).ok).toBe(true);
    // Every project now needs more than the space left: the first to run fills the disk.
    const v2 = Buffer.alloc(900_000, 'b');
    await writeTree(source, { 'alpha/doc.bin': v2, 'beta/doc.bin': v2, 'gamma/doc.bin': v2, 'delta/doc.bin': v2 });
    // One rsync per project, so the others are seen not to start (a shared rsync fails them all at once).
    const report = await runBackup({ source, dest, concurrency: 1, planning: { batchBelowMs: 0 } });
    expect(report.ok).toBe(false);
    const full = report.projects.filter((p) => p.alsoSeen?.includes('disk-full'));
    expect(full.length).toBe(1);
    expect(full[0]?.error).toMatch(/destination disk is full/);
    const notStarted = report.projects.filter((p) => p.error === 'not started: the destination disk is full');
    expect(notStarted.length).toBeGreaterThanOrEqual(1);
    // Each backup copy is either the old or the new version, whole: never a truncated mix.
    for (const p of ['alpha', 'beta', 'gamma', 'delta']) {
      const copy = await fs.readFile(path.join(dest, p, 'doc.bin'));
      expect(copy.equals(v1) || copy.equals(v2)).toBe(true);
    }
    const projectsLeftOld = await Promise.all(['alpha', 'beta', 'gamma', 'delta'].map(async (p) => (await fs.readFile(path.join(dest, p, 'doc.bin'))).equals(v1)));
    expect(projectsLeftOld.filter(Boolean).length).toBeGreaterThanOrEqual(2);
    // No rsync temporary file is left filling the disk.
    const leftovers = (await fs.readdir(dest, { recursive: true })).filter((n) => /(^|\/)\.[^/]+\.[A-Za-z0-9]{6}$/.test(String(n)));
    expect(leftovers).toEqual([]);
  });
});

describe('files that change while being copied', () => {
  test('are detected and copied again, so the backup matches the final source', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-changing-');
    try {
      const source = path.join(dir, 'prod');
      const dest = path.join(dir, 'backup');
      await writeTree(source, { 'alpha/growing.log': Buffer.alloc(1_500_000, 'x') });
      // 1.5 MB at 1000 KiB/s takes about 1.5 s; the file grows in the middle of the copy.
      const writer = whenCopyStarts(dest, 'growing.log', () => fs.appendFile(path.join(source, 'alpha/growing.log'), 'appended line\n'));
      const report = await runBackup({ source, dest, include: ['alpha'], bwlimitKiB: 1000 });
      await writer;
      const alpha = report.projects.find((p) => p.name === 'alpha');
      expect(alpha?.status).toBe('ok');
      expect(alpha?.attempts).toBeGreaterThanOrEqual(2);
      expect(alpha?.attemptLog?.[0]?.cause).toMatch(/1 file\(s\) changed while being copied: growing\.log/);
      const copy = await fs.readFile(path.join(dest, 'alpha/growing.log'));
      expect(copy.equals(await fs.readFile(path.join(source, 'alpha/growing.log')))).toBe(true);
    } finally {
      await cleanup();
    }
  });
});
