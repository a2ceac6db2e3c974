#!/usr/bin/env node
// Development launcher, not shipped: runs the TypeScript sources through tsx, with the
// `@dailysync/source` export condition so the workspace packages resolve to their src/ too (no
// build needed). The published command is dist/bin/dailysync.cjs (package.json `bin`).
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// Registered after tsx, so it runs first and tsx's resolver sees the extra condition.
registerHooks(
  'data:text/javascript,export async function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "@dailysync/source"] }); }',
);
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
