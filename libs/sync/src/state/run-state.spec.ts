import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir } from '../../test/helpers/tree.js';
import { readRunState, stateFile, updateRunState, updateRunStateSection, writeRunState } from './run-state.js';

describe('run state', () => {
  test('a missing file reads as empty, a corrupt one is refused; sections and unknown fields survive updates', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-state-');
    try {
      expect(await readRunState(dir)).toEqual({ version: 1 });
      await writeRunState(dir, { version: 1, futureField: { keep: true }, taskHistory: { alpha: { files: 3 } } });
      await updateRunStateSection(dir, 'safety', { lastGoodRuns: { x: { files: 10 } } });
      const state = await readRunState(dir);
      expect(state).toEqual({ version: 1, futureField: { keep: true }, taskHistory: { alpha: { files: 3 } }, safety: { lastGoodRuns: { x: { files: 10 } } } });
      expect((await fs.readdir(path.dirname(stateFile(dir)))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      await fs.writeFile(stateFile(dir), '{ half a fi');
      await expect(readRunState(dir)).rejects.toThrow(/state\.json is not valid JSON \(truncated or corrupt\).*move it aside/);
      await fs.writeFile(stateFile(dir), '[]');
      await expect(readRunState(dir)).rejects.toThrow(/does not hold a JSON object/);
      await fs.rm(stateFile(dir));
      await fs.mkdir(stateFile(dir));
      await expect(readRunState(dir)).rejects.toThrow(/is a directory, not the state file/);
    } finally {
      await cleanup();
    }
  });

  test('one update replaces several sections from the state it read, in one write; an update without sections writes nothing', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-state-');
    try {
      expect(await updateRunState(dir, () => ({}))).toBeUndefined();
      await expect(fs.stat(stateFile(dir))).rejects.toThrow(/ENOENT/);
      await writeRunState(dir, { version: 1, safety: { lastGoodRuns: { a: 1 }, other: true }, keep: { x: 1 } });
      const before = (await fs.stat(stateFile(dir))).ino;
      await updateRunState(dir, (state) => ({
        throughput: { tasks: { alpha: { files: 2 } } },
        safety: { lastGoodRuns: { ...(state['safety'] as { lastGoodRuns: object }).lastGoodRuns, b: 2 } },
      }));
      // Written once, through one rename: a new inode, and no temporary file left.
      expect((await fs.stat(stateFile(dir))).ino).not.toBe(before);
      expect(await readRunState(dir)).toEqual({ version: 1, safety: { lastGoodRuns: { a: 1, b: 2 }, other: true }, keep: { x: 1 }, throughput: { tasks: { alpha: { files: 2 } } } });
      expect((await fs.readdir(path.dirname(stateFile(dir)))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});
