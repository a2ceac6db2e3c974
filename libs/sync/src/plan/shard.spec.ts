import { ConfigError } from '../errors.js';
import { assignShards, parseShard, shardTasks } from './shard.js';
import type { SyncTask } from './task.js';

function task(id: string, weight: number, kind: SyncTask['kind'] = 'project'): SyncTask {
  return { id, project: id.split('/')[0] ?? id, kind, relPath: id, excludeTopLevelDirs: [], weight };
}

describe('parseShard', () => {
  test('accepts I/N with I from 1 to N', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(parseShard(undefined)).toBeUndefined();
  });

  test('0/3 is refused with the mapping for a 0-based index', () => {
    expect(() => parseShard('0/3')).toThrow(ConfigError);
    expect(() => parseShard('0/3')).toThrow('I counts from 1 to 3; for a 0-based index (e.g. JOB_COMPLETION_INDEX) use I = index + 1 (index 0 is --shard 1/3)');
    expect(() => parseShard('4/3')).toThrow(/I counts from 1 to 3/);
    expect(() => parseShard('1/0')).toThrow(/N must be a whole number from 1/);
    expect(() => parseShard('two/3')).toThrow(/give I\/N/);
  });
});

describe('assignShards', () => {
  const tasks = [task('a', 90), task('b', 50), task('c', 40), task('d', 30), task('e', 30), task('f', 10), task('(root)', 0, 'root'), task('g/x', 20, 'subtree')];

  test('the shares are disjoint, cover every task and are balanced by weight', () => {
    const shares = [1, 2, 3].map((index) => shardTasks(tasks, { index, count: 3 }).tasks.map((t) => t.id));
    const all = shares.flat();
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual(tasks.map((t) => t.id).sort());
    const { loads } = assignShards(tasks, 3);
    // LPT on 90,50,40,30,30,20,10,(root counts as the smallest weight 10): 90 | 50+30+10 | 40+30+20+10
    expect([...loads].sort((x, y) => x - y)).toEqual([90, 90, 100]);
  });

  test('every machine computes the same assignment whatever the input order', () => {
    const one = assignShards(tasks, 3);
    const other = assignShards([...tasks].reverse(), 3);
    expect([...other.shardOf.entries()].sort()).toEqual([...one.shardOf.entries()].sort());
    expect(other.digest).toBe(one.digest);
    expect(assignShards(tasks.slice(1), 3).digest).not.toBe(one.digest);
  });

  test('without weights the tasks are spread by count', () => {
    const unweighted = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'].map((id) => task(id, 0));
    const sizes = [1, 2, 3].map((index) => shardTasks(unweighted, { index, count: 3 }).tasks.length);
    expect(sizes).toEqual([3, 2, 2]);
  });

  test('a shard keeps the planned order and more shards than tasks leaves some empty', () => {
    expect(shardTasks(tasks, { index: 1, count: 1 }).tasks).toEqual(tasks);
    const many = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((index) => shardTasks(tasks, { index, count: 10 }).tasks.length);
    expect(many.reduce((a, b) => a + b, 0)).toBe(tasks.length);
    expect(many.filter((n) => n === 0)).toHaveLength(2);
  });
});
