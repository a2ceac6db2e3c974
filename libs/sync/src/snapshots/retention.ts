import { ConfigError } from '../errors.js';

/** How many snapshots to keep per rule (restic `forget` semantics); undefined: the rule is off. */
export interface RetentionPolicy {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
}

export interface RetentionDecision<T> {
  keep: { snapshot: T; reasons: string[] }[];
  remove: T[];
}

const RULES = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const;
const FLAGS: Record<(typeof RULES)[number], string> = { keepLast: 'keep-last', keepDaily: 'keep-daily', keepWeekly: 'keep-weekly', keepMonthly: 'keep-monthly' };

/** Validates the --keep-* values (whole numbers >= 1); throws ConfigError naming the bad one. */
export function parseRetentionPolicy(raw: Record<(typeof RULES)[number], unknown>): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const rule of RULES) {
    const value = raw[rule];
    if (value === undefined || value === null) continue;
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--${FLAGS[rule]} "${String(value)}" is not valid: give a whole number of snapshots of at least 1, e.g. --${FLAGS[rule]}=7`);
    policy[rule] = n;
  }
  return policy;
}

export function hasRetention(policy: RetentionPolicy): boolean {
  return RULES.some((r) => policy[r] !== undefined);
}

function dayKey(t: Date): string {
  return t.toISOString().slice(0, 10);
}

/** ISO 8601 week (Monday first), as restic buckets weekly snapshots. */
function weekKey(t: Date): string {
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86400000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

function monthKey(t: Date): string {
  return t.toISOString().slice(0, 7);
}

/**
 * Which complete snapshots the policy keeps. A snapshot stays when any rule keeps it: keep-last N
 * the newest N; keep-daily N the newest snapshot of each of the newest N days that have one (UTC);
 * weekly per ISO week, monthly per calendar month alike. The newest snapshot always stays. With no
 * rule at all nothing is removed.
 */
export function applyRetention<T extends { time: Date }>(snapshots: readonly T[], policy: RetentionPolicy): RetentionDecision<T> {
  const newestFirst = [...snapshots].sort((a, b) => b.time.getTime() - a.time.getTime());
  const reasons = new Map<T, string[]>(newestFirst.map((s) => [s, []]));
  const add = (s: T, why: string): void => void reasons.get(s)!.push(why);
  if (!hasRetention(policy)) {
    for (const s of newestFirst) add(s, 'no retention rule');
  } else {
    if (policy.keepLast !== undefined) newestFirst.slice(0, policy.keepLast).forEach((s, i) => add(s, `last ${i + 1}`));
    const buckets: [number | undefined, string, (t: Date) => string][] = [
      [policy.keepDaily, 'daily', dayKey],
      [policy.keepWeekly, 'weekly', weekKey],
      [policy.keepMonthly, 'monthly', monthKey],
    ];
    for (const [count, label, key] of buckets) {
      if (count === undefined) continue;
      const seen = new Set<string>();
      for (const s of newestFirst) {
        const k = key(s.time);
        if (seen.has(k)) continue;
        if (seen.size >= count) break;
        seen.add(k);
        add(s, `${label} ${k}`);
      }
    }
    const newest = newestFirst[0];
    if (newest && reasons.get(newest)!.length === 0) add(newest, 'newest');
  }
  return {
    keep: newestFirst.filter((s) => reasons.get(s)!.length > 0).map((s) => ({ snapshot: s, reasons: reasons.get(s)! })),
    remove: newestFirst.filter((s) => reasons.get(s)!.length === 0),
  };
}
