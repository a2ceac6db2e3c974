import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectNameBytes, type Discovery } from '../discovery/discover.js';
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
 * project folder found by discovery is left out: it is another task's (or, not selected,
 * nobody's) and stays untouched. A project whose name is not valid UTF-8 is not left out: the root
 * pass copies it, since its name cannot be passed to rsync in argv. The backup's own state folder
 * and folders matching --exclude patterns are protected the same way.
 *
 * `backupFolders` (the backup root's own folders, when it could be listed): the same choice in
 * rules that grow with the folders to delete, not with the projects. Each backup folder that is no
 * project is let in by name (so --delete removes it, or the source's entry of that name replaces
 * it), then one rule leaves out every other folder. rsync tries each top-level name of both sides
 * against every rule in turn: with one rule per project the root pass of 2,000 projects took
 * 70-80 ms on tmpfs (2,000 rules for 4,000 names), with these rules 50 ms, which is rsync's start
 * and exit alone. Without the listing (a remote backup root), one rule per project.
 */
function rootRules(discovery: Discovery, options: Pick<ResolvedBackupOptions, 'exclude'>, excluded: readonly Buffer[], backupFolders: readonly Buffer[] | undefined): Buffer[] {
  const rules = excluded.map((p) => rule('- /', escapeRuleBytes(p)));
  rules.push(rule('- /', Buffer.from(STATE_DIR_NAME), '/'));
  // Project patterns use only * and ? as wildcards; [ is literal for them. Before any rule that lets a folder in.
  for (const pattern of options.exclude) rules.push(rule('- /', Buffer.from(pattern.replace(/[[\\]/g, '\\$&')), '/'));
  const copiedByRootPass = (p: Discovery['projects'][number]): boolean => p.rawName !== undefined && p.selected;
  if (backupFolders === undefined) {
    for (const p of discovery.projects) if (!copiedByRootPass(p)) rules.push(rule('- /', escapeRuleBytes(projectNameBytes(p)), '/'));
    return rules;
  }
  // A discovered project is another task's or nobody's (but one the root pass copies, let in first).
  // A backup folder matching an --exclude pattern is let in too, and stays protected by that
  // pattern's rule above, which rsync matches as it did before.
  const projects = new Set(discovery.projects.map((p) => projectNameBytes(p).toString('latin1')));
  for (const p of discovery.projects) if (copiedByRootPass(p)) rules.push(rule('+ /', escapeRuleBytes(p.rawName as Buffer), '/'));
  for (const name of backupFolders) {
    if (!projects.has(name.toString('latin1')) && name.toString('latin1') !== STATE_DIR_NAME) rules.push(rule('+ /', escapeRuleBytes(name), '/'));
  }
  rules.push(Buffer.from('- /*/\0'));
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
  /** The backup root's own folders (listBackupTop); undefined: not known. */
  backupFolders?: readonly Buffer[],
): Promise<TaskRules> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dailysync-rules-'));
  const out: SyncTask[] = [];
  let n = 0;
  for (const task of tasks) {
    const excluded = links?.excludedByTask.get(task.id) ?? [];
    const rules = task.kind === 'root' ? rootRules(discovery, options, excluded, backupFolders) : excluded.map((p) => rule('- /', escapeRuleBytes(p)));
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
