// Does `--concurrency auto` hold up when the host is busy with work that is not the backup?
// Starts one busy loop per core (other work), then copies the same generated tree with
// `--concurrency auto` and `--concurrency 4`, alternating, R times each, fresh destination each run.
// Prints wall times, the verdict and auto's concurrency changes from each JSON report.
//   npx tsx bench/auto-under-load.ts [--files 3000] [--projects 8] [--size-mb 300] [--repeats 2] [--busy N]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTree } from './generate-tree.mjs';

// Not imported from run.ts: that module runs the whole benchmark when loaded.
// The published (compiled) command: run `npm run build` first.
const DAILYSYNC_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../apps/backup/dist/bin/dailysync.cjs');
if (!fs.existsSync(DAILYSYNC_BIN)) {
  process.stderr.write(`no compiled build at ${DAILYSYNC_BIN}: run npm run build first\n`);
  process.exit(2);
}

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const files = arg('files', 3000);
const projects = arg('projects', 8);
const sizeMb = arg('size-mb', 300);
const repeats = arg('repeats', 2);
const busy = arg('busy', os.cpus().length);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dailysync-auto-load-'));
const src = path.join(work, 'src');
const tree = generateTree({ out: src, files, projects, sizeMb, seed: 7 });
process.stdout.write(`tree: ${tree.files} files, ${(tree.bytes / 2 ** 20).toFixed(0)} MiB in ${projects} projects; ${busy} busy loop(s) on ${os.cpus().length} cores\n`);

const loops: ChildProcess[] = Array.from({ length: busy }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore', detached: true }));
const stopLoops = (): void => {
  for (const c of loops) if (c.pid) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ }
};
process.on('exit', stopLoops);

interface Row { concurrency: string; seconds: number; limitedBy: string; changes: string }
const rows: Row[] = [];
try {
  for (let r = 0; r < repeats; r++) {
    for (const concurrency of r % 2 === 0 ? ['auto', '4'] : ['4', 'auto']) {
      const dst = path.join(work, 'dst');
      fs.rmSync(dst, { recursive: true, force: true });
      const report = path.join(work, `report-${concurrency}-${r}.json`);
      // Flush and drop the destination's pages so each run starts alike.
      spawnSync('sync');
      const t0 = performance.now();
      const run = spawnSync(process.execPath, [DAILYSYNC_BIN, 'sync', '--source', src, '--dest', dst, '--concurrency', concurrency, '--plain', '--report', report], { encoding: 'utf8' });
      const seconds = (performance.now() - t0) / 1000;
      if (run.status !== 0) throw new Error(`dailysync --concurrency ${concurrency} exited ${run.status}: ${run.stderr.slice(-500)}`);
      const rep = JSON.parse(fs.readFileSync(report, 'utf8')) as { diagnosis?: { verdict?: { limitedBy?: string } }; concurrencyChanges?: Array<{ limit: number; reason: string }> };
      const changes = (rep.concurrencyChanges ?? []).map((c) => `${c.limit} (${c.reason})`).join(', ') || '-';
      rows.push({ concurrency, seconds, limitedBy: rep.diagnosis?.verdict?.limitedBy ?? '?', changes });
      process.stdout.write(`run ${r + 1} --concurrency ${concurrency}: ${seconds.toFixed(1)} s, verdict ${rows[rows.length - 1]?.limitedBy}, auto changes: ${changes}\n`);
    }
  }
} finally {
  stopLoops();
  fs.rmSync(work, { recursive: true, force: true });
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};
for (const c of ['auto', '4']) {
  const xs = rows.filter((r) => r.concurrency === c).map((r) => r.seconds);
  process.stdout.write(`--concurrency ${c}: median ${median(xs).toFixed(1)} s over ${xs.length} runs (${xs.map((x) => x.toFixed(1)).join(', ')})\n`);
}
