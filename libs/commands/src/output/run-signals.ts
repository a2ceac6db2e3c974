import path from 'node:path';
import { ConfigError, type BackupReport } from '@dailysync/sync';
import { parseNotifyUrl, pingSummary, sendPing, type NotifyOptions } from './notify.js';
import { writePrometheusMetrics, type RunOutcome } from './prometheus.js';

export interface RunSignalsOptions {
  metricsFile?: string;
  notifyUrl?: string;
  cwd: string;
  startedAt: Date;
  /** Where a failed ping or metrics write is reported; neither changes the run's exit status. */
  warn: (line: string) => void;
  /** Ping tuning (tests shorten the waits). */
  notify?: Omit<NotifyOptions, 'warn'>;
}

/**
 * What a finished run tells monitoring, from its run record (run-record.ts). `engineReported` is
 * false for a run that stopped before the engine returned a report (refused, locked, bad input,
 * interrupted early, crashed): then only the error is told, not empty project counts.
 */
export function runOutcome(record: BackupReport, startedAt: Date, engineReported: boolean): RunOutcome {
  return {
    startedAt,
    finishedAt: record.finishedAt ? new Date(record.finishedAt) : new Date(),
    exitCode: record.exitCode ?? (record.ok ? 0 : 1),
    ...(engineReported ? { report: record } : {}),
    ...(record.error === undefined ? {} : { error: record.error.message }),
  };
}

/**
 * What monitoring hears from a run: the start ping when the run starts, and at its end (whatever
 * the exit, driven by the sync command's run record) the Prometheus metrics file — a run-record
 * sink, so it is written on every exit path — and the success or fail ping. Built once the options
 * are known; a bad --notify-url or an empty --metrics-file is refused here.
 */
export class RunSignals {
  readonly metricsFile?: string;
  private readonly notifyUrl?: URL;
  private sent = false;

  constructor(private readonly options: RunSignalsOptions) {
    if (options.metricsFile !== undefined) {
      if (options.metricsFile.trim() === '') throw new ConfigError('--metrics-file is empty: give a .prom file in the node_exporter textfile directory, e.g. --metrics-file=/var/lib/node_exporter/textfile/dailysync.prom');
      this.metricsFile = path.resolve(options.cwd, options.metricsFile);
    }
    if (options.notifyUrl !== undefined) this.notifyUrl = parseNotifyUrl(options.notifyUrl);
  }

  private notifyOptions(): NotifyOptions {
    return { ...this.options.notify, warn: this.options.warn };
  }

  async started(): Promise<void> {
    if (this.notifyUrl) await sendPing(this.notifyUrl, 'start', '', this.notifyOptions());
  }

  /** Writes the metrics file (throws when it cannot: the run record reports a sink that failed). */
  async writeMetrics(outcome: RunOutcome): Promise<void> {
    if (this.metricsFile !== undefined) await writePrometheusMetrics(this.metricsFile, outcome);
  }

  /** Sends the success or fail ping; never throws, runs once. */
  async finished(outcome: RunOutcome): Promise<void> {
    if (this.sent) return;
    this.sent = true;
    if (this.notifyUrl) await sendPing(this.notifyUrl, outcome.exitCode === 0 ? 'success' : 'fail', pingSummary(outcome), this.notifyOptions());
  }
}
