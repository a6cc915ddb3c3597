import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['aws-sdk-client-mock-vitest/extend', 'test/setup/record-output.ts'],
    // Clears the suite output the secret scan reads and the figures of the last run (this run's
    // are merged into reports/reliability.json when it ends); gives test/terraform a work directory per run.
    globalSetup: ['test/setup/clear-suite-output.ts', 'test/setup/reliability-figures.ts', 'test/terraform/globalSetup.ts'],
    // The JSON report is what .ci/run reads to print "N passed, N failed".
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    // The SDK's Node-version warning is the SDK's own switch off here: the tests that hold it back
    // (npm start, npm run verify) run those commands in a process of their own, with it on.
    env: {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    testTimeout: 20000,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/secret-scan/**', 'test/figures/**'],
          sequence: { groupOrder: 0 },
        },
      },
      // Runs after every other test: scans all they wrote and sent to Slack for the webhook secret.
      { extends: true, test: { name: 'secret-scan', include: ['test/secret-scan/*.test.ts'], sequence: { groupOrder: 1 } } },
      // Runs last: the figures the documentation states are the ones this run measured (the secret scan's included).
      { extends: true, test: { name: 'figures', include: ['test/figures/*.test.ts'], sequence: { groupOrder: 2 } } },
    ],
  },
});
