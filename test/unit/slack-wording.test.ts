/**
 * What on-call reads in Slack, as the local run prints each message (colour, icon, facts): a Lambda
 * dry run says its planned calls in words and names the function once; waiting for a scan is not a
 * rocket; a manual deploy names the revision it read and will deploy; an env file new tasks would
 * fail on is red; who asked for a manual deploy is marked unverified; a refused manual request says
 * who asked for what, from where and why, beside why it was refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../src/local/run.js';
import { captureOutput } from '../helpers/logs.js';
import { recordSuiteOutput } from '../helpers/suiteOutput.js';

/** The local run of `argv`: the Slack message of the event (its lines after "Slack (not sent)"), and all it printed. */
async function run(argv: string[]) {
  const printed: string[] = [];
  const code = await runLocal(argv, {}, (line) => printed.push(line));
  const text = printed.join('\n');
  recordSuiteOutput(text);
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Slack (not sent)'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('    '));
  return { code, text, lines, message: start < 0 ? [] : lines.slice(start, end < 0 ? undefined : end) };
}

describe('Slack wording', () => {
  let output: ReturnType<typeof captureOutput>;
  let dir: string;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploybridge-wording-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `events/manual-deploy.json` with `detail` changed, as a file of its own. */
  const manual = (name: string, detail: Record<string, unknown>) => {
    const event = JSON.parse(readFileSync('events/manual-deploy.json', 'utf8')) as { detail: Record<string, unknown> };
    event.detail = { ...event.detail, ...detail };
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(event));
    return file;
  };

  it('a Lambda dry run: the function once (as Service), and its planned calls in words, in order, without raw JSON', async () => {
    const { message } = await run(['events/lambda-ecr-push-renderer.json']);
    expect(message.filter((l) => /^ {4}(Service|Function):/.test(l))).toEqual(['    Service: myproject_lambda_renderer_dev']);
    const planned = message.slice(message.findIndex((l) => l.startsWith('    Planned calls: ')));
    expect(planned.slice(0, 5)).toEqual([
      '    Planned calls: 1. UpdateFunctionCode: update the code to 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_renderer:v2.3.0',
      '      2. GetFunction: wait until LastUpdateStatus is Successful (after the change)',
      '      3. PublishVersion: publish a new version',
      '      4. Invoke: smoke test of the new version, expecting {"statusCode":200}',
      '      5. UpdateAlias: move alias live to the new version',
    ]);
    expect(message.join('\n')).not.toContain('{"FunctionName"');
  });

  it('a Lambda configuration change names the variable it sets, never a value', async () => {
    const { message } = await run(['events/lambda-ssm-parameter-update.json']);
    expect(message).toContain(
      '    Planned calls: 1. UpdateFunctionConfiguration: set DEPLOYBRIDGE_CONFIG_REVISION (the other variables kept)',
    );
    expect(message.join('\n')).not.toContain('"Variables"');
  });

  it('a Lambda manual version and rollback: the version the alias moves to', async () => {
    expect((await run(['events/lambda-manual-version.json'])).message).toContain(
      '    Planned calls: 1. Invoke: smoke test of version 5, expecting {"statusCode":200}',
    );
    expect((await run(['events/lambda-manual-rollback.json'])).message).toContain(
      '    Planned calls: 1. UpdateAlias: move alias live to version 6',
    );
  });

  it('waiting for the image scan is blue with an hourglass, not a rocket', async () => {
    const { message } = await run(['events/ecr-push-scan-gated.json']);
    expect(message[0]).toBe('Slack (not sent): [blue #1D9BD1] :hourglass_flowing_sand: Waiting for the image scan: api');
  });

  it('a manual deploy without task_definition names the revision it read, and deploys that revision', async () => {
    const { lines, message } = await run(['events/manual-deploy.json']);
    expect(lines).toContain(
      '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): would deploy myproject_service_api_dev:42 (UpdateService, forceNewDeployment)',
    );
    expect(message).toContain('    Task definition: myproject_service_api_dev:42');
  });

  it.each([
    ['s3-env-file-invalid.json', 'Env file invalid: s3://myproject-config-dev/api/.env'],
    ['s3-env-file-deleted.json', 'Env file deleted: s3://myproject-config-dev/api/.env'],
  ])('%s: new tasks would fail on it, so the message is red', async (file, title) => {
    const { message } = await run([`events/${file}`]);
    expect(message[0]).toBe(`Slack (not sent): [red #E01E5A] :x: ${title}`);
  });

  it('who asked for a manual deploy is marked unverified: nothing authenticates requested_by', async () => {
    const { message } = await run([manual('requested.json', { requested_by: 'alice@example.com' })]);
    expect(message).toContain(
      '    Trigger: manual deploy via action.deploy, requested by alice@example.com (unverified): Hotfix: roll out the config fix',
    );
  });

  it('a refused manual deploy says who asked for what, from where and why, beside why it was refused', async () => {
    const { message } = await run([manual('refused.json', { service: 'no such service', requested_by: 'alice@example.com' })]);
    expect(message).toEqual([
      'Slack (not sent): [red #E01E5A] :x: Manual deploy refused',
      '    Environment: dev',
      '    Service: no such service',
      '    Requested by: alice@example.com (unverified)',
      '    Source: action.deploy',
      '    Request reason: Hotfix: roll out the config fix',
      '    Refused because: manual deploy refused: service name "no such service" is not a valid service name',
      '    Event ID: b7d1c4a2-5f3e-4c8a-9e21-0c6a1d2f3e4b',
    ]);
  });

  it('a refused request that names no service or requester says so', async () => {
    const { message } = await run([manual('bare.json', { service: undefined, reason: undefined })]);
    expect(message.slice(2, 6)).toEqual([
      '    Service: (not given)',
      '    Requested by: (not given)',
      '    Source: action.deploy',
      '    Request reason: (not given)',
    ]);
  });
});
