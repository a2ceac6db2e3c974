import path from 'node:path';
import { ConfigError } from '@dailysync/sync';
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
 * What monitoring hears from a run: the start ping, then at the end (whatever the exit) the
 * Prometheus metrics file and the success or fail ping. Built once the options are known; its
 * `finished` is the one call every end-of-run path makes.
 */
export class RunSignals {
  private readonly metricsFile?: string;
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

  /** Writes the metrics file and sends the success or fail ping; never throws, runs once. */
  async finished(end: Omit<RunOutcome, 'startedAt' | 'finishedAt'>): Promise<void> {
    if (this.sent) return;
    this.sent = true;
    const outcome: RunOutcome = { ...end, startedAt: this.options.startedAt, finishedAt: new Date() };
    if (this.metricsFile !== undefined) {
      try {
        await writePrometheusMetrics(this.metricsFile, outcome);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        this.options.warn(`dailysync: warning: the metrics file ${this.metricsFile} could not be written (${code}); the backup result is not affected`);
      }
    }
    if (this.notifyUrl) await sendPing(this.notifyUrl, outcome.exitCode === 0 ? 'success' : 'fail', pingSummary(outcome), this.notifyOptions());
  }
}
