import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { makeTempDir, writeTree } from '../helpers/tree.js';
import { compareWithReference } from './compare.js';

// The harness's judge: a copy must equal single rsync's reference, except where the reference
// alone differs from the source (rsync's own error), which is listed apart.
describe('compareWithReference on real trees', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const tree = { 'a/one.txt': 'one\n', 'a/two.txt': 'two\n', 'b/three.txt': 'three\n' };
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-compare-'));
    await writeTree(path.join(dir, 'src'), tree);
    // Times to the nanosecond, as the harness's reference copies them (compare.ts, REFERENCE_RSYNC).
    for (const side of ['copy', 'ref']) await execa('rsync', ['-a', '--modify-window=-1', `${dir}/src/`, `${dir}/${side}/`]);
  });
  afterEach(() => cleanup());

  test('equal trees: nothing either way', async () => {
    expect(await compareWithReference(`${dir}/copy`, `${dir}/ref`, `${dir}/src`)).toEqual({ differences: [], rsyncOwnErrors: [] });
  });

  test('the reference alone differs from the source: rsync\'s own error, not a difference', async () => {
    await fs.chmod(path.join(dir, 'ref/a/one.txt'), 0o600);
    const result = await compareWithReference(`${dir}/copy`, `${dir}/ref`, `${dir}/src`);
    expect(result.differences).toEqual([]);
    expect(result.rsyncOwnErrors).toEqual(['a/one.txt: mode 33188 vs 33152']);
  });

  test('the copy differs from the source: a difference, whatever the reference has', async () => {
    await fs.chmod(path.join(dir, 'copy/a/one.txt'), 0o600);
    expect((await compareWithReference(`${dir}/copy`, `${dir}/ref`, `${dir}/src`)).differences).toEqual(['a/one.txt: mode 33152 vs 33188']);
    // Both wrong, each its own way: still the copy's difference.
    await fs.chmod(path.join(dir, 'ref/a/one.txt'), 0o640);
    const both = await compareWithReference(`${dir}/copy`, `${dir}/ref`, `${dir}/src`);
    expect(both.differences).toEqual(['a/one.txt: mode 33152 vs 33184']);
    expect(both.rsyncOwnErrors).toEqual([]);
  });

  test('an entry missing from the reference but present in the source and the copy is rsync\'s; one missing from the copy is ours', async () => {
    await fs.rm(path.join(dir, 'ref/b/three.txt'));
    // The removal changed the folder's time too: set back, so only the file differs.
    await execa('touch', ['-h', '-r', `${dir}/src/b`, `${dir}/ref/b`]);
    expect(await compareWithReference(`${dir}/copy`, `${dir}/ref`, `${dir}/src`)).toEqual({ differences: [], rsyncOwnErrors: ['b/three.txt: only in first'] });
    await fs.rm(path.join(dir, 'copy/a/two.txt'));
    await execa('touch', ['-h', '-r', `${dir}/src/a`, `${dir}/copy/a`]);
    expect((await compareWithReference(`${dir}/copy`, `${dir}/ref`, `${dir}/src`)).differences).toEqual(['a/two.txt: only in second']);
  });
});
