import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readProjectConfiguration, updateProjectConfiguration, type TargetConfiguration, type Tree } from '@nx/devkit';
import { formatLocation, parseLocation, type Location } from '@dailysync/sync/location';
import type { BackupTargetGeneratorSchema } from './schema.js';

// This module imports only @nx/devkit and the engine's location parser (node:path and the error
// classes, no execa): Nx may first try to load a generator with Node's type stripping and then
// retry with swc, and a half-loaded ESM graph (execa, via the whole @dailysync/sync) makes the
// retry fail. The other checks below mirror the engine's option validation.

/** A bad answer; its message is one line that names the option and the fix. */
export class GeneratorOptionError extends Error {
  override readonly name = 'GeneratorOptionError';
}

/** Every form the engine accepts: an absolute path, [user@]host:/path or rsync://host[:port]/module/path. */
function location(name: 'source' | 'dest', value: unknown): Location {
  let parsed: Location;
  try {
    parsed = parseLocation(name, value);
  } catch (error) {
    throw new GeneratorOptionError((error as Error).message);
  }
  if (parsed.kind !== 'local') return parsed;
  const normalized = path.posix.normalize(parsed.path).replace(/\/+$/, '');
  return { ...parsed, path: normalized === '' ? '/' : normalized };
}

/** Whether two locations can nest: both local, or the same ssh host, or the same daemon module. */
function sameSpace(a: Location, b: Location): boolean {
  if (a.kind === 'local' && b.kind === 'local') return true;
  if (a.kind === 'ssh' && b.kind === 'ssh') return a.host === b.host;
  if (a.kind === 'daemon' && b.kind === 'daemon') return a.host === b.host && a.port === b.port && a.module === b.module;
  return false;
}

function locationPath(l: Location): string {
  return l.kind === 'daemon' ? `/${l.path}` : l.path;
}

function checkConcurrency(value: unknown): void {
  if (value === undefined || value === 'auto') return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 256) {
    throw new GeneratorOptionError(`--concurrency "${String(value)}" is not valid: use a whole number from 1 to 256, or "auto"`);
  }
}

function checkPatterns(name: 'include' | 'exclude', values: string[] | undefined): void {
  for (const pattern of values ?? []) {
    if (pattern.trim() === '' || pattern.includes('/')) throw new GeneratorOptionError(`--${name} "${pattern}" is not a project name or pattern: use a top-level folder name such as "alpha" or "cam*"`);
  }
}

const PLUGIN = '@dailysync/nx-plugin';
const PLUGIN_ROOT = path.resolve(import.meta.dirname, '../../..');
const TARGET_KINDS = ['sync', 'plan', 'verify', 'diagnose'] as const;
type TargetKind = (typeof TARGET_KINDS)[number];

/** Option names each executor declares in its schema.json, read from this plugin's executors.json. */
function executorOptionNames(executor: TargetKind): Set<string> {
  const executors = JSON.parse(readFileSync(path.join(PLUGIN_ROOT, 'executors.json'), 'utf8')) as { executors: Record<string, { schema: string }> };
  const entry = executors.executors[executor];
  if (!entry) throw new GeneratorOptionError(`target "${executor}": this version of ${PLUGIN} has no "${executor}" executor; leave it out with --targets=${TARGET_KINDS.filter((t) => t !== executor).join(',')}`);
  const schema = JSON.parse(readFileSync(path.join(PLUGIN_ROOT, entry.schema), 'utf8')) as { properties?: Record<string, unknown> };
  return new Set(Object.keys(schema.properties ?? {}));
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Checks the answers; throws one GeneratorOptionError line naming the bad option and the fix. */
export function validateAnswers(tree: Tree, options: BackupTargetGeneratorSchema): { targets: TargetKind[]; prefix: string; source: string; dest: string } {
  if (!options.project) throw new GeneratorOptionError('--project is missing: name the Nx project that gets the backup targets');
  try {
    readProjectConfiguration(tree, options.project);
  } catch {
    throw new GeneratorOptionError(`--project "${options.project}" is not a project of this workspace: see "nx show projects"`);
  }
  const sourceLocation = location('source', options.source);
  const destLocation = location('dest', options.dest);
  const resolved = { source: formatLocation(sourceLocation), dest: formatLocation(destLocation) };
  checkConcurrency(options.concurrency);
  checkPatterns('include', options.include);
  checkPatterns('exclude', options.exclude);
  const nestable = sameSpace(sourceLocation, destLocation);
  const [sourcePath, destPath] = [locationPath(sourceLocation), locationPath(destLocation)];
  if (nestable && isInside(destPath, sourcePath)) throw new GeneratorOptionError(`--dest "${resolved.dest}" is inside --source "${resolved.source}": the backup would copy itself; choose a backup root outside the source`);
  if (nestable && isInside(sourcePath, destPath)) throw new GeneratorOptionError(`--source "${resolved.source}" is inside --dest "${resolved.dest}": choose a backup root that does not contain the source`);
  // diagnose probes local directories only: by default it is left out when a side is remote.
  const remote = sourceLocation.kind !== 'local' || destLocation.kind !== 'local';
  const targets = options.targets ?? TARGET_KINDS.filter((t) => !(remote && t === 'diagnose'));
  if (targets.length === 0) throw new GeneratorOptionError(`--targets is empty: give at least one of ${TARGET_KINDS.join(', ')}`);
  for (const t of targets) if (!TARGET_KINDS.includes(t)) throw new GeneratorOptionError(`--targets "${String(t)}" is not a dailysync target: use ${TARGET_KINDS.join(', ')}`);
  if (remote && targets.includes('diagnose')) throw new GeneratorOptionError('--targets diagnose needs a local source and dest (it probes directories on this machine): leave diagnose out, or run it on the NAS');
  const prefix = options.targetPrefix ?? '';
  if (!/^[A-Za-z0-9_-]*$/.test(prefix)) throw new GeneratorOptionError(`--targetPrefix "${prefix}" may only contain letters, digits, "-" and "_", e.g. "backup-"`);
  return { targets: [...new Set(targets)], prefix, ...resolved };
}

/** The options one target gets: what the answers set, limited to what its executor declares. */
function targetOptions(kind: TargetKind, options: BackupTargetGeneratorSchema, resolvedPaths: { source: string; dest: string }): Record<string, unknown> {
  const reportDir = options.reportDir ?? 'dist/dailysync';
  const wanted: Record<string, unknown> = {
    source: resolvedPaths.source,
    dest: resolvedPaths.dest,
    concurrency: options.concurrency,
    delete: options.delete,
    include: options.include?.length ? options.include : undefined,
    exclude: options.exclude?.length ? options.exclude : undefined,
    report: kind === 'sync' ? `${reportDir}/${options.project}-sync-report.json` : undefined,
    junit: kind === 'sync' ? `${reportDir}/${options.project}-sync-junit.xml` : undefined,
  };
  const declared = executorOptionNames(kind);
  return Object.fromEntries(Object.entries(wanted).filter(([key, value]) => value !== undefined && declared.has(key)));
}

/** `nx g @dailysync/nx-plugin:backup-target`: adds configured sync/plan/verify/diagnose targets to a project. */
export default async function backupTargetGenerator(tree: Tree, options: BackupTargetGeneratorSchema): Promise<void> {
  const { targets, prefix, source, dest } = validateAnswers(tree, options);
  const project = readProjectConfiguration(tree, options.project);
  const existing = project.targets ?? {};
  const added: Record<string, TargetConfiguration> = {};
  for (const kind of targets) {
    const name = `${prefix}${kind}`;
    if (existing[name] && !options.force) {
      throw new GeneratorOptionError(`project "${options.project}" already has a target "${name}": pass --force to replace it, or --targetPrefix=backup- to add backup-${kind}`);
    }
    // Backups act on the outside world: never serve them from the Nx cache.
    added[name] = { executor: `${PLUGIN}:${kind}`, cache: false, options: targetOptions(kind, options, { source, dest }) };
  }
  // writeJson already formats the file; no formatter (prettier/oxfmt) is needed.
  updateProjectConfiguration(tree, options.project, { ...project, targets: { ...existing, ...added } });
}
