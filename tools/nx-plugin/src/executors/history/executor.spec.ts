import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../../../../../libs/sync/test/helpers/tree.js';
import historyExecutor from './executor.js';
import type { HistoryEntry } from './history-file.js';

const readLines = async (file: string): Promise<HistoryEntry[]> =>
  (await fs.readFile(file, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as HistoryEntry);

describe('history executor (worked example)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let context: ExecutorContext;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-history-'));
    context = { root: dir, cwd: dir, isVerbose: false } as unknown as ExecutorContext;
    await writeTree(path.join(dir, 'prod'), projectTree(['alpha', 'beta'], 2));
  });
  afterEach(() => cleanup());

  test('backs up, appends one line per run and keeps only the newest N', async () => {
    const source = path.join(dir, 'prod');
    const dest = path.join(dir, 'backup');
    const options = { source, dest, concurrency: 2, historyFile: 'logs/history.jsonl', keep: 2 };

    expect(await historyExecutor(options, context)).toEqual({ success: true });
    for (const project of ['alpha', 'beta']) expect(await treeDifferences(path.join(source, project), path.join(dest, project))).toEqual([]);
    const first = await readLines(path.join(dir, 'logs/history.jsonl'));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ ok: true, source, dest, totals: { failed: 0, filesTransferred: 5 } });
    expect(first[0]?.projects.find((p) => p.name === 'alpha')).toMatchObject({ status: 'ok', filesTransferred: 2 });

    // Second run: one new file in beta; third run: nothing changed.
    await writeTree(source, { 'beta/new.txt': 'new\n' });
    expect(await historyExecutor(options, context)).toEqual({ success: true });
    expect(await historyExecutor(options, context)).toEqual({ success: true });
    const lines = await readLines(path.join(dir, 'logs/history.jsonl'));
    expect(lines).toHaveLength(2);
    // The first run was pruned: the file holds runs 2 and 3, oldest first.
    expect(lines.map((l) => l.totals.filesTransferred)).toEqual([1, 0]);
    expect(lines[0]?.projects.find((p) => p.name === 'beta')?.filesTransferred).toBe(1);
    expect(Date.parse(lines[0]?.startedAt ?? '')).toBeLessThanOrEqual(Date.parse(lines[1]?.startedAt ?? ''));
  });

  test('a failed project is recorded and fails the executor', async () => {
    const dest = path.join(dir, 'backup');
    // A non-empty folder in the backup where the source has a file: rsync cannot make way (exit 23).
    await writeTree(dest, { 'beta/sub 0/file-0.dat/keep': 'a folder now\n' });
    const result = await historyExecutor({ source: path.join(dir, 'prod'), dest, historyFile: path.join(dir, 'h.jsonl') }, context);
    expect(result).toEqual({ success: false });
    const [entry] = await readLines(path.join(dir, 'h.jsonl'));
    expect(entry?.ok).toBe(false);
    const beta = entry?.projects.find((p) => p.name === 'beta');
    expect(beta?.status).toBe('failed');
    expect(beta?.error).toMatch(/\S/);
  });

  test('bad options write nothing', async () => {
    const history = path.join(dir, 'h.jsonl');
    expect(await historyExecutor({ source: 'prod', dest: path.join(dir, 'backup'), historyFile: history }, context)).toEqual({ success: false });
    expect(await historyExecutor({ source: path.join(dir, 'prod'), dest: path.join(dir, 'backup'), historyFile: history, keep: 0 }, context)).toEqual({ success: false });
    await expect(fs.access(history)).rejects.toThrow();
    await expect(fs.access(path.join(dir, 'backup'))).rejects.toThrow();
  });
});
