import type { BackupReport, ProjectReport, TaskStatus } from '@dailysync/sync';
import type { CompactSample, DiagnosisReport } from '../sync/diagnosis.js';

/** One bar of the timeline: a task's start and end in seconds since the run started. */
export interface TimelineBar {
  label: string;
  status: TaskStatus;
  start: number;
  end: number;
  bytes: number;
  /** rsync's error or warning for a task that did not end ok (shown as the bar's tooltip). */
  error?: string;
}

/** One line of a chart: values over seconds since the run started. */
export interface ChartSeries {
  name: string;
  /** Machine-wide measures are drawn dashed, the backup's own solid: they must not be confused. */
  scope: 'machine' | 'backup';
  points: Array<[number, number]>;
}

export interface ChartData {
  title: string;
  unit: 'pct' | 'bytes/s' | 'bytes';
  series: ChartSeries[];
}

/** A project that failed or warned, with what went wrong, for the page's problem list. */
export interface ProblemEntry {
  name: string;
  status: TaskStatus;
  exitCode: number | null;
  error: string;
}

const seconds = (iso: string | null, origin: number): number | undefined => (iso === null ? undefined : (Date.parse(iso) - origin) / 1000);

type ErrorFields = Pick<ProjectReport, 'status' | 'error' | 'exitCode'> & { meaning?: string };
function problemText(r: ErrorFields): string | undefined {
  if (r.status !== 'failed' && r.status !== 'warning' && r.status !== 'interrupted') return undefined;
  return r.error ?? r.meaning ?? (r.exitCode === null ? r.status : `rsync exit ${r.exitCode}`);
}

/** A bar per task: the parts of a split project, else the project itself; tasks that never ran have none. */
export function timelineBars(report: BackupReport): TimelineBar[] {
  const origin = Date.parse(report.startedAt);
  const bars: TimelineBar[] = [];
  const add = (label: string, r: Pick<ProjectReport, 'status' | 'startedAt' | 'finishedAt' | 'bytesTransferred' | 'error' | 'exitCode'> & { meaning?: string }): void => {
    const start = seconds(r.startedAt, origin);
    if (start === undefined) return;
    const end = seconds(r.finishedAt, origin) ?? start;
    const error = problemText(r);
    bars.push({ label, status: r.status, start, end: Math.max(start, end), bytes: r.bytesTransferred, ...(error === undefined ? {} : { error }) });
  };
  for (const p of report.projects) {
    if (p.parts && p.parts.length > 0) for (const part of p.parts) add(part.id, part);
    else add(p.name, p);
  }
  return bars;
}

/** Every failed, warned or interrupted project (or part) with its error text. */
export function problems(report: BackupReport): ProblemEntry[] {
  const out: ProblemEntry[] = [];
  for (const p of report.projects) {
    const parts = (p.parts ?? []).filter((t) => problemText(t) !== undefined);
    if (parts.length > 0) for (const t of parts) out.push({ name: t.id, status: t.status, exitCode: t.exitCode, error: problemText(t) as string });
    else if (problemText(p) !== undefined) out.push({ name: p.name, status: p.status, exitCode: p.exitCode, error: problemText(p) as string });
  }
  return out;
}

/** Below these a chart shows nothing of this run (e.g. an idle NIC on a local copy) and is left out. */
const NOTHING = { pct: 0.5, 'bytes/s': 1024, bytes: 0 } as const;

/** CPU, transfer, disk, network and memory charts from the report's diagnosis (empty without one). */
export function chartData(report: BackupReport): ChartData[] {
  const d = report.diagnosis as DiagnosisReport | undefined;
  if (!d || !Array.isArray(d.series) || d.series.length === 0) return [];
  const offset = (Date.parse(d.startedAt) - Date.parse(report.startedAt)) / 1000;
  const line = (name: string, scope: ChartSeries['scope'], f: (s: CompactSample) => number | null | undefined): ChartSeries | undefined => {
    const points = d.series.flatMap((s): Array<[number, number]> => {
      const v = f(s);
      return typeof v === 'number' ? [[s.t + offset, v]] : [];
    });
    return points.length > 0 ? { name, scope, points } : undefined;
  };
  const keep = (xs: Array<ChartSeries | undefined>): ChartSeries[] => xs.filter((x): x is ChartSeries => x !== undefined);
  const dev = (role: 'source' | 'dest'): string => d.series.find((s) => s.disk[role])?.disk[role]?.device ?? role;
  const iface = d.series.find((s) => s.net)?.net?.iface ?? 'net';
  // Source and dest on one device would draw the same numbers twice: show that device once.
  const shared = dev('source') === dev('dest');
  const disk = (role: 'source' | 'dest'): string => (shared ? `source+dest ${dev(role)}` : `${role} ${dev(role)}`);
  const charts: ChartData[] = [
    { title: 'CPU busy (all cores)', unit: 'pct', series: keep([line('host (all processes)', 'machine', (s) => s.cpuBusyPct), line('backup processes', 'backup', (s) => s.treeCpuPct)]) },
    { title: 'Backup transfer rate (rsync progress)', unit: 'bytes/s', series: keep([line('bytes moved by the backup', 'backup', (s) => s.backupBps)]) },
    {
      title: 'Disk device I/O (the page cache absorbs writes until it flushes)',
      unit: 'bytes/s',
      series: keep([
        line(`${disk('source')} read`, 'machine', (s) => s.disk.source?.readBps),
        line(`${disk('source')} write`, 'machine', (s) => s.disk.source?.writeBps),
        shared ? undefined : line(`${disk('dest')} read`, 'machine', (s) => s.disk.dest?.readBps),
        shared ? undefined : line(`${disk('dest')} write`, 'machine', (s) => s.disk.dest?.writeBps),
      ]),
    },
    { title: 'Disk busy', unit: 'pct', series: keep([line(disk('source'), 'machine', (s) => s.disk.source?.busyPct), shared ? undefined : line(disk('dest'), 'machine', (s) => s.disk.dest?.busyPct)]) },
    { title: `Network ${iface}`, unit: 'bytes/s', series: keep([line('rx', 'machine', (s) => s.net?.rxBps), line('tx', 'machine', (s) => s.net?.txBps)]) },
    { title: 'Memory available', unit: 'bytes', series: keep([line('available', 'machine', (s) => s.memAvailableBytes)]) },
  ];
  // A chart with nothing above its floor says nothing about this run: leave it out.
  return charts.filter((c) => c.series.some((s) => s.points.some(([, v]) => v > NOTHING[c.unit])));
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** JSON inside <script>: no `</script>` or `<!--` can end or confuse the element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const LIMIT_TITLES: Record<string, string> = {
  'not-enough-data': 'not enough data',
  bwlimit: 'your --bwlimit',
  'fixed-concurrency': 'your --concurrency',
  'critical-path': 'one task on the critical path',
  contention: 'other work on the host',
};

function problemsHtml(list: ProblemEntry[]): string {
  if (list.length === 0) return '';
  const rows = list
    .map((p) => `<tr class="problem ${escapeHtml(p.status)}"><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.status)}</td><td>${p.exitCode ?? ''}</td><td class="error">${escapeHtml(p.error)}</td></tr>`)
    .join('');
  return `<section class="problems"><h2>Failed and warned projects (${list.length})</h2><table><thead><tr><th>project</th><th>status</th><th>exit</th><th>error</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function verdictHtml(d: DiagnosisReport | undefined): string {
  if (!d?.verdict) return '<section class="verdict"><h2>Bottleneck</h2><p>Not measured: the run was shorter than one resource sample.</p></section>';
  const v = d.verdict;
  const scores = Object.entries(v.scores)
    .map(([k, s]) => `<li>${escapeHtml(k)} <meter min="0" max="1" value="${Number(s)}"></meter> ${Number(s).toFixed(2)}</li>`)
    .join('');
  const limit = v.limitedBy ?? v.bottleneck;
  return `<section class="verdict"><h2>Bottleneck: <span class="res" data-limit="${escapeHtml(limit)}">${escapeHtml(LIMIT_TITLES[limit] ?? limit)}</span> <small>(${Math.round(v.confidence * 100)}% confidence)</small></h2>
<ul class="evidence">${v.evidence.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>
<p class="suggestion"><b>${escapeHtml(v.suggestion.concurrency)} concurrency</b>: ${escapeHtml(v.suggestion.reason)}</p>
<ul class="scores">${scores}</ul></section>`;
}

// Drawing runs in the page (no network, no libraries): SVG built from the embedded data, as wide
// as the page. When done, #charts gets data-* counts and boxes so a headless browser's DOM dump
// proves what was drawn (tests compare structure, not pixels).
const DRAW_JS = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var root = document.getElementById('charts');
  var W = Math.max(640, Math.floor(root.getBoundingClientRect().width) || 960), LEFT = 190, RIGHT = 20, plotW = W - LEFT - RIGHT;
  // Colour-blind-safe, distinct hues (Okabe-Ito); machine-wide lines dashed, the backup's solid.
  var colors = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];
  var DASH = { machine: '6 4', backup: '' };
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
  // Ticks on round steps (1, 2, 5 x 10^k seconds; whole minutes on long runs), labelled with just
  // enough decimals that no two read the same.
  var step, label;
  if (tMax >= 120) {
    var mins = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];
    step = mins[mins.length - 1];
    for (var m = 0; m < mins.length; m++) if (tMax / mins[m] <= 8) { step = mins[m]; break; }
    label = function (t) { var h = Math.floor(t / 3600), mm = Math.floor((t % 3600) / 60), ss = Math.round(t % 60); return (h ? h + ':' + (mm < 10 ? '0' : '') : '') + mm + ':' + (ss < 10 ? '0' : '') + ss; };
  } else {
    var raw = tMax / 6, p10 = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10)), f = raw / p10;
    step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p10;
    var decimals = Math.max(0, -Math.floor(Math.log(step) / Math.LN10 + 1e-9));
    label = function (t) { return t.toFixed(decimals) + ' s'; };
  }
  var ticks = [];
  for (var i = 0; i * step <= tMax + 1e-9; i++) ticks.push(i * step);
  function axis(svg, y) {
    ticks.forEach(function (t) {
      el('line', { x1: x(t), x2: x(t), y1: 0, y2: y, class: 'grid' }, svg);
      el('text', { x: x(t), y: y + 14, 'text-anchor': 'middle', class: 'tick' }, svg, label(t));
    });
  }
  var barCount = 0, pathCount = 0;
  var rowH = 18, th = data.bars.length * rowH + 24;
  var tl = el('svg', { width: W, height: th, viewBox: '0 0 ' + W + ' ' + th, class: 'timeline' }, root);
  axis(tl, data.bars.length * rowH + 4);
  data.bars.forEach(function (b, i) {
    var y = i * rowH + 2;
    el('text', { x: LEFT - 6, y: y + 12, 'text-anchor': 'end', class: 'label' }, tl, b.label.length > 28 ? b.label.slice(0, 27) + '…' : b.label);
    var r = el('rect', { x: x(b.start), y: y, width: Math.max(2, x(b.end) - x(b.start)), height: rowH - 4, fill: statusColor[b.status] || '#555', class: 'bar', 'data-task': b.label, 'data-status': b.status }, tl);
    el('title', {}, r, b.label + ': ' + b.status + ', ' + (b.end - b.start).toFixed(1) + ' s, ' + fmt(b.bytes, 'bytes') + (b.error ? '\n' + b.error : ''));
    barCount++;
  });
  data.charts.forEach(function (c) {
    var H = 120, h = H + 22;
    var wrap = document.createElement('div');
    wrap.className = 'chart';
    wrap.setAttribute('data-title', c.title);
    root.appendChild(wrap);
    var head = document.createElement('div');
    head.className = 'chart-head';
    var title = document.createElement('b');
    title.textContent = c.title;
    head.appendChild(title);
    wrap.appendChild(head);
    var svg = el('svg', { width: W, height: h, viewBox: '0 0 ' + W + ' ' + h }, wrap);
    var vMax = c.unit === 'pct' ? 100 : 0;
    c.series.forEach(function (s) { s.points.forEach(function (p) { vMax = Math.max(vMax, p[1]); }); });
    if (!(vMax > 0)) vMax = 1;
    axis(svg, H);
    el('text', { x: LEFT - 6, y: 12, 'text-anchor': 'end', class: 'tick' }, svg, fmt(vMax, c.unit));
    el('text', { x: LEFT - 6, y: H, 'text-anchor': 'end', class: 'tick' }, svg, fmt(0, c.unit));
    c.series.forEach(function (s, i) {
      var color = colors[i % colors.length];
      var d = s.points.map(function (p, j) { return (j ? 'L' : 'M') + x(p[0]).toFixed(1) + ' ' + (H - (p[1] / vMax) * (H - 4)).toFixed(1); }).join(' ');
      if (s.points.length === 1) d += ' h2';
      el('path', { d: d, fill: 'none', stroke: color, 'stroke-width': 1.8, 'stroke-dasharray': DASH[s.scope] || '', class: 'series', 'data-series': s.name, 'data-scope': s.scope }, svg);
      // The legend is HTML next to the title: its swatch is the same stroke, colour and dash as the line.
      var key = document.createElement('span');
      key.className = 'key';
      key.setAttribute('data-series', s.name);
      var sw = el('svg', { width: 28, height: 10, class: 'swatch' }, key);
      el('line', { x1: 0, x2: 28, y1: 5, y2: 5, stroke: color, 'stroke-width': 2.5, 'stroke-dasharray': DASH[s.scope] || '' }, sw);
      key.appendChild(document.createTextNode(' ' + s.name + (s.scope === 'machine' ? ' (whole machine)' : '')));
      head.appendChild(key);
      pathCount++;
    });
  });
  var box = root.getBoundingClientRect();
  root.setAttribute('data-bars', String(barCount));
  root.setAttribute('data-paths', String(pathCount));
  root.setAttribute('data-width', String(Math.round(box.width)));
  root.setAttribute('data-page-width', String(document.documentElement.clientWidth));
  root.setAttribute('data-svg-width', String(W));
  root.setAttribute('data-ticks', ticks.map(label).join('|'));
  root.setAttribute('data-drawn', 'true');
})();
`;

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 16px 0 6px; }
.meta { color: #555; } .verdict { border-left: 4px solid #0072b2; padding: 4px 12px; background: #f5f8fc; }
.verdict .res { text-transform: uppercase; } .scores { list-style: none; padding: 0; display: flex; gap: 16px; flex-wrap: wrap; }
.problems table { border-collapse: collapse; width: 100%; } .problems td, .problems th { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
.problems .failed td:nth-child(2) { color: #d62728; font-weight: 600; } .problems .warning td:nth-child(2) { color: #b07d00; font-weight: 600; }
.problems .error { font-family: ui-monospace, monospace; white-space: pre-wrap; }
#charts { width: 100%; } #charts svg { display: block; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .grid { stroke: #e4e4e4; } svg .tick { fill: #777; } .chart { margin-top: 10px; }
.chart-head { display: flex; gap: 18px; flex-wrap: wrap; align-items: center; font-size: 12px; }
.key { display: inline-flex; align-items: center; gap: 4px; } #charts .key svg { display: inline-block; }
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
${problemsHtml(problems(report))}
<h2>Tasks and resources over time</h2>
<div id="charts"></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${DRAW_JS}</script>
</body></html>
`;
}
