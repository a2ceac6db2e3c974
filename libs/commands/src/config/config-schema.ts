import { OPTIONS, type SchemaNode } from '../options/registry.js';

export type { SchemaNode } from '../options/registry.js';

/**
 * The JSON schema of dailysync.config.json, built from the option registry (the options marked
 * `config`). docs/dailysync.config.schema.json is this object, written by `npm run generate:options`
 * for editors; a test keeps the two identical.
 */
export function buildConfigSchema(): { properties: Record<string, SchemaNode & { default?: unknown; examples?: readonly unknown[] }> } & Record<string, unknown> {
  const properties: Record<string, SchemaNode & { default?: unknown; examples?: readonly unknown[] }> = {
    $schema: { type: 'string', description: 'Lets editors find this schema.' },
  };
  for (const option of OPTIONS) {
    if (!option.config) continue;
    properties[option.key] = {
      ...option.schema,
      description: option.help,
      // Editors show it; the validator never fills it in (defaults apply after merging).
      ...(option.default === undefined ? {} : { default: option.default }),
      ...(option.examples ? { examples: option.examples } : {}),
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'dailysync configuration',
    description:
      "Options for `dailysync sync|plan|verify|diagnose --config FILE` and the Nx executors' `config` option. Command-line flags and target options override these values. Relative paths are resolved against the folder of the config file.",
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

export const CONFIG_SCHEMA = buildConfigSchema();
