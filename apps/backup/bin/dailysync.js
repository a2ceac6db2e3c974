#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), the same sources the Nx executor loads.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
