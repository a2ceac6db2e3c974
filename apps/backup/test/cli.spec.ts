import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { exists, makeTempDir, projectTree, treeDifferences, writeTree } from '../../../libs/sync/test/helpers/tree.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/dailysync.js');

function dailysync(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, ...args], { reject: false, env: { ...process.env, ...env }, extendEnv: false });
}

describe('dailysync CLI', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-cli-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'prod_backup');
    await writeTree(source, projectTree(['alpha', 'beta', 'gamma', 'kappa', 'lambda', 'mu', 'nu', 'xi']));
  });
  afterEach(() => cleanup());

  test('--help lists the commands; `sync --help` lists the sync options and `verify --help` only its own', async () => {
    const r = await dailysync(['--help']);
    expect(r.exitCode).toBe(0);
    for (const command of ['sync', 'plan', 'verify', 'diagnose', 'merge-reports']) expect(r.stdout).toContain(`dailysync ${command} `);
    const sync = await dailysync(['sync', '--help']);
    expect(sync.exitCode).toBe(0);
    for (const option of ['--source', '--dest', '--concurrency', '--delete', '--dry-run', '--report', '--include', '--exclude', '--no-hard-links', '--plain']) {
      expect(sync.stdout).toContain(option);
    }
    const verify = await dailysync(['verify', '-h']);
    expect(verify.stdout).toContain('--checksum');
    expect(verify.stdout).not.toContain('--delete');
  });

  test('--version prints the version, then what is installed (each package, node, rsync)', async () => {
    const r = await dailysync(['--version']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^dailysync \d+\.\d+\.\d+ \(/);
    for (const name of ['@dailysync/commands', '@dailysync/sync', '@dailysync/metrics', 'node', 'rsync']) expect(r.stdout).toContain(name);
  });

  test('sync backs up 8 projects, prints a summary, writes the JSON report and exits 0', async () => {
    const report = path.join(dir, 'r.json');
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--report', report, '--concurrency', '4']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/OK: 9 ok, 0 warning, 0 failed, 0 skipped; 25 files/);
    expect(await treeDifferences(source, dest)).toEqual([]);
    const json = JSON.parse(await fs.readFile(report, 'utf8'));
    for (const key of ['startedAt', 'finishedAt', 'durationMs', 'source', 'dest', 'ok', 'projects']) expect(json).toHaveProperty(key);
    expect(json.ok).toBe(true);
    expect(json.source).toBe(source);
    expect(json.projects).toHaveLength(9);
    for (const p of json.projects) {
      expect(Object.keys(p)).toEqual(expect.arrayContaining(['name', 'status', 'exitCode', 'filesTransferred', 'bytesTransferred', 'durationMs', 'error']));
      expect(p.status).toBe('ok');
    }
  });

  test('plain (non-terminal) output shows every project and its final line', async () => {
    // Small projects share an rsync (a batch line), so the summary table has each project's row.
    const r = await dailysync(['sync', '--source', source, '--dest', dest]);
    for (const name of ['alpha', 'beta', 'xi']) expect(r.stdout).toMatch(new RegExp(`Z ${name} +ok +3 `));
    expect(r.stdout).toMatch(/✔ \(batch 1\) · 8 small projects: 24 files/);
    expect(r.stdout).toMatch(/OK: 9 ok/);
    // --batch-below 0: every project its own rsync and its own line.
    const own = await dailysync(['sync', '--source', source, '--dest', path.join(dir, 'own'), '--batch-below', '0']);
    for (const name of ['alpha', 'beta', 'xi']) expect(own.stdout).toMatch(new RegExp(`✔ ${name}: 3 files`));
  });

  test('a failed project makes the exit status 1 and the others are still backed up', async () => {
    // A non-empty folder in the backup where the source has a file: without --delete rsync cannot
    // make way for the file (exit 23), as one rsync of the whole tree could not either.
    await writeTree(dest, { 'beta/sub 0/file-0.dat/keep': 'a folder now\n' });
    const report = path.join(dir, 'r.json');
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--report', report]);
    expect(r.exitCode).toBe(1);
    const json = JSON.parse(await fs.readFile(report, 'utf8'));
    expect(json.ok).toBe(false);
    const beta = json.projects.find((p: { name: string }) => p.name === 'beta');
    expect(beta.status).toBe('failed');
    expect(beta.error).toMatch(/\S/);
    expect(await treeDifferences(path.join(source, 'alpha'), path.join(dest, 'alpha'))).toEqual([]);
  });

  test('a closed stdout (`dailysync sync | head -1`) does not stop the run: the backup completes, the report is written, no stack trace', async () => {
    const report = path.join(dir, 'r.json');
    const run = execa(process.execPath, [BIN, 'sync', '--source', source, '--dest', dest, '--report', report, '--plain'], { reject: false, stdout: 'pipe' });
    // The reader goes away before the first line: every write the run makes to stdout fails with EPIPE.
    run.stdout?.destroy();
    const r = await run;
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(await fs.readFile(report, 'utf8')).ok).toBe(true);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('--json whose stdout closes: the backup still completes and writes --report, but the exit status says the events were lost', async () => {
    const report = path.join(dir, 'r.json');
    const run = execa(process.execPath, [BIN, 'sync', '--source', source, '--dest', dest, '--report', report, '--json'], { reject: false, stdout: 'pipe' });
    run.stdout?.destroy();
    const r = await run;
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/dailysync: error: the JSON events could not be written: stdout was closed/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(await fs.readFile(report, 'utf8')).ok).toBe(true);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  // Every row has all four cells: jest treats a missing trailing argument as a `done` callback.
  const badInput: Array<[string, () => string[], RegExp, Record<string, string>]> = [
    ['unknown option', () => ['sync', '--source', source, '--dest', dest, '--bogus'], /unknown option --bogus: run "dailysync sync --help"/, {}],
    ['unknown command', () => ['backup'], /unknown command "backup"/, {}],
    ['missing dest', () => ['sync', '--source', source], /--dest is missing/, {}],
    ['missing source', () => ['sync', '--dest', dest], /--source is missing/, {}],
    ['relative source', () => ['sync', '--source', 'prod', '--dest', dest], /relative path/, {}],
    ['non-directory source', () => ['sync', '--source', path.join(source, 'root note.txt'), '--dest', dest], /is not a directory/, {}],
    ['dest inside source', () => ['sync', '--source', source, '--dest', path.join(source, 'bk')], /inside --source/, {}],
    ['dest containing source', () => ['sync', '--source', source, '--dest', dir], /inside --dest/, {}],
    ['concurrency 0', () => ['sync', '--source', source, '--dest', dest, '--concurrency', '0'], /at least 1/, {}],
    ['concurrency not a number', () => ['sync', '--source', source, '--dest', dest, '--concurrency', 'many'], /not valid/, {}],
    ['rsync not installed', () => ['sync', '--source', source, '--dest', dest], /rsync is not installed.*apt-get install -y rsync/, { PATH: '/nonexistent' }],
  ];
  test.each(badInput)('bad input (%s): one line, exit 2, nothing written', async (_name, args, message, env) => {
    const before = await fs.readdir(dir);
    const r = await dailysync(args(), env);
    expect(r.exitCode).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dailysync: error: /);
    expect(lines[0]).toMatch(message);
    expect(await fs.readdir(dir)).toEqual(before);
    expect(await exists(dest)).toBe(false);
  });
});
