import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { exists, makeTempDir, projectTree, treeDifferences, writeTree } from '../../../libs/sync/test/helpers/tree.js';
import { LOOPBACK, startRsyncDaemon, startSshServer, type RsyncDaemon, type SshServer } from '../../../libs/sync/test/remote/servers.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/dailysync.js');

function dailysync(args: string[]) {
  return execa(process.execPath, [BIN, ...args], { reject: false });
}

describe('dailysync snapshot mode from the command line', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-snap-cli-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    await writeTree(source, projectTree(['alpha', 'beta']));
  });
  afterEach(() => cleanup());

  test('two nights with --keep-last 1, a listing, a restore and verify --at', async () => {
    const first = await dailysync(['sync', '--source', source, '--dest', dest, '--snapshots', '--snapshot-name', '2026-12-01T013000Z', '--plain']);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('Snapshot 2026-12-01T013000Z published');
    await writeTree(source, { 'beta/new.txt': 'night 2\n' });
    const second = await dailysync(['sync', '--source', source, '--dest', dest, '--snapshots', '--snapshot-name', '2026-12-02T013000Z', '--keep-last', '1', '--plain']);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toMatch(/retention removed 1 \(2026-12-01T013000Z\), kept 1/);

    const list = await dailysync(['snapshots', '--dest', dest, '--json']);
    expect(list.exitCode).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string; newFiles: number }[]).map((r) => [r.name, r.newFiles])).toEqual([['2026-12-02T013000Z', 1]]);

    const to = path.join(dir, 'restored');
    const restore = await dailysync(['restore', '--dest', dest, '--to', to, '--plain']);
    expect(restore.exitCode).toBe(0);
    expect(await treeDifferences(source, to)).toEqual([]);
    expect((await dailysync(['verify', '--source', source, '--dest', dest, '--at', '2026-12-02'])).exitCode).toBe(0);
    // Six CLI start-ups (tsx compiles the sources) on a shared 2-core machine.
  }, 240_000);

  test('snapshot options are refused with a one-line fix, before anything is written', async () => {
    const cases: [string[], RegExp][] = [
      [['--keep-last', '3'], /apply to snapshot mode only: add --snapshots/],
      [['--snapshots', '--delete'], /--delete has no use with --snapshots/],
      [['--snapshots', '--keep-daily', 'seven'], /--keep-daily "seven" is not valid/],
      [['--snapshots', '--snapshot-name', 'monday'], /--snapshot-name "monday" is not a snapshot name/],
    ];
    for (const [args, message] of cases) {
      const r = await dailysync(['sync', '--source', source, '--dest', dest, ...args]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(await exists(dest)).toBe(false);
    const restore = await dailysync(['restore', '--dest', dest, '--to', path.join(dir, 'x')]);
    expect(restore.exitCode).toBe(2);
    expect(restore.stderr).toMatch(/--dest .* is not a backup folder/);
  }, 240_000);
});

describe('dailysync snapshot mode with a remote backup root, from the command line', () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let daemon: RsyncDaemon;
  let ssh: SshServer;
  let source: string;
  let backing: string;

  beforeAll(async () => {
    work = await makeTempDir('dailysync-snap-remote-cli-');
    source = path.join(work.dir, 'prod');
    backing = path.join(work.dir, 'nas');
    await fs.mkdir(backing);
    await writeTree(source, projectTree(['alpha', 'beta', 'gamma']));
    await Promise.all([fs.mkdir(path.join(work.dir, 'rsyncd')), fs.mkdir(path.join(work.dir, 'ssh'))]);
    [daemon, ssh] = await Promise.all([startRsyncDaemon(path.join(work.dir, 'rsyncd'), { backup: backing }), startSshServer(path.join(work.dir, 'ssh'))]);
  });
  afterAll(async () => {
    await Promise.all([daemon?.stop(), ssh?.stop()]);
    await work?.cleanup();
  });

  test('sync --snapshots into an rsync daemon, list it there and over ssh, restore one project from it; verify says to run on the backup host', async () => {
    const dest = `rsync://${LOOPBACK}:${daemon.port}/backup/nightly`;
    const first = await dailysync(['sync', '--source', source, '--dest', dest, '--snapshots', '--snapshot-name', '2026-12-01T013000Z', '--plain']);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain(`Snapshot 2026-12-01T013000Z published: ${dest}/snapshots/2026-12-01T013000Z`);
    await writeTree(source, { 'beta/new.txt': 'night 2\n' });
    const second = await dailysync(['sync', '--source', source, '--dest', dest, '--snapshots', '--snapshot-name', '2026-12-02T013000Z', '--keep-last', '1', '--plain']);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toMatch(/retention removed 1 \(2026-12-01T013000Z\), kept 1/);
    expect(await treeDifferences(source, path.join(backing, 'nightly/snapshots/2026-12-02T013000Z'))).toEqual([]);

    const list = await dailysync(['snapshots', '--dest', dest, '--json']);
    expect(list.exitCode).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string; status: string; newFiles: number }[]).map((r) => [r.name, r.status, r.newFiles])).toEqual([['2026-12-02T013000Z', 'complete', 1]]);
    // The same backup root seen through ssh: the ssh options reach the listing.
    const overSsh = await dailysync(['snapshots', '--dest', `root@${LOOPBACK}:${path.join(backing, 'nightly')}`, '--ssh-port', String(ssh.port), '--ssh-identity', ssh.identityFile, '--ssh-known-hosts', ssh.knownHostsFile]);
    expect(overSsh.exitCode).toBe(0);
    expect(overSsh.stdout).toMatch(/2026-12-02T013000Z \(latest\)\s+complete/);

    const to = path.join(work.dir, 'restored');
    const restore = await dailysync(['restore', '--dest', dest, '--project', 'beta', '--to', to, '--plain']);
    expect(restore.exitCode).toBe(0);
    expect(await fs.readdir(to)).toEqual(['beta']);
    expect(await treeDifferences(path.join(source, 'beta'), path.join(to, 'beta'))).toEqual([]);
    const missing = await dailysync(['restore', '--dest', dest, '--project', 'delta', '--to', path.join(work.dir, 'x')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/project "delta" is not in snapshot 2026-12-02T013000Z/);

    const verify = await dailysync(['verify', '--source', source, '--dest', dest]);
    expect(verify.exitCode).toBe(2);
    expect(verify.stderr.trim().split('\n')).toHaveLength(1);
    expect(verify.stderr).toMatch(/is remote: verify compares two trees on this machine; run it on the backup host/);
  }, 300_000);
});
