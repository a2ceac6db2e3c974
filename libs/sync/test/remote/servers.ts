import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';

/** Test servers listen on loopback only. */
export const LOOPBACK = '127.0.0.1';

/** A TCP port that was free a moment ago (bound and released on 127.0.0.1). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, LOOPBACK);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`server did not listen on ${port}: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startProcess(command: string, args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-4000);
  });
  return { child, stderr: () => text };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export interface SshServer {
  port: number;
  identityFile: string;
  knownHostsFile: string;
  stop: () => Promise<void>;
}

/** A real sshd on 127.0.0.1 that lets root in with a key generated for the test, and a known_hosts file for it. */
export async function startSshServer(dir: string): Promise<SshServer> {
  await fs.mkdir('/run/sshd', { recursive: true });
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  const identityFile = path.join(dir, 'client_ed25519');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await fs.copyFile(`${identityFile}.pub`, authorizedKeys);
  const port = await freePort();
  const knownHostsFile = path.join(dir, 'known_hosts');
  const hostPub = (await fs.readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  await fs.writeFile(knownHostsFile, `[${LOOPBACK}]:${port} ${hostPub}\n`);
  const config = path.join(dir, 'sshd_config');
  await fs.writeFile(
    config,
    [
      `ListenAddress ${LOOPBACK}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const { child, stderr } = startProcess('/usr/sbin/sshd', ['-D', '-e', '-p', String(port), '-f', config, '-h', hostKey]);
  await waitForPort(port, child, stderr);
  return { port, identityFile, knownHostsFile, stop: () => stopProcess(child) };
}

export interface RsyncDaemon {
  port: number;
  stop: () => Promise<void>;
}

/** A real rsync daemon on 127.0.0.1 with the given modules (name -> folder), writable, no chroot. */
export async function startRsyncDaemon(dir: string, modules: Record<string, string>): Promise<RsyncDaemon> {
  const port = await freePort();
  const config = path.join(dir, 'rsyncd.conf');
  const sections = Object.entries(modules).map(([name, folder]) =>
    [`[${name}]`, `  path = ${folder}`, '  use chroot = no', '  read only = no', '  uid = root', '  gid = root', ''].join('\n'),
  );
  await fs.writeFile(config, [`log file = ${path.join(dir, 'rsyncd.log')}`, '', ...sections].join('\n'));
  const { child, stderr } = startProcess('rsync', ['--daemon', '--no-detach', `--config=${config}`, `--port=${port}`, `--address=${LOOPBACK}`]);
  await waitForPort(port, child, stderr);
  return { port, stop: () => stopProcess(child) };
}
