import { readFileSync } from 'node:fs';

// The @chancery/* aliases come from tsconfig.base.json, the one place paths are declared.
const { compilerOptions } = JSON.parse(readFileSync(new URL('./tsconfig.base.json', import.meta.url), 'utf8'));
const aliases = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

const common = {
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { ...aliases, '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }] },
  testEnvironment: 'node',
};

/**
 * End-to-end files whose claims need no transaction held open elsewhere on the server for seconds
 * (the audit sealer seals only what is older than the cluster's oldest open transaction: sealing on a
 * graceful stop within its two seconds cannot be shown while another test file holds one). They run
 * with the integration tests, one file at a time (`npm test`'s first, `--runInBand`, step).
 */
const RUN_ALONE = ['<rootDir>/test/audit-verification.e2e-spec.ts'];

/** @type {import('jest').Config} */
export default {
  projects: [
    // test/canary/*.spec.ts: the canary test's oracle, checked against the rules it was written from.
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/canary/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts', ...RUN_ALONE],
      globalSetup: '<rootDir>/test/support/global-setup.js',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...RUN_ALONE],
      globalSetup: '<rootDir>/test/support/global-setup.js',
    },
    {
      // Separate processes, a database restart: `npm run test:resilience`, one file at a time.
      ...common,
      displayName: 'resilience',
      testMatch: ['<rootDir>/test/resilience/*.resilience-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
    },
    {
      // The web app in headless Chromium: `npm run test:browser` (needs /usr/bin/chromium).
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
    },
  ],
  // Also each beforeAll's: some seed 274 posts and a dozen argon2-hashed users, on a CI machine whose
  // two cores the other test worker shares.
  testTimeout: 120_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
