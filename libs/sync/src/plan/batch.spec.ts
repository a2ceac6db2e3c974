import { packBatches, withBatchesExpanded, type BatchCandidate } from './batch.js';
import { planBackup } from './plan-backup.js';
import type { Discovery } from '../discovery/discover.js';

function candidates(count: number, ms = 1): BatchCandidate[] {
  return Array.from({ length: count }, (_, i) => ({ name: `p${String(i).padStart(4, '0')}`, ms, files: 1, bytes: 10, basis: 'walk' as const }));
}

function discoveryOf(names: string[]): Discovery {
  return { projects: names.map((name) => ({ name, selected: true })), rootEntries: [], rootSelected: false };
}

describe('packBatches', () => {
  test('2,000 tiny projects on 8 slots make 8 balanced batches holding every project once', () => {
    const packing = packBatches(candidates(2000, 0.5), { concurrency: 8, maxBatchMs: 1000, maxProjects: 500, projectNames: new Set() });
    expect(packing.batches).toHaveLength(8);
    expect(packing.single).toEqual([]);
    const all = packing.batches.flatMap((b) => b.projects ?? []);
    expect(new Set(all).size).toBe(2000);
    expect(packing.batches.every((b) => b.projects?.length === 250 && b.weight === 125)).toBe(true);
    expect(packing.batches.every((b) => b.kind === 'batch' && b.relPath === '')).toBe(true);
  });

  test('no batch holds more than maxProjects, nor costs more than maxBatchMs when avoidable', () => {
    const byCount = packBatches(candidates(1000, 0.1), { concurrency: 1, maxBatchMs: 10_000, maxProjects: 300, projectNames: new Set() });
    expect(Math.max(...byCount.batches.map((b) => b.projects?.length ?? 0))).toBeLessThanOrEqual(300);
    expect(byCount.batches.flatMap((b) => b.projects ?? [])).toHaveLength(1000);
    const byTime = packBatches(candidates(100, 50), { concurrency: 2, maxBatchMs: 1000, maxProjects: 500, projectNames: new Set() });
    expect(Math.max(...byTime.batches.map((b) => b.weight))).toBeLessThanOrEqual(1000);
  });

  test('the same input packs the same way whatever its order (every shard plans the same list)', () => {
    const list = candidates(300).map((c, i) => ({ ...c, ms: (i * 7) % 13 }));
    const a = packBatches(list, { concurrency: 4, maxBatchMs: 500, maxProjects: 50, projectNames: new Set() });
    const b = packBatches([...list].reverse(), { concurrency: 4, maxBatchMs: 500, maxProjects: 50, projectNames: new Set() });
    expect(b.batches).toEqual(a.batches);
  });

  test('a batch id never equals a project name, and a batch of one stays a project task', () => {
    const packing = packBatches(candidates(3), { concurrency: 1, maxBatchMs: 1000, maxProjects: 2, projectNames: new Set(['(batch 1)']) });
    expect(packing.batches.map((b) => b.id)).toEqual(['(batch 2)']);
    expect(packing.single.map((c) => c.name)).toHaveLength(1);
    expect(withBatchesExpanded(packing.batches).map((t) => t.id).sort()).toEqual(packing.batches[0]?.projects);
  });
});

describe('planBackup with small projects', () => {
  test('small projects share batches, a big one keeps its own task, and batching can be turned off', async () => {
    const names = [...Array.from({ length: 40 }, (_, i) => `small-${i}`), 'huge'];
    const history = new Map(
      names.map((name) => [name, { project: name, kind: 'project' as const, relPath: name, partial: false, files: name === 'huge' ? 100_000 : 1, bytes: 100, durationMs: name === 'huge' ? 60_000 : 5, finishedAt: '' }]),
    );
    const plan = await planBackup({ sourceRoot: undefined, discovery: discoveryOf(names), history, settings: { concurrency: 4 } });
    const batches = plan.tasks.filter((t) => t.kind === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.flatMap((b) => b.projects ?? []).sort()).toEqual(names.filter((n) => n !== 'huge').sort());
    expect(plan.tasks[0]?.id).toBe('huge');
    const off = await planBackup({ sourceRoot: undefined, discovery: discoveryOf(names), history, settings: { concurrency: 4, batchBelowMs: 0 } });
    expect(off.tasks.every((t) => t.kind === 'project')).toBe(true);
    expect(off.tasks).toHaveLength(41);
  });

  test('a name that was not valid UTF-8 (read with U+FFFD) keeps its own rsync', async () => {
    const names = ['ok-1', 'ok-2', 'bad-\uFFFD'];
    const history = new Map(names.map((name) => [name, { project: name, kind: 'project' as const, relPath: name, partial: false, files: 1, bytes: 1, durationMs: 1, finishedAt: '' }]));
    const plan = await planBackup({ sourceRoot: undefined, discovery: discoveryOf(names), history, settings: { concurrency: 2 } });
    expect(plan.tasks.find((t) => t.kind === 'batch')?.projects).toEqual(['ok-1', 'ok-2']);
    expect(plan.tasks.find((t) => t.id === 'bad-\uFFFD')?.kind).toBe('project');
  });

  test('under --bwlimit a project that takes longer than the threshold at that rate keeps its own rsync', async () => {
    // 400 kB each at 40 kB/s is 10 s: batched, twelve of them would run one after the other in one rsync.
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const history = new Map(names.map((name) => [name, { project: name, kind: 'project' as const, relPath: name, partial: false, files: 1, bytes: 400_000, durationMs: 5, finishedAt: '' }]));
    const limited = await planBackup({ sourceRoot: undefined, discovery: discoveryOf(names), history, settings: { concurrency: 12, bwlimitBytesPerSec: 40_000 } });
    expect(limited.tasks.map((t) => t.kind)).toEqual(Array(12).fill('project'));
    const unlimited = await planBackup({ sourceRoot: undefined, discovery: discoveryOf(names), history, settings: { concurrency: 12 } });
    expect(unlimited.tasks.some((t) => t.kind === 'batch')).toBe(true);
  });

  test('projects of unknown size (remote source without history) are never batched', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const plan = await planBackup({ sourceRoot: undefined, discovery: discoveryOf(names), history: new Map(), settings: { concurrency: 4 } });
    expect(plan.tasks.every((t) => t.kind === 'project')).toBe(true);
  });
});
