import { appendFileSync, mkdirSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

/** Where every test worker appends what it wrote and what Slack received (read by test/secret-scan/ at the end of the run). */
export const SUITE_OUTPUT_DIR = 'reports/suite-output';

/**
 * The secret part of every webhook URL, token and signing secret the tests use (Slack's; the Teams,
 * Google Chat and signed webhook URLs and the signing secret of test/helpers/channels.ts); none
 * may ever be written or sent.
 */
export const WEBHOOK_SECRETS = [
  'SECRETTOKEN123',
  'hooks.slack.com/services/',
  'SECRETBOTTOKEN456',
  'TEAMSSIG-SECRET789',
  'CHATTOKEN-SECRET246',
  'HOOKPATH-SECRET135',
  'whsec-SIGNING-SECRET-8642',
  'SIGNINGSECRET789',
];

/**
 * Values the tests put in env files. They are read (to validate and compare files) but must never
 * be written to a log or sent to Slack.
 */
export const ENV_FILE_SECRETS = ['envfile-S3CR3T-value-7Qx9', 'envfile-S3CR3T-other-K2m4'];

/**
 * Values the tests put where AWS errors can echo them: a target function's environment values and
 * credentials (AWS's documented example key pair, a password in a URL). None may ever be written or sent.
 */
export const AWS_ERROR_SECRETS = [
  'pg-s3cr3t-Zq81xv',
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'hunter2-registry-pass',
];

/**
 * Secrets of the shapes text from outside can hold (an ECS reason quoting a registry URL with its
 * password, an AWS secret key, a Slack bot token, a Slack webhook): {@link HOSTILE_TEXT} holds them
 * all. The tests feed it through every path outside text takes; none may ever be written or sent.
 */
export const OUTSIDE_TEXT_SECRETS = ['hunter2-outside-Pw9', 'outsideSECRETkey/Zx81+Tq', 'OUTSIDEtoken90', 'OUTSIDEhook77'];

/** Text from outside holding every secret of {@link OUTSIDE_TEXT_SECRETS}, a NUL and a right-to-left override. */
export const HOSTILE_TEXT =
  'pull https://deploy:hunter2-outside-Pw9@registry.example.com/v2/app failed; AWS_SECRET_ACCESS_KEY=outsideSECRETkey/Zx81+Tq ' +
  'token xoxb-1234-5678-OUTSIDEtoken90 hook https://hooks.slack.com/services/T0OUT/B0OUT/OUTSIDEhook77 \u0000\u202Egnp.exe\u202C';

/**
 * A control character but tab and line feed, or a bidirectional or invisible format character, raw or
 * as JSON escapes it (`\\u0000`…`\\u001f`: an escape of its own, not the visible text `\\u0000`
 * that a quoted excerpt shows, which JSON writes with its backslash escaped): text from outside
 * carries them to hide or reorder what people read, and none may reach a log line, a message or the
 * terminal.
 */
export const UNSAFE_CHARACTERS = /(?![\t\n\u200d])[\p{Cc}\p{Cf}\u2028\u2029]|(?<!\\)(?:\\\\)*\\u(?:00[01][0-9a-f]|007f)/iu;

let ready = false;

/** Appends text the suite produced (a log chunk, a Slack payload) for the end-of-suite secret scan. */
export function recordSuiteOutput(text: string): void {
  if (!ready) {
    mkdirSync(SUITE_OUTPUT_DIR, { recursive: true });
    ready = true;
  }
  appendFileSync(`${SUITE_OUTPUT_DIR}/${process.pid}-${threadId}.log`, text.endsWith('\n') ? text : `${text}\n`);
}
