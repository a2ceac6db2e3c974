import fs from 'node:fs/promises';
import path from 'node:path';
import { removeRsyncTempFiles } from '../../src/safety/recover.js';
import { exists, makeTempDir, writeTree } from '../helpers/tree.js';

describe('removeRsyncTempFiles after a killed run', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('dailysync-recover-')));
  afterEach(() => cleanup());

  test('removes only temp files of files rsync was copying; never a backup copy of a user file', async () => {
    const source = path.join(dir, 'prod');
    const dest = path.join(dir, 'backup');
    await writeTree(source, { 'alpha/clip.mov': 'new', 'alpha/.hidden.abc123': 'a real file in the source' });
    await writeTree(dest, {
      'alpha/clip.mov': 'old good copy',
      'alpha/.clip.mov.Xy12Zq': 'half written', // rsync's temp for clip.mov
      'alpha/.hidden.abc123': 'a real file in the source',
      'alpha/.notes.backup': 'kept from a file since deleted in the source', // temp-shaped, but no notes in the source
    });
    const removed = await removeRsyncTempFiles(source, dest);
    expect(removed).toEqual([path.join(dest, 'alpha/.clip.mov.Xy12Zq')]);
    expect(await exists(path.join(dest, 'alpha/.clip.mov.Xy12Zq'))).toBe(false);
    expect(await fs.readFile(path.join(dest, 'alpha/clip.mov'), 'utf8')).toBe('old good copy');
    expect(await fs.readFile(path.join(dest, 'alpha/.hidden.abc123'), 'utf8')).toBe('a real file in the source');
    expect(await fs.readFile(path.join(dest, 'alpha/.notes.backup'), 'utf8')).toBe('kept from a file since deleted in the source');
  });
});
