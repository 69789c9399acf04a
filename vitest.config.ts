import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // CI (.ci/run) sets VITEST_JSON_DIR to total the results on one closing line.
    reporters: process.env.VITEST_JSON_DIR ? ['default', ['json', { outputFile: `${process.env.VITEST_JSON_DIR}/node.json` }]] : ['default'],
    include: ['src/**/*.test.ts', 'adapters/**/*.test.ts', 'test/**/*.test.ts'],
    // Run inside workerd by vitest.workers.config.ts.
    exclude: ['test/workers/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
