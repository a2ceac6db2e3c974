import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { makeTempDir, writeTree } from '../helpers/tree.js';
import { compareWithReference } from './compare.js';

// The harness's judge: a copy must equal single rsync's reference; only where the reference's
// xattrs or ACLs alone differ from the source's is the difference rsync's own error, listed apart.
describe('compareWithReference on real trees', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const tree = { 'a/one.txt': 'one\n', 'a/two.txt': 'two\n', 'b/three.txt': 'three\n' };
  const judge = (): ReturnType<typeof compareWithReference> => compareWithReference(`${dir}/copy`, `${dir}/ref`, `${dir}/src`);
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-compare-'));
    await writeTree(path.join(dir, 'src'), tree);
    // Times to the nanosecond, as the harness's reference copies them (compare.ts, REFERENCE_RSYNC).
    for (const side of ['copy', 'ref']) await execa('rsync', ['-aAX', '--modify-window=-1', `${dir}/src/`, `${dir}/${side}/`]);
  });
  afterEach(() => cleanup());

  test('equal trees: nothing either way', async () => {
    expect(await judge()).toEqual({ differences: [], rsyncOwnErrors: [] });
  });

  test('an ACL only the reference lacks (rsync 3.5.0\'s sticky-folder case): rsync\'s own error, not a difference', async () => {
    for (const side of ['src', 'copy']) await execa('setfacl', ['-m', 'u:12345:r-x', path.join(dir, side, 'a')]);
    const result = await judge();
    expect(result.differences).toEqual([]);
    expect(result.rsyncOwnErrors).toHaveLength(1);
    expect(result.rsyncOwnErrors[0]).toMatch(/^a: xattrs\/ACLs "system\.posix_acl_access=0x[0-9a-f]+" vs ""$/);
  });

  test('an ACL the copy lacks or has wrong is a difference, whatever the reference has', async () => {
    for (const side of ['src', 'ref']) await execa('setfacl', ['-m', 'u:12345:r-x', path.join(dir, side, 'a')]);
    expect((await judge()).differences).toEqual([expect.stringMatching(/^a: xattrs\/ACLs "" vs "system\.posix_acl_access=/)]);
    // Both wrong, each its own way: still the copy's difference.
    await execa('setfacl', ['-m', 'u:12345:rwx', path.join(dir, 'copy', 'a')]);
    await execa('setfacl', ['-b', path.join(dir, 'ref', 'a')]);
    const both = await judge();
    // The wider ACL widened the mask, so the group bits of the mode differ too.
    expect(both.differences).toEqual([expect.stringMatching(/^a: mode /), expect.stringMatching(/^a: xattrs\/ACLs "system\.posix_acl_access=/)]);
    expect(both.rsyncOwnErrors).toEqual([]);
  });

  test('the backup\'s own state folder is left out, its ACLs too', async () => {
    await fs.mkdir(path.join(dir, 'copy/.dailysync'));
    await execa('setfacl', ['-m', 'u:12345:r-x', path.join(dir, 'copy/.dailysync')]);
    // Making it changed the root's time, as a run's state folder does before dailysync's last pass sets it again.
    await execa('touch', ['-h', '-r', `${dir}/src`, `${dir}/copy`]);
    expect(await judge()).toEqual({ differences: [], rsyncOwnErrors: [] });
  });

  test('any other difference counts even where the copy equals the source: mode, a missing entry', async () => {
    await fs.chmod(path.join(dir, 'ref/a/one.txt'), 0o600);
    await fs.rm(path.join(dir, 'ref/b/three.txt'));
    // The removal changed the folder's time too: set back, so only the file differs.
    await execa('touch', ['-h', '-r', `${dir}/src/b`, `${dir}/ref/b`]);
    expect(await judge()).toEqual({ differences: ['a/one.txt: mode 33188 vs 33152', 'b/three.txt: only in first'], rsyncOwnErrors: [] });
  });
});
