// One Jest config for the whole workspace: every package is ESM TypeScript, consumed from source.
// Run through `npm test` (it sets NODE_OPTIONS=--experimental-vm-modules, which ESM mode needs).
// Two Jest projects: `unit` (each package's unit and real-rsync integration specs, the Nx `test`
// targets) and `system` (heavy specs needing sshd, FUSE, netns, the benchmark contestants, or the
// npm registry: the Nx `test-system` targets). `npm test` runs both.

/** Specs of the `system` project; every other spec is `unit`. */
export const SYSTEM_SPECS = [
  '<rootDir>/bench/benchmark-correctness.spec.ts',
  '<rootDir>/libs/metrics/test/live-scenarios.spec.ts',
  '<rootDir>/libs/sync/test/remote/remote.spec.ts',
  '<rootDir>/tools/nx-plugin/test/system/**/*.spec.ts',
  '<rootDir>/apps/backup/test/system/**/*.spec.ts',
];

const common = {
  testEnvironment: 'node',
  // Workspace packages resolve to their src/ through this export condition (package.json
  // `exports`), so tests never need a build; published installs get dist/.
  testEnvironmentOptions: { customExportConditions: ['@dailysync/source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  // Sources import siblings as `./x.js` (nodenext style); map them back to the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

export default {
  // Tests run real rsync processes; a generous timeout avoids flakes on a loaded 2-core CI box.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,apps,tools}/*/{src,test}/**/*.spec.ts', '<rootDir>/scripts/*.spec.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '/test/system/', 'live-scenarios\\.spec\\.ts$', '/test/remote/remote\\.spec\\.ts$'],
    },
    { ...common, displayName: 'system', testMatch: SYSTEM_SPECS, setupFilesAfterEnv: ['<rootDir>/scripts/jest/system-timeout.ts'] },
  ],
};
