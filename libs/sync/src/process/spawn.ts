import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

// The engine starts its rsync and find processes with node:child_process rather than execa: execa's
// hundred-odd modules cost a plain sync about 5 MiB of resident memory, for features it does not use.

/** How a child process ended. */
export interface ProcessEnd {
  /** Undefined when a signal ended it or it never started. */
  exitCode: number | undefined;
  signal: NodeJS.Signals | undefined;
  /** Why it could not be started (e.g. ENOENT: no such program); undefined once it ran. */
  startError: NodeJS.ErrnoException | undefined;
}

export interface StartedProcess {
  child: ChildProcess;
  /** Settles once the process has exited and its output pipes have closed; never rejects. */
  ended: Promise<ProcessEnd>;
}

/** Starts `file` with `args` (no shell); stdin is /dev/null unless `options.stdio` says otherwise. */
export function startProcess(file: string, args: readonly string[], options: SpawnOptions = {}): StartedProcess {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const ended = new Promise<ProcessEnd>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      // An error after the start (a failed kill) still ends in 'close'; one before it is the end.
      if (child.pid === undefined) resolve({ exitCode: undefined, signal: undefined, startError: error });
    });
    child.once('close', (code, signal) => resolve({ exitCode: code ?? undefined, signal: signal ?? undefined, startError: undefined }));
  });
  return { child, ended };
}

/** Runs `file` to its end and returns what it wrote; a failure to start or a non-zero exit is in the result, not thrown. */
export async function runProcess(file: string, args: readonly string[], options: SpawnOptions = {}): Promise<ProcessEnd & { stdout: Buffer; stderr: Buffer }> {
  const { child, ended } = startProcess(file, args, options);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const end = await ended;
  return { ...end, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) };
}

/** `exit code 2`, `killed by SIGTERM` or the start error's message: how a process failed, for messages. */
export function describeProcessEnd(end: ProcessEnd): string {
  if (end.startError) return end.startError.message;
  if (end.signal) return `killed by ${end.signal}`;
  return `exit code ${end.exitCode}`;
}
