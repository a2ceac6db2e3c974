import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { BackupReport } from '@dailysync/sync';
import type { DiagnosisReport } from '../src/sync/diagnosis.js';
import { exists, makeTempDir, treeDifferences, writeTree } from '../../sync/test/helpers/tree.js';
import { renderInChromium } from './helpers/chromium.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../apps/backup/bin/dailysync.js');
const dailysync = (args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false });
const RESOURCES = ['cpu', 'disk', 'network', 'memory', 'latency'];

/** Three projects of 2 MB each; with --bwlimit 1000 (KiB/s) every rsync takes about two seconds. */
async function slowTree(source: string): Promise<void> {
  const files: Record<string, Buffer> = {};
  for (const p of ['alpha', 'beta', 'gamma']) files[`${p}/data.bin`] = Buffer.alloc(2_000_000, p.charCodeAt(0));
  await writeTree(source, files);
}

describe('resource diagnosis of dailysync sync', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-diag-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'prod_backup');
    await slowTree(source);
  });
  afterEach(() => cleanup());

  test('prints the live resource line and the verdict; the JSON report holds verdict and series; --html draws every task and series', async () => {
    const reportFile = path.join(dir, 'report.json');
    const htmlFile = path.join(dir, 'out/report.html');
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--bwlimit', '1000', '--plain', '--report', reportFile, '--html', htmlFile]);
    expect(r.exitCode).toBe(0);
    expect(await treeDifferences(source, dest)).toEqual([]);
    // The resources task ends with the last live line as its title.
    // The same line as on a terminal: the backup's own CPU, what it copied (rsync's counters), disk busy, memory.
    expect(r.stdout).toMatch(/resources: backup cpu \d+% \(host \d+%\) \| copied [\d.]+[kMG]?B\/s \| disk \S+ \d+% busy.*\| mem [\d.]+GiB free/);
    const verdictLine = /Bottleneck: (?:not enough data — .+|.+ \((\d+)% confidence\) — .+; (raise|lower|keep) concurrency: .+)/.exec(r.stdout);
    expect(verdictLine).not.toBeNull();
    expect(r.stdout).toContain(`HTML report written to ${htmlFile}`);

    const report = JSON.parse(await fs.readFile(reportFile, 'utf8')) as BackupReport & { diagnosis: DiagnosisReport };
    const d = report.diagnosis;
    expect(RESOURCES).toContain(d.verdict.bottleneck);
    expect(['cpu', 'disk', 'network', 'memory', 'latency', 'not-enough-data', 'bwlimit', 'fixed-concurrency', 'critical-path', 'contention']).toContain(d.verdict.limitedBy);
    expect(d.verdict.evidence.length).toBeGreaterThan(0);
    expect(Object.keys(d.verdict.scores).sort()).toEqual([...RESOURCES].sort());
    expect(d.series.length).toBeGreaterThanOrEqual(2);
    for (const s of d.series) {
      expect(s.t).toBeGreaterThan(0);
      expect(s.cpuBusyPct).toBeGreaterThanOrEqual(0);
      expect(s.treeCpuPct).not.toBeNull();
      expect(s.memAvailableBytes).toBeGreaterThan(0);
    }
    // Source and dest live on a real disk here: both roles carry per-device numbers.
    const withDisk = d.series.find((s) => s.disk.source && s.disk.dest);
    expect(withDisk?.disk.source?.device).toEqual(expect.any(String));
    expect(withDisk?.disk.dest?.busyPct).toEqual(expect.any(Number));
    expect(d.series.map((s) => s.t)).toEqual([...d.series.map((s) => s.t)].sort((a, b) => a - b));

    const html = await fs.readFile(htmlFile, 'utf8');
    expect(html).not.toMatch(/(src|href)=["']?https?:/); // self-contained
    expect(html).toContain(`Bottleneck: <span class="res" data-limit="${d.verdict.limitedBy}">`);
    const dom = await renderInChromium(htmlFile, dir);
    const tasks = report.projects.reduce((n, p) => n + (p.parts?.length || (p.startedAt ? 1 : 0)), 0);
    expect(tasks).toBe(4); // alpha, beta, gamma and the root-level task
    expect(dom.charts).toMatchObject({ drawn: 'true', bars: tasks });
    expect(dom.barCount).toBe(tasks);
    // Always: cpu (host + backup), the backup's transfer rate, memory; disk charts when the devices
    // did something; no network chart (nothing moves on the NIC in a local copy).
    expect(dom.paths).toBeGreaterThanOrEqual(4);
    expect(html).toContain('Backup transfer rate');
    expect(dom.pathCount).toBe(dom.paths);
  });

  test('--json: stdout stays pure JSON lines, the verdict goes to stderr and into the report event', async () => {
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--bwlimit', '1000', '--json']);
    expect(r.exitCode).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.length).toBeGreaterThan(1);
    expect(r.stdout).not.toContain('Bottleneck:');
    expect(r.stderr).toMatch(/Bottleneck: (not enough data|.+ \(\d+% confidence\))/);
    const last = JSON.stringify(events[events.length - 1]);
    expect(last).toContain('"diagnosis"');
    expect(last).toContain('"verdict"');
  });
});

describe('dailysync diagnose', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-diagnose-cli-'));
  });
  afterEach(() => cleanup());

  test('--json prints the probe result; the destination is left as it was', async () => {
    const source = path.join(dir, 'src');
    const dest = path.join(dir, 'dst');
    await writeTree(source, { 'a/one.bin': Buffer.alloc(300_000, 1), 'b/c/two.bin': Buffer.alloc(200_000, 2), 'b/three.txt': 'three\n' });
    await writeTree(dest, { 'keep.txt': 'keep me\n' });
    const r = await dailysync(['diagnose', '--source', source, '--dest', dest, '--seconds', '2', '--json']);
    expect(r.exitCode).toBe(0);
    const result = JSON.parse(r.stdout) as { metadata: { single: { opsPerSec: number } }; read: { bytes: number }; write: { bytesPerSec: number }; likely: { bottleneck: string; evidence: string[] } };
    expect(result.metadata.single.opsPerSec).toBeGreaterThan(0);
    expect(result.read.bytes).toBe(500_006); // the whole small tree, largest files first
    expect(result.write.bytesPerSec).toBeGreaterThan(0);
    expect(RESOURCES).toContain(result.likely.bottleneck);
    expect(result.likely.evidence.length).toBeGreaterThan(0);
    expect(await fs.readdir(dest)).toEqual(['keep.txt']);
    expect(await fs.readFile(path.join(dest, 'keep.txt'), 'utf8')).toBe('keep me\n');
  });

  test('bad input exits 2 with one line naming the problem, and writes nothing', async () => {
    const missing = path.join(dir, 'nope');
    const r1 = await dailysync(['diagnose', '--source', dir, '--dest', missing]);
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toBe(`dailysync: error: --dest ${missing} does not exist: give an existing directory (diagnose creates nothing but its own temporary file)`);
    expect(await exists(missing)).toBe(false);
    const r2 = await dailysync(['diagnose', '--dest', dir]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/^dailysync: error: --source is missing/);
    const r3 = await dailysync(['diagnose', '--source', dir, '--dest', dir, '--seconds', '500']);
    expect(r3.exitCode).toBe(2);
    expect(r3.stderr).toMatch(/--seconds "500" is not valid/);
    const r4 = await dailysync(['diagnose', '--source', dir, '--dest', dir, '--bogus']);
    expect(r4.exitCode).toBe(2);
    expect(r4.stderr).toMatch(/unknown option --bogus/);
  });
});
