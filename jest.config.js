/** Jest runs TypeScript through swc (no type-check here: `npx tsc --noEmit` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  reporters: ['default', '<rootDir>/tests/reporters/summary-line.js'],
  testTimeout: 30000,
};
