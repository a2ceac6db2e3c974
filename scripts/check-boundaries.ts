// Module boundaries (`npm run lint`): the workspace's stand-in for @nx/enforce-module-boundaries,
// which exists only for nx 23 and pins nx exactly (installing it would add a second nx next to 24).
// Reads the real project graph (`nx graph --file`) and each project's source imports, and fails when
//   - a project depends on one its tag may not use (only type:lib may be depended on; libs use libs,
//     the app and the plugin use libs), or
//   - a source file imports a workspace package its package.json does not declare (an edge the
//     graph, `nx affected` and the published package would miss), or reaches into another
//     project's folder with a relative import.
// Spec files and test helpers may import across projects (they are not shipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Tag -> tags of the projects it may depend on. */
export const ALLOWED: Record<string, readonly string[]> = {
  'type:lib': ['type:lib'],
  'type:app': ['type:lib'],
  'type:plugin': ['type:lib'],
};

export interface ProjectFacts {
  name: string;
  /** Folder relative to the workspace root. */
  root: string;
  tags: string[];
  /** npm package name and the workspace packages its package.json declares (dependencies + peers). */
  packageName: string;
  declared: string[];
  /** Import specifiers of each shipped source file (spec files excluded), by file path from the root. */
  imports: Record<string, string[]>;
}

export interface Edge {
  source: string;
  target: string;
}

/** Every violation as one line naming the file or edge and the fix; empty when all is well. */
export function checkBoundaries(projects: ProjectFacts[], edges: Edge[]): string[] {
  const problems: string[] = [];
  const byName = new Map(projects.map((p) => [p.name, p]));
  const byPackage = new Map(projects.map((p) => [p.packageName, p]));
  for (const project of projects) {
    if (!project.tags.some((t) => t in ALLOWED)) problems.push(`project ${project.name} has no type tag: add one of ${Object.keys(ALLOWED).join(', ')} to nx.tags in ${project.root}/package.json`);
  }
  for (const { source, target } of edges) {
    const from = byName.get(source);
    const to = byName.get(target);
    if (!from || !to) continue;
    const allowed = from.tags.flatMap((t) => ALLOWED[t] ?? []);
    if (!to.tags.some((t) => allowed.includes(t))) {
      problems.push(`${source} (${from.tags.join(',')}) depends on ${target} (${to.tags.join(',')}): only ${allowed.join(', ') || 'nothing'} may be used from there; move the shared code into a library`);
    }
  }
  for (const project of projects) {
    for (const [file, specifiers] of Object.entries(project.imports)) {
      for (const spec of specifiers) {
        const packageName = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        const target = byPackage.get(packageName);
        if (target && target !== project && !project.declared.includes(packageName)) {
          problems.push(`${file} imports ${packageName}, which ${project.root}/package.json does not declare: add "${packageName}" to its dependencies`);
        }
        if (spec.startsWith('.')) {
          const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
          if (!resolved.startsWith(`${project.root}/`)) problems.push(`${file} imports ${spec}, outside ${project.root}: import the other project by its package name and declare it`);
        }
      }
    }
  }
  return problems;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

/** Import specifiers of a TypeScript source (static, re-exports, dynamic with a literal). */
export function importSpecifiers(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]!).filter(Boolean);
}

function shippedSources(root: string, projectRoot: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const src = path.join(root, projectRoot, 'src');
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(root, file).split(path.sep).join('/')] = importSpecifiers(readFileSync(file, 'utf8'));
  }
  return out;
}

/** Reads the project graph with the workspace's nx and each project's package.json and sources. */
export function readWorkspace(root: string): { projects: ProjectFacts[]; edges: Edge[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dailysync-graph-'));
  try {
    const file = path.join(dir, 'graph.json');
    execFileSync(process.execPath, [path.join(root, 'node_modules/nx/dist/bin/nx.js'), 'graph', `--file=${file}`], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    const graph = JSON.parse(readFileSync(file, 'utf8')).graph as {
      nodes: Record<string, { data: { root: string; tags?: string[] } }>;
      dependencies: Record<string, Edge[]>;
    };
    const projects = Object.entries(graph.nodes).map(([name, node]): ProjectFacts => {
      const pkg = JSON.parse(readFileSync(path.join(root, node.data.root, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
      return {
        name,
        root: node.data.root,
        tags: node.data.tags ?? [],
        packageName: pkg.name,
        declared: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})],
        imports: shippedSources(root, node.data.root),
      };
    });
    const edges = Object.values(graph.dependencies).flat().filter((e) => !e.target.startsWith('npm:'));
    return { projects, edges };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const { projects, edges } = readWorkspace(root);
  const problems = checkBoundaries(projects, edges);
  for (const line of problems) process.stderr.write(`${line}\n`);
  if (problems.length > 0) process.exit(1);
  process.stdout.write(`module boundaries ok: ${projects.length} projects, ${edges.length} edges (${edges.map((e) => `${e.source} -> ${e.target}`).join(', ')})\n`);
}
