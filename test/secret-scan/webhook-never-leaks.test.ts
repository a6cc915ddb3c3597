/**
 * Runs after the rest of the suite (its own vitest project, a later group): every log line and
 * Slack payload any test produced was recorded under reports/suite-output; none may contain the
 * secret part of a webhook URL, a bot token, nor a value the tests put in an env file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recordFigure } from '../reliability/figures.js';
import { AWS_ERROR_SECRETS, ENV_FILE_SECRETS, SUITE_OUTPUT_DIR, WEBHOOK_SECRETS } from '../helpers/suiteOutput.js';

describe('secrets', () => {
  it('the webhook URL, the bot token and env-file values appear in no log line and no Slack payload of the whole suite', () => {
    const files = existsSync(SUITE_OUTPUT_DIR) ? readdirSync(SUITE_OUTPUT_DIR) : [];
    const lines = files.flatMap((file) => readFileSync(`${SUITE_OUTPUT_DIR}/${file}`, 'utf8').split('\n'));
    const leaks = lines.filter((line) => [...WEBHOOK_SECRETS, ...ENV_FILE_SECRETS].some((secret) => line.includes(secret)));
    recordFigure('suite_output_lines_scanned', lines.length);
    recordFigure('secrets_leaked', leaks.length);
    // Run alone, there is nothing to scan; the whole suite produces thousands of lines.
    if (lines.length > 0) expect(leaks.map((l) => l.slice(0, 200))).toEqual([]);
  });

  it("no value of a target function's environment and no credential from an AWS error appears in a log line or Slack payload", () => {
    const files = existsSync(SUITE_OUTPUT_DIR) ? readdirSync(SUITE_OUTPUT_DIR) : [];
    const lines = files.flatMap((file) => readFileSync(`${SUITE_OUTPUT_DIR}/${file}`, 'utf8').split('\n'));
    const leaks = lines.filter((line) => AWS_ERROR_SECRETS.some((secret) => line.includes(secret)));
    recordFigure('aws_error_secrets_leaked', leaks.length);
    if (lines.length > 0) expect(leaks.map((l) => l.slice(0, 200))).toEqual([]);
  });
});
