import fs from 'node:fs/promises';
import path from 'node:path';
import { projectTree, writeTree } from '../../../libs/sync/test/helpers/tree.js';
import { scratchWorkspace } from './scratch-workspace.js';

// Issue 10, finding 10: with a config file holding `delete: true`, a target's `delete: false` was
// dropped because it equalled the executor schema's default, and the backup deleted files.
describe('sync through real Nx: config file, target options and defaults', () => {
  test('a target option equal to the old default (delete: false) beats the config file; an unset one leaves the config value', async () => {
    const target = (dest: string, extra: Record<string, unknown>) => ({
      executor: '@dailysync/nx-plugin:sync',
      cache: false,
      options: { config: 'apps/site/dailysync.config.json', dest, output: 'plain', ...extra },
    });
    const ws = await scratchWorkspace({ 'apps/site/dailysync.config.json': JSON.stringify({ source: '../../nas/prod', delete: true, concurrency: 2 }) });
    const dest = (name: string): string => path.join(ws.dir, 'nas', name);
    try {
      await writeTree(ws.dir, {
        'apps/site/project.json': JSON.stringify({
          name: 'site',
          root: 'apps/site',
          targets: { keep: target(dest('keep'), { delete: false }), mirror: target(dest('mirror'), {}) },
        }),
      });
      await writeTree(path.join(ws.dir, 'nas/prod'), projectTree(['alpha', 'beta'], 2));
      // A file only the backups hold: `delete` decides whether it survives.
      for (const dest of ['keep', 'mirror']) await writeTree(path.join(ws.dir, 'nas', dest), { 'alpha/only-in-backup.txt': 'keep me\n' });

      const keep = await ws.nx(['run', 'site:keep']);
      expect(`${keep.stdout}${keep.stderr}`).toContain('OK:');
      expect(keep.exitCode).toBe(0);
      await expect(fs.readFile(path.join(ws.dir, 'nas/keep/alpha/only-in-backup.txt'), 'utf8')).resolves.toBe('keep me\n');
      await expect(fs.access(path.join(ws.dir, 'nas/keep/beta'))).resolves.toBeUndefined();

      const mirror = await ws.nx(['run', 'site:mirror']);
      expect(mirror.exitCode).toBe(0);
      await expect(fs.access(path.join(ws.dir, 'nas/mirror/alpha/only-in-backup.txt'))).rejects.toThrow();

      // The command line is one more layer over the target: --delete=false wins there too.
      await writeTree(path.join(ws.dir, 'nas/mirror'), { 'alpha/again.txt': 'keep me too\n' });
      const flag = await ws.nx(['run', 'site:mirror', '--delete=false']);
      expect(flag.exitCode).toBe(0);
      await expect(fs.readFile(path.join(ws.dir, 'nas/mirror/alpha/again.txt'), 'utf8')).resolves.toBe('keep me too\n');
    } finally {
      await ws.cleanup();
    }
    // Three real `nx run`s: each starts Nx and its plugin workers (15-20 s on a busy 2-core box).
  }, 420_000);
});
