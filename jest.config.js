// One Jest config for the whole workspace: every package is ESM TypeScript, consumed from source.
// Run through `npm test` (it sets NODE_OPTIONS=--experimental-vm-modules, which ESM mode needs).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  // Sources import siblings as `./x.js` (nodenext style); map them back to the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/{libs,apps,tools}/*/{src,test}/**/*.spec.ts', '<rootDir>/bench/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Tests run real rsync processes; a generous timeout avoids flakes on a loaded 2-core CI box.
  testTimeout: 60000,
};
