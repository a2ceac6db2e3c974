#!/usr/bin/env node
// Builds one workspace package (run from its folder by its Nx `build` target): compiled JS and
// declarations from src/ into dist/, plus the files tsc does not emit but the package needs at run
// time or for its types (executor/generator schema.json, hand-written schema.d.ts).
// dist/ is emptied first so a deleted source file never lingers in a published package.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const packageDir = process.cwd();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(path.join(packageDir, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.lib.json'], { cwd: packageDir, stdio: 'inherit' });

const src = path.join(packageDir, 'src');
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const name = entry.name;
  if (!(name.endsWith('.json') || name.endsWith('.d.ts'))) continue;
  const from = path.join(entry.parentPath, name);
  cpSync(from, path.join(packageDir, 'dist', path.relative(src, from)));
}
