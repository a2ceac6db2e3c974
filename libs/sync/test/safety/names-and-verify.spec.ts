import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { runBackup } from '../../src/engine/backup.js';
import { verifyBackup } from '../../src/verify/verify.js';
import { makeTempDir, treeDifferences, writeTree } from '../helpers/tree.js';

describe('awkward names and links are copied exactly', () => {
  test('dash, newline, tab, backslash, quotes, $(), globs, invalid UTF-8, 255-byte names, long paths; links stay links', async () => {
    const { dir } = await makeTempDir('dailysync-names-');
    const cleanup = (): Promise<unknown> => execa('rm', ['-rf', dir]);
    try {
      const source = path.join(dir, 'prod');
      const dest = path.join(dir, 'backup-root-with-a-long-name');
      const names = ['-rf', '--delete', 'new\nline', 'tab\there', 'back\\slash', `quote'"s`, '$(touch pwned)', '*glob?[a]', 'x'.repeat(255)];
      const files: Record<string, string> = {};
      for (const n of names) files[`alpha/${n}`] = `content of ${JSON.stringify(n)}\n`;
      files['-project/file'] = 'a project whose name starts with a dash\n';
      await writeTree(source, files);
      // Invalid UTF-8 bytes in a name, written through a Buffer path.
      const badName = Buffer.concat([Buffer.from(`${source}/alpha/bad-`), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('.bin')]);
      await fs.writeFile(badName, 'invalid utf-8 name\n');
      // An absolute path over 4096 bytes; relative to the project it stays under rsync's 4096 limit.
      // Built with relative steps: one system call cannot take such a path.
      const level = (i: number): string => `${String(i).padStart(2, '0')}${'d'.repeat(250)}`;
      const deepRel = Array.from({ length: 16 }, (_, i) => level(i)).join('/');
      await execa('bash', ['-c', 'cd "$1" && for d in $2; do mkdir "$d" && cd "$d"; done && echo deep > deep.txt', '_', source, `beta ${deepRel.split('/').join(' ')}`]);
      expect(`${dest}/beta/${deepRel}/deep.txt`.length).toBeGreaterThan(4096);
      // Links: one inside the tree, one pointing outside it, one dangling.
      const outside = path.join(dir, 'outside-secret.txt');
      await fs.writeFile(outside, 'must not be copied\n');
      await fs.symlink('new\nline', path.join(source, 'alpha', 'link-inside'));
      await fs.symlink(outside, path.join(source, 'alpha', 'link-outside'));
      await fs.symlink('/nonexistent/target', path.join(source, 'alpha', 'link-dangling'));

      const report = await runBackup({ source, dest });
      expect(report.projects.filter((p) => p.status !== 'ok').map((p) => `${p.name}: ${p.error}`)).toEqual([]);
      expect(report.ok).toBe(true);
      expect(await treeDifferences(source, dest)).toEqual([]);
      const destNames = (await fs.readdir(path.join(dest, 'alpha'))).sort();
      for (const n of names) expect(destNames).toContain(n);
      expect(await fs.readFile(Buffer.from(badName.toString('latin1').replace(source, dest), 'latin1'), 'utf8')).toBe('invalid utf-8 name\n');
      expect(await fs.readFile(path.join(dest, 'alpha', '$(touch pwned)'), 'utf8')).toBe('content of "$(touch pwned)"\n');
      expect(await fs.readFile(path.join(dest, '-project', 'file'), 'utf8')).toBe('a project whose name starts with a dash\n');
      expect((await fs.lstat(path.join(dest, 'alpha', 'link-outside'))).isSymbolicLink()).toBe(true);
      expect(await fs.readlink(path.join(dest, 'alpha', 'link-outside'))).toBe(outside);
      expect(await fs.readlink(path.join(dest, 'alpha', 'link-inside'))).toBe('new\nline');
      expect((await fs.lstat(path.join(dest, 'alpha', 'link-dangling'))).isSymbolicLink()).toBe(true);
      // The out-of-tree target was not followed: its content exists nowhere in the backup.
      const { stdout } = await execa('grep', ['-rl', 'must not be copied', dest], { reject: false });
      expect(stdout).toBe('');
      // Nothing ran the $() in a name.
      await expect(fs.access(path.join(process.cwd(), 'pwned'))).rejects.toThrow();
      const deepCopy = await execa('bash', ['-c', 'cd "$1" && for d in $2; do cd "$d"; done && cat deep.txt', '_', dest, `beta ${deepRel.split('/').join(' ')}`]);
      expect(deepCopy.stdout).toBe('deep');
    } finally {
      await cleanup();
    }
  });

  test('a path over rsync\'s 4096-byte limit inside one project is reported, and the rest is copied', async () => {
    const { dir } = await makeTempDir('dailysync-longpath-');
    const cleanup = (): Promise<unknown> => execa('rm', ['-rf', dir]);
    try {
      const source = path.join(dir, 'prod');
      const dest = path.join(dir, 'backup');
      await writeTree(source, { 'alpha/ok.txt': 'ok\n', 'beta/ok.txt': 'ok\n' });
      // Built with relative mkdir steps: the absolute path is too long for one system call.
      await execa('bash', ['-c', `cd "$1" && for i in $(seq 1 18); do d=$(printf 'd%.0s' {1..250}); mkdir $d && cd $d; done; echo deep > f`, '_', path.join(source, 'alpha')]);
      const report = await runBackup({ source, dest });
      const alpha = report.projects.find((p) => p.name === 'alpha');
      expect(alpha?.status).toBe('failed');
      expect(alpha?.exitCode).toBe(23);
      expect(alpha?.error).toMatch(/max-path len|not transferred/);
      expect(report.projects.find((p) => p.name === 'beta')?.status).toBe('ok');
      expect(await fs.readFile(path.join(dest, 'alpha/ok.txt'), 'utf8')).toBe('ok\n');
    } finally {
      await cleanup();
    }
  });
});

describe('verify', () => {
  test('passes on a clean backup and finds a deleted, a truncated and a flipped-byte file', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-verify-');
    try {
      const source = path.join(dir, 'prod');
      const dest = path.join(dir, 'backup');
      await writeTree(source, {
        'alpha/deleted.txt': 'will be deleted from the backup\n',
        'alpha/truncated.bin': Buffer.alloc(10_000, 7),
        'beta/flipped.bin': Buffer.alloc(10_000, 9),
        'beta/fine.txt': 'fine\n',
        'new\nline name': 'odd\n',
      });
      await runBackup({ source, dest });
      const clean = await verifyBackup({ source, dest, checksum: true });
      expect(clean).toMatchObject({ ok: true, missing: [], different: [], extra: [] });
      expect(clean.counts.checked).toBeGreaterThanOrEqual(8);

      await fs.rm(path.join(dest, 'alpha/deleted.txt'));
      await fs.truncate(path.join(dest, 'alpha/truncated.bin'), 5000);
      // Flip one byte but keep size and modification time: only a content check can see it.
      const flipped = path.join(dest, 'beta/flipped.bin');
      const stat = await fs.stat(flipped);
      const bytes = await fs.readFile(flipped);
      bytes[4321] = bytes[4321]! ^ 0xff;
      await fs.writeFile(flipped, bytes);
      await fs.utimes(flipped, stat.atime, stat.mtime);
      await fs.writeFile(path.join(dest, 'beta/extra.txt'), 'only in the backup\n');

      const fast = await verifyBackup({ source, dest });
      expect(fast.ok).toBe(false);
      expect(fast.missing).toEqual(['alpha/deleted.txt']);
      expect(fast.different).toEqual(['alpha/truncated.bin']);
      expect(fast.extra).toEqual(['beta/extra.txt']);

      const thorough = await verifyBackup({ source, dest, checksum: true });
      expect(thorough.ok).toBe(false);
      expect(thorough.counts).toMatchObject({ missing: 1, different: 2, extra: 1 });
      expect(thorough.different.sort()).toEqual(['alpha/truncated.bin', 'beta/flipped.bin']);
      // Verification writes nothing.
      expect((await fs.readFile(flipped))[4321]).toBe(bytes[4321]);
    } finally {
      await cleanup();
    }
  });
});
