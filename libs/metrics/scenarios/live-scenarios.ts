// The scenarios that need no cgroups, namespaces or loop devices: set up, the workload command,
// and a cleanup that always runs. record.ts (--scenario NAME) and test/live-scenarios.spec.ts use them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '../src/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface PreparedScenario {
  command: string;
  source: string;
  dest: string;
  /** Unmounts, stops helpers and removes the work folder; safe to call twice. */
  cleanup(): Promise<void>;
}

export interface LiveScenario {
  name: string;
  expect: Resource;
  /** What the machine must have; throws with the missing piece named. */
  requirements(): void;
  prepare(work: string): Promise<PreparedScenario>;
}

function sh(script: string): void {
  const r = spawnSync('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`setup failed (${script.slice(0, 80)}): ${r.stderr.toString().trim()}`);
}

/**
 * CPU-bound: two concurrent rsyncs with zlib level 9 and md5 --checksum over a page-cached tree,
 * through local-rsh.sh (so the remote protocol, where -z is active, is used): neither disk nor
 * network can be the limit.
 */
export const cpuBound: LiveScenario = {
  name: 'cpu-bound',
  expect: 'cpu',
  requirements() {
    if (spawnSync('rsync', ['--version']).status !== 0) throw new Error('rsync not found');
  },
  async prepare(work) {
    rmSync(work, { recursive: true, force: true });
    const cleanup = async (): Promise<void> => rmSync(work, { recursive: true, force: true });
    try {
      for (const t of ['a', 'b']) mkdirSync(join(work, 'src', t), { recursive: true });
      mkdirSync(join(work, 'dst'), { recursive: true });
      // Compressible but not trivial data (base64 of random bytes), ~120 MB per tree.
      sh(`for t in a b; do for i in 1 2 3 4 5 6; do head -c 15M /dev/urandom | base64 > "${work}/src/$t/f$i"; done; done`);
      sh(`cat "${work}"/src/*/* > /dev/null`); // warm the page cache: reads must not touch the disk
    } catch (e) {
      await cleanup();
      throw e;
    }
    const rs = `rsync -a --whole-file --checksum --checksum-choice=md5 -z --compress-choice=zlib --compress-level=9 -e ${HERE}/local-rsh.sh`;
    return {
      command: `${rs} ${work}/src/a/ x:${work}/dst/a/ & ${rs} ${work}/src/b/ x:${work}/dst/b/ & wait`,
      source: join(work, 'src'),
      dest: join(work, 'dst'),
      cleanup,
    };
  },
};

const isMounted = (mnt: string): boolean => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === mnt);

/**
 * Latency-bound: rsync of 500 small files from slowfs.py, a FUSE passthrough that sleeps
 * DELAY_MS per operation. CPU, disk and network stay far from saturation while the copy crawls.
 */
export function latencyBound(delayMs = 4): LiveScenario {
  return {
    name: 'latency-bound',
    expect: 'latency',
    requirements() {
      if (!existsSync('/dev/fuse')) throw new Error('/dev/fuse missing (FUSE needs the fuse kernel module and the device)');
      if (spawnSync('sh', ['-c', 'command -v fusermount']).status !== 0) throw new Error('fusermount missing (apt-get install fuse3)');
      if (spawnSync('/usr/bin/python3', ['-c', 'import fusepy']).status !== 0) throw new Error('python3-fusepy missing (apt-get install python3-fusepy)');
    },
    async prepare(work) {
      const mnt = join(work, 'mnt');
      let fuse: ChildProcess | undefined;
      const cleanup = async (): Promise<void> => {
        if (isMounted(mnt)) {
          // A lazy unmount as fallback: a still-open file must not leave the mount behind.
          if (spawnSync('fusermount', ['-u', mnt]).status !== 0) spawnSync('fusermount', ['-u', '-z', mnt]);
        }
        if (fuse && fuse.exitCode === null && fuse.signalCode === null) {
          const gone = new Promise<void>((res) => fuse?.once('exit', () => res()));
          fuse.kill('SIGTERM');
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([gone, new Promise((res) => (timer = setTimeout(res, 2000)))]);
          clearTimeout(timer);
          if (fuse.exitCode === null && fuse.signalCode === null) fuse.kill('SIGKILL');
        }
        if (!isMounted(mnt)) rmSync(work, { recursive: true, force: true });
      };
      try {
        if (isMounted(mnt)) spawnSync('fusermount', ['-u', '-z', mnt]);
        rmSync(work, { recursive: true, force: true });
        mkdirSync(mnt, { recursive: true });
        mkdirSync(join(work, 'dst'));
        sh(`i=0; while [ $i -lt 20 ]; do mkdir -p "${work}/real/d$i"; j=0; while [ $j -lt 25 ]; do head -c 8k /dev/urandom > "${work}/real/d$i/f$j"; j=$((j+1)); done; i=$((i+1)); done`);
        fuse = spawn('/usr/bin/python3', [join(HERE, 'slowfs.py'), join(work, 'real'), mnt, String(delayMs)], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        fuse.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        for (let i = 0; !isMounted(mnt); i++) {
          if (i >= 50 || fuse.exitCode !== null) throw new Error(`FUSE mount failed: ${stderr.trim()}`);
          await new Promise((res) => setTimeout(res, 100));
        }
      } catch (e) {
        await cleanup();
        throw e;
      }
      return { command: `rsync -a ${mnt}/ ${work}/dst/`, source: mnt, dest: join(work, 'dst'), cleanup };
    },
  };
}

export const LIVE_SCENARIOS: Record<string, LiveScenario> = {
  'cpu-bound': cpuBound,
  'latency-bound': latencyBound(Number(process.env['DELAY_MS'] ?? 4)),
};
