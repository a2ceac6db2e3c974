import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackupReport } from '@dailysync/sync';
import type { CompactSample, DiagnosisReport } from '../sync/diagnosis.js';
import { makeTempDir } from '../../../sync/test/helpers/tree.js';
import { renderInChromium } from '../../test/helpers/chromium.js';
import { chartData, renderHtmlReport, timelineBars } from './html-report.js';

const T0 = Date.parse('2026-01-02T03:00:00.000Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const EVIL = '</script><img src=x onerror=alert(1)>';

function task(id: string, start: number | null, end: number | null, status = 'ok') {
  return { id, project: id.split('/')[0], status, startedAt: start === null ? null : at(start), finishedAt: end === null ? null : at(end), bytesTransferred: 1000 };
}

function sample(t: number, busy: number, sameDevice: boolean): CompactSample {
  return {
    t,
    cpuBusyPct: busy,
    treeCpuPct: busy / 2,
    disk: { source: { device: 'vda', readBps: 1e6 * t, writeBps: 0, busyPct: 20, awaitMs: 1 }, dest: { device: sameDevice ? 'vda' : 'vdb', readBps: 0, writeBps: 2e6, busyPct: 90, awaitMs: null } },
    net: { iface: 'eth0', rxBps: 10, txBps: 20 },
    memAvailableBytes: 8e9,
  };
}

function report(sameDevice: boolean): BackupReport {
  const diagnosis: DiagnosisReport = {
    verdict: { limitedBy: 'disk', bottleneck: 'disk', confidence: 0.8, evidence: [`dest disk vdb 97% busy ${EVIL}`], suggestion: { concurrency: 'keep', reason: 'the disk is full' }, scores: { cpu: 0.1, disk: 0.8, network: 0, memory: 0, latency: 0.2 } },
    intervalMs: 1000,
    startedAt: at(0.5),
    cores: 2,
    memTotalBytes: 16e9,
    series: [1, 2, 3, 4].map((t) => sample(t, 20 * t, sameDevice)),
  };
  return {
    tool: 'dailysync', version: '0', startedAt: at(0), finishedAt: at(5), durationMs: 5000, source: `/data/${EVIL}`, dest: '/backup', dryRun: false, delete: false, concurrency: 2, rsyncVersion: '3.5.0', ok: true, interrupted: false,
    totals: { projects: 3, ok: 2, warning: 0, failed: 0, skipped: 1, interrupted: 0, filesTransferred: 3, bytesTransferred: 3000, filesDeleted: 0 },
    projects: [
      { name: 'big', status: 'ok', startedAt: at(0.1), finishedAt: at(4.5), parts: [task('big/a', 0.1, 4.5), task('big/b', 0.2, 2), task('big', 2, 3)] },
      { name: EVIL, status: 'ok', startedAt: at(1), finishedAt: at(2), bytesTransferred: 5 },
      { name: 'skipped', status: 'skipped', startedAt: null, finishedAt: null, bytesTransferred: 0 },
    ],
    diagnosis,
  } as unknown as BackupReport;
}

describe('renderHtmlReport', () => {
  test('one bar per task that ran, one line per series, shared devices drawn once', () => {
    expect(timelineBars(report(false)).map((b) => [b.label, b.start, b.end])).toEqual([
      ['big/a', 0.1, 4.5],
      ['big/b', 0.2, 2],
      ['big', 2, 3],
      [EVIL, 1, 2],
    ]);
    const separate = chartData(report(false));
    expect(separate.map((c) => [c.title, c.series.map((s) => s.name)])).toEqual([
      ['CPU busy (all cores)', ['machine', 'backup processes']],
      ['Disk throughput', ['source vda read', 'source vda write', 'dest vdb read', 'dest vdb write']],
      ['Disk busy', ['source vda', 'dest vdb']],
      ['Network eth0', ['rx', 'tx']],
      ['Memory available', ['available']],
    ]);
    // Sample times are shifted onto the run's clock (the sampler started 0.5 s after the run).
    expect(separate[0]?.series[0]?.points).toEqual([[1.5, 20], [2.5, 40], [3.5, 60], [4.5, 80]]);
    const shared = chartData(report(true));
    expect(shared[1]?.series.map((s) => s.name)).toEqual(['source+dest vda read', 'source+dest vda write']);
  });

  test('escapes names in the page and in the embedded data; no external resources', () => {
    const html = renderHtmlReport(report(false));
    expect(html).not.toContain(EVIL);
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the data and the drawing script, nothing injected
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
  });

  test('headless Chromium draws every bar and every series line', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-html-');
    try {
      const file = path.join(dir, 'report.html');
      await fs.writeFile(file, renderHtmlReport(report(false)));
      const dom = await renderInChromium(file, dir);
      expect(dom.charts).toEqual({ bars: 4, paths: 11, drawn: 'true' });
      expect(dom.barCount).toBe(4);
      expect(dom.pathCount).toBe(11); // 2 cpu + 4 disk throughput + 2 disk busy + 2 network + 1 memory
    } finally {
      await cleanup();
    }
  });
});
