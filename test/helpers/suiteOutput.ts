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

let ready = false;

/** Appends text the suite produced (a log chunk, a Slack payload) for the end-of-suite secret scan. */
export function recordSuiteOutput(text: string): void {
  if (!ready) {
    mkdirSync(SUITE_OUTPUT_DIR, { recursive: true });
    ready = true;
  }
  appendFileSync(`${SUITE_OUTPUT_DIR}/${process.pid}-${threadId}.log`, text.endsWith('\n') ? text : `${text}\n`);
}
