import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Metadata operations (readdir + lstat) over a time budget, by one or several concurrent walkers. */
export interface WalkResult {
  walkers: number;
  /** readdir and lstat calls completed. */
  ops: number;
  seconds: number;
  opsPerSec: number;
  /** Mean wall time of one operation as a walker saw it, ms. */
  meanOpMs: number;
  /** True when the whole tree was walked before the budget ran out (then walked again, from the cache). */
  complete: boolean;
}

export interface FileSeen {
  path: string;
  size: number;
}

/**
 * A shared frontier of directories: a single walk takes the first part of the tree and the concurrent
 * walk continues with directories nobody has read yet, so page-cache hits do not flatter the second.
 */
export class Frontier {
  private readonly dirs: string[];
  /** Largest regular files seen, for the read test. */
  readonly largest: FileSeen[] = [];
  /** Times the whole tree was walked (later passes are served from the cache). */
  passes = 0;

  constructor(
    private readonly root: string,
    private readonly keepLargest = 16,
  ) {
    this.dirs = [root];
  }

  /** Starts another pass over the whole tree: a small tree keeps the walkers busy for the budget. */
  restart(): void {
    this.passes++;
    this.dirs.push(this.root);
  }

  take(): string | undefined {
    return this.dirs.pop();
  }

  push(dir: string): void {
    this.dirs.push(dir);
  }

  noteFile(path: string, size: number): void {
    if (this.largest.length >= this.keepLargest && size <= (this.largest[this.largest.length - 1]?.size ?? 0)) return;
    if (this.largest.some((f) => f.path === path)) return;
    this.largest.push({ path, size });
    this.largest.sort((a, b) => b.size - a.size);
    if (this.largest.length > this.keepLargest) this.largest.pop();
  }
}

/** Walks with `walkers` concurrent workers for `budgetMs`, starting over when the tree is done. */
export async function walkFor(frontier: Frontier, walkers: number, budgetMs: number): Promise<WalkResult> {
  const start = performance.now();
  const deadline = start + budgetMs;
  let ops = 0;
  let opMs = 0;
  let active = 0;
  const timed = async <T>(op: () => Promise<T>): Promise<T | undefined> => {
    const t0 = performance.now();
    try {
      return await op();
    } catch {
      return undefined; // unreadable or vanished entries still cost an operation
    } finally {
      ops++;
      opMs += performance.now() - t0;
    }
  };
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const dir = frontier.take();
      if (dir === undefined) {
        // Another walker may still add subdirectories: wait briefly while anyone is busy.
        if (active === 0) frontier.restart();
        else await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      active++;
      try {
        const names = await timed(() => readdir(dir));
        for (const name of names ?? []) {
          if (performance.now() >= deadline) break;
          const p = join(dir, name);
          const st = await timed(() => lstat(p));
          if (st?.isDirectory()) frontier.push(p);
          else if (st?.isFile()) frontier.noteFile(p, st.size);
        }
      } finally {
        active--;
      }
    }
  };
  await Promise.all(Array.from({ length: walkers }, () => worker()));
  const seconds = (performance.now() - start) / 1000;
  return { walkers, ops, seconds, opsPerSec: seconds > 0 ? ops / seconds : 0, meanOpMs: ops > 0 ? opMs / ops : 0, complete: frontier.passes > 0 };
}
