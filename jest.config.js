// Jest runs the TypeScript sources directly as ES modules (ts-jest, ESM mode,
// transpile only: `npm test` type-checks the whole tree with tsc first).
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // The default stack where stack:up can use it, else one of the suite's own (test/integration/global-setup.ts).
      globalSetup: '<rootDir>/dist/test/integration/global-setup.js',
      globalTeardown: '<rootDir>/dist/test/integration/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
      slowTestThreshold: 30,
    },
    {
      // Crashes and outages of the broker and the database: one file at a
      // time, on a stack the suite starts on free ports and removes after
      // (test/helpers/own-stack.ts), never on one the user runs. Jest loads
      // global hooks outside its module mapper, so it loads them as built by
      // tsc, which every test script runs first.
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/dist/test/faults/global-setup.js',
      globalTeardown: '<rootDir>/dist/test/faults/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
      slowTestThreshold: 120,
    },
    {
      // TLS and SASL for real: a secured stack of the suite's own
      // (`stack:up -- --secure` on free ports), removed after.
      ...common,
      displayName: 'secure',
      testMatch: ['<rootDir>/test/secure/**/*.test.ts'],
      globalSetup: '<rootDir>/dist/test/secure/global-setup.js',
      globalTeardown: '<rootDir>/dist/test/secure/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
      slowTestThreshold: 60,
    },
  ],
  testTimeout: 60_000,
};
