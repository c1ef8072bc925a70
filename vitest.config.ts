import { defineConfig } from 'vitest/config';

/** Tests that start no process (no cfn-lint, moto, renderer or built bundle): `npm run test:unit`. */
const UNIT = 'test/**/*.unit.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: cfn-lint and moto are real processes, so keep parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
    // CI reads the counts from a JSON report and prints them as one plain closing line.
    reporters: process.env.VITEST_JSON ? ['default', 'json'] : ['default'],
    ...(process.env.VITEST_JSON ? { outputFile: { json: process.env.VITEST_JSON } } : {}),
    projects: [
      {
        extends: true,
        // A unit test that starts a process fails at once, so the fast suite stays fast.
        test: { name: 'unit', include: [UNIT], setupFiles: ['test/helpers/no-processes.ts'] },
      },
      {
        extends: true,
        test: { name: 'processes', include: ['test/**/*.test.ts'], exclude: [UNIT] },
      },
    ],
  },
});
