#!/usr/bin/env node
// Builds one workspace package (run from its folder by its Nx `build` target): compiled JS and
// declarations from src/ into dist/, plus the files tsc does not emit but the package needs at run
// time or for its types (executor/generator schema.json, hand-written schema.d.ts).
// dist/ is emptied first so a deleted source file never lingers in a published package.
//   node ../../scripts/build-package.mjs [--bundle ENTRY OUTDIR]
// --bundle (the command's package): ENTRY (compiled, under dist/) is also bundled with the
// @dailysync libraries it imports into OUTDIR (ES modules: the entry, plus one chunk per part it
// imports only when needed, so --help still loads no listr2); other packages stay imports. Node
// then starts the command from a few files instead of resolving, reading and linking about 150
// modules (docs/benchmarks.md).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';

const packageDir = process.cwd();
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
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

const bundleAt = process.argv.indexOf('--bundle');
if (bundleAt !== -1) {
  const [entry, outdir] = process.argv.slice(bundleAt + 1, bundleAt + 3);
  if (!entry || !outdir) throw new Error('--bundle needs ENTRY and OUTDIR (paths under the package folder)');
  try {
    await bundle(path.join(packageDir, entry), path.join(packageDir, outdir));
  } catch (error) {
    // esbuild has already printed its own errors; ours is one line.
    process.stderr.write(`build-package: ${error.message.split('\n')[0]}\n`);
    process.exit(1);
  }
}

/** The version of each @dailysync library the bundle takes in (from the nearest package.json of its files), for `dailysync --version`. */
function bundledVersions(metafile) {
  const versions = {};
  for (const input of Object.keys(metafile.inputs)) {
    let dir = path.dirname(path.resolve(packageDir, input));
    while (dir !== path.dirname(dir) && !existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
    if (dir === packageDir || !existsSync(path.join(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (pkg.name?.startsWith('@dailysync/')) versions[pkg.name] = pkg.version;
  }
  return versions;
}

/**
 * The bundle imports its external packages from the command's own folder, so each must be a
 * dependency of the command's package: a library's dependency is not enough once the library is
 * bundled (npm may install it out of the command's reach).
 */
function checkExternalsDeclared(metafile) {
  const { dependencies = {} } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const externals = new Set(
    Object.values(metafile.outputs)
      .flatMap((output) => output.imports)
      .filter((i) => i.external && !isBuiltin(i.path))
      .map((i) => packageOf(i.path)),
  );
  const missing = [...externals].filter((name) => !(name in dependencies));
  if (missing.length > 0) throw new Error(`the bundle imports ${missing.join(', ')}: add them to "dependencies" in ${path.join(packageDir, 'package.json')}`);
}

async function bundle(entry, outdir) {
  const esbuild = await import('esbuild');
  const common = {
    entryPoints: [entry],
    bundle: true,
    // Parts the program imports only when a command needs them (the live view with listr2, each
    // command's module) stay separate chunks, loaded as before only when used.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    // Only the @dailysync libraries are taken in: every other package stays an import, resolved
    // from node_modules at run time as before (the command's package.json lists them).
    plugins: [
      {
        name: 'only-dailysync-inside',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@dailysync/') ? undefined : { path: args.path, external: true }));
        },
      },
    ],
  };
  // A first pass finds which libraries go in; the second writes the bundle with their versions.
  const probe = await esbuild.build({ ...common, outdir, write: false, metafile: true });
  checkExternalsDeclared(probe.metafile);
  await esbuild.build({ ...common, outdir, define: { DAILYSYNC_BUNDLED_VERSIONS: JSON.stringify(bundledVersions(probe.metafile)) } });
}
