import fs from 'node:fs/promises';
import path from 'node:path';
import { runBackup } from '../../src/engine/backup.js';
import { makeTempDir, writeTree } from '../helpers/tree.js';

describe('transfer counts say what was copied (issue 10 item 15)', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-counts-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
  });
  afterEach(() => cleanup());

  test('an interrupted run counts the files and bytes it copied before the stop', async () => {
    await writeTree(source, { 'alpha/a-first.bin': Buffer.alloc(200_000, 'a'), 'alpha/b-second.bin': Buffer.alloc(4_000_000, 'b') });
    const stop = new AbortController();
    // Stop once rsync has shown more bytes than the first file holds: that file is fully copied.
    const report = await runBackup({
      source,
      dest,
      include: ['alpha'],
      bwlimitKiB: 500,
      signal: stop.signal,
      hooks: { onTaskProgress: (_task, p) => (p.bytes > 300_000 ? stop.abort() : undefined) },
    });
    expect(report.interrupted).toBe(true);
    const alpha = report.projects.find((p) => p.name === 'alpha');
    expect(alpha?.status).toBe('interrupted');
    expect(alpha?.filesTransferred).toBeGreaterThanOrEqual(1);
    expect(alpha?.bytesTransferred).toBeGreaterThan(300_000);
    expect(report.totals.bytesTransferred).toBe(alpha?.bytesTransferred);
    expect((await fs.readFile(path.join(dest, 'alpha/a-first.bin'))).length).toBe(200_000);
  });

  test('a retried task counts every attempt\'s copy, not only the last one', async () => {
    await writeTree(source, { 'alpha/data.bin': Buffer.alloc(300_000, 'd') });
    // Real rsync copies everything, then the "connection" drops (exit 12, retried): the retry has nothing left to copy.
    const script = path.join(dir, 'drop-after-copy');
    const counter = path.join(dir, 'calls');
    await fs.writeFile(
      script,
      `#!/bin/bash
for a in "$@"; do case "$a" in --version|--dry-run) exec rsync "$@";; esac; done
n=$(cat '${counter}' 2>/dev/null || echo 0); echo $((n+1)) > '${counter}'
rsync "$@"; rc=$?
if [ "$n" -eq 0 ]; then echo "rsync error: error in rsync protocol data stream (code 12)" >&2; exit 12; fi
exit $rc
`,
      { mode: 0o755 },
    );
    const report = await runBackup({ source, dest, include: ['alpha'], rsyncPath: script, retry: { retries: 1, backoffMs: 10 } });
    const alpha = report.projects.find((p) => p.name === 'alpha');
    expect(alpha?.attemptLog?.map((a) => a.exitCode)).toEqual([12, 0]);
    expect(alpha?.status).toBe('ok');
    expect(alpha?.filesTransferred).toBe(1);
    expect(alpha?.bytesTransferred).toBe(300_000);
  });
});
