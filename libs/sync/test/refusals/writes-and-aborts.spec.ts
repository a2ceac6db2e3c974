import { getEventListeners } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { BackupReport } from '../../src/report/types.js';
import { runBackup } from '../../src/engine/backup.js';
import { waitBeforeRetry } from '../../src/engine/backoff.js';
import { InterruptedError, RemoteUnreachableError, WriteError } from '../../src/errors.js';
import { writeRunState } from '../../src/state/run-state.js';
import { makeTempDir, projectTree, writeTree } from '../helpers/tree.js';
import { freePort, LOOPBACK } from '../remote/servers.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../apps/backup/bin/dailysync.js');

/** Fills a file system until it reports ENOSPC. */
async function fill(mountPoint: string): Promise<void> {
  const handle = await fs.open(path.join(mountPoint, 'ballast'), 'w');
  try {
    for (;;) await handle.write(Buffer.alloc(64 * 1024, 1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

describe('files the run needs that cannot be written, and stops while waiting (issue 10 items 13, 14, 17)', () => {
  let dir: string;
  let source: string;
  let cleanup: () => Promise<void>;
  const mounts: string[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-writes-'));
    source = path.join(dir, 'prod');
    await writeTree(source, projectTree(['alpha', 'beta']));
  });
  afterEach(async () => {
    for (const m of mounts.splice(0)) await execa('umount', ['-l', m], { reject: false });
    await cleanup();
  });

  const mountTmpfs = async (name: string, options: string): Promise<string> => {
    const mountPoint = path.join(dir, name);
    await fs.mkdir(mountPoint);
    await execa('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint]);
    mounts.push(mountPoint);
    return mountPoint;
  };

  test('a full backup disk when the lock is written: one line, exit 1, a report, no empty lock left', async () => {
    const disk = await mountTmpfs('full', 'size=256k');
    const dest = path.join(disk, 'backup');
    await fs.mkdir(dest);
    await fill(disk);
    const reportFile = path.join(dir, 'last.json');
    const r = await execa(process.execPath, [BIN, 'sync', '--source', source, '--dest', dest, '--report', reportFile], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^dailysync: error: cannot write the run lock .*lock-\w+\.json \(the disk is full\): nothing was copied/)]);
    const report = JSON.parse(await fs.readFile(reportFile, 'utf8')) as BackupReport;
    expect(report).toMatchObject({ exitCode: 1, ok: false, error: { class: 'WriteError' } });
    expect(await fs.readdir(path.join(dest, '.dailysync'))).toEqual([]);
  });

  test('a read-only backup parent: the backup root cannot be created, a WriteError and not a stack', async () => {
    const disk = await mountTmpfs('readonly', 'size=256k,ro');
    await expect(runBackup({ source, dest: path.join(disk, 'backup') })).rejects.toThrow(WriteError);
    await expect(runBackup({ source, dest: path.join(disk, 'backup') })).rejects.toThrow(/--dest .* cannot be created \(EROFS\)/);
  });

  test('a state write on a full disk leaves no .tmp file behind', async () => {
    const disk = await mountTmpfs('state', 'size=256k');
    await fs.mkdir(path.join(disk, '.dailysync'));
    await fill(disk);
    await expect(writeRunState(disk, { version: 1, big: 'x'.repeat(100_000) })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await fs.readdir(path.join(disk, '.dailysync'))).toEqual([]);
  });

  test('Ctrl-C while counting deletions for --max-delete is an interruption (exit 130), not a refusal', async () => {
    const dest = path.join(dir, 'backup');
    expect((await runBackup({ source, dest, delete: true })).ok).toBe(true);
    const stop = new AbortController();
    // The stop arrives after the plan, when the deletion count starts.
    const run = runBackup({ source, dest, delete: true, maxDelete: 5, signal: stop.signal, hooks: { onPlan: () => stop.abort() } });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(130);
  });

  test('Ctrl-C during the backoff of a remote source listing stops at once', async () => {
    const closed = await freePort();
    const stop = new AbortController();
    const started = Date.now();
    const run = runBackup({ source: `rsync://${LOOPBACK}:${closed}/prod`, dest: path.join(dir, 'unused'), retry: { retries: 3, backoffMs: 60_000 }, signal: stop.signal });
    setTimeout(() => stop.abort(), 500);
    await expect(run).rejects.toThrow(InterruptedError);
    // Far below the 60 s backoff: the wait honoured the signal.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(getEventListeners(stop.signal, 'abort')).toEqual([]);
  });

  test('without a stop the unreachable source is an outage after its retries', async () => {
    const closed = await freePort();
    await expect(runBackup({ source: `rsync://${LOOPBACK}:${closed}/prod`, dest: path.join(dir, 'unused'), retry: { retries: 1, backoffMs: 10 } })).rejects.toThrow(RemoteUnreachableError);
  });

  test('the retry wait removes its abort listener whether it ran out or was aborted', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 20; i++) expect(await waitBeforeRetry({ retries: 1, backoffMs: 1 }, 1, stop.signal)).toBe(true);
    expect(getEventListeners(stop.signal, 'abort')).toEqual([]);
    const waiting = waitBeforeRetry({ retries: 1, backoffMs: 60_000 }, 1, stop.signal);
    stop.abort();
    expect(await waiting).toBe(false);
    expect(await waitBeforeRetry({ retries: 1, backoffMs: 60_000 }, 1, stop.signal)).toBe(false);
  });
});
