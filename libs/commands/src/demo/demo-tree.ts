import fs from 'node:fs/promises';
import path from 'node:path';

/** Where the built-in demo lives: a git-ignored folder at the workspace root. */
export function demoPaths(workspaceRoot: string): { root: string; source: string; dest: string } {
  const root = path.join(workspaceRoot, 'demo');
  return { root, source: path.join(root, 'prod'), dest: path.join(root, 'prod_backup') };
}

export interface NasTreeSpec {
  /** Project folder name -> media files (MiB each) and small sidecar files. */
  projects: Array<{ name: string; mediaMiB: number[]; sidecars: number; depth?: number }>;
  /** Files lying directly in the source root. */
  rootFiles: string[];
  seed?: number;
}

/** Projects of very different sizes, odd names included, like a media company's NAS. */
export const DEMO_TREE: NasTreeSpec = {
  projects: [
    { name: 'alpha', mediaMiB: [24, 16, 8], sidecars: 400, depth: 3 },
    { name: 'beta', mediaMiB: [12, 4], sidecars: 150, depth: 2 },
    { name: 'gamma', mediaMiB: [6], sidecars: 60 },
    { name: 'kappa', mediaMiB: [2], sidecars: 300, depth: 2 },
    { name: 'delta shoot 2026', mediaMiB: [3], sidecars: 20 },
    { name: 'épsilon-ñandú', mediaMiB: [1], sidecars: 25 },
    { name: 'zeta', mediaMiB: [], sidecars: 8 },
    { name: 'omega_archive', mediaMiB: [5, 5], sidecars: 40 },
  ],
  rootFiles: ['README.txt', 'index of projects.csv'],
  seed: 20261126,
};

/** Small deterministic PRNG (mulberry32) so the demo tree is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(random: () => number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i + 4 <= size; i += 4) buf.writeUInt32LE((random() * 0x100000000) >>> 0, i);
  for (let i = size - (size % 4); i < size; i++) buf[i] = (random() * 256) | 0;
  return buf;
}

const SIDECAR_EXT = ['.xmp', '.json', '.txt', '.srt'];

/** Writes the tree under `root` (which must not exist yet or be empty). Returns the number of files. */
export async function generateNasTree(root: string, spec: NasTreeSpec): Promise<number> {
  const random = prng(spec.seed ?? 1);
  let files = 0;
  await fs.mkdir(root, { recursive: true });
  for (const name of spec.rootFiles) {
    await fs.writeFile(path.join(root, name), `${name}\nbacked up with the projects\n`);
    files++;
  }
  for (const project of spec.projects) {
    const dir = path.join(root, project.name);
    await fs.mkdir(dir, { recursive: true });
    for (const [i, mib] of project.mediaMiB.entries()) {
      const media = path.join(dir, 'media');
      await fs.mkdir(media, { recursive: true });
      // Media is written in 1 MiB chunks so memory stays small whatever the file size.
      const handle = await fs.open(path.join(media, `clip ${String(i + 1).padStart(3, '0')}.mov`), 'w');
      for (let m = 0; m < mib; m++) await handle.write(randomBytes(random, 1024 * 1024));
      await handle.close();
      files++;
    }
    const depth = project.depth ?? 1;
    for (let i = 0; i < project.sidecars; i++) {
      const parts = [dir];
      for (let d = 1; d < depth; d++) parts.push(`take ${(i + d) % (d + 3)}`);
      const sub = path.join(...parts);
      await fs.mkdir(sub, { recursive: true });
      const ext = SIDECAR_EXT[i % SIDECAR_EXT.length] ?? '.txt';
      const size = 200 + Math.floor(random() * 6000);
      await fs.writeFile(path.join(sub, `frame_${String(i).padStart(5, '0')}${ext}`), randomBytes(random, size));
      files++;
    }
  }
  return files;
}

/** Creates the demo source tree on first use; later runs reuse it so a second backup shows an incremental run. */
export async function ensureDemoTree(workspaceRoot: string): Promise<{ source: string; dest: string; created: boolean }> {
  const { source, dest } = demoPaths(workspaceRoot);
  const marker = path.join(path.dirname(source), '.demo-complete');
  try {
    await fs.access(marker);
    return { source, dest, created: false };
  } catch {
    // Not generated yet, or a previous generation was interrupted: start over.
  }
  await fs.rm(source, { recursive: true, force: true });
  await generateNasTree(source, DEMO_TREE);
  await fs.writeFile(marker, new Date().toISOString());
  return { source, dest, created: true };
}
