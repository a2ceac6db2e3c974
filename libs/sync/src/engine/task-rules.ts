import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Discovery } from '../discovery/discover.js';
import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';
import { STATE_DIR_NAME } from '../state/run-state.js';
import type { CrossTaskLinks } from './hard-links.js';

/** Escapes a name (bytes) for an rsync filter rule, as escapeFilterName does for strings. */
function escapeRuleBytes(name: Buffer): Buffer {
  const text = name.toString('latin1');
  return /[*?[]/.test(text) ? Buffer.from(text.replace(/[*?[\\]/g, '\\$&'), 'latin1') : name;
}

function rule(prefix: string, body: Buffer, suffix = ''): Buffer {
  return Buffer.concat([Buffer.from(prefix), body, Buffer.from(`${suffix}\0`)]);
}

/**
 * The root pass's rules. It copies the root's own entries and, with --delete, deletes what the
 * source no longer has at the top, including whole project folders that were removed or renamed
 * (so they go through the same dry-run count and --max-delete as every other deletion). Each
 * project folder found by discovery is excluded by name: it is another task's (or, not selected,
 * nobody's) and stays untouched. A project whose name is not valid UTF-8 is not excluded: the root
 * pass copies it, since its name cannot be passed to rsync in argv. The backup's own state folder
 * and folders matching --exclude patterns are protected the same way.
 */
function rootRules(discovery: Discovery, options: Pick<ResolvedBackupOptions, 'exclude'>, excluded: readonly Buffer[]): Buffer[] {
  const rules = excluded.map((p) => rule('- /', escapeRuleBytes(p)));
  rules.push(rule('- /', Buffer.from(STATE_DIR_NAME), '/'));
  for (const p of discovery.projects) {
    if (p.rawName !== undefined && p.selected) continue;
    rules.push(rule('- /', escapeRuleBytes(p.rawName ?? Buffer.from(p.name)), '/'));
  }
  // Project patterns use only * and ? as wildcards; [ is literal for them.
  for (const pattern of options.exclude) rules.push(rule('- /', Buffer.from(pattern.replace(/[[\\]/g, '\\$&')), '/'));
  return rules;
}

/** `./`-prefixed paths for --files-from, each folder above a path listed first so its times are set after the links. */
function linkList(paths: readonly Buffer[]): Buffer {
  const seen = new Set<string>();
  const lines: Buffer[] = [];
  for (const p of paths) {
    for (let i = p.indexOf(0x2f); i >= 0; i = p.indexOf(0x2f, i + 1)) {
      const dir = p.subarray(0, i);
      const key = dir.toString('latin1');
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(rule('./', dir));
    }
    lines.push(rule('./', p));
  }
  return Buffer.concat(lines);
}

export interface TaskRules {
  /** The planned tasks with their rule and list files set, plus the link pass when there is one. */
  tasks: SyncTask[];
  /** Removes the files (they live in a private temporary folder of this run). */
  remove: () => Promise<void>;
}

/**
 * Writes the byte-exact filter files of the tasks that need one (the root pass; tasks that leave
 * hard-linked files to the link pass) and the link pass's list, and returns the tasks with them.
 */
export async function writeTaskRules(
  tasks: readonly SyncTask[],
  discovery: Discovery,
  options: Pick<ResolvedBackupOptions, 'exclude'>,
  links: CrossTaskLinks | undefined,
  linkPass: SyncTask | undefined,
): Promise<TaskRules> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dailysync-rules-'));
  const out: SyncTask[] = [];
  let n = 0;
  for (const task of tasks) {
    const excluded = links?.excludedByTask.get(task.id) ?? [];
    const rules = task.kind === 'root' ? rootRules(discovery, options, excluded) : excluded.map((p) => rule('- /', escapeRuleBytes(p)));
    if (rules.length === 0) {
      out.push(task);
      continue;
    }
    const filterFile = path.join(dir, `rules-${n++}`);
    await fs.writeFile(filterFile, Buffer.concat(rules));
    out.push({ ...task, filterFile });
  }
  if (links && linkPass && links.paths.length > 0) {
    const filesFrom = path.join(dir, 'links');
    await fs.writeFile(filesFrom, linkList(links.paths));
    out.push({ ...linkPass, filesFrom });
  }
  return { tasks: out, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}
