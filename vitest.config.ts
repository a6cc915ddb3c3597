import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['aws-sdk-client-mock-vitest/extend', 'test/setup/record-output.ts'],
    // Clears the suite output the secret scan reads; merges the reliability figures into
    // reports/reliability.json at the end; gives test/terraform a work directory per run.
    globalSetup: ['test/setup/clear-suite-output.ts', 'test/setup/reliability-figures.ts', 'test/terraform/globalSetup.ts'],
    // The JSON report is what .ci/run reads to print "N passed, N failed".
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' },
    testTimeout: 20000,
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/secret-scan/**'], sequence: { groupOrder: 0 } },
      },
      // Runs after every other test: scans all they wrote and sent to Slack for the webhook secret.
      { extends: true, test: { name: 'secret-scan', include: ['test/secret-scan/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
