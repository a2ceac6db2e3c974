import { ConfigError } from '../errors.js';
import { parseListOnly } from './list-remote.js';
import { locationOperand, parseLocation } from './location.js';
import { buildRshCommand, resolveSshSettings } from './ssh.js';

describe('parseLocation', () => {
  test('local, ssh and daemon forms', () => {
    expect(parseLocation('dest', '/data/backup/')).toEqual({ kind: 'local', path: '/data/backup' });
    expect(parseLocation('dest', 'backup@nas.example.com:/volume1/prod backup/')).toEqual({ kind: 'ssh', user: 'backup', host: 'nas.example.com', path: '/volume1/prod backup' });
    expect(parseLocation('dest', '10.0.0.5:/b')).toEqual({ kind: 'ssh', host: '10.0.0.5', path: '/b' });
    expect(parseLocation('dest', 'rsync://nas:8873/backup/prod')).toEqual({ kind: 'daemon', host: 'nas', port: 8873, module: 'backup', path: 'prod' });
    expect(parseLocation('source', 'rsync://nas/prod')).toEqual({ kind: 'daemon', host: 'nas', module: 'prod', path: '' });
  });

  test.each([
    ['-e sh:/x', /starts with "-"/],
    ['Bad User@nas:/x', /invalid user "Bad User"/],
    ['u@-oProxyCommand=x:/x', /invalid host "-oProxyCommand=x"/],
    ['u@nas:relative/path', /relative remote path/],
    ['rsync://nas:0/m', /port from 1 to 65535/],
    ['rsync://nas:70000/m', /port from 1 to 65535/],
    ['rsync://nas/', /no valid module name/],
    ['rsync://u@nas/m', /daemon authentication is not supported/],
    ['nas::module/x', /rsync:\/\/HOST\/MODULE/],
    ['u@nas:/a/../b', /"\." or "\.\." segments/],
    ['relative/dir', /relative path/],
  ])('%s is refused', (value, message) => {
    expect(() => parseLocation('dest', value)).toThrow(ConfigError);
    expect(() => parseLocation('dest', value)).toThrow(message);
  });

  test('operands keep names as paths: absolute, host-prefixed, "./" before a daemon path starting with "-"', () => {
    expect(locationOperand(parseLocation('dest', 'u@h:/b'), '-x y')).toBe('u@h:/b/-x y/');
    expect(locationOperand(parseLocation('dest', 'rsync://h/m'), '-x')).toBe('rsync://h/m/./-x/');
    expect(locationOperand(parseLocation('dest', 'rsync://h/m/p'), '')).toBe('rsync://h/m/p/');
  });
});

describe('ssh settings', () => {
  test('the -e command holds only validated words', () => {
    const ssh = resolveSshSettings({ sshPort: '2222', sshIdentityFile: '/etc/hostname', sshHostKeyChecking: 'accept-new' }, 30);
    expect(buildRshCommand(ssh)).toBe('ssh -p 2222 -i /etc/hostname -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=30');
  });

  test.each([
    [{ sshPort: '22; rm' }, /--ssh-port "22; rm" is not valid/],
    [{ sshPort: 0 }, /port from 1 to 65535/],
    [{ sshIdentityFile: 'id_rsa' }, /relative path/],
    [{ sshIdentityFile: '/tmp/my key' }, /spaces, quotes/],
    [{ sshIdentityFile: '/nonexistent/key' }, /does not exist/],
    [{ sshHostKeyChecking: 'no' as 'yes' }, /use "yes" .* or "accept-new"/],
  ])('%j is refused', (raw, message) => {
    expect(() => resolveSshSettings(raw, 30)).toThrow(message);
  });
});

test('parseListOnly reads names with spaces, leading dashes and escaped newlines', () => {
  const out = [
    'drwxr-xr-x          4,096 2026/11/26 07:17:09 .',
    '-rw-r--r--          1,234 2026/11/26 07:17:09 f x.txt',
    'lrwxrwxrwx              4 2026/11/26 07:17:09 lnk',
    'drwxr-xr-x          4,096 2026/11/26 07:17:09 -dash',
    'drwxr-xr-x          4,096 2026/11/26 07:17:09 we ird\\#012name',
    '',
  ].join('\n');
  expect(parseListOnly(out)).toEqual([
    { name: 'f x.txt', isDirectory: false, size: 1234 },
    { name: 'lnk', isDirectory: false, size: 4 },
    { name: '-dash', isDirectory: true, size: 4096 },
    { name: 'we ird\nname', isDirectory: true, size: 4096 },
  ]);
});
