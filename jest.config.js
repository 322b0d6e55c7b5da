/** @type {import('jest').Config} */
const transform = {
  // Type checking is `npm run lint`'s job; tests only transpile (fast). ESM-only packages
  // (openid-client, oauth4webapi, jose, entities) are transpiled to CommonJS as well.
  '^.+\\.[tj]s$': [
    'ts-jest',
    {
      tsconfig: {
        allowJs: true,
        module: 'commonjs',
        moduleResolution: 'node10',
        isolatedModules: true,
        verbatimModuleSyntax: false,
      },
      diagnostics: false,
    },
  ],
};
const common = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: [
    '/node_modules/(?!(openid-client|oauth4webapi|jose|entities|oidc-provider|nanoid|quick-lru|@koa|eta|oidc-token-hash)/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  transform,
  transformIgnorePatterns: common.transformIgnorePatterns,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  // Jest reads the timeout from the top level only; browser tests raise it per file.
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/browser-setup.ts'],
    },
  ],
};
