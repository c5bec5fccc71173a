// Test tiers. `npm test` runs them all; `jest --selectProjects <tier>` runs one.
// Source is transformed by ts-jest without type checking (the build type-checks).
const transform = { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: 'test/tsconfig.json' }] };
const tier = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});
module.exports = {
  projects: [
    tier('unit'),
    tier('property'),
    tier('sim'),
    tier('integration', { slowTestThreshold: 30 }),
    tier('interop', { slowTestThreshold: 30 }),
    tier('differential', { slowTestThreshold: 60 }),
  ],
};
