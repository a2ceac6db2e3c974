#!/usr/bin/env node
import v8 = require('node:v8');
import nodeModule = require('node:module');
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');
// The published `dailysync` command (package.json `bin`, compiled to dist/bin/dailysync.cjs).
// In this repository bin/dailysync.js runs the same main() from source.
//
// CommonJS on purpose: Node starts its thread pool (file-system calls) the first time it reads a
// file asynchronously, and an ES module entry is itself read that way, before its first line runs.
// Here the pool's size can still be set: on a NAS every lookup of the plan's walk, the shrink
// guard's count and the closing folder comparison is a round trip, and the default 4 threads cap
// those at 4 in flight (a nothing-changed night on a simulated slow NAS: plan 0.65 -> 0.50 s,
// guard 0.50 -> 0.30 s, finish 0.62 -> 0.29 s with 16). A value the user set is kept.
process.env['UV_THREADPOOL_SIZE'] ??= '16';

// V8 moves a function to its optimizing compiler after a fixed amount of its work (the interrupt
// budget), on helper threads. A run spends its own code per project or file a few thousand times,
// and on 2 cores those compilations took about 0.25 s of CPU from the rsyncs on a run of 2,000
// one-file projects (node's other threads: 0.22-0.31 s, none with 15 times the budget), while its
// main thread was no faster for them. With 15 times the budget, code that runs for a long time
// (100,000 files) is still optimized. A budget the user gave node is kept. Only V8 11 (Node 20) has
// this flag: later ones tier up by invocation counts through Maglev, where a 15 times larger
// TurboFan count showed no clear change (Node 24), and reject the flag with a message on stderr.
// V8 takes `_` for `-` in its flags.
const v8Major = Number(process.versions.v8.split('.')[0]);
if (v8Major === 11 && !process.execArgv.some((flag) => /^--interrupt[-_]budget/.test(flag))) v8.setFlagsFromString('--interrupt-budget=1000000');

// Node 22.8 and later keep the compiled code of the modules it loads (module.enableCompileCache):
// on Node 24, 2,000 one-file projects took 50 ms less CPU (13 interleaved runs). Kept in the user's
// own cache folder, not in Node's default os.tmpdir()/node-compile-cache: every local user can
// write there, and a backup that keeps owners runs as root, which would run code compiled by
// whoever made that folder first. NODE_COMPILE_CACHE (Node then enables it itself) and
// NODE_DISABLE_COMPILE_CACHE=1 are left to Node. Node 20 has no such cache.
const enableCompileCache = (nodeModule as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
if (enableCompileCache && process.env['NODE_COMPILE_CACHE'] === undefined && process.env['NODE_DISABLE_COMPILE_CACHE'] === undefined) {
  try {
    const cacheHome = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
    // Only below a folder that exists: a HOME pointing nowhere (some cron and service users) must
    // not make the command create it. Without one every run compiles, as on Node 20.
    if (fs.existsSync(path.dirname(cacheHome))) enableCompileCache(path.join(cacheHome, 'dailysync', 'node-compile-cache'));
  } catch {
    // No home folder to ask about: every run compiles.
  }
}

// main() returns the exit status; until it has, the status is a failure, so a run that ends
// without main() settling (its event loop ran dry) never looks like success to cron.
process.exitCode = 1;
// The build bundles cli/main.js with the @dailysync libraries (scripts/build-package.mjs --bundle,
// into dist/bundle/: the entry and the chunks it imports when a command needs them): a few files to
// read and link instead of about 150.
const BUNDLED_MAIN = '../bundle/main.js';
(import(BUNDLED_MAIN) as Promise<typeof import('../cli/main.js')>)
  .then(async ({ main }) => {
    process.exitCode = await main(process.argv.slice(2));
  })
  .catch((error: unknown) => {
    // main() reports its own errors; this is for one that escaped it: one line, no stack.
    process.stderr.write(`dailysync: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 70;
  });
