/**
 * Runs after the rest of the suite (its own vitest project, a later group): every log line and
 * Slack payload any test produced was recorded under reports/suite-output; none may contain the
 * secret part of a webhook URL, a bot token, nor a value the tests put in an env file.
 *
 * What it scans is what the other tests of this run wrote: run alone (or with a few files), it has
 * little or nothing to scan, and fails rather than pass on nothing. Run the whole suite: `npm test`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordFigure } from '../reliability/figures.js';
import {
  AWS_ERROR_SECRETS,
  ENV_FILE_SECRETS,
  OUTSIDE_TEXT_SECRETS,
  SUITE_OUTPUT_DIR,
  UNSAFE_CHARACTERS,
  WEBHOOK_SECRETS,
} from '../helpers/suiteOutput.js';

const RUN_THE_WHOLE_SUITE = `the secret scan reads what the other tests of this run wrote to ${SUITE_OUTPUT_DIR}; run the whole suite (npm test)`;

/** Secret shapes, whatever their value: masked, each leaves `[redacted]` where the secret was. */
const SECRET_SHAPES = [
  /\bxox[abposr]-[A-Za-z0-9]/,
  /hooks\.slack\.com\/services\/[A-Za-z0-9]/,
  /:\/\/[^\s/@:"'\\[]+:[^\s/@"'\\]+@/,
  /aws_secret_access_key["']?\s*[:=]\s*["']?(?!\[redacted\])[^\s"',]/i,
];

/** Every line the suite recorded: log lines and Slack payloads. */
function recordedLines(): string[] {
  const files = existsSync(SUITE_OUTPUT_DIR) ? readdirSync(SUITE_OUTPUT_DIR) : [];
  return files.flatMap((file) => readFileSync(`${SUITE_OUTPUT_DIR}/${file}`, 'utf8').split('\n'));
}

/** Parses a line that is a JSON object; anything else is undefined. */
function json(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

describe('secrets', () => {
  let lines: string[] = [];
  beforeAll(() => {
    lines = recordedLines();
  });
  /** The lines to scan; none is a failure, not a pass. */
  const scanned = () => {
    expect(lines.filter((line) => line !== '').length, `nothing to scan: ${RUN_THE_WHOLE_SUITE}`).toBeGreaterThan(0);
    return lines;
  };

  it('scans a whole run: its log lines and the Slack payloads its tests sent', () => {
    const records = scanned().map(json);
    // Powertools Logger lines, and what the Slack receivers on 127.0.0.1 were sent.
    const logLines = records.filter((r) => typeof r?.level === 'string' && typeof r.message === 'string');
    const slackPayloads = records.filter((r) => Array.isArray(r?.attachments));
    expect(logLines.length, `no log line recorded: ${RUN_THE_WHOLE_SUITE}`).toBeGreaterThan(0);
    expect(slackPayloads.length, `no Slack payload recorded: ${RUN_THE_WHOLE_SUITE}`).toBeGreaterThan(0);
    recordFigure('suite_output_lines_scanned', lines.length);
  });

  it('the webhook URL, the bot token and env-file values appear in no log line and no Slack payload of the whole suite', () => {
    const leaks = scanned().filter((line) => [...WEBHOOK_SECRETS, ...ENV_FILE_SECRETS].some((secret) => line.includes(secret)));
    recordFigure('secrets_leaked', leaks.length);
    expect(leaks.map((l) => l.slice(0, 200))).toEqual([]);
  });

  it("no value of a target function's environment and no credential from an AWS error appears in a log line or Slack payload", () => {
    const leaks = scanned().filter((line) => AWS_ERROR_SECRETS.some((secret) => line.includes(secret)));
    recordFigure('aws_error_secrets_leaked', leaks.length);
    expect(leaks.map((l) => l.slice(0, 200))).toEqual([]);
  });

  it('no secret held by text from outside (an ECS reason, a task reason, a request, an actor) appears in a log line, a Slack payload or the local run', () => {
    const leaks = scanned().filter((line) => OUTSIDE_TEXT_SECRETS.some((secret) => line.includes(secret)));
    expect(leaks.map((l) => l.slice(0, 200))).toEqual([]);
  });

  it('no secret shape, whatever its value, is written or sent unmasked: a Slack token or webhook, credentials in a URL, an AWS secret key by its name', () => {
    const leaks = scanned().filter((line) => SECRET_SHAPES.some((shape) => shape.test(line)));
    expect(leaks.map((l) => l.slice(0, 200))).toEqual([]);
  });

  it('no log line and no Slack payload holds a control or bidirectional character from outside text', () => {
    const written = scanned().filter((line) => json(line) !== undefined);
    const unsafe = written.filter((line) => UNSAFE_CHARACTERS.test(line));
    expect(unsafe.map((l) => l.slice(0, 200))).toEqual([]);
  });
});
