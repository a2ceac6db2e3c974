import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface BenchRun {
  scenario: string;
  workload: string;
  contestant: string;
  exitCode: number | null;
  check: { pass: boolean; diffSample: string[] } | null;
}

/**
 * The benchmark itself is not a CI test (its timings need a quiet machine), but its correctness
 * checks are: on a small tree, every contestant in both scenarios (slow-NAS FUSE mounts and local)
 * and every workload (full, nothing changed, 1% changed, added and deleted, and the first run onto
 * another tool's exact copy) must leave a backup equal to the source, deletions included.
 */
test('every benchmark contestant leaves a correct backup on a small tree, in both scenarios and all workloads', async () => {
  const run = await execa('npx', ['tsx', 'bench/run.ts', '--scenario', 'all', '--files', '240', '--projects', '4', '--size-mb', '4', '--repeats', '1'], {
    cwd: REPO_ROOT,
    reject: false,
    all: true,
    timeout: 8 * 60_000,
  });
  expect(run.exitCode).toBe(0);
  const json = /^JSON: (.+\.json)$/m.exec(run.stdout)?.[1];
  if (json === undefined) throw new Error(`the benchmark printed no results file:\n${run.all?.slice(-3000)}`);
  const result = JSON.parse(await fs.readFile(path.join(REPO_ROOT, json), 'utf8')) as { runs: BenchRun[] };
  await fs.rm(path.join(REPO_ROOT, json), { force: true });

  const contestants = new Set(result.runs.map((r) => r.contestant));
  for (const name of ['rsync', 'parallel', 'fpsync', 'dailysync', 'cp']) expect(contestants).toContain(name);
  expect(new Set(result.runs.map((r) => `${r.scenario}/${r.workload}`))).toEqual(
    new Set(['full', 'nochange', 'change1pct', 'foreign-copy'].flatMap((w) => [`latency/${w}`, `local/${w}`])),
  );
  const wrong = result.runs.filter((r) => r.exitCode !== 0 || r.check?.pass !== true);
  expect(wrong.map((r) => `${r.scenario}/${r.workload}/${r.contestant}: exit ${r.exitCode}, ${r.check?.diffSample.join('; ') ?? 'not checked'}`)).toEqual([]);
}, 10 * 60_000);

/**
 * The many-projects scenario (issue 15) at a small size: one-file projects next to big ones, where
 * dailysync packs the small projects into shared rsync tasks. Every contestant must still leave an
 * exact backup, in both scenarios and all workloads, and dailysync's report one entry per project.
 */
test('the many-projects scenario leaves a correct backup for every contestant, with one report entry per project', async () => {
  const run = await execa(
    'npx',
    ['tsx', 'bench/run.ts', '--scenario', 'all', '--projects', '3', '--small-projects', '40', '--files', '120', '--size-mb', '2', '--repeats', '1', '--contestants', 'rsync,parallel,dailysync'],
    { cwd: REPO_ROOT, reject: false, all: true, timeout: 8 * 60_000 },
  );
  expect(run.exitCode).toBe(0);
  const json = /^JSON: (.+\.json)$/m.exec(run.stdout)?.[1];
  if (json === undefined) throw new Error(`the benchmark printed no results file:\n${run.all?.slice(-3000)}`);
  const file = path.join(REPO_ROOT, json);
  const result = JSON.parse(await fs.readFile(file, 'utf8')) as { runs: BenchRun[]; tree: { projects: number } };
  const reports = file.replace(/\.json$/, '-reports');
  const reportFiles = await fs.readdir(reports).catch(() => [] as string[]);
  const fullReport = reportFiles.find((f) => /^local-full-dailysync-r1\.json$/.test(f));
  const dailysyncReport = fullReport === undefined ? undefined : (JSON.parse(await fs.readFile(path.join(reports, fullReport), 'utf8')) as { projects: Array<{ name: string; status: string; filesTransferred: number }> });
  await fs.rm(file, { force: true });
  await fs.rm(reports, { recursive: true, force: true });

  expect(result.tree.projects).toBe(43);
  expect(new Set(result.runs.map((r) => r.contestant))).toEqual(new Set(['rsync', 'parallel', 'dailysync']));
  const wrong = result.runs.filter((r) => r.exitCode !== 0 || r.check?.pass !== true);
  expect(wrong.map((r) => `${r.scenario}/${r.workload}/${r.contestant}: exit ${r.exitCode}, ${r.check?.diffSample.join('; ') ?? 'not checked'}`)).toEqual([]);
  // 43 projects plus the root entries, each ok; every small project copied its one file.
  expect(dailysyncReport?.projects).toHaveLength(44);
  expect(dailysyncReport?.projects.every((p) => p.status === 'ok')).toBe(true);
  const small = dailysyncReport?.projects.filter((p) => /^(job|Kunde |-order |#ticket|Fall\*|case\?)\d{5}$/.test(p.name)) ?? [];
  expect(small).toHaveLength(40);
  expect(small.every((p) => p.filesTransferred === 1)).toBe(true);
}, 10 * 60_000);
