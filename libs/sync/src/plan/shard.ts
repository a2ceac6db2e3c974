import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { SyncTask } from './task.js';

/** Machine `index` (1-based) of `count` machines that split one backup between them. */
export interface ShardSpec {
  index: number;
  count: number;
}

export interface ShardAssignment {
  /** The tasks this shard runs, in the planned order. */
  tasks: SyncTask[];
  /** Shard number (1-based) per task id, for every planned task. */
  shardOf: Map<string, number>;
  /** Sum of weights per shard (index 0 = shard 1). */
  loads: number[];
  /**
   * Hash of the whole assignment. Shards that planned from the same tree and history get the same
   * digest; different digests mean their shares may overlap or leave gaps.
   */
  digest: string;
}

const SHARD_TEXT = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/** Parses `I/N` (I counts from 1). A 0-based index (Kubernetes, some CI matrices) maps as I = index + 1. */
export function parseShard(value: unknown): ShardSpec | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'object') {
    const { index, count } = value as Partial<ShardSpec>;
    return checkShard(index, count, `${String(index)}/${String(count)}`);
  }
  const match = typeof value === 'string' ? SHARD_TEXT.exec(value) : null;
  if (!match) {
    throw new ConfigError(`--shard "${String(value)}" is not valid: give I/N, e.g. --shard 2/3 for the second of three machines`);
  }
  return checkShard(Number(match[1]), Number(match[2]), String(value));
}

function checkShard(index: unknown, count: unknown, text: string): ShardSpec {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw new ConfigError(`--shard "${text}" has an invalid count: N must be a whole number from 1 to 1000`);
  }
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 1 || index > count) {
    throw new ConfigError(
      `--shard "${text}": I counts from 1 to ${count}; for a 0-based index (e.g. JOB_COMPLETION_INDEX) use I = index + 1 (index 0 is --shard 1/${count})`,
    );
  }
  return { index, count };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Splits the planned tasks between `count` machines with the greedy longest-processing-time rule:
 * heaviest task first (ties by id), each to the least-loaded shard (ties: fewer tasks, then the
 * lower number). Pure and deterministic: every machine computes the same assignment on its own,
 * the shares are disjoint and together hold every task. Tasks without a weight count as the
 * smallest known weight (1 when nothing is known), so a first run balances by task count.
 */
export function assignShards(tasks: readonly SyncTask[], count: number): Omit<ShardAssignment, 'tasks'> {
  const positive = tasks.map((t) => t.weight).filter((w) => Number.isFinite(w) && w > 0);
  const fallback = positive.length > 0 ? Math.min(...positive) : 1;
  const weightOf = (t: SyncTask): number => (Number.isFinite(t.weight) && t.weight > 0 ? t.weight : fallback);
  const order = [...tasks].sort((a, b) => weightOf(b) - weightOf(a) || compareIds(a.id, b.id));
  const loads = new Array<number>(count).fill(0);
  const sizes = new Array<number>(count).fill(0);
  const shardOf = new Map<string, number>();
  for (const task of order) {
    let best = 0;
    for (let s = 1; s < count; s++) {
      const l = loads[s] ?? 0;
      const bl = loads[best] ?? 0;
      if (l < bl || (l === bl && (sizes[s] ?? 0) < (sizes[best] ?? 0))) best = s;
    }
    loads[best] = (loads[best] ?? 0) + weightOf(task);
    sizes[best] = (sizes[best] ?? 0) + 1;
    shardOf.set(task.id, best + 1);
  }
  const hash = createHash('sha256');
  for (const task of order) hash.update(`${task.id}\0${shardOf.get(task.id)}\0`);
  return { shardOf, loads, digest: hash.digest('hex').slice(0, 16) };
}

/** This machine's share of the planned tasks (order kept), plus the whole assignment for the report. */
export function shardTasks(tasks: readonly SyncTask[], shard: ShardSpec): ShardAssignment {
  const assignment = assignShards(tasks, shard.count);
  return { ...assignment, tasks: tasks.filter((t) => assignment.shardOf.get(t.id) === shard.index) };
}
