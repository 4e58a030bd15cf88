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
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
      slowTestThreshold: 30,
    },
    {
      // Crashes and outages of the shared broker and database: run on their
      // own, one file at a time (npm test runs them after the others).
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
      slowTestThreshold: 120,
    },
  ],
  testTimeout: 60_000,
};
