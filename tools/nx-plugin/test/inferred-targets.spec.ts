import fs from 'node:fs/promises';
import path from 'node:path';
import { readNxJson, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { makeTempDir, projectTree, writeTree } from '../../../libs/sync/test/helpers/tree.js';
import initGenerator from '../src/generators/init/generator.js';
import { createNodes } from '../src/plugin.js';
import { scratchWorkspace } from './scratch-workspace.js';

const PLUGIN = '@dailysync/nx-plugin';

describe('createNodes', () => {
  test('a project folder with dailysync.config.json gets the four targets, named by the plugin options; a bare folder gets none', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-create-nodes-');
    try {
      await writeTree(dir, { 'apps/site/project.json': '{}', 'apps/site/dailysync.config.json': '{}', 'loose/dailysync.config.json': '{}' });
      const [glob, create] = createNodes;
      expect(glob).toBe('**/dailysync.config.json');
      const context = { workspaceRoot: dir, nxJsonConfiguration: {} } as Parameters<typeof create>[2];
      const results = await create(['apps/site/dailysync.config.json', 'loose/dailysync.config.json'], { syncTargetName: 'backup' }, context);
      const site = results[0]?.[1].projects?.['apps/site'];
      expect(Object.keys(site?.targets ?? {}).sort()).toEqual(['backup', 'diagnose', 'plan', 'verify']);
      expect(site?.targets?.['backup']).toMatchObject({ executor: `${PLUGIN}:sync`, cache: false, options: { config: '{projectRoot}/dailysync.config.json' } });
      expect(site?.targets?.['diagnose']?.executor).toBe(`${PLUGIN}:diagnose`);
      expect(results[1]?.[1]).toEqual({});
    } finally {
      await cleanup();
    }
  });
});

describe('init generator', () => {
  test('registers the plugin once, with the chosen target names, and touches nothing else', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.env', 'OTHER=1\n');
    const contents = () => new Map(tree.listChanges().map((c) => [c.path, c.content?.toString('utf8')]));
    const before = contents();
    await initGenerator(tree, { syncTargetName: 'backup' });
    await initGenerator(tree, {});
    const plugins = readNxJson(tree)?.plugins ?? [];
    expect(plugins.filter((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN)).toEqual([
      { plugin: PLUGIN, options: { syncTargetName: 'backup', planTargetName: 'plan', verifyTargetName: 'verify', diagnoseTargetName: 'diagnose' } },
    ]);
    expect(tree.read('.env', 'utf-8')).toBe('OTHER=1\n');
    const after = contents();
    expect([...after.keys()].filter((file) => after.get(file) !== before.get(file))).toEqual(['nx.json']);
  });

  test('keeps a registration the user already has', async () => {
    const tree = createTreeWithEmptyWorkspace();
    updateNxJson(tree, { ...readNxJson(tree), plugins: [PLUGIN] });
    await initGenerator(tree, { syncTargetName: 'other' });
    expect(readNxJson(tree)?.plugins).toEqual([PLUGIN]);
  });

  test.each([
    [{ planTargetName: 'a b' }, /--planTargetName "a b" is not a target name/],
    [{ syncTargetName: 'plan' }, /target name "plan" is given twice/],
  ])('rejects %j with one line and writes nothing', async (options, message) => {
    const tree = createTreeWithEmptyWorkspace();
    const before = JSON.stringify(readNxJson(tree));
    await expect(initGenerator(tree, options)).rejects.toThrow(message);
    expect(JSON.stringify(readNxJson(tree))).toBe(before);
  });
});

describe('inferred targets through real Nx', () => {
  test('`nx g init`, then `nx show project` lists the inferred targets and `nx run site:plan` plans from the config file', async () => {
    const ws = await scratchWorkspace({
      'apps/site/dailysync.config.json': JSON.stringify({ source: '../../nas/prod', dest: '../../nas/prod_backup', concurrency: 2 }),
      // An explicit target of the same name is merged over the inferred one: its options win.
      'apps/site/project.json': JSON.stringify({ name: 'site', root: 'apps/site', targets: { plan: { options: { json: true } } } }),
      'apps/other/project.json': JSON.stringify({ name: 'other', root: 'apps/other', targets: {} }),
    });
    try {
      await writeTree(path.join(ws.dir, 'nas/prod'), projectTree(['alpha', 'beta'], 2));
      const init = await ws.nx(['g', `${PLUGIN}:init`, '--no-interactive']);
      expect(`${init.stdout}${init.stderr}`).toContain('UPDATE nx.json');
      expect(JSON.parse(await fs.readFile(path.join(ws.dir, 'nx.json'), 'utf8')).plugins).toEqual([
        { plugin: PLUGIN, options: { syncTargetName: 'sync', planTargetName: 'plan', verifyTargetName: 'verify', diagnoseTargetName: 'diagnose' } },
      ]);

      const shown = await ws.nx(['show', 'project', 'site', '--json']);
      expect(shown.exitCode).toBe(0);
      const targets = JSON.parse(String(shown.stdout)).targets as Record<string, { executor?: string; options?: Record<string, unknown> }>;
      for (const kind of ['sync', 'plan', 'verify', 'diagnose']) {
        expect(targets[kind]).toMatchObject({ executor: `${PLUGIN}:${kind}`, options: { config: 'apps/site/dailysync.config.json' } });
      }
      expect(targets['plan']?.options).toMatchObject({ json: true });
      const other = JSON.parse(String((await ws.nx(['show', 'project', 'other', '--json'])).stdout));
      expect(Object.keys(other.targets)).not.toContain('sync');

      const plan = await ws.nx(['run', 'site:plan']);
      expect(plan.exitCode).toBe(0);
      const json = String(plan.stdout);
      const printed = JSON.parse(json.slice(json.indexOf('{'), json.lastIndexOf('}') + 1)) as { source: string; dest: string; tasks: Array<{ id: string; projects?: string[] }> };
      expect(printed.source).toBe(path.join(ws.dir, 'nas/prod'));
      expect(printed.dest).toBe(path.join(ws.dir, 'nas/prod_backup'));
      // Each project has its own task or is named by a batch task (small projects share an rsync).
      expect(printed.tasks.flatMap((t) => t.projects ?? [t.id])).toEqual(expect.arrayContaining(['alpha', 'beta']));
      // plan writes nothing.
      await expect(fs.access(path.join(ws.dir, 'nas/prod_backup'))).rejects.toThrow();
    } finally {
      await ws.cleanup();
    }
    // Three real Nx invocations, each starting its plugin workers (15-20 s on a busy 2-core box).
  }, 420_000);
});
