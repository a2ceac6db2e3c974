import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { acquireLock, lockFile, type BackupReport } from '@dailysync/sync';
import { reportCommandError } from '../src/command-error.js';
import { exists, makeTempDir, projectTree, writeTree } from '../../sync/test/helpers/tree.js';
import { freePort } from '../../sync/test/remote/servers.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../apps/backup/bin/dailysync.js');
const dailysync = (args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false });

/** A stack frame line as Node prints them: must never reach a user. */
const STACK_LINE = /^\s+at .+[(:]\d+/m;

async function readReport(file: string): Promise<BackupReport> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as BackupReport;
}

function jsonEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Real rsync processes writing into `dest` (from ps). */
async function rsyncInto(dest: string): Promise<number[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((l) => /\brsync\b/.test(l) && l.includes(`${dest}/`)).map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('every exit path leaves a true run record (issue 10: What to build 3, items 11-14, 16)', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let out: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-record-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    out = path.join(dir, 'out');
    await writeTree(source, projectTree(['alpha', 'beta']));
  });
  afterEach(() => cleanup());

  const outputs = (): string[] => ['--report', path.join(out, 'last.json'), '--junit', path.join(out, 'junit.xml')];

  test('a guard refusal (exit 2) writes the report, the JUnit failure and the --json error event', async () => {
    const empty = path.join(dir, 'empty');
    await fs.mkdir(empty);
    const r = await dailysync(['sync', '--source', empty, '--dest', dest, '--delete', '--json', ...outputs()]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^dailysync: error: --source .* is empty and --delete is on/m);
    expect(r.stderr).not.toMatch(STACK_LINE);
    const report = await readReport(path.join(out, 'last.json'));
    expect(report).toMatchObject({ ok: false, exitCode: 2, schemaVersion: 2, hostname: os.hostname(), source: empty, dest, error: { class: 'SafetyError' } });
    expect(report.error?.message).toMatch(/is empty and --delete is on/);
    const junit = await fs.readFile(path.join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/failures="1"/);
    expect(junit).toMatch(/<failure message="--source .* is empty and --delete is on[^"]*" type="SafetyError">/);
    const events = jsonEvents(r.stdout);
    expect(events.slice(-2).map((e) => e['event'])).toEqual(['error', 'report']);
    expect(events.at(-2)).toMatchObject({ class: 'SafetyError', exitCode: 2 });
    expect(await exists(dest)).toBe(false);
  });

  test('a lock refusal (exit 75) writes the record naming the lock', async () => {
    expect((await dailysync(['sync', '--source', source, '--dest', dest])).exitCode).toBe(0);
    const held = await acquireLock(source, dest, lockFile(await fs.realpath(source), await fs.realpath(dest), path.join(dest, '.dailysync')));
    try {
      const r = await dailysync(['sync', '--source', source, '--dest', dest, ...outputs()]);
      expect(r.exitCode).toBe(75);
      const report = await readReport(path.join(out, 'last.json'));
      expect(report).toMatchObject({ exitCode: 75, ok: false, error: { class: 'LockedError' } });
      expect(report.error?.message).toContain(`pid ${process.pid}`);
    } finally {
      await held.release();
    }
  });

  test('a --report path that is a directory is refused before the backup; the other outputs still say why', async () => {
    await fs.mkdir(path.join(out, 'last.json'), { recursive: true });
    const r = await dailysync(['sync', '--source', source, '--dest', dest, ...outputs()]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^dailysync: error: --report .*last\.json is a directory: give a file name/)]);
    expect(await exists(dest)).toBe(false);
    expect(await fs.readFile(path.join(out, 'junit.xml'), 'utf8')).toMatch(/type="ConfigError"/);
  });

  test('an --include matching nothing: exit 2, nothing in the backup, the report says why', async () => {
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--include', 'nomatch', ...outputs()]);
    expect(r.exitCode).toBe(2);
    expect(await exists(dest)).toBe(false);
    expect(await readReport(path.join(out, 'last.json'))).toMatchObject({ exitCode: 2, error: { class: 'ConfigError', message: expect.stringMatching(/matches no selected project/) } });
  });

  test('an unreachable rsync:// backup root: summary, report with failed projects, exit 1, and the live view ends (item 11)', async () => {
    const port = await freePort(); // Nothing listens there: connection refused.
    const unreachable = `rsync://127.0.0.1:${port}/mod/backup`;
    const r = await dailysync(['sync', '--source', source, '--dest', unreachable, '--retries', '0', '--plain', ...outputs()]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/failed/);
    const report = await readReport(path.join(out, 'last.json'));
    expect(report).toMatchObject({ exitCode: 1, ok: false });
    expect(report.error).toBeUndefined();
    expect(report.projects.filter((p) => p.status === 'failed').map((p) => p.name).sort()).toEqual(['(root)', 'alpha', 'beta']);
    expect(report.projects[0]?.error).toMatch(/backup root not reachable/);
  });

  test('an unreachable rsync:// source is an outage: exit 1 (not 2), retried, with a record (item 11)', async () => {
    const port = await freePort();
    const r = await dailysync(['sync', '--source', `rsync://127.0.0.1:${port}/mod/prod`, '--dest', dest, '--retries', '1', ...outputs()]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/could not be listed after 2 attempts .*the host is not reachable/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(await readReport(path.join(out, 'last.json'))).toMatchObject({ exitCode: 1, error: { class: 'RemoteUnreachableError' } });
  });

  test('SIGHUP stops every rsync like SIGTERM: exit 130, report written, no rsync left (item 14)', async () => {
    await writeTree(source, { 'alpha/big.bin': Buffer.alloc(6_000_000, 'A'), 'beta/big.bin': Buffer.alloc(6_000_000, 'B') });
    const child = spawn(process.execPath, [BIN, 'sync', '--source', source, '--dest', dest, '--bwlimit', '100', '--concurrency', '2', '--plain', ...outputs()], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Waits for an event, generously: CLI start-up takes long on a loaded shared machine.
    const deadline = Date.now() + 180_000;
    while ((await rsyncInto(dest)).length === 0) {
      if (Date.now() > deadline) throw new Error(`rsync never started: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGHUP');
    expect(await exit).toBe(130);
    expect(output).toMatch(/SIGHUP received: stopping every rsync/);
    expect(await rsyncInto(dest)).toEqual([]);
    expect(await readReport(path.join(out, 'last.json'))).toMatchObject({ exitCode: 130, interrupted: true, ok: false });
  }, 300_000);

  test('twelve rsyncs at once print no MaxListenersExceededWarning (item 17)', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 12; i++) files[`p${String(i).padStart(2, '0')}/data.bin`] = Buffer.alloc(400_000, i);
    await writeTree(source, files);
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--include', 'p*', '--concurrency', '12', '--bwlimit', '40', '--json']);
    expect(r.exitCode).toBe(0);
    // How many rsyncs really ran at once, from the task-start and task-finish events.
    let running = 0;
    let most = 0;
    for (const e of jsonEvents(r.stdout)) {
      if (e['event'] === 'task-start') most = Math.max(most, ++running);
      if (e['event'] === 'task-finish') running -= 1;
    }
    expect(most).toBeGreaterThanOrEqual(11);
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
  }, 300_000);

  test('an unexpected error is one line; its stack only with DAILYSYNC_DEBUG=1', () => {
    const lines: string[] = [];
    const sink = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
    const previous = process.env['DAILYSYNC_DEBUG'];
    try {
      delete process.env['DAILYSYNC_DEBUG'];
      expect(reportCommandError(new TypeError('boom\nsecond line'), sink)).toBe(1);
      expect(lines.join('')).toMatch(/^dailysync: unexpected error: boom \(.*DAILYSYNC_DEBUG=1.*\)\n$/);
      lines.length = 0;
      process.env['DAILYSYNC_DEBUG'] = '1';
      reportCommandError(new TypeError('boom'), sink);
      expect(lines.join('')).toMatch(STACK_LINE);
    } finally {
      if (previous === undefined) delete process.env['DAILYSYNC_DEBUG'];
      else process.env['DAILYSYNC_DEBUG'] = previous;
    }
  });
});
