import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Resolves once rsync has started writing `name` (its temporary `name.XXXXXX` file exists in the
 * run's own temp folder, `<dest>/.dailysync/tmp/<run>/<task>/`), then runs `act`. Tied to rsync's
 * progress, not to a timer racing its start-up on a busy machine; a bandwidth limit keeps the
 * copy going for seconds after that point. Only runs without --delete use that folder.
 */
export function whenCopyStarts(dest: string, name: string, act: () => Promise<void>): Promise<void> {
  const tempRoot = path.join(dest, '.dailysync', 'tmp');
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 120_000;
    const poll = async (): Promise<void> => {
      // <tempRoot>/<run>/<task>/: one folder per run, one per task in it.
      const runs = await fs.readdir(tempRoot).catch(() => [] as string[]);
      for (const run of runs) {
        for (const task of await fs.readdir(path.join(tempRoot, run)).catch(() => [] as string[])) {
          const entries = await fs.readdir(path.join(tempRoot, run, task)).catch(() => [] as string[]);
          if (entries.some((e) => e.startsWith(`${name}.`) || e.startsWith(`.${name}.`))) return act().then(resolve, reject);
        }
      }
      if (Date.now() > deadline) return reject(new Error(`rsync never started writing ${name} under ${tempRoot}`));
      setTimeout(() => void poll(), 10);
    };
    void poll();
  });
}
