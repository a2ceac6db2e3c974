import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const WORKSPACE = path.resolve(import.meta.dirname, '../../../..');
const CHILD = path.join(import.meta.dirname, 'backup-child.ts');

/**
 * Starts one backup in a process of its own (backup-child.ts: prints "started" at its first rsync
 * task), for a test to SIGKILL. A killed run cannot remove its temporary files (its rsyncs' rules
 * and folder lists): they go to `tmpDir`, the test's own folder, not the machine's /tmp.
 */
export function spawnBackupChild(request: object, tmpDir: string, stderr: 'ignore' | 'inherit'): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(request)], { cwd: WORKSPACE, stdio: ['ignore', 'pipe', stderr], env: { ...process.env, TMPDIR: tmpDir } });
}
