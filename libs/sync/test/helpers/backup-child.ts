/**
 * Runs one backup in a process of its own, so a test can SIGKILL it (and its rsyncs) like a power
 * cut would: `tsx backup-child.ts '<RunBackupRequest as JSON>'`. Prints "started" once the first
 * rsync task has begun, then the report's ok flag.
 */
import { runBackup, type RunBackupRequest } from '../../src/engine/backup.js';

const request = JSON.parse(process.argv[2] ?? '{}') as RunBackupRequest;
let announced = false;
const report = await runBackup({
  ...request,
  hooks: {
    onTaskStart: () => {
      if (announced) return;
      announced = true;
      process.stdout.write('started\n');
    },
  },
});
process.stdout.write(`ok=${report.ok}\n`);
