// Types for generate-tree.mjs (plain Node ESM so it runs without a TS loader).
export interface Rng {
  u32(): number;
  float(): number;
  int(lo: number, hi: number): number;
  pick<T>(arr: readonly T[]): T;
  bytes(n: number): Buffer;
}
export function makeRng(seedStr: string): Rng;
export interface TreeSummary {
  files: number;
  dirs: number;
  bytes: number;
  perProject: { name: string; files: number; bytes: number }[];
}
export function generateTree(opts: {
  out: string;
  files?: number;
  projects?: number;
  seed?: number;
  sizeMb?: number;
  tiny?: boolean;
  smallProjects?: number;
}): TreeSummary;
export interface MutationSummary {
  modified: number;
  added: number;
  deleted: number;
  deletedDirs: number;
  addedDirs: number;
}
export function mutateTree(root: string, opts?: { seed?: number; percent?: number }): MutationSummary;
