import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, LockedError, SafetyError } from '../../src/errors.js';
import { runBackup } from '../../src/engine/backup.js';
import { acquireLock, lockFile } from '../../src/safety/lock.js';
import { stateFile } from '../../src/state/run-state.js';
import { backupEntries, exists, makeTempDir, projectTree, writeTree } from '../helpers/tree.js';

/** Every path under `root`, to prove a refused run changed nothing. */
async function listing(root: string): Promise<string[]> {
  return (await fs.readdir(root, { recursive: true })).map(String).sort();
}

describe('bad input and a broken state file are refused before anything is written', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-refusals-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    await writeTree(source, projectTree(['alpha', 'beta']));
  });
  afterEach(async () => cleanup());

  test('a backup root named "..bk" inside the source is inside the source (issue 10 #6)', async () => {
    const inside = path.join(source, '..bk');
    await expect(runBackup({ source, dest: inside })).rejects.toThrow(ConfigError);
    await expect(runBackup({ source, dest: inside })).rejects.toThrow(/is inside --source/);
    expect(await exists(inside)).toBe(false);
    // A sibling whose name starts with two dots is outside, and allowed.
    const sibling = path.join(dir, '..bk');
    expect((await runBackup({ source, dest: sibling })).ok).toBe(true);
  });

  test('the lock is keyed by real paths: "x/../prod" waits for a run on "prod" (issue 10 #7)', async () => {
    expect((await runBackup({ source, dest })).ok).toBe(true);
    const realSource = await fs.realpath(source);
    const realDest = await fs.realpath(dest);
    // This process holds the lock as a run spelled with the plain paths would.
    const held = await acquireLock(source, dest, lockFile(realSource, realDest, path.join(dest, '.dailysync')));
    try {
      await fs.mkdir(path.join(dir, 'x'));
      await expect(runBackup({ source: `${dir}/x/../prod`, dest: `${dir}/./backup/` })).rejects.toThrow(LockedError);
    } finally {
      await held.release();
    }
  });

  test('a comma is part of a project name: --exclude "Smith, John" keeps Smith (issue 10 #9)', async () => {
    await writeTree(source, { 'Smith/a.txt': 'smith\n', 'Smith, John/b.txt': 'john\n' });
    const report = await runBackup({ source, dest, exclude: ['Smith, John'] });
    expect(report.ok).toBe(true);
    expect(await backupEntries(dest)).toEqual(['Smith', 'alpha', 'beta', 'root note.txt']);
    const only = await runBackup({ source, dest: path.join(dir, 'only-john'), include: ['Smith, John'] });
    expect(only.projects.filter((p) => p.status === 'ok').map((p) => p.name)).toEqual(['Smith, John']);
  });

  test('an --include that matches no project is bad input and writes nothing (issue 10 #12)', async () => {
    const error = await runBackup({ source, dest, include: ['nomatch'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/--include "nomatch" matches no selected project \(projects are e\.g\. "alpha", "beta"\): fix the name/);
    expect(await exists(dest)).toBe(false);
  });

  test.each([
    ['truncated', async (file: string) => fs.writeFile(file, '{"version":1,"safety":{"lastGoodRuns":{'), /is not valid JSON \(truncated or corrupt\)/],
    ['a directory', async (file: string) => (await fs.rm(file), await fs.mkdir(file)), /is a directory, not the state file/],
  ])('a state.json that is %s refuses the run instead of switching the guards off (issue 10 #8)', async (_what, breakIt, message) => {
    await writeTree(source, projectTree(Array.from({ length: 10 }, (_, i) => `p${i}`)));
    expect((await runBackup({ source, dest, delete: true })).ok).toBe(true);
    // Most of the source disappears: with an intact state the shrink guard refuses this.
    for (let i = 0; i < 9; i++) await fs.rm(path.join(source, `p${i}`), { recursive: true });
    await expect(runBackup({ source, dest, delete: true })).rejects.toThrow(/fewer than the .* of the last run/);
    await breakIt(stateFile(dest));
    const before = await listing(dest);
    const error = await runBackup({ source, dest, delete: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/move it aside \(mv '.*state\.json' '.*state\.json\.broken'\) and rerun/);
    expect(await listing(dest)).toEqual(before);
  });
});
