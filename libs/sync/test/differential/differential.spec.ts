import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runSeed } from './nights.js';

/**
 * dailysync with --delete (splits forced, small projects batched, several concurrencies, three
 * shards at once) must leave exactly what one `rsync -aHAX --numeric-ids --delete SRC/ DEST/`
 * leaves, night after night. CI runs these fixed seeds; `npx tsx libs/sync/test/differential/soak.ts`
 * runs random ones.
 */
const CI_SEEDS = [1, 2, 3];
const NIGHTS = 4;

describe('same as one rsync of the whole tree', () => {
  let work: string;
  beforeAll(async () => (work = await fs.mkdtemp(path.join(os.tmpdir(), 'dailysync-diff-'))));
  afterAll(() => fs.rm(work, { recursive: true, force: true }));

  test.each(CI_SEEDS)('seed %i: every night equals rsync -aHAX --numeric-ids --delete', async (seed) => {
    const outcomes = await runSeed(seed, NIGHTS, work);
    const failed = outcomes.filter((o) => o.problems.length > 0).map((o) => ({ night: o.night, variant: o.variant, changes: o.changes, problems: o.problems.slice(0, 20) }));
    expect(failed).toEqual([]);
    expect(outcomes).toHaveLength(NIGHTS);
    // Small projects shared rsyncs on some night of every CI seed (its first night at least: sizes
    // from the walk, not from measured times), so batched runs are compared with rsync too.
    expect(outcomes.some((o) => o.batchedProjects > 0)).toBe(true);
  }, 240_000);
});
