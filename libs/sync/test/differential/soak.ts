/**
 * Long differential soak: random seeds, many nights each, until the time or night budget runs out.
 * Prints every night's outcome and, for a difference, the seed that reproduces it.
 *
 *   npx tsx libs/sync/test/differential/soak.ts [--nights-total 200] [--nights-per-seed 8] [--minutes 60] [--seed N]
 *
 * Needs root (owners, setuid modes), rsync, getfattr/setfacl (scripts/setup.sh installs them).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runSeed } from './nights.js';

const { values } = parseArgs({
  options: {
    'nights-total': { type: 'string', default: '200' },
    'nights-per-seed': { type: 'string', default: '8' },
    minutes: { type: 'string', default: '60' },
    seed: { type: 'string' },
  },
});
const total = Number(values['nights-total']);
const perSeed = Number(values['nights-per-seed']);
const deadline = Date.now() + Number(values.minutes) * 60_000;
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'dailysync-soak-'));
const started = Date.now();
let nights = 0;
let seeds = 0;
let batchedNights = 0;
const failed: number[] = [];
while (nights < total && Date.now() < deadline) {
  const seed = values.seed !== undefined && seeds === 0 ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  seeds += 1;
  const outcomes = await runSeed(seed, Math.min(perSeed, total - nights), work, (o) => {
    const v = `${o.variant.kind === 'shards' ? 'shards 3' : `concurrency ${o.variant.concurrency}`}${o.batchedProjects > 0 ? `, ${o.batchedProjects} projects in batches` : ''}`;
    if (o.batchedProjects > 0) batchedNights += 1;
    const verdict = o.problems.length > 0 ? 'DIFFERENT' : o.rsyncOwnErrors.length > 0 ? "same as rsync, except where rsync's own copy differs from the source and dailysync's does not" : 'same as rsync';
    console.log(`seed ${o.seed} night ${o.night} (${v}; ${o.changes.join(', ')}): ${verdict}`);
    for (const p of o.problems.slice(0, 20)) console.log(`    ${p}`);
    for (const p of o.rsyncOwnErrors.slice(0, 5)) console.log(`    rsync's own: ${p}`);
  });
  nights += outcomes.length;
  if (outcomes.some((o) => o.problems.length > 0)) {
    failed.push(seed);
    console.log(`FAILED seed ${seed}: reproduce with --seed ${seed} --nights-per-seed ${perSeed}`);
  }
  if (values.seed !== undefined) break;
}
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`${nights} nights (${batchedNights} with batched projects), ${seeds} seeds, ${minutes} min; ${failed.length === 0 ? 'no differences' : `failed seeds: ${failed.join(' ')}`}`);
if (failed.length === 0) await fs.rm(work, { recursive: true, force: true });
process.exit(failed.length === 0 ? 0 : 1);
