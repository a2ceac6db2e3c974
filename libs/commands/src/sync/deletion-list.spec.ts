import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runSyncCommand, type SyncCommandOptions } from './sync-command.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A source of two projects and a backup of it that holds 25 + 2 entries the source no longer has. */
async function setUp(): Promise<{ dir: string; source: string; dest: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dailysync-deletions-'));
  dirs.push(dir);
  const source = path.join(dir, 'src');
  const dest = path.join(dir, 'dst');
  for (const root of [source, dest]) {
    for (const p of ['alpha', 'beta']) {
      await mkdir(path.join(root, p), { recursive: true });
      for (let i = 0; i < 40; i++) await writeFile(path.join(root, p, `keep${i}.txt`), `${p} ${i}`);
    }
  }
  for (let i = 0; i < 25; i++) await writeFile(path.join(dest, 'alpha', `gone${String(i).padStart(2, '0')}.txt`), 'old');
  await mkdir(path.join(dest, 'beta', 'old-dir'), { recursive: true });
  await writeFile(path.join(dest, 'beta', 'old-dir', 'x.txt'), 'old');
  return { dir, source, dest };
}

async function sync(options: SyncCommandOptions, cwd: string): Promise<{ exitCode: number; out: string }> {
  let out = '';
  const stream = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
  const { exitCode } = await runSyncCommand({ output: 'plain', ...options }, { workspaceRoot: cwd, cwd, stdout: stream, stderr: stream, sampleIntervalMs: 200 });
  return { exitCode, out };
}

describe('--dry-run --delete lists what would be deleted', () => {
  it('prints the first 20 per project and writes every path to --list-deletions; deletes nothing', async () => {
    const { dir, source, dest } = await setUp();
    const before = (await readdir(path.join(dest, 'alpha'))).length;
    const { exitCode, out: stamped } = await sync({ source, dest, delete: true, dryRun: true, maxDelete: '100%', listDeletions: 'deletions.txt' }, dir);
    expect(exitCode).toBe(0);
    // Plain output timestamps every line (live-view's run log); the listing is read without them.
    const out = stamped.replace(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /gm, '');
    expect(out).toContain('Would delete 27 entries (dry run: nothing was deleted):');
    // In rsync's order (it deletes in reverse name order), the first 20 of each project.
    expect(out).toMatch(/ {2}alpha: 25\n {4}alpha\/gone24\.txt\n(?: {4}alpha\/gone\d\d\.txt\n){19} {4}… and 5 more/);
    expect(out).toContain(`    … and 5 more (all in ${path.join(dir, 'deletions.txt')})`);
    expect(out).toMatch(/ {2}beta: 2\n {4}beta\/old-dir\/x\.txt\n {4}beta\/old-dir\/\n/);
    const listed = (await readFile(path.join(dir, 'deletions.txt'), 'utf8')).trim().split('\n').sort();
    expect(listed).toHaveLength(27);
    expect(listed).toEqual(expect.arrayContaining(['alpha/gone24.txt', 'beta/old-dir/', 'beta/old-dir/x.txt']));
    expect(out).toContain(`27 paths that would be deleted written to ${path.join(dir, 'deletions.txt')}`);
    expect((await readdir(path.join(dest, 'alpha'))).length).toBe(before);
    expect(existsSync(path.join(dest, 'beta', 'old-dir', 'x.txt'))).toBe(true);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('refuses --list-deletions without --delete, and an unwritable path, writing nothing', async () => {
    const { dir, source, dest } = await setUp();
    const noDelete = await sync({ source, dest, dryRun: true, listDeletions: 'deletions.txt' }, dir);
    expect(noDelete.exitCode).toBe(2);
    expect(noDelete.out).toContain('--list-deletions needs --delete');
    const missingFolder = await sync({ source, dest, delete: true, dryRun: true, listDeletions: 'no/such/folder/deletions.txt' }, dir);
    expect(missingFolder.exitCode).toBe(2);
    expect(missingFolder.out).toMatch(/--list-deletions .*no\/such\/folder\/deletions\.txt cannot be written \(ENOENT\): give a path in an existing, writable folder/);
    expect(existsSync(path.join(dir, 'deletions.txt'))).toBe(false);
    expect(existsSync(path.join(dir, 'no'))).toBe(false);
  }, 60_000);
});
