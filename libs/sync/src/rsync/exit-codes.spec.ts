import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyExit, RSYNC_EXIT_CODES, rsyncErrorDetail } from './exit-codes.js';

// Recorded by libs/sync/test/fixtures/rsync/record.sh with real rsync 3.5.0.
const FIXTURES = new URL('../../test/fixtures/rsync/', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, FIXTURES), 'utf8');
/** Classifies a recording as the engine would: exit code, stderr plus stdout's messages. */
const recorded = (name: string) => {
  const code = Number(read(`${name}.exit.txt`).trim());
  return { code, result: classifyExit(code, `${read(`${name}.stderr.txt`)}\n${read(`${name}.stdout.txt`)}`) };
};

describe('RSYNC_EXIT_CODES', () => {
  it('documents every rsync exit code with one sentence', () => {
    for (const code of [0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 24, 25, 30, 35, 124, 125, 126, 127, 255]) {
      const entry = RSYNC_EXIT_CODES[code];
      expect(entry?.meaning).toMatch(/^[A-Za-z].*\.$/);
    }
  });
});

describe('classifyExit rules', () => {
  it.each([
    [0, 'ok', 'ok', false],
    [24, 'warning', 'warning', false],
    [25, 'warning', 'warning', false],
    [23, 'fatal', 'failed', false],
    [10, 'transient', 'failed', true],
    [12, 'transient', 'failed', true],
    [30, 'transient', 'failed', true],
    [35, 'transient', 'failed', true],
    [1, 'fatal', 'failed', false],
    [2, 'fatal', 'failed', false],
    [3, 'fatal', 'failed', false],
    [4, 'fatal', 'failed', false],
    [5, 'fatal', 'failed', false],
    [6, 'fatal', 'failed', false],
    [11, 'fatal', 'failed', false],
    [13, 'fatal', 'failed', false],
    [14, 'fatal', 'failed', false],
    [22, 'fatal', 'failed', false],
    [127, 'fatal', 'failed', false],
    [20, 'interrupted', 'failed', false],
    [99, 'fatal', 'failed', false],
  ] as const)('exit %i -> %s/%s, retryable %s', (code, cls, status, retryable) => {
    expect(classifyExit(code, '')).toMatchObject({ exitCode: code, class: cls, status, retryable, alsoSeen: [] });
  });

  it('127 says rsync or the remote shell command was not found', () => {
    expect(classifyExit(127, '').meaning).toMatch(/not found/);
  });

  it('a signal means interrupted, with 128+signo as the code', () => {
    expect(classifyExit(undefined, '', 'SIGTERM')).toMatchObject({ exitCode: 143, class: 'interrupted', status: 'failed', retryable: false });
    expect(classifyExit(undefined, '', 'SIGTERM').meaning).toMatch(/SIGTERM/);
    expect(classifyExit(undefined, '')).toMatchObject({ exitCode: -1, class: 'fatal' });
  });

  it('11 with a full disk says so', () => {
    const r = classifyExit(11, 'rsync: [receiver] write failed on "/backup/x": No space left on device (28)\n');
    expect(r).toMatchObject({ class: 'fatal', status: 'failed', retryable: false });
    expect(r.meaning).toMatch(/disk is full.*No space left on device/);
  });

  it('255 is a transient ssh failure unless ssh refused the login', () => {
    expect(classifyExit(255, 'ssh: connect to host h port 22: Connection refused')).toMatchObject({ class: 'transient', retryable: true });
    expect(classifyExit(255, 'user@h: Permission denied (publickey).')).toMatchObject({ class: 'fatal', retryable: false });
  });
});

describe('classifyExit on recorded runs', () => {
  it('vanished file -> 24 warning', () => {
    const { code, result } = recorded('vanished');
    expect(code).toBe(24);
    expect(result).toMatchObject({ class: 'warning', status: 'warning', alsoSeen: ['vanished-files'] });
  });

  it('max-delete stop -> 25 warning, recorded as max-delete-stopped', () => {
    const { code, result } = recorded('max-delete');
    expect(code).toBe(25);
    expect(result).toMatchObject({ class: 'warning', status: 'warning', alsoSeen: ['max-delete-stopped'] });
  });

  it('24 hides a max-delete stop: both conditions come back and the meaning names the hidden one', () => {
    const { code, result } = recorded('vanished-max-delete');
    expect(code).toBe(24);
    expect(result.alsoSeen).toEqual(['vanished-files', 'max-delete-stopped']);
    expect(result.status).toBe('warning');
    expect(result.meaning).toMatch(/max-delete limit stopped deletions/);
  });

  it('I/O error on the sender -> 23, deletions skipped (message found on stdout)', () => {
    const { code, result } = recorded('io-error-deletions');
    expect(code).toBe(23);
    expect(result).toMatchObject({ class: 'fatal', status: 'failed', retryable: false });
    expect(result.alsoSeen).toEqual(['io-error-deletions-skipped', 'partial-transfer']);
    expect(result.meaning).toMatch(/skipped all deletions/);
  });

  it('missing source -> 23 partial transfer', () => {
    const { code, result } = recorded('missing-source');
    expect(code).toBe(23);
    expect(result).toMatchObject({ status: 'failed', alsoSeen: ['partial-transfer'] });
  });

  it('bad option -> 1 fatal; timeout -> 30 transient; SIGTERM -> 20 interrupted; ssh refused -> 255 (or 12) transient', () => {
    expect(recorded('bad-option')).toMatchObject({ code: 1, result: { class: 'fatal', retryable: false } });
    expect(recorded('timeout')).toMatchObject({ code: 30, result: { class: 'transient', retryable: true } });
    expect(recorded('interrupted')).toMatchObject({ code: 20, result: { class: 'interrupted', status: 'failed' } });
    // Like remote-missing, rsync sometimes notices the dead stream first and exits 12.
    const ssh = recorded('ssh-failed');
    expect([12, 255]).toContain(ssh.code);
    expect(ssh.result).toMatchObject({ class: 'transient', retryable: true });
  });

  it('missing remote rsync is fatal whether rsync exited 127 or (racily) 12', () => {
    const { code, result } = recorded('remote-missing');
    expect([12, 127]).toContain(code);
    expect(result).toMatchObject({ class: 'fatal', retryable: false });
    expect(result.meaning).toMatch(/not found/);
  });
});

describe('classifyExit on a live rsync', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dailysync-exit-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a'), 'a');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rsync = (...args: string[]) => {
    const r = spawnSync('rsync', args, { encoding: 'utf8' });
    return classifyExit(r.status ?? undefined, r.stderr, r.signal ?? undefined);
  };

  it('nonexistent source path -> 23, failed, partial-transfer', () => {
    expect(rsync('-a', '--', join(dir, 'does-not-exist'), join(dir, 'dst') + '/')).toMatchObject({
      exitCode: 23,
      class: 'fatal',
      status: 'failed',
      alsoSeen: ['partial-transfer'],
    });
  });

  it('unknown option -> 1, fatal', () => {
    expect(rsync('--no-such-option', join(dir, 'src') + '/', join(dir, 'dst2') + '/')).toMatchObject({
      exitCode: 1,
      class: 'fatal',
      retryable: false,
    });
  });

  it('a clean copy -> 0, ok', () => {
    expect(rsync('-a', '--', join(dir, 'src') + '/', join(dir, 'dst3') + '/')).toMatchObject({ exitCode: 0, status: 'ok' });
  });
});

describe("ssh's refusal seen as exit 12", () => {
  test('an unknown host key is fatal whether rsync exits 255 or notices the closed stream first (12)', () => {
    // ssh's message, then rsync's: what remote.spec's refused runs print, with exit 255 or (racing) 12.
    const stderr = 'Host key verification failed.\r\nrsync: connection unexpectedly closed (0 bytes received so far) [sender]\nrsync error: unexplained error (code 255) at io.c(232) [sender=3.5.0]\n';
    for (const code of [12, 255]) {
      const c = classifyExit(code, stderr);
      expect([code, c.class, c.retryable]).toEqual([code, 'fatal', false]);
      expect(c.meaning).toMatch(/ssh\) refused the login/);
    }
    // A broken stream without ssh's refusal stays transient.
    expect(classifyExit(12, 'rsync: connection unexpectedly closed (0 bytes received so far) [sender]\n').class).toBe('transient');
  });
});

describe('rsyncErrorDetail', () => {
  test('is the last line that says what went wrong, never rsync\'s closing summary', () => {
    // Recorded from rsync 3.5.0 against a daemon that refuses connections, and a missing source.
    const refused = 'rsync: [Receiver] failed to connect to 127.0.0.1 (127.0.0.1): Connection refused (111)\nrsync error: error in socket IO (code 10) at clientserver.c(139) [Receiver=3.5.0]\n';
    expect(rsyncErrorDetail(refused)).toBe('rsync: [Receiver] failed to connect to 127.0.0.1 (127.0.0.1): Connection refused (111)');
    const missing = '  rsync: [sender] change_dir "/nope" failed: No such file or directory (2)  \n\nrsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1394) [sender=3.5.0]\n';
    expect(rsyncErrorDetail(missing)).toBe('rsync: [sender] change_dir "/nope" failed: No such file or directory (2)');
    expect(rsyncErrorDetail('rsync error: unexplained error (code 255)\n')).toBe('');
    expect(rsyncErrorDetail('')).toBe('');
  });
});
