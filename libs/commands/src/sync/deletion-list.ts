import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, printableName } from '@dailysync/sync';

/** Deleted (or, in a dry run, to-be-deleted) entries shown per project on the console; the rest go to --list-deletions. */
export const DELETIONS_SHOWN_PER_PROJECT = 20;

/**
 * Collects what --delete removes, per project: the first few for the console, and every path in
 * an optional file (one path per line, relative to the backup root), streamed so any count fits
 * in memory, and renamed into place only when complete.
 */
export class DeletionList {
  private readonly perProject = new Map<string, { shown: string[]; count: number }>();
  private stream: WriteStream | undefined;
  private tmp: string | undefined;
  private writeError: Error | undefined;

  private constructor(private readonly file: string | undefined) {}

  /** Opens the file (in its folder, as a temporary name) before the run: an unwritable path is refused up front. */
  static async open(file: string | undefined): Promise<DeletionList> {
    const list = new DeletionList(file);
    if (file === undefined) return list;
    const dir = path.dirname(file);
    const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
    try {
      await (await fs.open(tmp, 'w')).close();
    } catch (error) {
      throw new ConfigError(`--list-deletions ${file} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give a path in an existing, writable folder`);
    }
    list.tmp = tmp;
    list.stream = createWriteStream(tmp);
    list.stream.on('error', (e) => (list.writeError = e));
    return list;
  }

  add(project: string, relPath: string): void {
    const entry = this.perProject.get(project) ?? { shown: [], count: 0 };
    entry.count += 1;
    if (entry.shown.length < DELETIONS_SHOWN_PER_PROJECT) entry.shown.push(relPath);
    this.perProject.set(project, entry);
    this.stream?.write(`${relPath}\n`);
  }

  get total(): number {
    let n = 0;
    for (const e of this.perProject.values()) n += e.count;
    return n;
  }

  /** The console listing: per project, the first entries and how many more. */
  format(dryRun: boolean): string {
    const total = this.total;
    const verb = dryRun ? 'Would delete' : 'Deleted';
    if (total === 0) return `${verb} nothing${dryRun ? ' (dry run)' : ''}.\n`;
    const lines = [`${verb} ${total} entr${total === 1 ? 'y' : 'ies'}${dryRun ? ' (dry run: nothing was deleted)' : ''}:`];
    for (const [project, e] of [...this.perProject].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      lines.push(`  ${printableName(project)}: ${e.count}`);
      for (const p of e.shown) lines.push(`    ${printableName(p)}`);
      if (e.count > e.shown.length) lines.push(`    … and ${e.count - e.shown.length} more${this.file ? ` (all in ${this.file})` : ' (--list-deletions FILE lists them all)'}`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** Finishes the file and moves it into place; without a file, nothing to do. */
  async close(): Promise<void> {
    const { stream, tmp, file } = this;
    if (!stream || !tmp || !file) return;
    await new Promise<void>((resolve) => stream.end(resolve));
    if (this.writeError) {
      await fs.rm(tmp, { force: true });
      throw new Error(`--list-deletions ${file} could not be written: ${this.writeError.message}`);
    }
    await fs.rename(tmp, file);
  }

  /** Drops the temporary file (the run was refused or failed before it could list anything). */
  async discard(): Promise<void> {
    if (!this.stream || !this.tmp) return;
    await new Promise<void>((resolve) => this.stream?.end(resolve));
    await fs.rm(this.tmp, { force: true });
  }
}
