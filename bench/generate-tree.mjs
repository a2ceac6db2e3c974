#!/usr/bin/env node
// Deterministic NAS-like tree generator for the dailysync benchmark.
//
//   node bench/generate-tree.mjs --out DIR [--files 10000] [--projects 12] [--seed 42] [--size-mb 300] [--tiny]
//   node bench/generate-tree.mjs --mutate DIR [--seed 42] [--percent 1]
//
// Same seed + parameters => byte-identical tree (content, names, modes, whole-second mtimes).
// Layout: one folder per project (skewed: the largest holds ~37% of the files), nested
// subdirectories, many small sidecars (.xmp/.json/.txt, 0.5-16 KB), a few media files (1-5 MB,
// scaled so the total stays under --size-mb), a few root-level files, and odd names
// (spaces, non-ASCII, leading '-', leading '#', ';').
// --tiny: every file is 0-256 bytes (used by the memory mode with 200,000 files).
// --small-projects N: N more project folders holding one small file each (the many-projects
// scenario: a NAS with thousands of small projects next to a few big ones); not counted in --files.
// --mutate applies the deterministic "one day of changes" to an existing tree (see mutateTree).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------- PRNG (sfc32 seeded through splitmix32 of a string) ----------
export function makeRng(seedStr) {
  let h = 1779033703 ^ seedStr.length;
  for (let i = 0; i < seedStr.length; i++) {
    h = Math.imul(h ^ seedStr.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const next32 = () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
  let a = next32(), b = next32(), c = next32(), d = next32();
  const u32 = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  const rng = {
    u32,
    float: () => u32() / 4294967296,
    int: (lo, hi) => lo + Math.floor((u32() / 4294967296) * (hi - lo + 1)), // inclusive
    pick: (arr) => arr[Math.floor((u32() / 4294967296) * arr.length)],
    bytes: (n) => {
      const words = new Uint32Array(Math.ceil(n / 4));
      for (let i = 0; i < words.length; i++) words[i] = u32();
      return Buffer.from(words.buffer, 0, n);
    },
  };
  return rng;
}

const BASE_MTIME = 1_700_000_000; // 2023-11-14, whole seconds keep every tool's compare exact
const PROJECT_NAMES = [
  'Hochzeit Müller 2023', 'client-acme', '-dash project', '#hashtag shoot', 'Café Ünïcødé',
  'plain_project', 'Projekt Ørsted', 'semi;colon', 'tab and  two spaces', 'ÄÖÜ straße',
  'photos 2024', 'архив', '写真', 'x-ray', '#2 second', 'zeta',
];
const SUBDIR_NAMES = ['RAW', 'Exports', 'edits v2', 'Selects', 'jpg', 'Day 1', 'Day 2', 'ç-sub', '#tmp', '-neg', 'misc'];
const STEMS = ['IMG', 'DSC', 'shot', 'clip', 'Scan', 'Ünterlage', '-leading', '#pound', 'with space', 'a;b'];

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const key = a.slice(2);
    const nxt = argv[i + 1];
    if (nxt === undefined || nxt.startsWith('--')) out[key] = true;
    else { out[key] = nxt; i++; }
  }
  return out;
}

/** Shares per project: the first (largest) gets ~37%, the rest decay geometrically. */
function projectShares(n) {
  if (n === 1) return [1];
  const rest = [];
  for (let i = 0; i < n - 1; i++) rest.push(Math.pow(0.72, i));
  const s = rest.reduce((x, y) => x + y, 0);
  return [0.37, ...rest.map((r) => (0.63 * r) / s)];
}

function writeFile(p, buf, mode, mtime) {
  fs.writeFileSync(p, buf, { mode });
  fs.chmodSync(p, mode);
  fs.utimesSync(p, mtime, mtime);
}

/**
 * Generate the tree. Returns a summary {files, dirs, bytes, perProject}.
 */
export function generateTree({ out, files = 10000, projects = 12, seed = 42, sizeMb = 300, tiny = false, smallProjects = 0 }) {
  const rng = makeRng(`tree:${seed}`);
  fs.mkdirSync(out, { recursive: true });
  if (fs.readdirSync(out).length) throw new Error(`--out ${out} is not empty`);
  const dirMtimes = []; // [path, mtime] set at the end, deepest first
  const rootFiles = Math.min(4, Math.max(1, Math.floor(files * 0.001) + 2));
  const projFiles = files - rootFiles;
  const shares = projectShares(projects);
  const counts = shares.map((s) => Math.floor(s * projFiles));
  counts[0] += projFiles - counts.reduce((a, b) => a + b, 0);
  // Media budget: ~1% of the files (min 3) get 1-5 MB; everything else is a small sidecar.
  const mediaCount = tiny ? 0 : Math.max(3, Math.round(files * 0.01));
  const smallAvg = tiny ? 128 : 8 * 1024;
  const mediaBudget = Math.max(0, sizeMb * 1024 * 1024 - files * smallAvg);
  const rawMedia = [];
  for (let i = 0; i < mediaCount; i++) rawMedia.push(rng.int(1024, 5 * 1024) * 1024);
  const rawSum = rawMedia.reduce((a, b) => a + b, 0) || 1;
  const scale = Math.min(1, mediaBudget / rawSum);
  const mediaSizes = rawMedia.map((s) => Math.max(64 * 1024, Math.floor(s * scale)));
  // Which global file indexes are media files: spread deterministically.
  const mediaAt = new Map();
  for (let i = 0; i < mediaCount; i++) mediaAt.set(Math.floor(((i + 0.5) * projFiles) / mediaCount), mediaSizes[i]);

  let bytes = 0, nFiles = 0, nDirs = 0;
  const perProject = [];
  let g = 0;
  const projNames = [];
  for (let p = 0; p < projects; p++) {
    const base = PROJECT_NAMES[p % PROJECT_NAMES.length];
    projNames.push(p < PROJECT_NAMES.length ? base : `${base} ${Math.floor(p / PROJECT_NAMES.length)}`);
  }
  for (let p = 0; p < projects; p++) {
    const pdir = path.join(out, projNames[p]);
    fs.mkdirSync(pdir);
    nDirs++;
    dirMtimes.push([pdir, BASE_MTIME + rng.int(0, 86400 * 300)]);
    // Directories: about one per 40 files, nested up to 4 levels.
    const nSub = Math.max(1, Math.round(counts[p] / 40));
    const dirs = [pdir];
    for (let d = 0; d < nSub; d++) {
      const parent = rng.float() < 0.6 ? rng.pick(dirs) : pdir;
      if (parent.split(path.sep).length - pdir.split(path.sep).length >= 4) continue;
      const name = `${rng.pick(SUBDIR_NAMES)} ${d}`;
      const dp = path.join(parent, name);
      fs.mkdirSync(dp);
      nDirs++;
      dirs.push(dp);
      dirMtimes.push([dp, BASE_MTIME + rng.int(0, 86400 * 300)]);
    }
    let pfiles = 0, pbytes = 0;
    for (let f = 0; f < counts[p]; f++, g++) {
      const dir = rng.float() < 0.1 ? pdir : rng.pick(dirs);
      const stem = `${rng.pick(STEMS)}_${String(f).padStart(5, '0')}`;
      let ext, size;
      const media = mediaAt.get(g);
      if (media !== undefined) {
        ext = rng.pick(['.CR3', '.mp4', '.tif', '.NEF']);
        size = media;
      } else if (tiny) {
        ext = rng.pick(['.xmp', '.json', '.txt']);
        size = rng.int(0, 256);
      } else {
        ext = rng.pick(['.xmp', '.xmp', '.json', '.txt', '.jpg']);
        size = ext === '.jpg' ? rng.int(8 * 1024, 24 * 1024) : rng.int(512, 12 * 1024);
      }
      const fp = path.join(dir, stem + ext);
      const mode = rng.float() < 0.05 ? 0o600 : 0o644;
      writeFile(fp, rng.bytes(size), mode, BASE_MTIME + rng.int(0, 86400 * 300));
      bytes += size; pfiles++; pbytes += size; nFiles++;
    }
    perProject.push({ name: projNames[p], files: pfiles, bytes: pbytes });
  }
  // Small projects: own PRNG stream, so the big projects are the same with or without them.
  const srng = makeRng(`small:${seed}`);
  const smallPrefixes = ['job', 'Kunde ', '-order ', '#ticket', 'Fall*', 'case?'];
  for (let i = 0; i < smallProjects; i++) {
    const name = `${smallPrefixes[i % smallPrefixes.length]}${String(i).padStart(5, '0')}`;
    const pdir = path.join(out, name);
    fs.mkdirSync(pdir);
    nDirs++;
    const size = srng.int(200, 4096);
    writeFile(path.join(pdir, `notes ${i}.txt`), srng.bytes(size), 0o644, BASE_MTIME + srng.int(0, 86400 * 300));
    dirMtimes.push([pdir, BASE_MTIME + srng.int(0, 86400 * 300)]);
    bytes += size; nFiles++;
    perProject.push({ name, files: 1, bytes: size });
  }
  const rootNames = ['README.txt', '#index.json', '-catalog.db', 'Übersicht.txt'];
  for (let i = 0; i < rootFiles; i++) {
    const size = rng.int(100, 4096);
    writeFile(path.join(out, rootNames[i % rootNames.length]), rng.bytes(size), 0o644, BASE_MTIME + rng.int(0, 86400));
    bytes += size; nFiles++;
  }
  dirMtimes.sort((a, b) => b[0].length - a[0].length);
  for (const [d, m] of dirMtimes) fs.utimesSync(d, m, m);
  fs.utimesSync(out, BASE_MTIME, BASE_MTIME);
  return { files: nFiles, dirs: nDirs, bytes, perProject };
}

function listFiles(root) {
  const outFiles = [], outDirs = [];
  const walk = (rel) => {
    const ents = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    for (const e of ents) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) { outDirs.push(r); walk(r); } else outFiles.push(r);
    }
  };
  walk('');
  const cmp = (a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return { files: outFiles.sort(cmp), dirs: outDirs.sort(cmp) };
}

/**
 * One deterministic "day of changes" on an existing generated tree, applied in place.
 * Of percent% of the file count: 60% modified (new content, new size, new mtime), 20% added
 * (half of them in a new subdirectory), 20% deleted (including one whole leaf directory when it
 * is small enough). Project folders themselves are never added or removed.
 * Returns {modified, added, deleted, deletedDirs, addedDirs}.
 */
export function mutateTree(root, { seed = 42, percent = 1 } = {}) {
  const rng = makeRng(`mutate:${seed}`);
  const { files, dirs } = listFiles(root);
  const total = Math.max(1, Math.round((files.length * percent) / 100));
  const nMod = Math.max(1, Math.round(total * 0.6));
  const nAdd = Math.max(1, Math.round(total * 0.2));
  let nDel = Math.max(1, total - nMod - nAdd);
  const dayMtime = BASE_MTIME + 86400 * 400;
  const taken = new Set();
  const pickFile = () => {
    for (;;) {
      const f = files[Math.floor(rng.float() * files.length)];
      if (!taken.has(f) && f.includes('/')) { taken.add(f); return f; }
    }
  };
  const res = { modified: 0, added: 0, deleted: 0, deletedDirs: 0, addedDirs: 0 };
  // 1. Delete one small leaf directory (nested at least 2 deep), counts toward deletions.
  const leaf = dirs.filter((d) => d.split('/').length >= 2 && !dirs.some((o) => o.startsWith(d + '/')));
  for (let tries = 0; tries < 20 && leaf.length; tries++) {
    const d = leaf[Math.floor(rng.float() * leaf.length)];
    const inside = files.filter((f) => f.startsWith(d + '/'));
    if (inside.length > 0 && inside.length <= Math.max(nDel, 8)) {
      fs.rmSync(path.join(root, d), { recursive: true });
      inside.forEach((f) => taken.add(f));
      res.deleted += inside.length; res.deletedDirs++; nDel = Math.max(0, nDel - inside.length);
      break;
    }
  }
  for (let i = 0; i < nDel; i++) { fs.rmSync(path.join(root, pickFile())); res.deleted++; }
  for (let i = 0; i < nMod; i++) {
    const f = path.join(root, pickFile());
    const size = rng.int(256, 16 * 1024);
    writeFile(f, rng.bytes(size), 0o644, dayMtime + i);
    res.modified++;
  }
  // Additions: half in existing dirs, half in a new subdirectory of the largest project.
  const projects = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const largest = projects.map((p) => [p, files.filter((f) => f.startsWith(p + '/')).length]).sort((a, b) => b[1] - a[1])[0][0];
  const newDir = path.join(root, largest, `New day #${seed} – ü`);
  fs.mkdirSync(newDir, { recursive: true });
  res.addedDirs++;
  const existingDirs = dirs.filter((d) => fs.existsSync(path.join(root, d)));
  for (let i = 0; i < nAdd; i++) {
    const dir = i % 2 === 0 ? newDir : path.join(root, existingDirs[Math.floor(rng.float() * existingDirs.length)]);
    const name = `${rng.pick(STEMS)}_new_${i}${rng.pick(['.xmp', '.json', '.txt'])}`;
    writeFile(path.join(dir, name), rng.bytes(rng.int(256, 8 * 1024)), 0o644, dayMtime + i);
    res.added++;
  }
  return res;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const a = parseArgs(process.argv.slice(2));
  const seed = Number(a.seed ?? 42);
  if (a.mutate) {
    console.log(JSON.stringify(mutateTree(String(a.mutate), { seed, percent: Number(a.percent ?? 1) })));
  } else if (a.out) {
    const t0 = Date.now();
    const s = generateTree({
      out: String(a.out), files: Number(a.files ?? 10000), projects: Number(a.projects ?? 12), seed,
      sizeMb: Number(a['size-mb'] ?? 300), tiny: Boolean(a.tiny), smallProjects: Number(a['small-projects'] ?? 0),
    });
    console.log(JSON.stringify({ ...s, seconds: (Date.now() - t0) / 1000 }, null, 1));
  } else {
    console.error('usage: generate-tree.mjs --out DIR [--files N] [--projects N] [--small-projects N] [--seed S] [--size-mb MB] [--tiny] | --mutate DIR [--seed S] [--percent P]');
    process.exit(2);
  }
}
