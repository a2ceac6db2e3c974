#!/usr/bin/env node
// The published `dailysync` command (package.json `bin`, compiled to dist/bin/dailysync.js).
// In this repository bin/dailysync.js runs the same main() from source.
import { main } from '../cli/main.js';

process.exitCode = await main(process.argv.slice(2));
