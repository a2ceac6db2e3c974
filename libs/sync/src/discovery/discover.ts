import fs from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { matchesAny } from './match.js';

export interface DiscoveredProject {
  /** Folder name exactly as on disk (may contain spaces, newlines, leading dashes). */
  name: string;
  selected: boolean;
  /** Why a project is not selected, for the report. */
  skipReason?: string;
  /**
   * The name's bytes when they are not valid UTF-8 (`name` then holds U+FFFD and names no folder).
   * Such a project cannot be an argument to rsync; the root pass copies it.
   */
  rawName?: Buffer;
}

/** A project's folder name as the bytes on disk: rules, listings and comparisons of names as bytes use it. */
export function projectNameBytes(project: Pick<DiscoveredProject, 'name' | 'rawName'>): Buffer {
  return project.rawName ?? Buffer.from(project.name);
}

export interface Discovery {
  projects: DiscoveredProject[];
  /** Names of entries directly in the source root that are not directories (files, symlinks, ...). */
  rootEntries: string[];
  /** Whether the root entries are backed up in this run (not when --include narrows the run to projects). */
  rootSelected: boolean;
}

/**
 * Every direct subfolder of the source is a project. Symlinks are not followed (a link to a folder
 * is backed up as a link with the root entries), so a link cannot pull in data from outside.
 */
export async function discoverProjects(source: string, include: readonly string[], exclude: readonly string[]): Promise<Discovery> {
  // Read as bytes: a name that is not valid UTF-8 would otherwise come back with U+FFFD in it.
  const entries = await fs.readdir(source, { withFileTypes: true, encoding: 'buffer' });
  return discoveryFromEntries(
    entries.map((e) => {
      const bytes = e.name as unknown as Buffer;
      const name = bytes.toString('utf8');
      return { name, isDirectory: () => e.isDirectory(), ...(Buffer.from(name).equals(bytes) ? {} : { rawName: bytes }) };
    }),
    include,
    exclude,
  );
}

/** Classifies the direct entries of a source root (read locally or listed on a remote host). */
export function discoveryFromEntries(
  listed: ReadonlyArray<{ name: string; isDirectory(): boolean; rawName?: Buffer }>,
  include: readonly string[],
  exclude: readonly string[],
): Discovery {
  const entries = [...listed];
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const projects: DiscoveredProject[] = [];
  const rootEntries: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) {
      rootEntries.push(entry.name);
      continue;
    }
    const raw = entry.rawName === undefined ? {} : { rawName: entry.rawName };
    if (include.length > 0 && !matchesAny(entry.name, include)) {
      projects.push({ name: entry.name, selected: false, skipReason: 'not matched by --include', ...raw });
    } else if (matchesAny(entry.name, exclude)) {
      projects.push({ name: entry.name, selected: false, skipReason: 'matched by --exclude', ...raw });
    } else {
      projects.push({ name: entry.name, selected: true, ...raw });
    }
  }
  // An --include that selects nothing is a typo or a wrong source, not an empty night: refuse
  // before anything (the backup's own state folder included) is written.
  if (include.length > 0 && !projects.some((p) => p.selected)) {
    const names = projects.slice(0, 5).map((p) => p.name);
    const seen = names.length === 0 ? 'the source has no project folders' : `projects are e.g. ${names.map((n) => JSON.stringify(n)).join(', ')}`;
    throw new ConfigError(`--include ${include.map((p) => JSON.stringify(p)).join(' ')} matches no selected project (${seen}): fix the name or pattern, or leave --include out`);
  }
  return { projects, rootEntries, rootSelected: include.length === 0 };
}
