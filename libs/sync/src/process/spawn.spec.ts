import { describeProcessEnd, runProcess, startProcess } from './spawn.js';

describe('runProcess', () => {
  it('returns the exit code and what the process wrote', async () => {
    const end = await runProcess('sh', ['-c', 'printf out; printf err >&2; exit 3']);
    expect(end).toMatchObject({ exitCode: 3, signal: undefined, startError: undefined });
    expect(end.stdout.toString()).toBe('out');
    expect(end.stderr.toString()).toBe('err');
    expect(describeProcessEnd(end)).toBe('exit code 3');
  });

  it('reports a program that cannot be started instead of throwing', async () => {
    const end = await runProcess('dailysync-no-such-program', []);
    expect(end.exitCode).toBeUndefined();
    expect(end.startError?.code).toBe('ENOENT');
    expect(describeProcessEnd(end)).toMatch(/ENOENT/);
  });

  it('passes only the given environment and reads /dev/null as stdin', async () => {
    const end = await runProcess('sh', ['-c', 'printf "%s|%s|" "$ONLY" "${HOME:-unset}"; cat'], { env: { ONLY: 'this', PATH: process.env['PATH'] ?? '' } });
    expect(end.stdout.toString()).toBe('this|unset|');
  });
});

describe('startProcess', () => {
  it('ends with the signal that stopped the process', async () => {
    const { child, ended } = startProcess('sleep', ['30']);
    child.kill('SIGTERM');
    const end = await ended;
    expect(end).toEqual({ exitCode: undefined, signal: 'SIGTERM', startError: undefined });
    expect(describeProcessEnd(end)).toBe('killed by SIGTERM');
  });
});
