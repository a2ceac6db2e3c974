import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { runBackup, type BackupReport } from '@dailysync/sync';
import { makeTempDir, treeDifferences, writeTree } from '../../../../libs/sync/test/helpers/tree.js';

const WORKSPACE = path.resolve(import.meta.dirname, '../../../..');
const CLI = path.join(WORKSPACE, 'apps/backup/bin/dailysync.js');
// rsync writes its temp files (`name.XXXXXX`) into the run's own --temp-dir, <dest>/.dailysync/tmp/<run>/<task>/.
const TEMP_NAME = /(^|\/)[^/]+\.[A-Za-z0-9]{6}$/;

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** The CLI in its own process; its temporary files, which a killed run cannot remove, go to `tmpDir` (the test's folder), not /tmp. */
function startCli(args: string[], tmpDir: string): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: WORKSPACE, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmpDir } });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, output: () => output, exit };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function tempFiles(dest: string): Promise<string[]> {
  const tempRoot = path.join(dest, '.dailysync', 'tmp');
  const names = await fs.readdir(tempRoot, { recursive: true }).catch(() => [] as string[]);
  return names.map(String).filter((n) => n.includes('/') && TEMP_NAME.test(n));
}

/** rsync processes writing into `dest`, from `ps`. */
async function rsyncInto(dest: string): Promise<Array<{ pid: number; pgid: number }>> {
  const { stdout } = await execa('ps', ['-eo', 'pid=,pgid=,args=']);
  return stdout
    .split('\n')
    .filter((l) => / rsync /.test(` ${l.trim().split(/\s+/).slice(2, 3).join(' ')} `) || /\brsync\b.*--/.test(l))
    .filter((l) => l.includes(`${dest}/`))
    .map((l) => {
      const [pid, pgid] = l.trim().split(/\s+/);
      return { pid: Number(pid), pgid: Number(pgid) };
    });
}

describe('interruption, killed runs and the run lock (CLI processes, real rsync)', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  const v1 = Buffer.alloc(1_500_000, 'A');
  // A different size, so rsync's quick check sees the change even within the same second.
  const v2 = Buffer.alloc(1_600_000, 'B');
  const running: Running[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-interrupt-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    await writeTree(source, { 'alpha/big.bin': v1, 'beta/big.bin': v1, 'gamma/small.txt': 'small\n' });
    expect((await runBackup({ source, dest })).ok).toBe(true);
    // The next run has to replace both big files: slow enough (bwlimit) to be interrupted.
    await writeTree(source, { 'alpha/big.bin': v2, 'beta/big.bin': v2 });
  });
  afterEach(async () => {
    for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    for (const p of await rsyncInto(dest)) process.kill(-p.pgid, 'SIGKILL');
    await cleanup();
  });

  const slowRun = (): Running => {
    const r = startCli(['sync', '--source', source, '--dest', dest, '--bwlimit', '150', '--concurrency', '2', '--plain'], dir);
    running.push(r);
    return r;
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} stops every rsync, exits 130, reports interrupted and keeps every old backup file intact`, async () => {
      const run = slowRun();
      await waitFor('rsync temp files', async () => ((await tempFiles(dest)).length >= 2 ? true : undefined));
      run.child.kill(signal);
      expect(await run.exit).toBe(130);
      expect(run.output()).toMatch(new RegExp(`${signal} received: stopping every rsync`));
      expect(run.output()).toMatch(/INTERRUPTED/);
      expect(await rsyncInto(dest)).toEqual([]);
      expect(await tempFiles(dest)).toEqual([]);
      expect((await fs.readFile(path.join(dest, 'alpha/big.bin'))).equals(v1)).toBe(true);
      expect((await fs.readFile(path.join(dest, 'beta/big.bin'))).equals(v1)).toBe(true);
      expect(await fs.readdir(path.join(dest, '.dailysync'))).not.toContainEqual(expect.stringMatching(/^lock-/));
    });
  }

  test('after SIGKILL of dailysync (and of one rsync, as in a power cut) the next run stops the orphan, cleans up and completes', async () => {
    const run = slowRun();
    await waitFor('rsync temp files', async () => ((await tempFiles(dest)).length >= 2 ? true : undefined));
    run.child.kill('SIGKILL');
    await run.exit;
    // dailysync is gone; its rsyncs live on in their own process groups. Kill one group hard.
    const orphans = await rsyncInto(dest);
    expect(orphans.length).toBeGreaterThanOrEqual(2);
    const groups = [...new Set(orphans.map((o) => o.pgid))];
    process.kill(-groups[0]!, 'SIGKILL');
    await waitFor('the killed rsync to go', async () => ((await rsyncInto(dest)).some((o) => o.pgid === groups[0]) ? undefined : true));
    expect((await tempFiles(dest)).length).toBeGreaterThanOrEqual(1);
    expect((await fs.readdir(path.join(dest, '.dailysync'))).some((n) => n.startsWith('lock-'))).toBe(true);
    // The old copies are still the good ones.
    expect((await fs.readFile(path.join(dest, 'alpha/big.bin'))).equals(v1)).toBe(true);
    expect((await fs.readFile(path.join(dest, 'beta/big.bin'))).equals(v1)).toBe(true);

    const reportFile = path.join(dir, 'report.json');
    const next = startCli(['sync', '--source', source, '--dest', dest, '--plain', '--report', reportFile], dir);
    running.push(next);
    expect(await next.exit).toBe(0);
    const report = JSON.parse(await fs.readFile(reportFile, 'utf8')) as BackupReport;
    expect(report.safety?.lockTakenOverFrom?.pid).toBe(run.child.pid);
    expect(report.safety?.leftoverRsyncStopped).toBeGreaterThanOrEqual(1);
    expect(report.safety?.tempFilesRemoved.length).toBeGreaterThanOrEqual(1);
    expect(await tempFiles(dest)).toEqual([]);
    expect(await rsyncInto(dest)).toEqual([]);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('a second run of the same pair exits 75 naming the running one, and writes nothing', async () => {
    const first = slowRun();
    await waitFor('the lock', async () => ((await fs.readdir(path.join(dest, '.dailysync'))).some((n) => n.startsWith('lock-')) ? true : undefined));
    const second = startCli(['sync', '--source', source, '--dest', dest, '--plain'], dir);
    running.push(second);
    expect(await second.exit).toBe(75);
    expect(second.output()).toMatch(new RegExp(`another dailysync run \\(pid ${first.child.pid} on .*\\) is backing up ${source} to ${dest}`));
    first.child.kill('SIGINT');
    expect(await first.exit).toBe(130);
    expect((await fs.readFile(path.join(dest, 'alpha/big.bin'))).equals(v1)).toBe(true);
  });

  test('a stale lock of a dead run is taken over in-process and the run completes', async () => {
    const deadChild = spawn('true');
    await new Promise((resolve) => deadChild.on('exit', resolve));
    const dead = { pid: deadChild.pid };
    const lockDir = path.join(dest, '.dailysync');
    const { lockFile } = await import('@dailysync/sync');
    await fs.writeFile(
      lockFile(source, dest, lockDir),
      JSON.stringify({ pid: dead.pid, host: (await import('node:os')).hostname(), procStart: '1', startedAt: '2020-01-01T00:00:00.000Z', source, dest }),
    );
    const report = await runBackup({ source, dest });
    expect(report.ok).toBe(true);
    expect(report.safety?.lockTakenOverFrom?.pid).toBe(dead.pid);
    expect((await fs.readdir(lockDir)).some((n) => n.startsWith('lock-'))).toBe(false);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });
});
