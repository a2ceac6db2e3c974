import type { BackupReport, ProjectReport, TaskStatus } from '@dailysync/sync';
import type { CompactSample, DiagnosisReport } from '../sync/diagnosis.js';

/** One bar of the timeline: a task's start and end in seconds since the run started. */
export interface TimelineBar {
  label: string;
  status: TaskStatus;
  start: number;
  end: number;
  bytes: number;
}

/** One line of a chart: values over seconds since the run started. */
export interface ChartSeries {
  name: string;
  points: Array<[number, number]>;
}

export interface ChartData {
  title: string;
  unit: 'pct' | 'bytes/s' | 'bytes';
  series: ChartSeries[];
}

const seconds = (iso: string | null, origin: number): number | undefined => (iso === null ? undefined : (Date.parse(iso) - origin) / 1000);

/** A bar per task: the parts of a split project, else the project itself; tasks that never ran have none. */
export function timelineBars(report: BackupReport): TimelineBar[] {
  const origin = Date.parse(report.startedAt);
  const bars: TimelineBar[] = [];
  const add = (label: string, r: Pick<ProjectReport, 'status' | 'startedAt' | 'finishedAt' | 'bytesTransferred'>): void => {
    const start = seconds(r.startedAt, origin);
    if (start === undefined) return;
    const end = seconds(r.finishedAt, origin) ?? start;
    bars.push({ label, status: r.status, start, end: Math.max(start, end), bytes: r.bytesTransferred });
  };
  for (const p of report.projects) {
    if (p.parts && p.parts.length > 0) for (const part of p.parts) add(part.id, part);
    else add(p.name, p);
  }
  return bars;
}

/** CPU, disk, network and memory charts from the report's diagnosis (empty without one). */
export function chartData(report: BackupReport): ChartData[] {
  const d = report.diagnosis as DiagnosisReport | undefined;
  if (!d || !Array.isArray(d.series) || d.series.length === 0) return [];
  const offset = (Date.parse(d.startedAt) - Date.parse(report.startedAt)) / 1000;
  const line = (name: string, f: (s: CompactSample) => number | null | undefined): ChartSeries | undefined => {
    const points = d.series.flatMap((s): Array<[number, number]> => {
      const v = f(s);
      return typeof v === 'number' ? [[s.t + offset, v]] : [];
    });
    return points.length > 0 ? { name, points } : undefined;
  };
  const keep = (xs: Array<ChartSeries | undefined>): ChartSeries[] => xs.filter((x): x is ChartSeries => x !== undefined);
  const dev = (role: 'source' | 'dest'): string => d.series.find((s) => s.disk[role])?.disk[role]?.device ?? role;
  const iface = d.series.find((s) => s.net)?.net?.iface ?? 'net';
  // Source and dest on one device would draw the same numbers twice: show that device once.
  const shared = dev('source') === dev('dest');
  const disk = (role: 'source' | 'dest'): string => (shared ? `source+dest ${dev(role)}` : `${role} ${dev(role)}`);
  return [
    { title: 'CPU busy (all cores)', unit: 'pct', series: keep([line('machine', (s) => s.cpuBusyPct), line('backup processes', (s) => s.treeCpuPct)]) },
    {
      title: 'Disk throughput',
      unit: 'bytes/s',
      series: keep([
        line(`${disk('source')} read`, (s) => s.disk.source?.readBps),
        line(`${disk('source')} write`, (s) => s.disk.source?.writeBps),
        shared ? undefined : line(`${disk('dest')} read`, (s) => s.disk.dest?.readBps),
        shared ? undefined : line(`${disk('dest')} write`, (s) => s.disk.dest?.writeBps),
      ]),
    },
    { title: 'Disk busy', unit: 'pct', series: keep([line(disk('source'), (s) => s.disk.source?.busyPct), shared ? undefined : line(disk('dest'), (s) => s.disk.dest?.busyPct)]) },
    { title: `Network ${iface}`, unit: 'bytes/s', series: keep([line('rx', (s) => s.net?.rxBps), line('tx', (s) => s.net?.txBps)]) },
    { title: 'Memory available', unit: 'bytes', series: keep([line('available', (s) => s.memAvailableBytes)]) },
  ].filter((c) => c.series.length > 0) as ChartData[];
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** JSON inside <script>: no `</script>` or `<!--` can end or confuse the element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function verdictHtml(d: DiagnosisReport | undefined): string {
  if (!d?.verdict) return '<section class="verdict"><h2>Bottleneck</h2><p>Not measured: the run was shorter than one resource sample.</p></section>';
  const v = d.verdict;
  const scores = Object.entries(v.scores)
    .map(([k, s]) => `<li>${escapeHtml(k)} <meter min="0" max="1" value="${Number(s)}"></meter> ${Number(s).toFixed(2)}</li>`)
    .join('');
  return `<section class="verdict"><h2>Bottleneck: <span class="res">${escapeHtml(v.bottleneck)}</span> <small>(${Math.round(v.confidence * 100)}% confidence)</small></h2>
<ul class="evidence">${v.evidence.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>
<p class="suggestion"><b>${escapeHtml(v.suggestion.concurrency)} concurrency</b>: ${escapeHtml(v.suggestion.reason)}</p>
<ul class="scores">${scores}</ul></section>`;
}

// Drawing runs in the page (no network, no libraries): SVG built from the embedded data. When done,
// #charts gets data-bars / data-paths counts so a headless browser's DOM dump proves what was drawn.
const DRAW_JS = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var W = 960, LEFT = 190, RIGHT = 20, plotW = W - LEFT - RIGHT;
  var colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
  var statusColor = { ok: '#2ca02c', warning: '#e6a700', failed: '#d62728', skipped: '#999', interrupted: '#8c564b' };
  var tMax = data.duration;
  data.bars.forEach(function (b) { tMax = Math.max(tMax, b.end); });
  data.charts.forEach(function (c) { c.series.forEach(function (s) { s.points.forEach(function (p) { tMax = Math.max(tMax, p[0]); }); }); });
  if (!(tMax > 0)) tMax = 1;
  function x(t) { return LEFT + (Math.max(0, t) / tMax) * plotW; }
  function el(name, attrs, parent, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v, unit) {
    if (unit === 'pct') return Math.round(v) + '%';
    var u = ['B', 'kB', 'MB', 'GB', 'TB'], i = 0;
    while (v >= 1000 && i < u.length - 1) { v /= 1000; i++; }
    return (v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)) + u[i] + (unit === 'bytes/s' ? '/s' : '');
  }
  function axis(svg, y) {
    for (var i = 0; i <= 5; i++) {
      var t = (tMax * i) / 5;
      el('line', { x1: x(t), x2: x(t), y1: 0, y2: y, class: 'grid' }, svg);
      el('text', { x: x(t), y: y + 14, 'text-anchor': 'middle', class: 'tick' }, svg, t.toFixed(t < 10 ? 1 : 0) + ' s');
    }
  }
  var root = document.getElementById('charts');
  var barCount = 0, pathCount = 0;
  var rowH = 18, th = data.bars.length * rowH + 24;
  var tl = el('svg', { width: W, height: th, viewBox: '0 0 ' + W + ' ' + th, class: 'timeline' }, root);
  axis(tl, data.bars.length * rowH + 4);
  data.bars.forEach(function (b, i) {
    var y = i * rowH + 2;
    el('text', { x: LEFT - 6, y: y + 12, 'text-anchor': 'end', class: 'label' }, tl, b.label.length > 28 ? b.label.slice(0, 27) + '…' : b.label);
    var r = el('rect', { x: x(b.start), y: y, width: Math.max(2, x(b.end) - x(b.start)), height: rowH - 4, fill: statusColor[b.status] || '#555', class: 'bar', 'data-task': b.label }, tl);
    el('title', {}, r, b.label + ': ' + b.status + ', ' + (b.end - b.start).toFixed(1) + ' s, ' + fmt(b.bytes, 'bytes'));
    barCount++;
  });
  data.charts.forEach(function (c) {
    var H = 120, h = H + 22;
    var wrap = document.createElement('div');
    wrap.className = 'chart';
    root.appendChild(wrap);
    var svg = el('svg', { width: W, height: h, viewBox: '0 0 ' + W + ' ' + h }, wrap);
    var vMax = c.unit === 'pct' ? 100 : 0;
    c.series.forEach(function (s) { s.points.forEach(function (p) { vMax = Math.max(vMax, p[1]); }); });
    if (!(vMax > 0)) vMax = 1;
    axis(svg, H);
    el('text', { x: 4, y: 14, class: 'title' }, svg, c.title);
    el('text', { x: LEFT - 6, y: 12, 'text-anchor': 'end', class: 'tick' }, svg, fmt(vMax, c.unit));
    el('text', { x: LEFT - 6, y: H, 'text-anchor': 'end', class: 'tick' }, svg, fmt(0, c.unit));
    c.series.forEach(function (s, i) {
      var d = s.points.map(function (p, j) { return (j ? 'L' : 'M') + x(p[0]).toFixed(1) + ' ' + (H - (p[1] / vMax) * (H - 4)).toFixed(1); }).join(' ');
      if (s.points.length === 1) d += ' h2';
      el('path', { d: d, fill: 'none', stroke: colors[i % colors.length], 'stroke-width': 1.8, class: 'series', 'data-series': s.name }, svg);
      el('text', { x: 4, y: 32 + i * 14, fill: colors[i % colors.length], class: 'legend' }, svg, '— ' + s.name);
      pathCount++;
    });
  });
  root.setAttribute('data-bars', String(barCount));
  root.setAttribute('data-paths', String(pathCount));
  root.setAttribute('data-drawn', 'true');
})();
`;

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 16px 0 6px; }
.meta { color: #555; } .verdict { border-left: 4px solid #1f77b4; padding: 4px 12px; background: #f5f8fc; }
.verdict .res { text-transform: uppercase; } .scores { list-style: none; padding: 0; display: flex; gap: 16px; flex-wrap: wrap; }
svg text { font: 11px system-ui, sans-serif; fill: #333; } svg .title { font-weight: 600; font-size: 12px; }
svg .grid { stroke: #e4e4e4; } svg .tick { fill: #777; } .chart { margin-top: 6px; }
`;

/** The whole HTML report as one self-contained file: inline CSS, data and drawing script, no network. */
export function renderHtmlReport(report: BackupReport): string {
  const data = { duration: report.durationMs / 1000, bars: timelineBars(report), charts: chartData(report) };
  const t = report.totals;
  const title = `dailysync ${report.source} → ${report.dest}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s · ${report.ok ? 'ok' : report.interrupted ? 'interrupted' : 'failed'} · ${t.projects} projects (${t.ok} ok, ${t.warning} warning, ${t.failed} failed, ${t.skipped} skipped) · ${t.filesTransferred} files transferred · concurrency ${escapeHtml(String(report.concurrency))}${report.dryRun ? ' · dry run' : ''}</p>
${verdictHtml(report.diagnosis as DiagnosisReport | undefined)}
<h2>Tasks and resources over time</h2>
<div id="charts"></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${DRAW_JS}</script>
</body></html>
`;
}
