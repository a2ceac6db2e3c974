// `npm run generate:options`: rewrites every file generated from the option registry
// (libs/commands/src/options/registry.ts). Run it after changing an option; a test fails otherwise.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles } from '../libs/commands/src/options/generated-files.js';

const root = path.resolve(import.meta.dirname, '..');
const files = generatedFiles((file) => readFileSync(path.join(root, file), 'utf8'));
let changed = 0;
for (const [file, content] of files) {
  const absolute = path.join(root, file);
  let current: string | undefined;
  try {
    current = readFileSync(absolute, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) continue;
  writeFileSync(absolute, content);
  changed += 1;
  process.stdout.write(`updated ${file}\n`);
}
process.stdout.write(`${files.size} generated files checked, ${changed} updated\n`);
