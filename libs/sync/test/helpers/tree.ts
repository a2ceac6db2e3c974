import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

/** A fresh temporary folder; removed by the returned cleanup. */
export async function makeTempDir(prefix = 'dailysync-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Writes files given as relative path -> content (Buffer or string); parents are created. */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

/** A tree of `projects` project folders with a few files each, plus root files. */
export function projectTree(projects: string[], filesPerProject = 3): Record<string, string> {
  const files: Record<string, string> = { 'root note.txt': 'lives in the root\n' };
  for (const p of projects) {
    for (let i = 0; i < filesPerProject; i++) files[`${p}/sub ${i % 2}/file-${i}.dat`] = `${p} file ${i}\n`.repeat(50 + i);
  }
  return files;
}

/** Entries of a backup root apart from dailysync's own state folder. */
export async function backupEntries(dest: string): Promise<string[]> {
  return (await fs.readdir(dest)).filter((name) => name !== '.dailysync').sort();
}

/**
 * Differences between two trees as rsync sees them, by content (checksums), including files that
 * exist only in the destination. An empty list means identical.
 */
export async function treeDifferences(source: string, dest: string): Promise<string[]> {
  // dailysync's own state folder in the backup root is not backup data.
  const { stdout } = await execa('rsync', ['-a', '-n', '-c', '-H', '--delete', '--exclude=/.dailysync/', '--out-format=%i %n', '--', `${source}/`, `${dest}/`], {
    stripFinalNewline: true,
  });
  // The root directory's own times may differ after a run that only reads; that is not a difference in data.
  return stdout.split('\n').filter((l) => l.trim() !== '' && !/^\.d\S* \.\/$/.test(l));
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
