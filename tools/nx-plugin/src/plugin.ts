import { existsSync } from 'node:fs';
// Named imports: Nx may load this file through swc as CommonJS, where a default import of node:path is undefined.
import { dirname, join } from 'node:path';
import type { CreateNodes, CreateNodesResult, TargetConfiguration } from '@nx/devkit';

// Inferred targets: a project folder holding a dailysync.config.json gets sync, plan, verify and
// diagnose targets reading that file, with no project.json edits. This module imports only node
// built-ins (and devkit types): Nx loads it for every project graph computation.

/** Plugin options in nx.json (`plugins: [{ plugin: '@dailysync/nx-plugin', options }]`). */
export interface DailysyncPluginOptions {
  syncTargetName?: string;
  planTargetName?: string;
  verifyTargetName?: string;
  diagnoseTargetName?: string;
}

export const CONFIG_FILE = 'dailysync.config.json';
export const INFERRED_TARGETS = ['sync', 'plan', 'verify', 'diagnose'] as const;
type InferredTarget = (typeof INFERRED_TARGETS)[number];

const DESCRIPTIONS: Record<InferredTarget, string> = {
  sync: 'Back up the tree named in dailysync.config.json (dailysync sync)',
  plan: 'Show what a sync would do; writes nothing (dailysync plan)',
  verify: 'Prove the backup holds everything the source holds (dailysync verify)',
  diagnose: 'Probe source and backup and name the likely bottleneck (dailysync diagnose)',
};

function targetNames(options: DailysyncPluginOptions | undefined): Record<InferredTarget, string> {
  return {
    sync: options?.syncTargetName ?? 'sync',
    plan: options?.planTargetName ?? 'plan',
    verify: options?.verifyTargetName ?? 'verify',
    diagnose: options?.diagnoseTargetName ?? 'diagnose',
  };
}

function inferTargets(configFile: string, options: DailysyncPluginOptions | undefined, workspaceRoot: string): CreateNodesResult {
  const projectRoot = dirname(configFile);
  // Like @nx/jest: a config file only adds targets to a folder that already is a project.
  if (!existsSync(join(workspaceRoot, projectRoot, 'project.json')) && !existsSync(join(workspaceRoot, projectRoot, 'package.json'))) return {};
  const names = targetNames(options);
  const targets: Record<string, TargetConfiguration> = {};
  for (const kind of INFERRED_TARGETS) {
    targets[names[kind]] = {
      executor: `@dailysync/nx-plugin:${kind}`,
      // Backups act on the outside world: never serve them from the Nx cache.
      cache: false,
      options: { config: `{projectRoot}/${CONFIG_FILE}` },
      metadata: { description: DESCRIPTIONS[kind], technologies: ['dailysync'] },
    };
  }
  return { projects: { [projectRoot]: { targets } } };
}

/** Nx 24 createNodes (files-array form): one result per dailysync.config.json. */
export const createNodes: CreateNodes<DailysyncPluginOptions> = [
  `**/${CONFIG_FILE}`,
  (configFiles, options, context) => configFiles.map((file) => [file, inferTargets(file, options, context.workspaceRoot)] as const),
];

/** The same, under the name Nx 19-23 look for. */
export const createNodesV2 = createNodes;
