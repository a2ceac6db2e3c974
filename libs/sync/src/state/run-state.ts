import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SafetyError } from '../errors.js';
import { stateRootOf, type ResolvedBackupOptions } from '../options.js';

/**
 * Small JSON file kept in the backup root (`<dest>/.dailysync/state.json`) that remembers facts
 * about earlier runs. Each concern owns one top-level section (e.g. `safety`, `throughput`);
 * sections and fields this version does not know are kept as they are, so tools of different
 * versions can share the file. Writes go through a temporary file and a rename: a crash leaves
 * either the old or the new state, never half of one.
 */
export const STATE_DIR_NAME = '.dailysync';
export const STATE_FILE_NAME = 'state.json';
export const RUN_STATE_VERSION = 1;

export interface RunState {
  version: number;
  [section: string]: unknown;
}

export function stateDir(dest: string): string {
  return path.join(dest, STATE_DIR_NAME);
}

export function stateFile(dest: string): string {
  return path.join(stateDir(dest), STATE_FILE_NAME);
}

function emptyState(): RunState {
  return { version: RUN_STATE_VERSION };
}

function unusableState(file: string, problem: string): SafetyError {
  return new SafetyError(
    `${file} ${problem}: the --delete guards (--max-shrink, source mount) read it, so the run stops rather than guess; move it aside (mv '${file}' '${file}.broken') and rerun, the next good run records a fresh one`,
  );
}

/**
 * Reads the state of `dest`; a missing file gives an empty state (first run). A file that exists
 * but cannot be read or parsed throws SafetyError: treating it as empty would silently switch off
 * the shrink and mount guards, which compare against the last good run recorded in it.
 */
export async function readRunState(dest: string): Promise<RunState> {
  const file = stateFile(dest);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return emptyState();
    if (code === 'EISDIR') throw unusableState(file, 'is a directory, not the state file');
    throw unusableState(file, `cannot be read (${code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unusableState(file, 'is not valid JSON (truncated or corrupt)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw unusableState(file, 'does not hold a JSON object');
  const state = parsed as Record<string, unknown>;
  return { ...state, version: typeof state['version'] === 'number' ? state['version'] : RUN_STATE_VERSION };
}

/**
 * The state of a run's backup root, read once for the plan (its history) and the guards (the last
 * good run): an empty state where nothing can be recorded (a remote root) or nothing was yet (a root
 * that does not exist). Rejects as readRunState does.
 */
export function readBackupState(options: Pick<ResolvedBackupOptions, 'dest' | 'destLocation' | 'stateRoot'>, destExists: boolean): Promise<RunState> {
  return options.destLocation.kind === 'local' && destExists ? readRunState(stateRootOf(options)) : Promise.resolve(emptyState());
}

/** One section of the state, or undefined when absent or not an object. */
export function getSection<T extends object>(state: RunState, name: string): Partial<T> | undefined {
  const value = state[name];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Partial<T>) : undefined;
}

/** Writes the whole state atomically (temporary sibling, fsync, rename). */
export async function writeRunState(dest: string, state: RunState): Promise<void> {
  const file = stateFile(dest);
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Unique per writer: shards of one run (own locks, maybe one process) can write at the same millisecond.
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (error) {
    // A full disk must not leave a half-written temporary file next to the state.
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/** Sections to replace, worked out from the state as the update reads it. */
export type StateChange = (state: RunState) => Record<string, object>;

/**
 * Replaces sections, keeping every other section and unknown field: one read, one merge, one
 * atomic write (none when `change` gives no section). A run records everything it keeps at its
 * end in one such update: its state file holds a record per task (2,000 projects: half a
 * megabyte), and each extra read and write of it cost the end of the run. Callers hold the run
 * lock, so two runs do not interleave their updates.
 */
export async function updateRunState(dest: string, change: StateChange): Promise<RunState | undefined> {
  const state = await readRunState(dest);
  const sections = Object.entries(change(state));
  if (sections.length === 0) return undefined;
  const next: RunState = { ...state, version: Math.max(state.version, RUN_STATE_VERSION) };
  for (const [name, section] of sections) next[name] = { ...(getSection<Record<string, unknown>>(state, name) ?? {}), ...section };
  await writeRunState(dest, next);
  return next;
}

/** Replaces one section (see updateRunState). */
export async function updateRunStateSection<T extends object>(dest: string, name: string, section: T): Promise<RunState> {
  return (await updateRunState(dest, () => ({ [name]: section }))) as RunState;
}
