import fs from 'node:fs/promises';
import path from 'node:path';

/** Writes a file through a temporary sibling and a rename, so a reader never sees half a report. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(tmp, content);
    await fs.rename(tmp, file);
  } catch (error) {
    // A full disk must not leave a half-written temporary file behind.
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

export async function writeJsonReport(file: string, report: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
}
