import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { runBackup, type RunBackupRequest } from '../../src/engine/backup.js';
import type { BackupReport } from '../../src/report/types.js';
import { verifyBackup } from '../../src/verify/verify.js';
import { compareWithReference, REFERENCE_RSYNC } from './compare.js';
import { fsSupport, Random, TreeGenerator } from './generate.js';

const run = promisify(execFile);

/** How dailysync runs on a night: one process at some concurrency, or three shards at once. */
export type Variant = { kind: 'single'; concurrency: number } | { kind: 'shards'; count: 3 };

export interface NightOutcome {
  seed: number;
  night: number;
  variant: Variant;
  changes: string[];
  /** Differences from single rsync's copy plus anything wrong in the runs themselves; empty = equal. */
  problems: string[];
  /** Where single rsync's own copy differs from the source and dailysync's does not (compareWithReference). */
  rsyncOwnErrors: string[];
  /** Projects that shared an rsync (batch tasks) in this night's plans: the night's comparison covers batched runs when above 0. */
  batchedProjects: number;
}

const RSYNC_MIRROR = REFERENCE_RSYNC;

/** The one-rsync reference: what the contract says dailysync must produce. */
/**
 * rsync 3.5.0 with -H -A can end a night with exit 23 and only "get_acl: sys_acl_get_file(NAME,
 * ACL_TYPE_DEFAULT): Permission denied": a folder-only ACL asked of a file, seen when a project
 * folder became a file hard-linked to another top-level file (seed 1025973575). It hits single
 * rsync and dailysync's rsyncs alike, not always on the same night; the next run completes. Both
 * sides then run once more, as an admin would, and the trees are compared after that.
 */
const RSYNC_DEFAULT_ACL_BUG = /get_acl: sys_acl_get_file\(.*, ACL_TYPE_DEFAULT\): Permission denied/;

/** The reference: one `rsync -aHAX` of the source (run again once after RSYNC_DEFAULT_ACL_BUG alone). */
export async function mirrorWithRsync(source: string, dest: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run('rsync', [...RSYNC_MIRROR, '--', `${source}/`, `${dest}/`], { maxBuffer: 64 * 1024 * 1024 });
      return;
    } catch (error) {
      const errors = String((error as { stderr?: unknown }).stderr ?? '').split('\n').filter((l) => l.startsWith('rsync:'));
      const onlyDefaultAcl = errors.length > 0 && errors.every((l) => RSYNC_DEFAULT_ACL_BUG.test(l));
      if (attempt > 1 || !onlyDefaultAcl) throw error;
    }
  }
}

function variantFor(rnd: Random): Variant {
  return rnd.chance(0.25) ? { kind: 'shards', count: 3 } : { kind: 'single', concurrency: rnd.pick([1, 2, 4, 8]) };
}

/** Runs dailysync with --delete, splits forced on small trees, as the variant says. */
export async function runDailysync(source: string, dest: string, variant: Variant, extra: Partial<RunBackupRequest> = {}): Promise<BackupReport[]> {
  // minSplitMs 0: any project above its share of the work splits, so splits and parts happen on a small tree.
  const base: RunBackupRequest = { source, dest, delete: true, maxShrinkPercent: 100, retry: { retries: 0, backoffMs: 0 }, planning: { minSplitMs: 0 }, ...extra };
  if (variant.kind === 'single') return [await runBackup({ ...base, concurrency: variant.concurrency })];
  return Promise.all([1, 2, 3].map((i) => runBackup({ ...base, concurrency: 2, shard: `${i}/3` })));
}

function reportProblems(reports: readonly BackupReport[]): string[] {
  const problems: string[] = [];
  for (const r of reports) {
    if (r.ok) continue;
    for (const p of r.projects) if (p.error) problems.push(`report: ${p.name}: ${p.status}: ${p.error}`);
    if (problems.length === 0) problems.push('report: not ok');
  }
  return problems;
}

/**
 * One seed: a fresh tree, then `nights` nights of changes; after each, dailysync and one rsync
 * mirror the source and the two copies are compared (plus `dailysync verify`, which must find
 * nothing missing or different). Stops at the first night with a difference.
 */
export async function runSeed(seed: number, nights: number, workDir: string, onNight?: (o: NightOutcome) => void): Promise<NightOutcome[]> {
  const dir = await fs.mkdtemp(path.join(workDir, `seed-${seed}-`));
  const source = path.join(dir, 'prod');
  const dest = path.join(dir, 'backup');
  const reference = path.join(dir, 'rsync');
  const rnd = new Random(seed);
  const support = await fsSupport(dir);
  const gen = new TreeGenerator(Buffer.from(source), rnd, support.xattrs, support.acls);
  const outcomes: NightOutcome[] = [];
  try {
    await gen.initial();
    for (let night = 0; night < nights; night++) {
      const changes = night === 0 ? ['initial tree'] : await gen.night();
      const variant = variantFor(rnd);
      let batchedProjects = 0;
      const countBatched: Partial<RunBackupRequest> = {
        hooks: { onPlan: ({ tasks }) => (batchedProjects += tasks.reduce((n, t) => n + (t.kind === 'batch' ? (t.projects?.length ?? 0) : 0), 0)) },
      };
      let reports = await runDailysync(source, dest, variant, countBatched);
      // Folders the failed root pass was removing are listed failed too, without an error of their own.
      const errors = reports.flatMap((r) => r.projects.filter((p) => p.status === 'failed' && p.error).map((p) => p.error ?? ''));
      if (errors.length > 0 && errors.every((e) => RSYNC_DEFAULT_ACL_BUG.test(e))) reports = await runDailysync(source, dest, variant, countBatched);
      await mirrorWithRsync(source, reference);
      const compared = await compareWithReference(dest, reference, source);
      const problems = [...reportProblems(reports), ...compared.differences];
      const verify = await verifyBackup({ source, dest });
      if (verify.counts.missing + verify.counts.different > 0 || verify.error) {
        problems.push(`verify: ${verify.counts.missing} missing, ${verify.counts.different} different (${[...verify.missing, ...verify.different].slice(0, 5).join(', ')}) ${verify.error ?? ''}`);
      }
      const outcome: NightOutcome = { seed, night, variant, changes, problems, rsyncOwnErrors: compared.rsyncOwnErrors, batchedProjects };
      outcomes.push(outcome);
      onNight?.(outcome);
      if (problems.length > 0) return outcomes;
    }
    await fs.rm(dir, { recursive: true, force: true });
  } catch (error) {
    outcomes.push({ seed, night: outcomes.length, variant: { kind: 'single', concurrency: 0 }, changes: [], problems: [`crashed: ${(error as Error).stack ?? String(error)}`], rsyncOwnErrors: [], batchedProjects: 0 });
  }
  return outcomes;
}
