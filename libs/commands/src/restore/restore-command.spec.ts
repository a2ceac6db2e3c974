import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { execa } from 'execa';
import { runBackup, runSnapshotBackup } from '@dailysync/sync';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../../../sync/test/helpers/tree.js';
import { runSnapshotsCommand } from '../snapshots/snapshots-command.js';
import { runVerifyCommand } from '../verify/verify-command.js';
import { runRestoreCommand } from './restore-command.js';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

const night = (n: number) => () => new Date(Date.UTC(2026, 11, 1 + n, 1, 30, 0));

describe('dailysync restore, snapshots and verify --at against real rsync', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  const quiet = () => ({ stdout: sink().stream, stderr: sink().stream });

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-restore-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    await writeTree(source, projectTree(['alpha', 'beta', 'gamma']));
  });
  afterEach(() => cleanup());

  test('restores the whole tree and one project of a chosen night exactly, and lists the snapshots', async () => {
    await runSnapshotBackup({ source, dest, now: night(0) });
    const monday = path.join(dir, 'as-on-night-0');
    await execa('cp', ['-a', `${source}/.`, monday]);
    // Night 1: an export gone wrong overwrites gamma, and a root file changes.
    await writeTree(source, { 'gamma/sub 0/file-0.dat': 'overwritten\n', 'root note.txt': 'changed\n' });
    await runSnapshotBackup({ source, dest, now: night(1) });

    const whole = path.join(dir, 'whole');
    expect((await runRestoreCommand({ dest, at: '2026-12-01', to: whole, output: 'plain' }, quiet())).exitCode).toBe(0);
    expect(await treeDifferences(monday, whole)).toEqual([]);
    expect(await fs.readdir(whole)).not.toContain('.dailysync');
    // The restored root itself too: its time is not the one its own temporary folder left.
    const rootCheck = await execa('rsync', ['-ani', '--modify-window=-1', '--exclude=/.dailysync', `${dest}/snapshots/2026-12-01T013000Z/`, `${whole}/`]);
    expect(rootCheck.stdout).toBe('');

    const gamma = path.join(dir, 'gamma-only');
    expect((await runRestoreCommand({ dest, at: '2026-12-01T013000Z', project: ['gamma'], to: gamma, output: 'plain' }, quiet())).exitCode).toBe(0);
    expect(await fs.readdir(gamma)).toEqual(['gamma']);
    expect(await treeDifferences(path.join(monday, 'gamma'), path.join(gamma, 'gamma'))).toEqual([]);

    const out = sink();
    expect((await runSnapshotsCommand({ dest, json: true }, { stdout: out.stream })).exitCode).toBe(0);
    const rows = JSON.parse(out.text()) as { name: string; status: string; latest: boolean; newFiles: number }[];
    expect(rows.map((r) => [r.name, r.status, r.latest])).toEqual([
      ['2026-12-01T013000Z', 'complete', false],
      ['2026-12-02T013000Z', 'complete', true],
    ]);
    expect(rows[1]!.newFiles).toBe(2);

    // verify --at compares the source with the chosen snapshot.
    expect((await runVerifyCommand({ source, dest, at: 'latest' }, quiet())).exitCode).toBe(0);
    expect((await runVerifyCommand({ source, dest, at: '2026-12-01' }, quiet())).exitCode).toBe(1);
  });

  test('refuses a non-empty target without --force and the production tree without --overwrite-source, writing nothing', async () => {
    await runSnapshotBackup({ source, dest, now: night(0) });
    const target = path.join(dir, 'busy');
    await writeTree(target, { 'keep.txt': 'mine\n' });
    const err = sink();
    expect((await runRestoreCommand({ dest, to: target }, { stdout: sink().stream, stderr: err.stream })).exitCode).toBe(2);
    expect(err.text()).toMatch(/--to .* is not empty .* add --force/);
    expect(await fs.readdir(target)).toEqual(['keep.txt']);

    const orphan = sink();
    expect((await runRestoreCommand({ dest, to: path.join(dir, 'no such folder/restored') }, { stdout: sink().stream, stderr: orphan.stream })).exitCode).toBe(2);
    expect(orphan.text()).toMatch(/^dailysync: error: --to .*\/no such folder\/restored cannot be created: its parent .* does not exist; create it first/);

    await writeTree(source, { 'alpha/sub 0/file-0.dat': 'bad edit\n' });
    const err2 = sink();
    expect((await runRestoreCommand({ dest, to: source, force: true }, { stdout: sink().stream, stderr: err2.stream })).exitCode).toBe(2);
    expect(err2.text()).toMatch(/production tree .* --overwrite-source/);
    expect(await fs.readFile(path.join(source, 'alpha/sub 0/file-0.dat'), 'utf8')).toBe('bad edit\n');

    // In place, explicitly: the bad edit is undone and a file made since stays (no --delete).
    await writeTree(source, { 'alpha/made-today.txt': 'new\n' });
    expect((await runRestoreCommand({ dest, to: source, project: 'alpha', overwriteSource: true, output: 'plain' }, quiet())).exitCode).toBe(0);
    expect(await fs.readFile(path.join(source, 'alpha/sub 0/file-0.dat'), 'utf8')).not.toBe('bad edit\n');
    expect(await fs.readFile(path.join(source, 'alpha/made-today.txt'), 'utf8')).toBe('new\n');
  });

  test('restores from a mirror-mode backup, leaving the backup state out', async () => {
    expect((await runBackup({ source, dest })).ok).toBe(true);
    const to = path.join(dir, 'from-mirror');
    expect((await runRestoreCommand({ dest, to, output: 'plain' }, quiet())).exitCode).toBe(0);
    expect(await treeDifferences(source, to)).toEqual([]);
    expect(await fs.readdir(to)).not.toContain('.dailysync');
    const err = sink();
    expect((await runRestoreCommand({ dest, at: '2026-12-01', to: path.join(dir, 'x') }, { stdout: sink().stream, stderr: err.stream })).exitCode).toBe(2);
    expect(err.text()).toMatch(/no snapshots .* drop --at/);
  });
});
