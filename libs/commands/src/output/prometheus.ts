import type { BackupReport, TaskStatus } from '@dailysync/sync';
import { writeFileAtomic } from '@dailysync/sync';

/** What the end of a run knows, whichever way it ended: the report when there is one, else the error. */
export interface RunOutcome {
  startedAt: Date;
  finishedAt: Date;
  exitCode: number;
  report?: BackupReport;
  /** The one-line reason of a run that ended without a report (refused, locked, bad input, crash). */
  error?: string;
}

const STATUSES: TaskStatus[] = ['ok', 'warning', 'failed', 'skipped', 'interrupted'];

/** Label values in the text exposition format escape backslash, double quote and newline. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function seconds(date: Date): string {
  return (date.getTime() / 1000).toFixed(3);
}

interface Family {
  name: string;
  help: string;
  samples: Array<{ labels?: Record<string, string>; value: number | string }>;
}

function render(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) {
      const labels = s.labels ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      out.push(`${f.name}${labels} ${s.value}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The verdict's bottleneck, when the run was measured (see SyncDiagnosis). */
function bottleneckOf(report: BackupReport | undefined): string | undefined {
  const verdict = (report?.diagnosis as { verdict?: { bottleneck?: unknown } } | undefined)?.verdict;
  return typeof verdict?.bottleneck === 'string' ? verdict.bottleneck : undefined;
}

/**
 * The run in Prometheus text format (version 0.0.4), for node_exporter's textfile collector: run
 * times, success, exit code and totals, then one series per project. Every series is a gauge of
 * the last run, so a failed or refused run replaces the previous figures instead of leaving them.
 */
export function formatPrometheusMetrics(outcome: RunOutcome): string {
  const r = outcome.report;
  const projects = r?.projects ?? [];
  const perProject = (value: (p: BackupReport['projects'][number]) => number | string): Family['samples'] => projects.map((p) => ({ labels: { project: p.name }, value: value(p) }));
  const bottleneck = bottleneckOf(r);
  const families: Family[] = [
    { name: 'dailysync_last_run_start_timestamp_seconds', help: 'When the last dailysync run started (Unix time).', samples: [{ value: seconds(outcome.startedAt) }] },
    { name: 'dailysync_last_run_end_timestamp_seconds', help: 'When the last dailysync run ended (Unix time).', samples: [{ value: seconds(outcome.finishedAt) }] },
    { name: 'dailysync_last_run_success', help: '1 if the last run exited 0 (every project ok or warning), else 0.', samples: [{ value: outcome.exitCode === 0 ? 1 : 0 }] },
    { name: 'dailysync_last_run_exit_code', help: 'Exit status of the last run: 0 ok, 1 a project failed, 2 bad input or refused, 75 locked, 130 interrupted.', samples: [{ value: outcome.exitCode }] },
    { name: 'dailysync_last_run_duration_seconds', help: 'Length of the last run.', samples: [{ value: ((outcome.finishedAt.getTime() - outcome.startedAt.getTime()) / 1000).toFixed(3) }] },
    { name: 'dailysync_last_run_dry_run', help: '1 if the last run was a dry run (nothing written).', samples: r ? [{ value: r.dryRun ? 1 : 0 }] : [] },
    { name: 'dailysync_last_run_files_transferred', help: 'Files copied by the last run.', samples: [{ value: r?.totals.filesTransferred ?? 0 }] },
    { name: 'dailysync_last_run_bytes_transferred', help: 'Bytes copied by the last run.', samples: [{ value: r?.totals.bytesTransferred ?? 0 }] },
    { name: 'dailysync_last_run_files_deleted', help: 'Files deleted from the backup by the last run (--delete).', samples: [{ value: r?.totals.filesDeleted ?? 0 }] },
    { name: 'dailysync_last_run_projects', help: 'Projects of the last run by status.', samples: STATUSES.map((s) => ({ labels: { status: s }, value: r?.totals[s] ?? 0 })) },
    {
      name: 'dailysync_last_run_bottleneck',
      help: 'The resource the last run\'s diagnosis named as the bottleneck (1 for that resource).',
      samples: bottleneck === undefined ? [] : [{ labels: { resource: bottleneck }, value: 1 }],
    },
    {
      name: 'dailysync_last_run_error',
      help: 'Why the last run ended without a report (refused, locked, bad input), as a label.',
      samples: outcome.error === undefined ? [] : [{ labels: { error: outcome.error.slice(0, 300) }, value: 1 }],
    },
    {
      name: 'dailysync_project_status',
      help: 'Status of each project in the last run (1 for its status).',
      samples: projects.map((p) => ({ labels: { project: p.name, status: p.status }, value: 1 })),
    },
    { name: 'dailysync_project_exit_code', help: 'rsync exit code of each project in the last run (-1: not run).', samples: perProject((p) => p.exitCode ?? -1) },
    { name: 'dailysync_project_files_transferred', help: 'Files copied per project in the last run.', samples: perProject((p) => p.filesTransferred) },
    { name: 'dailysync_project_bytes_transferred', help: 'Bytes copied per project in the last run.', samples: perProject((p) => p.bytesTransferred) },
    { name: 'dailysync_project_files_deleted', help: 'Files deleted per project in the last run.', samples: perProject((p) => p.filesDeleted) },
    { name: 'dailysync_project_duration_seconds', help: 'Time each project took in the last run.', samples: perProject((p) => (p.durationMs / 1000).toFixed(3)) },
  ];
  return render(families);
}

/** Writes the metrics file atomically (temporary file + rename), so the collector never reads half a file. */
export async function writePrometheusMetrics(file: string, outcome: RunOutcome): Promise<void> {
  await writeFileAtomic(file, formatPrometheusMetrics(outcome));
}
