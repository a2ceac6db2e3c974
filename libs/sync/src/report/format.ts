import type { BackupReport } from './types.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * A count with thousands separators, as `toLocaleString('en-US')` writes it (`1,872`). Grouped by
 * hand for integers: the first toLocaleString call loads ICU's number-format data, about 7 MiB of
 * resident memory for a few commas.
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Makes control characters in names visible, so a name with a newline cannot break a table row. */
export function printableName(name: string): string {
  return name.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Plain-text summary table: one row per project, then totals. */
export function formatSummaryTable(report: BackupReport): string {
  const header = ['project', 'status', 'files', 'bytes', 'deleted', 'time', 'exit', 'note'];
  const rows = report.projects.map((p) => [
    printableName(p.name),
    p.status,
    String(p.filesTransferred),
    formatBytes(p.bytesTransferred),
    String(p.filesDeleted),
    formatDuration(p.durationMs),
    p.exitCode === null ? '-' : String(p.exitCode),
    p.error ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const t = report.totals;
  const verdict = report.interrupted ? 'INTERRUPTED' : report.ok ? 'OK' : 'FAILED';
  const mode = report.dryRun ? ' (dry run: nothing written)' : '';
  return [
    line(header),
    ...rows.map(line),
    '',
    `${verdict}${mode}: ${t.ok} ok, ${t.warning} warning, ${t.failed} failed, ${t.skipped} skipped${t.interrupted ? `, ${t.interrupted} interrupted` : ''}; ` +
      `${t.filesTransferred} files, ${formatBytes(t.bytesTransferred)} transferred, ${t.filesDeleted} deleted in ${formatDuration(report.durationMs)}`,
  ].join('\n');
}
