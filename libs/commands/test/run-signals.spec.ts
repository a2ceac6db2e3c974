import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { acquireLock } from '@dailysync/sync';
import { sendPing } from '../src/output/notify.js';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../../sync/test/helpers/tree.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../apps/backup/bin/dailysync.js');
const dailysync = (args: string[], env: Record<string, string> = {}) => execa(process.execPath, [BIN, ...args], { reject: false, env });

interface Ping {
  path: string;
  body: string;
}

/** A health-check endpoint on 127.0.0.1 that records every request; `mode` makes it answer 500s or hang. */
async function pingServer(): Promise<{ url: string; pings: Ping[]; mode: { status: number; hang: boolean }; close: () => Promise<void> }> {
  const pings: Ping[] = [];
  const mode = { status: 200, hang: false };
  const server = http.createServer((req, res) => {
    // Recorded on arrival, so a request the server never answers still counts.
    const ping = { path: req.url ?? '', body: '' };
    pings.push(ping);
    req.on('data', (c: Buffer) => (ping.body += c.toString('utf8')));
    req.on('end', () => {
      if (mode.hang) return;
      res.writeHead(mode.status).end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ping/check-1`,
    pings,
    mode,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Parses the text exposition format into `name{labels}` -> value, failing on any malformed line. */
function parseProm(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (-?[0-9.]+)$/.exec(line);
    if (!m) throw new Error(`malformed metrics line: ${line}`);
    values.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return values;
}

/** PIDs of the rsync processes writing into `dest`. */
async function rsyncInto(dest: string): Promise<number[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((l) => /\brsync\b/.test(l) && l.includes(`${dest}/`)).map((l) => Number(l.trim().split(/\s+/)[0]));
}

const ISO_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /;

describe('monitoring signals of dailysync sync: metrics file, notify pings, log file, quiet', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let metrics: string;
  let cleanup: () => Promise<void>;
  let server: Awaited<ReturnType<typeof pingServer>>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-signals-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'prod_backup');
    metrics = path.join(dir, 'textfile/dailysync.prom');
    await writeTree(source, projectTree(['alpha', 'beta', 'gamma']));
    server = await pingServer();
  });
  afterEach(async () => {
    await server.close();
    await cleanup();
  });

  test('a good run: start and success pings, metrics with every project, timestamped plain and log lines without ANSI', async () => {
    const logFile = path.join(dir, 'dailysync.log');
    await fs.writeFile(logFile, 'line from an earlier run\n');
    // FORCE_COLOR is what Nx and CI runners set; plain output must stay free of escape codes anyway.
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--plain', '--metrics-file', metrics, '--notify-url', server.url, '--log-file', logFile], { FORCE_COLOR: '1' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(server.pings.map((p) => p.path)).toEqual(['/ping/check-1/start', '/ping/check-1']);
    expect(server.pings[1]?.body).toMatch(/^dailysync exit 0\nOK: 4 ok, 0 warning, 0 failed/);
    const m = parseProm(await fs.readFile(metrics, 'utf8'));
    expect(m.get('dailysync_last_run_success')).toBe(1);
    expect(m.get('dailysync_last_run_exit_code')).toBe(0);
    expect(m.get('dailysync_last_run_files_transferred')).toBe(10);
    for (const p of ['alpha', 'beta', 'gamma', '(root)']) expect(m.get(`dailysync_project_status{project="${p}",status="ok"}`)).toBe(1);
    expect(m.get('dailysync_project_files_transferred{project="alpha"}')).toBe(3);
    expect(m.get('dailysync_last_run_end_timestamp_seconds')).toBeGreaterThanOrEqual(m.get('dailysync_last_run_start_timestamp_seconds') ?? Infinity);
    // Written by rename: no temporary file is left next to it for the collector to read.
    expect(await fs.readdir(path.dirname(metrics))).toEqual(['dailysync.prom']);
    expect(r.stdout).not.toContain('\x1b');
    for (const line of r.stdout.split('\n').filter((l) => l.trim() !== '')) expect(line).toMatch(ISO_LINE);
    // Small projects share one rsync (a batch), finished as one line.
    expect(r.stdout).toMatch(/✔ (alpha: 3 files|\(batch 1\) · 3 small projects: 9 files)/);
    const log = (await fs.readFile(logFile, 'utf8')).split('\n').filter((l) => l !== '');
    expect(log[0]).toBe('line from an earlier run');
    for (const line of log.slice(1)) expect(line).toMatch(ISO_LINE);
    expect(log.join('\n')).toMatch(/OK: 4 ok/);
    expect(log.join('\n')).not.toContain('\x1b');
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('a failed run: fail ping with the exit status and the failed project, metrics say so; --quiet prints only the summary and the failure', async () => {
    // A non-empty folder in the backup where the source has a file: without --delete rsync cannot
    // make way for the file (exit 23), as one rsync of the whole tree could not either.
    await writeTree(dest, { 'beta/sub 0/file-0.dat/keep': 'a folder now\n' });
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--quiet', '--metrics-file', metrics, '--notify-url', server.url]);
    expect(r.exitCode).toBe(1);
    expect(server.pings.map((p) => p.path)).toEqual(['/ping/check-1/start', '/ping/check-1/fail']);
    expect(server.pings[1]?.body).toMatch(/^dailysync exit 1\nFAILED: 3 ok, 0 warning, 1 failed/);
    expect(server.pings[1]?.body).toMatch(/^beta: failed: /m);
    const m = parseProm(await fs.readFile(metrics, 'utf8'));
    expect(m.get('dailysync_last_run_success')).toBe(0);
    expect(m.get('dailysync_last_run_exit_code')).toBe(1);
    expect(m.get('dailysync_project_status{project="beta",status="failed"}')).toBe(1);
    expect(m.get('dailysync_project_status{project="alpha",status="ok"}')).toBe(1);
    expect(m.get('dailysync_last_run_projects{status="failed"}')).toBe(1);
    // Quiet: the failure line, the rows that need attention and the totals; no progress, no ok rows.
    // beta's own failure, also when it shared an rsync (batch) with alpha and gamma.
    expect(r.stdout).toMatch(/✖ (beta: failed|\(batch 1\) · 3 small projects: failed: beta: )/);
    expect(r.stdout).not.toMatch(/✔ alpha/);
    expect(r.stdout).not.toMatch(/^\S+ alpha\s+ok/m);
    expect(r.stdout).toMatch(/FAILED: 3 ok, 0 warning, 1 failed/);
    expect(r.stdout).not.toMatch(/plan: |overall: |resources: /);
  });

  test('refused runs (bad selection: exit 2; locked: exit 75) still write the metrics file and send the fail ping', async () => {
    const refused = await dailysync(['sync', '--source', source, '--dest', dest, '--plain', '--max-delete', 'lots', '--metrics-file', metrics, '--notify-url', server.url]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^dailysync: error: .*max-delete/);
    let m = parseProm(await fs.readFile(metrics, 'utf8'));
    expect(m.get('dailysync_last_run_exit_code')).toBe(2);
    expect(m.get('dailysync_last_run_success')).toBe(0);
    expect([...m.keys()].some((k) => k.startsWith('dailysync_last_run_error{error="') && k.includes('max-delete'))).toBe(true);
    expect(server.pings.map((p) => p.path)).toEqual(['/ping/check-1/start', '/ping/check-1/fail']);
    expect(server.pings[1]?.body).toMatch(/^dailysync exit 2\n.*max-delete/);

    server.pings.length = 0;
    await fs.mkdir(dest, { recursive: true });
    const held = await acquireLock(source, dest);
    try {
      const locked = await dailysync(['sync', '--source', source, '--dest', dest, '--plain', '--metrics-file', metrics, '--notify-url', server.url]);
      expect(locked.exitCode).toBe(75);
      m = parseProm(await fs.readFile(metrics, 'utf8'));
      expect(m.get('dailysync_last_run_exit_code')).toBe(75);
      expect(server.pings.map((p) => p.path)).toEqual(['/ping/check-1/start', '/ping/check-1/fail']);
      expect(server.pings[1]?.body).toMatch(/^dailysync exit 75\n.*another dailysync run/);
    } finally {
      await held.release();
    }
  });

  test('an interrupted run (SIGINT, exit 130) still writes the metrics file and sends the fail ping', async () => {
    await writeTree(source, { 'alpha/big.bin': Buffer.alloc(6_000_000, 'A'), 'beta/big.bin': Buffer.alloc(6_000_000, 'B') });
    const child = spawn(process.execPath, [BIN, 'sync', '--source', source, '--dest', dest, '--bwlimit', '100', '--concurrency', '2', '--plain', '--metrics-file', metrics, '--notify-url', server.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 180_000;
    while ((await rsyncInto(dest)).length === 0) {
      if (Date.now() > deadline) throw new Error(`rsync never started: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(output).toMatch(/SIGINT received: stopping every rsync/);
    const m = parseProm(await fs.readFile(metrics, 'utf8'));
    expect(m.get('dailysync_last_run_exit_code')).toBe(130);
    expect(m.get('dailysync_last_run_success')).toBe(0);
    expect(server.pings.map((p) => p.path)).toEqual(['/ping/check-1/start', '/ping/check-1/fail']);
    expect(server.pings[1]?.body).toMatch(/^dailysync exit 130\n/);
  }, 300_000);

  test('an unreachable or failing endpoint never fails the backup: one warning, exit 0', async () => {
    server.mode.status = 503;
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--plain', '--notify-url', server.url]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: the start ping to 127\.0\.0\.1:\d+ was not delivered \(HTTP 503\); the backup result is not affected/);
    // Three attempts per ping (two retries), for start and success.
    expect(server.pings).toHaveLength(6);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('a hanging endpoint is given up on after the timeout and the retries', async () => {
    server.mode.hang = true;
    const warnings: string[] = [];
    const delivered = await sendPing(new URL(server.url), 'fail', 'dailysync exit 1', { timeoutMs: 1000, retries: 1, backoffMs: 10, warn: (l) => warnings.push(l) });
    expect(delivered).toBe(false);
    expect(server.pings.map((p) => p.path)).toEqual(['/ping/check-1/fail', '/ping/check-1/fail']);
    expect(warnings).toEqual([expect.stringMatching(/fail ping to 127\.0\.0\.1:\d+ was not delivered \(no answer within 1000 ms\)/)]);
  });

  test('a bad --notify-url or --log-file is a one-line error with exit 2, and nothing is written', async () => {
    const bad = await dailysync(['sync', '--source', source, '--dest', dest, '--notify-url', 'ftp://example.org/x', '--metrics-file', metrics]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^dailysync: error: --notify-url "ftp:\/\/example.org\/x" must be http:\/\/ or https:\/\/: give the check's ping URL/);
    const noDir = await dailysync(['sync', '--source', source, '--dest', dest, '--log-file', path.join(dir, 'missing/run.log')]);
    expect(noDir.exitCode).toBe(2);
    expect(noDir.stderr.trim().split('\n')).toHaveLength(1);
    expect(noDir.stderr).toMatch(/--log-file .* cannot be opened for appending \(ENOENT\)/);
    await expect(fs.access(dest)).rejects.toThrow();
    await expect(fs.access(metrics)).rejects.toThrow();
  });
});
