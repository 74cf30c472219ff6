/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^@fts/shared$': '<rootDir>/shared/src/index.ts',
    '^@fts/shared/node$': '<rootDir>/shared/src/node/index.ts',
  },
  testTimeout: 60000,
};
