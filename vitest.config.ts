import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time, even on a 2-core machine (vitest's default there is one): most of an
    // end-to-end file's time is waiting on its runtime (timers, polling, child processes), not CPU.
    maxWorkers: 2,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // The stages the tests synthesize: the README's complete example (stages.yaml declares only local).
      HANDRAIL_STAGES_FILE: 'tests/fixtures/stages/stages.yaml',
    },
  },
});
