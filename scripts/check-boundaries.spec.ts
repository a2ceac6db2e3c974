import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBoundaries, importSpecifiers, readWorkspace, type ProjectFacts } from './check-boundaries.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function project(name: string, tag: string, declared: string[] = [], imports: Record<string, string[]> = {}): ProjectFacts {
  return { name, root: `x/${name}`, tags: [tag], packageName: `@d/${name}`, declared, imports };
}

describe('module boundaries', () => {
  const lib = project('lib', 'type:lib');
  const app = project('app', 'type:app');
  const plugin = project('plugin', 'type:plugin');

  test('plugin -> lib and app -> lib pass', () => {
    expect(checkBoundaries([lib, app, plugin], [{ source: 'app', target: 'lib' }, { source: 'plugin', target: 'lib' }])).toEqual([]);
  });

  test('a library or the plugin depending on the app fails, naming the edge', () => {
    const problems = checkBoundaries([lib, app, plugin], [{ source: 'plugin', target: 'app' }, { source: 'lib', target: 'app' }, { source: 'lib', target: 'plugin' }]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^plugin \(type:plugin\) depends on app \(type:app\)/);
  });

  test('an import of an undeclared workspace package or a relative import into another project fails', () => {
    const user = project('user', 'type:lib', [], { 'x/user/src/a.ts': ['@d/lib', '../../lib/src/b.js', './own.js', 'execa'] });
    const problems = checkBoundaries([lib, user], []);
    expect(problems).toEqual([
      'x/user/src/a.ts imports @d/lib, which x/user/package.json does not declare: add "@d/lib" to its dependencies',
      'x/user/src/a.ts imports ../../lib/src/b.js, outside x/user: import the other project by its package name and declare it',
    ]);
  });

  test('reads static, re-export, side-effect and dynamic imports', () => {
    const source = "import { a } from '@d/a';\nimport type { B } from \"./b.js\";\nexport * from './c.js';\nimport './d.js';\nconst e = await import('@d/e');\n";
    expect(importSpecifiers(source)).toEqual(['@d/a', './b.js', './c.js', './d.js', '@d/e']);
  });

  test('this workspace: the real nx graph has plugin -> libs and app -> libs edges only, all declared', () => {
    const { projects, edges } = readWorkspace(ROOT);
    expect(checkBoundaries(projects, edges)).toEqual([]);
    const tagOf = new Map(projects.map((p) => [p.name, p.tags.find((t) => t.startsWith('type:'))]));
    const kinds = new Set(edges.map((e) => `${tagOf.get(e.source)} -> ${tagOf.get(e.target)}`));
    expect([...kinds].sort()).toEqual(['type:app -> type:lib', 'type:lib -> type:lib', 'type:plugin -> type:lib']);
  });
});
