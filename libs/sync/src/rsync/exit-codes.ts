import { constants } from 'node:os';
import type { ExitClass, ExitClassification } from './types.js';

type Condition = ExitClassification['alsoSeen'][number];

/**
 * Every exit code rsync 3.x can return (errcode.h), what it means for a backup run, and how
 * the orchestrator treats it. transient = a retry of the same rsync may succeed.
 */
export const RSYNC_EXIT_CODES: Record<number, { meaning: string; class: ExitClass }> = {
  0: { class: 'ok', meaning: 'rsync finished and the folder was copied completely.' },
  1: {
    class: 'fatal',
    meaning: 'rsync rejected its command line (syntax or usage error); check the rsync options and paths in the configuration.',
  },
  2: {
    class: 'fatal',
    meaning: 'The two rsync versions cannot talk to each other (protocol incompatibility); upgrade rsync on the older side.',
  },
  3: {
    class: 'fatal',
    meaning: 'rsync could not select its input or output files or folders; check that the source and destination paths exist and are accessible.',
  },
  4: {
    class: 'fatal',
    meaning: 'An option or action is not supported by this rsync or by the remote one; remove the option or upgrade rsync.',
  },
  5: {
    class: 'fatal',
    meaning: 'rsync could not start the client-server protocol; check the remote rsync daemon or shell configuration.',
  },
  6: {
    class: 'fatal',
    meaning: 'The rsync daemon could not write its log file; check the daemon log-file path and permissions.',
  },
  10: {
    class: 'transient',
    meaning: 'A network socket error interrupted rsync; check the connection to the remote host, a retry may succeed.',
  },
  11: {
    class: 'fatal',
    meaning: 'rsync hit a file I/O error (for example a full disk or a folder it could not create); check the destination disk and its free space, then rerun.',
  },
  12: {
    class: 'transient',
    meaning: 'The rsync data stream broke (usually the connection or the remote rsync died); check the remote side, a retry may succeed.',
  },
  13: {
    class: 'fatal',
    meaning: 'rsync failed while writing its own diagnostics; check where its output goes and rerun.',
  },
  14: {
    class: 'fatal',
    meaning: 'rsync failed to start or talk to its helper processes (IPC error); check system limits (processes, file descriptors, memory).',
  },
  15: {
    class: 'fatal',
    meaning: 'One of rsync\'s own processes crashed; look at stderr and the system log, then rerun.',
  },
  16: {
    class: 'fatal',
    meaning: 'One of rsync\'s own processes ended abnormally; look at stderr and the system log, then rerun.',
  },
  19: {
    class: 'interrupted',
    meaning: 'rsync was told to stop by its other half (SIGUSR1), usually because that half was interrupted; the copy is incomplete.',
  },
  20: {
    class: 'interrupted',
    meaning: 'rsync was stopped by a signal (SIGINT, SIGTERM or SIGHUP) before it finished; the copy is incomplete, rerun it.',
  },
  21: {
    class: 'fatal',
    meaning: 'rsync could not wait for one of its child processes (waitpid error); check system limits and rerun.',
  },
  22: {
    class: 'fatal',
    meaning: 'rsync ran out of memory for its buffers; free memory or split the folder into smaller runs.',
  },
  23: {
    class: 'fatal',
    meaning: 'Some files or attributes were not transferred because of errors; read the rsync messages to see which ones (missing paths, permissions) and fix them.',
  },
  24: {
    class: 'warning',
    meaning: 'Some source files disappeared while rsync was copying them; everything else was copied.',
  },
  25: {
    class: 'warning',
    meaning: 'The --max-delete limit stopped deletions, so the backup still holds files that are gone from the source.',
  },
  30: {
    class: 'transient',
    meaning: 'rsync timed out waiting for data (--timeout); check the network and the remote host, a retry may succeed.',
  },
  35: {
    class: 'transient',
    meaning: 'rsync timed out waiting for the daemon connection; check that the remote rsync daemon is reachable, a retry may succeed.',
  },
  124: {
    class: 'fatal',
    meaning: 'The remote shell command failed; check the remote shell (ssh) configuration.',
  },
  125: {
    class: 'transient',
    meaning: 'The remote shell was killed; a retry may succeed, otherwise check the remote host.',
  },
  126: {
    class: 'fatal',
    meaning: 'The remote rsync command could not be run (not executable); check the rsync path on the remote host.',
  },
  127: {
    class: 'fatal',
    meaning: 'rsync (or the remote shell command) was not found; install rsync or fix the rsync path.',
  },
  255: {
    class: 'transient',
    meaning: 'The remote shell (ssh) failed to connect; check that the host is up and reachable, a retry may succeed.',
  },
};

/** stderr patterns for conditions a worse exit code hides (23 hides 24 and 25; 24 hides 25). */
const CONDITIONS: Array<[Condition, RegExp, string]> = [
  ['vanished-files', /file has vanished: /, 'some source files vanished during the copy'],
  ['max-delete-stopped', /Deletions stopped due to --max-delete limit/, 'the --max-delete limit stopped deletions'],
  [
    'io-error-deletions-skipped',
    /IO error encountered -- skipping file deletion/,
    'rsync skipped all deletions because of an I/O error, so the backup may still hold files removed from the source',
  ],
  ['partial-transfer', /some files\/attrs were not transferred/, 'some files or attributes were not transferred'],
];

/**
 * The code each condition produces on its own; the meaning names a condition only when another
 * code hid it. Skipped deletions have no code of their own (they ride on 23), so always say so.
 */
const CONDITION_CODE: Record<Condition, number | undefined> = {
  'vanished-files': 24,
  'max-delete-stopped': 25,
  'io-error-deletions-skipped': undefined,
  'partial-transfer': 23,
};

const DISK_FULL_RE = /No space left on device|Disk quota exceeded/;

function statusOf(cls: ExitClass): ExitClassification['status'] {
  return cls === 'ok' ? 'ok' : cls === 'warning' ? 'warning' : 'failed';
}

function build(exitCode: number, cls: ExitClass, meaning: string, alsoSeen: Condition[]): ExitClassification {
  // Retries are for connection, stream and timeout trouble; never re-run after a user's Ctrl-C.
  return { exitCode, class: cls, status: statusOf(cls), meaning, alsoSeen, retryable: cls === 'transient' };
}

/**
 * Classifies how an rsync run ended.
 *
 * @param exitCode the process exit code; undefined when it was killed by a signal or never ran.
 * @param stderr rsync's stderr. Also pass stdout's message lines if you can: rsync 3.5.0 prints
 *   "IO error encountered -- skipping file deletion" on STDOUT, not stderr (recorded fixture
 *   io-error-deletions). The text is only searched for known phrases.
 * @param signal the signal name (e.g. 'SIGTERM') when the process was killed by one.
 *
 * When the process died of a signal, `exitCode` in the result is 128 + the signal number
 * (the shell's convention), or -1 when unknown; with neither code nor signal it is -1.
 */
export function classifyExit(exitCode: number | undefined, stderr: string, signal?: string): ExitClassification {
  const alsoSeen = CONDITIONS.filter(([, re]) => re.test(stderr)).map(([c]) => c);

  if (signal) {
    const signo = (constants.signals as Record<string, number | undefined>)[signal];
    const code = exitCode ?? (signo !== undefined ? 128 + signo : -1);
    return build(
      code,
      'interrupted',
      `rsync was stopped by signal ${signal} before it finished; the copy is incomplete, rerun it.`,
      alsoSeen,
    );
  }
  if (exitCode === undefined) {
    return build(-1, 'fatal', 'rsync did not report an exit code (it may not have started); check that rsync is installed and runs.', alsoSeen);
  }

  const known = RSYNC_EXIT_CODES[exitCode];
  let cls: ExitClass = known?.class ?? 'fatal';
  let meaning =
    known?.meaning ?? `rsync exited with unknown code ${exitCode}; read its messages and rerun by hand to investigate.`;

  if (DISK_FULL_RE.test(stderr) && exitCode !== 0) {
    // Disk full usually shows as 11, sometimes 23; either way retrying without space is pointless.
    cls = 'fatal';
    meaning = 'The destination disk is full (No space left on device); free space or enlarge the backup volume, then rerun.';
  } else if (
    (exitCode === 12 || exitCode === 255) &&
    /\bnot found\b/.test(stderr) &&
    /connection unexpectedly closed \(0 bytes received so far\)/.test(stderr)
  ) {
    // Recorded: a missing remote rsync exits 127 most of the time, but 12 when rsync notices the
    // broken stream first. A retry cannot fix a missing binary.
    cls = 'fatal';
    meaning = RSYNC_EXIT_CODES[127]?.meaning ?? meaning;
  } else if (
    (exitCode === 255 && /Permission denied|Host key verification failed/.test(stderr)) ||
    // Seen: ssh's refusal shows as 12 when rsync notices the closed stream before ssh's exit status.
    (exitCode === 12 && /Host key verification failed|Permission denied \(publickey/.test(stderr))
  ) {
    cls = 'fatal';
    meaning = 'The remote shell (ssh) refused the login (authentication or host key problem); fix the ssh keys or known_hosts.';
  }

  // Name what the exit code hid, e.g. a max-delete stop behind a 24, or skipped deletions behind a 23.
  const hidden = CONDITIONS.filter(([c]) => alsoSeen.includes(c) && CONDITION_CODE[c] !== exitCode).map(
    ([, , text]) => text,
  );
  if (hidden.length > 0 && exitCode !== 0) meaning = `${meaning.replace(/\.$/, '')}; also: ${hidden.join('; ')}.`;

  return build(exitCode, cls, meaning, alsoSeen);
}

/**
 * The line of rsync's stderr that says what went wrong: the last non-empty one other than rsync's
 * own closing "rsync error: ... (code N)" summary. Empty when there is none.
 */
export function rsyncErrorDetail(stderr: string): string {
  return (
    stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('rsync error:'))
      .pop() ?? ''
  );
}
