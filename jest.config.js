/** Jest runs TypeScript through swc (no type-check here: `npx tsc --noEmit` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  // jose ships ES modules only; jest's CommonJS runtime needs them transpiled.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  reporters: ['default', '<rootDir>/tests/reporters/summary-line.js'],
  testTimeout: 30000,
};
