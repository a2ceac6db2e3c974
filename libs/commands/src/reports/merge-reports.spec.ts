import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { execa } from 'execa';
import { runSyncCommand } from '../sync/sync-command.js';
import { mergeReports, readReport, runMergeReportsCommand, type MergedReport } from './merge-reports.js';

const BIN = path.resolve(import.meta.dirname, '../../../../apps/backup/bin/dailysync.js');

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

let dir: string;
let files: string[];
let source: string;
let dest: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dailysync-merge-'));
  source = path.join(dir, 'prod');
  dest = path.join(dir, 'backup');
  for (const p of ['alpha', 'beta', 'gamma', 'delta']) {
    await fs.mkdir(path.join(source, p), { recursive: true });
    await fs.writeFile(path.join(source, p, 'data.txt'), `${p}\n`.repeat(100));
  }
  await fs.writeFile(path.join(source, 'root.txt'), 'root\n');
  files = [1, 2, 3].map((i) => path.join(dir, `shard-${i}.json`));
  // The three shards run at once through the same code path as `dailysync sync --shard I/3 --report FILE`.
  const outputs = [1, 2, 3].map(() => sink());
  const results = await Promise.all(
    [1, 2, 3].map((i) =>
      runSyncCommand(
        { source, dest, shard: `${i}/3`, report: files[i - 1], output: 'plain' },
        { workspaceRoot: dir, stdout: outputs[i - 1]!.stream, stderr: outputs[i - 1]!.stream },
      ),
    ),
  );
  expect(results.map((r, i) => `${r.exitCode}${r.exitCode === 0 ? '' : outputs[i]!.text()}`)).toEqual(['0', '0', '0']);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('merge-reports', () => {
  test('the N shard reports fold into one summary covering every project once', async () => {
    const out = sink();
    const { exitCode, merged } = await runMergeReportsCommand({ files, out: path.join(dir, 'merged.json') }, { stdout: out.stream });
    expect(exitCode).toBe(0);
    expect(merged.merged.issues).toEqual([]);
    expect(merged.merged.shards).toEqual([1, 2, 3]);
    expect(merged.projects.map((p) => p.name).sort()).toEqual(['(root)', 'alpha', 'beta', 'delta', 'gamma']);
    expect(merged.totals.ok).toBe(5);
    expect(merged.totals.filesTransferred).toBe(5);
    expect(out.text()).toMatch(/^Merged 3 reports \(shards 1, 2, 3\)/);
    expect(out.text()).toMatch(/OK: 5 ok, 0 warning, 0 failed/);
    const written = JSON.parse(await fs.readFile(path.join(dir, 'merged.json'), 'utf8')) as MergedReport;
    expect(written.totals).toEqual(merged.totals);
  });

  test('a missing shard or a shard given twice makes the merge fail with the reason', async () => {
    const reports = await Promise.all(files.map(readReport));
    const missing = mergeReports([reports[0]!, reports[1]!], files.slice(0, 2));
    expect(missing.ok).toBe(false);
    expect(missing.merged.issues).toEqual(['shard 3/3 is missing: its share of the tasks is not in this summary']);
    const twice = mergeReports([reports[0]!, reports[1]!, reports[1]!], [files[0]!, files[1]!, files[1]!]);
    expect(twice.ok).toBe(false);
    expect(twice.merged.issues.some((i) => i.startsWith('shard 2/3 appears twice'))).toBe(true);
    expect(twice.merged.issues).toContain('shard 3/3 is missing: its share of the tasks is not in this summary');
  });

  test('the dailysync CLI merges, prints the table and exits 1 on an incomplete set, 2 on a bad file', async () => {
    const ok = await execa('node', [BIN, 'merge-reports', ...files], { reject: false });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/project\s+status/);
    const incomplete = await execa('node', [BIN, 'merge-reports', files[0]!], { reject: false });
    expect(incomplete.exitCode).toBe(1);
    expect(incomplete.stdout).toMatch(/PROBLEM: shard 2\/3 is missing/);
    const bad = await execa('node', [BIN, 'merge-reports', path.join(dir, 'nope.json')], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^dailysync: error: cannot read report .*nope\.json \(ENOENT\)/);
    const usage = await execa('node', [BIN, 'merge-reports'], { reject: false });
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toBe('dailysync: error: merge-reports needs report files: dailysync merge-reports shard-1.json shard-2.json ... [--out merged.json]');
  });

  test('--shard 0/3 on the command line is one line that explains I = index + 1', async () => {
    const r = await execa('node', [BIN, 'sync', '--source', source, '--dest', dest, '--shard', '0/3'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      'dailysync: error: --shard "0/3": I counts from 1 to 3; for a 0-based index (e.g. JOB_COMPLETION_INDEX) use I = index + 1 (index 0 is --shard 1/3)',
    );
  });
});
