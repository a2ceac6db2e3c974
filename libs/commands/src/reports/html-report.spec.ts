import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackupReport } from '@dailysync/sync';
import type { CompactSample, DiagnosisReport } from '../sync/diagnosis.js';
import { makeTempDir } from '../../../sync/test/helpers/tree.js';
import { domAfterScripts, renderInChromium, screenshot } from '../../test/helpers/chromium.js';
import { chartData, problems, renderHtmlReport, timelineBars } from './html-report.js';

const T0 = Date.parse('2026-01-02T03:00:00.000Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const EVIL = '</script><img src=x onerror=alert(1)>';

function task(id: string, start: number | null, end: number | null, status = 'ok', error: string | null = null) {
  return { id, project: id.split('/')[0], status, startedAt: start === null ? null : at(start), finishedAt: end === null ? null : at(end), bytesTransferred: 1000, error, exitCode: status === 'ok' ? 0 : 23 };
}

function sample(t: number, busy: number, sameDevice: boolean): CompactSample {
  return {
    t,
    cpuBusyPct: busy,
    treeCpuPct: busy / 2,
    disk: { source: { device: 'vda', readBps: 1e6 * t, writeBps: 0, busyPct: 20, awaitMs: 1 }, dest: { device: sameDevice ? 'vda' : 'vdb', readBps: 0, writeBps: 2e6, busyPct: 90, awaitMs: null } },
    backupBps: 3e6 * t,
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
      { name: 'big', status: 'warning', startedAt: at(0.1), finishedAt: at(4.5), parts: [task('big/a', 0.1, 4.5), task('big/b', 0.2, 2, 'warning', 'some files vanished before rsync could copy them (24): big/b/tmp.lock'), task('big', 2, 3)] },
      { name: 'broken', status: 'failed', exitCode: 23, error: 'rsync: [sender] opendir "broken/secret" failed: Permission denied (13)', startedAt: at(0.3), finishedAt: at(0.4), bytesTransferred: 0 },
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
      ['broken', 0.3, 0.4],
      [EVIL, 1, 2],
    ]);
    const separate = chartData(report(false));
    // The network chart is left out: 10-20 B/s on eth0 is nothing this run moved.
    expect(separate.map((c) => [c.title, c.series.map((s) => `${s.name} (${s.scope})`)])).toEqual([
      ['CPU busy (all cores)', ['host (all processes) (machine)', 'backup processes (backup)']],
      ['Backup transfer rate (rsync progress)', ['bytes moved by the backup (backup)']],
      ['Disk device I/O (the page cache absorbs writes until it flushes)', ['source vda read (machine)', 'source vda write (machine)', 'dest vdb read (machine)', 'dest vdb write (machine)']],
      ['Disk busy', ['source vda (machine)', 'dest vdb (machine)']],
      ['Memory available', ['available (machine)']],
    ]);
    // Sample times are shifted onto the run's clock (the sampler started 0.5 s after the run).
    expect(separate[0]?.series[0]?.points).toEqual([[1.5, 20], [2.5, 40], [3.5, 60], [4.5, 80]]);
    const shared = chartData(report(true));
    expect(shared[2]?.series.map((s) => s.name)).toEqual(['source+dest vda read', 'source+dest vda write']);
  });

  test('every failed or warned project is listed with its error, and its bar carries the error', () => {
    const r = report(false);
    expect(problems(r)).toEqual([
      { name: 'big/b', status: 'warning', exitCode: 23, error: 'some files vanished before rsync could copy them (24): big/b/tmp.lock' },
      { name: 'broken', status: 'failed', exitCode: 23, error: 'rsync: [sender] opendir "broken/secret" failed: Permission denied (13)' },
    ]);
    expect(timelineBars(r).find((b) => b.label === 'broken')?.error).toMatch(/Permission denied/);
    const html = renderHtmlReport(r);
    expect(html).toContain('<td class="error">rsync: [sender] opendir &quot;broken/secret&quot; failed: Permission denied (13)</td>');
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
      expect(dom.charts).toEqual({ bars: 5, paths: 10, drawn: 'true' });
      expect(dom.barCount).toBe(5);
      expect(dom.pathCount).toBe(10); // 2 cpu + 1 transfer rate + 4 disk I/O + 2 disk busy + 1 memory
    } finally {
      await cleanup();
    }
  });

  test('in Chromium at 1280 px: full width, a legend whose swatches match distinct lines, round unique ticks, errors as tooltips; screenshot taken', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-html-');
    try {
      const file = path.join(dir, 'report.html');
      await fs.writeFile(file, renderHtmlReport(report(false)));
      const dom = await domAfterScripts(file, dir);
      const root = /<div id="charts"([^>]*)>/.exec(dom)?.[1] ?? '';
      const attr = (name: string): string => new RegExp(`${name}="([^"]*)"`).exec(root)?.[1] ?? '';
      // Full width: the charts fill the page's content box (1280 minus the body margins), not 65% of it.
      expect(Number(attr('data-width'))).toBeGreaterThanOrEqual(0.95 * (Number(attr('data-page-width')) - 32));
      expect(Number(attr('data-svg-width'))).toBe(Number(attr('data-width')));
      // Ticks on a 5 s run: 0, 1, 2 ... 5 s, each label once.
      const ticks = attr('data-ticks').split('|');
      expect(ticks).toEqual(['0 s', '1 s', '2 s', '3 s', '4 s', '5 s']);
      // Every line has a legend swatch with the same colour and dash; machine lines dashed, backup solid.
      const lines = [...dom.matchAll(/<path [^>]*stroke="([^"]+)"[^>]*stroke-dasharray="([^"]*)"[^>]*data-series="([^"]+)" data-scope="(\w+)"/g)].map((m) => ({ color: m[1], dash: m[2], name: m[3], scope: m[4] }));
      expect(lines).toHaveLength(10);
      const cpu = lines.filter((l) => l.name === 'host (all processes)' || l.name === 'backup processes');
      expect(cpu.map((l) => [l.scope, l.dash !== ''])).toEqual([['machine', true], ['backup', false]]);
      expect(new Set(cpu.map((l) => l.color)).size).toBe(2);
      const keys = [...dom.matchAll(/<span class="key" data-series="([^"]+)"><svg[^>]*><line [^>]*stroke="([^"]+)"[^>]*stroke-dasharray="([^"]*)"/g)].map((m) => ({ name: m[1], color: m[2], dash: m[3] }));
      expect(keys.map((k) => k.name)).toEqual(lines.map((l) => l.name));
      keys.forEach((k, i) => expect([k.color, k.dash]).toEqual([lines[i]?.color, lines[i]?.dash]));
      expect(dom).not.toContain('data-title="Network');
      // The failed task's bar has its error as the tooltip.
      expect(dom).toMatch(/data-task="broken" data-status="failed"><title>broken: failed, 0\.1 s, 0B\nrsync: \[sender\] opendir "broken\/secret" failed: Permission denied \(13\)<\/title>/);
      const png = await screenshot(file, path.join(dir, 'report.png'), dir);
      expect(png.width).toBe(1280);
      expect(png.height).toBeGreaterThan(500);
    } finally {
      await cleanup();
    }
  }, 90_000);

  test('ticks stay round and distinct on a 0.1 s run and on a 3-hour run', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-html-');
    try {
      const ticksFor = async (seconds: number): Promise<string[]> => {
        const r = report(false);
        r.durationMs = seconds * 1000;
        r.finishedAt = at(seconds);
        r.projects = [{ ...r.projects[0], parts: [task('big/a', 0, seconds)] } as (typeof r.projects)[number]];
        delete r.diagnosis;
        const file = path.join(dir, `r${seconds}.html`);
        await fs.writeFile(file, renderHtmlReport(r));
        const dom = await domAfterScripts(file, dir);
        return (/data-ticks="([^"]*)"/.exec(dom)?.[1] ?? '').split('|');
      };
      const short = await ticksFor(0.1);
      expect(short).toEqual(['0.00 s', '0.02 s', '0.04 s', '0.06 s', '0.08 s', '0.10 s']);
      const long = await ticksFor(3 * 3600);
      expect(long).toEqual(['0:00', '30:00', '1:00:00', '1:30:00', '2:00:00', '2:30:00', '3:00:00']);
    } finally {
      await cleanup();
    }
  }, 90_000);
});
