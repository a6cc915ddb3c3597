import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runLocal } from '../../src/local/run.js';
import { sentCommands, serviceUpdated, taskDefinition } from '../helpers/app.js';
import { captureOutput } from '../helpers/logs.js';
import { startSlackServer } from '../helpers/slackServer.js';
import { HOSTILE_TEXT, OUTSIDE_TEXT_SECRETS, recordSuiteOutput, UNSAFE_CHARACTERS } from '../helpers/suiteOutput.js';

const samples = readdirSync('events').filter((f) => f.endsWith('.json'));
const entryFiles = readdirSync('events/put-events').map((f) => `put-events/${f}`);

/** Runs the runner as `npm start` would, with what it prints (recorded for the secret scan). */
async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const printed: string[] = [];
  const code = await runLocal(argv, env, (line) => printed.push(line));
  const text = printed.join('\n');
  recordSuiteOutput(text);
  return { code, text, lines: text.split('\n') };
}

describe('npm start -- <file> (offline)', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it.each([...samples, ...entryFiles])('%s prints its plan with the embedded defaults, and nothing else reaches stdout', async (file) => {
    const { code, lines } = await run([`events/${file}`]);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(
      file.endsWith('-sequence.json')
        ? /^deploybridge offline run of events\/.+, \d+ events in order \(project myproject, env dev\): AWS writes are described, not made; nothing is sent to Slack$/
        : file.startsWith('sqs-')
          ? /^deploybridge offline dry run of events\/.+, an SQS batch of \d+ records handled in one invocation \(project myproject, env dev\): nothing in AWS is changed, nothing is sent to Slack$/
          : /^deploybridge offline dry run of events\/.+ \(project myproject, env dev\): nothing in AWS is changed, nothing is sent to Slack$/,
    );
    expect(lines.find((l) => /^(Plan for|Rejected|SQS batch of|Lifecycle hook invocation) /.test(l))).toBeDefined();
    // The log lines and metrics are the run's own (--verbose); the process's stdout stays clean.
    expect(output.text()).toBe('');
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
  });

  it("an SQS batch with junk, a duplicate delivery and a manual deploy: the summary counts every record's fate and the manual deploy", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybridge-batch-'));
    try {
      const burst = JSON.parse(readFileSync('events/sqs-burst.json', 'utf8')) as { Records: Array<Record<string, unknown>> };
      const [first] = burst.Records as [Record<string, unknown>];
      const record = (messageId: string, body: string) => ({ ...first, messageId, body });
      const manual = readFileSync('events/manual-deploy.json', 'utf8');
      const file = join(dir, 'batch.json');
      writeFileSync(
        file,
        JSON.stringify({
          Records: [first, record('dup-1', first.body as string), record('junk-1', 'not json {'), record('manual-1', manual)],
        }),
      );
      const { code, lines } = await run([file]);
      expect(code).toBe(0);
      expect(lines[2]).toBe(
        'SQS batch of 4 records (2 events): 2 deployments asked, 2 after merging (one per target; 1 manual deploy or ECS event not merged: it deploys as asked); records: 2 deployed, 1 not an EventBridge event, 1 duplicate delivery; records to retry: none',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an SQS batch (a burst): one invocation, what the batch came to, one message per service with every change it answers, in order', async () => {
    const { code, lines, text } = await run(['events/sqs-burst.json']);
    expect(code).toBe(0);
    expect(lines[2]).toBe(
      'SQS batch of 6 records (6 events): 7 deployments asked, 3 after merging (one per target); records: 5 deployed, 1 reported (nothing to deploy); records to retry: none',
    );
    // Each described read answers for the event of the batch it is about: the push the task definition runs, each env file's own versions.
    expect(lines).toContain(
      '  assumed: ecs:DescribeTaskDefinition taskDefinition=myproject_service_api_dev → its latest ACTIVE revision is 42 and runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:latest',
    );
    expect(lines).toContain(
      '  assumed: s3:ListObjectVersions Bucket=myproject-config-dev Prefix=shared/.env → the version before b7Jd0qLm2Xv9Rk4TgW1sYe8NcP3uHa6Z is Zq9rWAT0HjcxRu2A.7ybI1fZJbV0Gx3L',
    );
    expect(lines.filter((l) => l.startsWith('Slack (not sent)'))).toEqual([
      'Slack (not sent), message 1: [blue #1D9BD1] :rocket: [DRY RUN] Deployment would start: api',
      'Slack (not sent), message 2: [blue #1D9BD1] :rocket: [DRY RUN] Deployment would start: worker',
      'Slack (not sent), message 3: [blue #1D9BD1] :rocket: [DRY RUN] Deployment would start: backend',
    ]);
    expect(lines).toContain('    Merged: 5 changes that arrived together, one deployment');
    expect(lines).toContain(
      '    Trigger: ECR push myproject_service_api:latest (sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234); SSM parameters /dev/myproject/api/DATABASE_URL, /dev/myproject/api/REDIS_URL; S3 objects s3://myproject-config-dev/api/.env, s3://myproject-config-dev/shared/.env',
    );
    expect(text).not.toMatch(/warnings? or errors? (was|were) logged/);
  });

  it('a file of "Records" that are not SQS messages: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybridge-records-'));
    try {
      const file = join(dir, 'kinesis.json');
      writeFileSync(file, JSON.stringify({ Records: [{ eventSource: 'aws:kinesis', kinesis: {} }] }));
      expect(await run([file])).toMatchObject({
        code: 2,
        lines: [
          `${file}: holds "Records" that are not an SQS batch (each record needs "eventSource": "aws:sqs" and a "body"; other sources do not reach deploybridge)`,
        ],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the ECR sample: the plan first (trigger → target → what would happen, the reads it assumed), then the Slack message as text', async () => {
    const { lines } = await run(['events/ecr-push-api.json']);
    const plan = lines.indexOf('Plan for ECR Image Action 13cde686-328b-6117-af20-0e5566167482 (route ecr): 1 deployment');
    expect(lines.slice(plan, plan + 5)).toEqual([
      'Plan for ECR Image Action 13cde686-328b-6117-af20-0e5566167482 (route ecr): 1 deployment',
      '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): would deploy myproject_service_api_dev:42 (UpdateService, forceNewDeployment)',
      '    trigger: ECR push myproject_service_api:v1.4.2 (sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234)',
      '  assumed: ecs:DescribeTaskDefinition taskDefinition=myproject_service_api_dev → its latest ACTIVE revision is 42 and runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:v1.4.2',
      '  assumed: ecr:DescribeImages repositoryName=myproject_service_api imageDigest=sha256:7f5b2640fe6f… → it is tagged v1.4.2, latest, 182 MB, pushed 2 minutes before the event, scan COMPLETE ({"MEDIUM":2,"LOW":5})',
    ]);
    const slack = lines.indexOf('Slack (not sent): [blue #1D9BD1] :rocket: [DRY RUN] Deployment would start: api');
    expect(slack).toBeGreaterThan(plan);
    expect(lines.slice(slack + 1, slack + 11)).toEqual([
      '    Environment: dev',
      '    Service: myproject_service_api_dev',
      '    Trigger: ECR push myproject_service_api:v1.4.2 (sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234)',
      '    Pushed image: `v1.4.2` (also `latest`), sha256:7f5b264…, 182 MB, pushed 2019-11-16 01:52 UTC',
      '    Scan: passed ECR_SCAN_GATE HIGH: MEDIUM 2, LOW 5',
      '    Status: dry run: not started',
      '    Task definition: myproject_service_api_dev:42',
      '    [Open in ECS console] https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/myproject_cluster_dev/services/myproject_service_api_dev/deployments?region=us-east-1',
      '    Dry run: nothing was changed in AWS.',
      'Embedded defaults for PROJECT_NAME, PROJECT_ENV, SERVICE_CONFIG, LAMBDA_CONFIG, ECR_SCAN_GATE (set any to override); --json, --verbose, --live: npm start -- --help',
    ]);
    expect(lines.join('\n')).not.toContain('"blocks"');
  });

  it('--json adds each message as the Block Kit payload the function sends', async () => {
    const { text } = await run(['events/ecr-push-api.json', '--json']);
    const json = text.slice(text.indexOf('\n    {') + 1, text.indexOf('\n    }\n') + 6);
    const payload = JSON.parse(json) as { text: string; attachments: Array<{ color: string; blocks: Array<{ type: string }> }> };
    expect(payload.text).toBe('[DRY RUN] Deployment would start: api (dev)');
    expect(payload.attachments[0]?.color).toBe('#1D9BD1');
    expect(payload.attachments[0]?.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'context']);
    expect(text).toContain('Slack (not sent): [blue #1D9BD1] :rocket: [DRY RUN] Deployment would start: api');
  });

  it('--verbose adds the AWS calls, the log lines (the function’s JSON shape) and the metrics, in order', async () => {
    const quiet = await run(['events/ecr-push-api.json']);
    expect(quiet.text).not.toContain('AWS read');
    expect(quiet.text).not.toContain('dry run: deployment not started');

    const { lines } = await run(['events/ecr-push-api.json', '--verbose']);
    const start = lines.indexOf('Log lines, metrics and AWS calls, in order:');
    expect(start).toBeGreaterThan(lines.findIndex((l) => l.startsWith('Slack (not sent)')));
    const traced = lines.slice(start + 1).filter((l) => l.startsWith('  '));
    expect(traced.slice(0, 4)).toEqual([
      '  AWS read (described, not performed): ecs:DescribeTaskDefinition {"taskDefinition":"myproject_service_api_dev"}',
      '    assuming its latest ACTIVE revision is 42 and runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:v1.4.2',
      '  AWS read (described, not performed): ecr:DescribeImages {"repositoryName":"myproject_service_api","imageIds":[{"imageDigest":"sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234"}]}',
      '    assuming it is tagged v1.4.2, latest, 182 MB, pushed 2 minutes before the event, scan COMPLETE ({"MEDIUM":2,"LOW":5})',
    ]);
    const logs = traced
      .filter((l) => l.startsWith('  {'))
      .map(
        (l) =>
          JSON.parse(l) as { level: string; message: string; project_name: string; environment: string; fields: Record<string, unknown> },
      );
    expect(logs.find((l) => l.message === 'dry run: deployment not started')).toMatchObject({
      level: 'info',
      project_name: 'myproject',
      environment: 'dev',
      fields: { service: 'api', dry_run: true },
    });

    const sequence = await run(['events/ecs-rollout-sequence.json', '--verbose']);
    expect(sequence.lines.filter((l) => l.startsWith('  metric '))).toEqual([
      '  metric DeploymentsStarted 1 (environment=dev, trigger=ecr)',
      '  metric DeploymentsSucceeded 1 (environment=dev, trigger=ecr)',
      '  metric DeploymentDuration 185000 Milliseconds (environment=dev, trigger=ecr)',
    ]);
  });

  it('counts the warnings and errors it logged without --verbose, so none is swallowed', async () => {
    const { lines } = await run(['events/ecs-rollback-sequence.json']);
    const events = lines.join('\n').split('\n== ').slice(1);
    expect(events.map((e) => e.includes('\n1 warning or error was logged (--verbose shows the log lines)'))).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    const verbose = await run(['events/ecs-rollback-sequence.json', '--verbose']);
    expect(verbose.text).not.toContain('was logged (--verbose');
    expect(
      verbose.lines.filter((l) => /"level":"(warn|error)"/.test(l)).map((l) => (JSON.parse(l) as { message: string }).message),
    ).toEqual(['deployment tasks fail to start', 'deployment failed', 'deployment rolling back', 'deployment rolled back']);
  });

  it('the env-file samples: a change is read and compared, an invalid file and a re-upload deploy nothing', async () => {
    const changed = await run(['events/s3-env-file-changed.json']);
    expect(changed.text).toContain(
      '  assumed: s3:GetObject Bucket=myproject-config-dev Key=api/.env VersionId=UIORUnfnDLGx2uOvCR8tUJgdPKF1mZ4e → version UIORUnfnDLGx2uOvCR8tUJgdPKF1mZ4e is a valid env file: APP_ENV, LOG_LEVEL, DB_HOST, FEATURE_SEARCH',
    );
    expect(changed.text).toContain(
      '  assumed: s3:ListObjectVersions Bucket=myproject-config-dev Prefix=api/.env → the version before UIORUnfnDLGx2uOvCR8tUJgdPKF1mZ4e is Zq9rWAT0HjcxRu2A.7ybI1fZJbV0Gx3L',
    );
    expect(changed.text).toContain(
      'added FEATURE_SEARCH; removed LEGACY_API; changed LOG_LEVEL (since version Zq9rWAT0HjcxRu2A.7ybI1fZJbV0Gx3L)',
    );
    expect(changed.text).toContain(
      '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): would restart it on the revision it runs (UpdateService, forceNewDeployment)',
    );

    const invalid = await run(['events/s3-env-file-invalid.json']);
    expect(invalid.text).toContain('  notify (error): Env file invalid: s3://myproject-config-dev/api/.env');
    expect(invalid.text).toContain('      line 6: APP_ENV is set again (first on line 2; ECS keeps the last one)');
    expect(invalid.text).not.toContain('api →');

    const reupload = await run(['events/s3-env-file-reupload.json']);
    expect(reupload.text).toContain(
      ': nothing to deploy (ignored: env file s3://myproject-config-dev/api/.env has the same variables and values as version Zq9rWAT0HjcxRu2A.7ybI1fZJbV0Gx3L; nothing to redeploy)',
    );
    expect(reupload.text).toContain('Slack (not sent): no message');
  });

  it('the env-file sample plans every service that uses it', async () => {
    const { text } = await run(['events/s3-env-file-created.json']);
    for (const service of ['api', 'worker', 'backend'])
      expect(text).toMatch(new RegExp(`^  ${service} → ECS service myproject_service_(${service}_)?dev .*would restart it`, 'm'));
  });

  it('the scan-gate samples: a push waits for its scan, the scan completion deploys or refuses', async () => {
    const pushed = await run(['events/ecr-push-scan-gated.json']);
    expect(pushed.text).toMatch(/scan IN_PROGRESS/);
    expect(pushed.text).toContain('  notify (info): Waiting for the image scan: api');
    expect(pushed.text).not.toContain('api →');
    expect((await run(['events/ecr-scan-passed-api.json'])).text).toContain('  api → ECS service myproject_service_api_dev');
    const refused = await run(['events/ecr-scan-refused-api.json']);
    expect(refused.text).toContain('  assumed: ecr:DescribeImageScanFindings');
    expect(refused.text).toContain('  notify (error): Image refused by the scan gate: api');
  });

  it('the parameter sample says who changed it, from a described DescribeParameters', async () => {
    const { text } = await run(['events/ssm-parameter-update.json']);
    expect(text).toContain('  assumed: ssm:DescribeParameters');
    expect(text).toContain('arn:aws:iam::123456789012:user/alice (version 7)');
  });

  it('a put-events entries file: each entry as EventBridge delivers it; the ECS task definition runs the service’s own image', async () => {
    const { code, text } = await run(['events/put-events/manual-deploy.json']);
    expect(code).toBe(0);
    expect(text).toContain(
      '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): would deploy myproject_service_api_dev:42 (UpdateService, forceNewDeployment)',
    );
    expect(text).toContain('runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:latest');
    expect(text).toContain(
      '    trigger: manual deploy via action.deploy, requested by alice@example.com (unverified): Hotfix: roll out the config fix',
    );
  });

  it.each([['events/ecr-push-api.json'], ['events/ecs-rollout-sequence.json']])(
    '%s: a DRY_RUN the function refuses is refused here too, although offline forces a dry run',
    async (file) => {
      const { code, lines } = await run([file], { DRY_RUN: 'maybe' });
      expect(lines).toEqual(['invalid configuration (1 problem):', '- DRY_RUN must be one of true/false/1/0/yes/no, got "maybe"']);
      expect(code).toBe(1);
    },
  );

  it('events/approval-sequence.json: push → approval asked → a signed click on Approve → deployed → completed, in one message naming the approver', async () => {
    const { code, lines, text } = await run(['events/approval-sequence.json']);
    expect(code).toBe(0);
    expect(lines.filter((l) => l.startsWith('Slack') || l.startsWith('  Slack') || l.startsWith('  the '))).toEqual([
      '  Slack (not sent): [amber #ECB22E] :warning: Approval needed: api',
      'Slack: a click on deploybridge.approve by U0APPROVER (alice) for 168cff30fe6cf3ea772ffbc3, signed now with the signing secret',
      '  the Function URL answered 200: handed off to an asynchronous invocation',
      '  the asynchronous invocation: carried out',
      '  Slack (not sent), update of message 1: [blue #1D9BD1] :rocket: Approved: api',
      '  Slack (not sent), update of message 1: [blue #1D9BD1] :rocket: Deployment started: api',
      '  Slack (not sent), update of message 1: [blue #1D9BD1] :rocket: Deployment in progress: api',
      '  Slack (not sent), update of message 1: [green #2EB67D] :white_check_mark: Deployment completed: api',
    ]);
    expect(lines).toContain(
      '    waiting for approval: request 168cff30fe6cf3ea772ffbc3 asked in Slack, nothing deployed until an approver approves',
    );
    // The channel: one message, the request become the deployment, naming who approved it; no button left.
    const channel = text.slice(text.indexOf('The Slack channel as a bot token leaves it'));
    expect(channel).toMatch(/Approved by: <@U0APPROVER> at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(channel).not.toContain('[Approve]');
    expect(channel.match(/^\[/gm)).toHaveLength(1);
  });

  it('with APPROVERS set, one event offline says it would ask for approval, and asks nothing', async () => {
    const { code, lines } = await run(['events/ecr-push-api.json'], { APPROVERS: 'U0APPROVER' });
    expect(code).toBe(0);
    expect(lines).toContain('Slack (not sent): [amber #ECB22E] :warning: [DRY RUN] Would ask for approval: api');
    expect(lines).toContain('    Approvers: <@U0APPROVER>');
    expect(lines.join('\n')).not.toContain('[Approve]');
  });

  it('DRY_RUN=false is valid, and a single event offline is still a dry run', async () => {
    const { code, lines } = await run(['events/ecr-push-api.json'], { DRY_RUN: 'false' });
    expect(code).toBe(0);
    expect(lines).toContain('Slack (not sent): [blue #1D9BD1] :rocket: [DRY RUN] Deployment would start: api');
  });

  it('a manual deploy of a pinned revision: the described task definition is that revision, of the service’s own image', async () => {
    const { code, lines } = await run(['events/manual-deploy-backend-pinned.json']);
    expect(code).toBe(0);
    expect(lines).toContain(
      '  backend → ECS service myproject_service_dev (cluster myproject_cluster_dev): would deploy myproject_service_dev:42 (UpdateService, forceNewDeployment)',
    );
    expect(lines).toContain(
      '  assumed: ecs:DescribeTaskDefinition taskDefinition=myproject_service_dev:42 → revision 42 is ACTIVE and runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_backend:latest',
    );
    expect(lines.join('\n')).not.toMatch(/latest ACTIVE revision|myproject_service_dev:42:/);
  });

  it('a pinned revision other than the latest is described as that revision', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybridge-pinned-'));
    try {
      const file = join(dir, 'pinned.json');
      const event = JSON.parse(readFileSync('events/manual-deploy.json', 'utf8')) as { detail: Record<string, unknown> };
      event.detail.task_definition = 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:7';
      writeFileSync(file, JSON.stringify(event));
      const { code, lines } = await run([file, '--verbose']);
      expect(code).toBe(0);
      expect(lines).toContain(
        '  assumed: ecs:DescribeTaskDefinition taskDefinition=arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:7 → revision 7 is ACTIVE and runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:latest',
      );
      expect(lines).toContain('    Task definition: myproject_service_api_dev:7');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a request's text reaches the terminal masked, without control or bidirectional characters, in the plan, the messages and the log lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybridge-hostile-'));
    try {
      const file = join(dir, 'hostile.json');
      const event = JSON.parse(readFileSync('events/manual-deploy.json', 'utf8')) as { detail: Record<string, unknown> };
      event.detail.requested_by = 'alice\u202Egnp.exe\u0000\u001b[2J';
      event.detail.reason = HOSTILE_TEXT;
      writeFileSync(file, JSON.stringify(event));
      const { code, text } = await run([file, '--json', '--verbose']);
      expect(code).toBe(0);
      expect(text).toContain('alicegnp.exe[2J');
      expect(text).toContain('pull https://[redacted]@registry.example.com');
      expect(OUTSIDE_TEXT_SECRETS.filter((secret) => text.includes(secret))).toEqual([]);
      expect(text).not.toMatch(UNSAFE_CHARACTERS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a sequence with restarts (SSM, S3): each restarts the revision its service runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybridge-restarts-'));
    try {
      const file = join(dir, 'restarts.json');
      const sample = (name: string) => JSON.parse(readFileSync(`events/${name}`, 'utf8')) as unknown;
      // The env file changes after the first restart started (a change made before it would be covered by it).
      const later = { ...(sample('s3-env-file-changed.json') as object), time: '2099-01-01T00:00:00Z' };
      writeFileSync(file, JSON.stringify([sample('ssm-parameter-update.json'), later]));
      const { code, lines, text } = await run([file]);
      expect(code).toBe(0);
      expect(lines.filter((l) => l.startsWith('    started: '))).toEqual([
        '    started: deployment ecs-svc/1000000000000000001 of myproject_service_api_dev:41, replacing myproject_service_api_dev:41',
        '    started: deployment ecs-svc/1000000000000000002 of myproject_service_api_dev:41, replacing myproject_service_api_dev:41',
      ]);
      // The second restart replaced the first before it finished: the first one's message says so.
      expect(lines.filter((l) => l.startsWith('    Task definition: ') || l.startsWith('[amber') || l.startsWith('[blue'))).toEqual([
        '[amber #ECB22E] :warning: Deployment superseded: api',
        '    Task definition: myproject_service_api_dev:41',
        '[blue #1D9BD1] :rocket: Deployment started: api',
        '    Task definition: myproject_service_api_dev:41 (unchanged: new tasks read the new configuration)',
      ]);
      expect(text).not.toContain('undefined');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('deploybridge runs in its own account (123456789012, or AWS_ACCOUNT_ID), never the event’s', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'deploybridge-account-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** A sample sent from account 999999999999, with `detail` changes. */
    const foreign = (sample: string, detail: Record<string, unknown> = {}) => {
      const event = JSON.parse(readFileSync(`events/${sample}`, 'utf8')) as { account: string; detail: Record<string, unknown> };
      event.account = '999999999999';
      Object.assign(event.detail, detail);
      const file = join(dir, `foreign-${sample}`);
      writeFileSync(file, JSON.stringify(event));
      return file;
    };
    const foreignTaskDefinition = 'arn:aws:ecs:us-east-1:999999999999:task-definition/myproject_service_api_dev:7';

    it('a manual deploy of a task definition of the sender’s account is refused', async () => {
      const { code, lines } = await run([foreign('manual-deploy.json', { task_definition: foreignTaskDefinition })]);
      expect(code).toBe(0);
      expect(lines[2]).toBe(
        `Rejected Manual Deploy b7d1c4a2-5f3e-4c8a-9e21-0c6a1d2f3e4b: nothing to deploy (manual deploy refused: task definition "${foreignTaskDefinition}" belongs to account "999999999999" in "us-east-1", not to account 123456789012 in us-east-1 where deploybridge runs)`,
      );
    });

    it('AWS_ACCOUNT_ID names the account deploybridge runs in, and the first line says it', async () => {
      const { code, lines } = await run([foreign('manual-deploy.json', { task_definition: foreignTaskDefinition })], {
        AWS_ACCOUNT_ID: '999999999999',
      });
      expect(code).toBe(0);
      expect(lines[0]).toContain('(project myproject, env dev, account 999999999999 from AWS_ACCOUNT_ID)');
      expect(lines).toContain(
        '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): would deploy myproject_service_api_dev:7 (UpdateService, forceNewDeployment)',
      );
    });

    it('an AWS_ACCOUNT_ID that is not an account id is refused', async () => {
      expect(await run(['events/manual-deploy.json'], { AWS_ACCOUNT_ID: 'me' })).toMatchObject({
        code: 2,
        lines: ['AWS_ACCOUNT_ID must be a 12-digit AWS account id (the account deploybridge is assumed to run in), got "me"'],
      });
    });

    it('an ECR push in another account’s registry is not the image the service’s task definition runs', async () => {
      const { code, lines } = await run([foreign('ecr-push-api.json')]);
      expect(code).toBe(0);
      expect(lines).toContain(
        '  assumed: ecs:DescribeTaskDefinition taskDefinition=myproject_service_api_dev → its latest ACTIVE revision is 42 and runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:v1.4.2',
      );
      expect(lines).toContain(
        '  skip api: no container of arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:42 runs an image from myproject_service_api',
      );
    });
  });

  it('an event whose time is not a time is handled as the function handles it: at the current time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybridge-time-'));
    try {
      const event = JSON.parse(readFileSync('events/ecr-push-api.json', 'utf8')) as Record<string, unknown>;
      event.time = 'garbage';
      const file = join(dir, 'garbage-time.json');
      writeFileSync(file, JSON.stringify(event));
      // Only Date is virtual: "now" is a time the test knows.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 0, 1, 12) });
      const { code, lines, text } = await run([file]);
      expect(code).toBe(0);
      expect(lines).toContain('Plan for ECR Image Action 13cde686-328b-6117-af20-0e5566167482 (route ecr): 1 deployment');
      expect(text).not.toContain('Invalid time value');
      // The image was pushed 2 minutes before the event, which happened now.
      expect(/pushed (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC/.exec(text)?.[1]).toBe('2026-01-01 11:58');
    } finally {
      vi.useRealTimers();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a sequence: each event in order, one line per Slack call, then the channel a bot token leaves', async () => {
    const { code, lines } = await run(['events/ecs-rollback-sequence.json']);
    expect(code).toBe(0);
    expect(lines.filter((l) => l.startsWith('== '))).toEqual([
      '== 1 of 6',
      '== 2 of 6',
      '== 3 of 6',
      '== 4 of 6',
      '== 5 of 6',
      '== 6 of 6',
    ]);
    expect(lines).toContain(
      '    started: deployment ecs-svc/1000000000000000001 of myproject_service_api_dev:42, replacing myproject_service_api_dev:41',
    );
    expect(lines.filter((l) => l.startsWith('  Slack (not sent)'))).toEqual([
      '  Slack (not sent): [blue #1D9BD1] :rocket: Deployment started: api',
      '  Slack (not sent), update of message 1: [blue #1D9BD1] :rocket: Deployment in progress: api',
      '  Slack (not sent), update of message 1: [blue #1D9BD1] :rocket: Deployment in progress: api',
      '  Slack (not sent), reply in the thread of message 1: [amber #ECB22E] :warning: Tasks fail to start: api',
      '  Slack (not sent), update of message 1: [red #E01E5A] :x: Deployment failed: api',
      '  Slack (not sent), reply in the thread of message 1: [red #E01E5A] :x: Why it failed: api',
      '  Slack (not sent), update of message 1: [red #E01E5A] :x: Deployment failed, rolling back: api',
      '  Slack (not sent), reply in the thread of message 1: [amber #ECB22E] :warning: Rolling back: api',
      '  Slack (not sent), update of message 1: [red #E01E5A] :x: Deployment rolled back: api',
    ]);
    const channel = lines.slice(lines.findIndex((l) => l.startsWith('The Slack channel as a bot token leaves it')) + 2);
    expect(channel[0]).toBe('[red #E01E5A] :x: Deployment rolled back: api');
    expect(channel).toContain('    Status: failed and rolled back: the service runs myproject_service_api_dev:41 again');
    expect(channel).toContain('    3 replies in its thread:');
    expect(channel).toContain('      [amber #ECB22E] :warning: Rolling back: api');
  });

  it("a second push while deploybridge's first rollout is under way: ECS answers that it replaces that rollout, whose message says superseded", async () => {
    const { code, lines } = await run(['events/ecs-superseded-sequence.json']);
    expect(code).toBe(0);
    expect(lines).toContain(
      '  described write: ecs:UpdateService cluster=myproject_cluster_dev service=myproject_service_api_dev taskDefinition=arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:42 forceNewDeployment=true → ECS starts deployment ecs-svc/1000000000000000002 of myproject_service_api_dev:42, replacing ecs-svc/1000000000000000001 (myproject_service_api_dev:42, still rolling out) and ecs-svc/1000000000000000000 (myproject_service_api_dev:41)',
    );
    expect(lines.filter((l) => l.startsWith('  Slack (not sent)'))).toEqual([
      '  Slack (not sent): [blue #1D9BD1] :rocket: Deployment started: api',
      '  Slack (not sent), update of message 1: [blue #1D9BD1] :rocket: Deployment in progress: api',
      '  Slack (not sent), message 2: [blue #1D9BD1] :rocket: Deployment started: api',
      '  Slack (not sent), update of message 1: [amber #ECB22E] :warning: Deployment superseded: api',
      '  Slack (not sent), update of message 2: [blue #1D9BD1] :rocket: Deployment in progress: api',
      '  Slack (not sent), update of message 2: [green #2EB67D] :white_check_mark: Deployment completed: api',
    ]);
    const channel = lines.slice(lines.findIndex((l) => l.startsWith('The Slack channel as a bot token leaves it')) + 2);
    expect(channel[0]).toBe('[amber #ECB22E] :warning: Deployment superseded: api');
    expect(channel).toContain(
      '    Status: superseded before it finished by ECR push myproject_service_api:v1.4.4 (sha256:8a4d2f6c1e3b5a7d9c0e2f4a6b8d0c1e3f5a7b9d1c3e5f7a9b0d2c4e6f8a1b3c) (deployment ecs-svc/1000000000000000002)',
    );
    // The second rollout replaced the tasks of revision 41, which still served.
    expect(lines).toContain(
      '    started: deployment ecs-svc/1000000000000000002 of myproject_service_api_dev:42, replacing myproject_service_api_dev:41',
    );
    expect(channel.filter((l) => l.includes('rolling out'))).toEqual([]);
  });
});

describe('bad arguments and input: one line naming the file and the problem, exit code 2', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploybridge-local-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it.each([
    ['a missing file', () => join(dir, 'nope.json'), 'no such file'],
    ['a directory', () => dir, 'is a directory, not a JSON file'],
    [
      'an empty file',
      () => file('empty.json', ''),
      'the file is empty (expected an EventBridge event, a JSON array of events, a put-events entries array, or an SQS batch)',
    ],
    [
      'a blank file',
      () => file('blank.json', ' \n\t\n'),
      'the file is empty (expected an EventBridge event, a JSON array of events, a put-events entries array, or an SQS batch)',
    ],
    [
      'malformed JSON',
      () => file('malformed.json', '{\n  "id": "1",\n}\n'),
      'not valid JSON (Expected double-quoted property name in JSON at position 15: line 3, column 1)',
    ],
    [
      'malformed JSON, mid-line',
      () => file('malformed-line.json', '{"a": 1 "b": 2}'),
      "not valid JSON (Expected ',' or '}' after property value in JSON at position 8: line 1, column 9)",
    ],
    [
      'malformed JSON quoted across lines',
      () => file('malformed-lines.json', 'x\ny\n'),
      /^not valid JSON \(Unexpected token .*x.* is not valid JSON\)$/,
    ],
    [
      'null',
      () => file('null.json', 'null'),
      'holds null, not an event (expected an EventBridge event, a JSON array of events, a put-events entries array, or an SQS batch)',
    ],
    [
      'a number',
      () => file('number.json', '42'),
      'holds a number, not an event (expected an EventBridge event, a JSON array of events, a put-events entries array, or an SQS batch)',
    ],
    ['[]', () => file('empty-array.json', '[]'), 'an empty array: no events to run'],
    ['an array holding text', () => file('strings.json', '["a"]'), 'item 1 is a string, not an event or a put-events entry'],
    [
      'an array of neither events nor entries',
      () => file('neither.json', '[{"id":"1"}]'),
      'item 1 is neither an EventBridge event (no "detail-type") nor a put-events entry (no "DetailType")',
    ],
    [
      'events and entries mixed',
      () => file('mixed.json', '[{"detail-type":"x"},{"DetailType":"Manual Deploy"}]'),
      'mixes EventBridge events and put-events entries (item 2); use one or the other',
    ],
    [
      'one entry not in an array',
      () => file('entry.json', '{"Source":"action.deploy","DetailType":"Manual Deploy","Detail":"{}"}'),
      'holds one put-events entry: put-events --entries takes an array, so wrap it in [ ]',
    ],
    [
      'an entry whose Detail is an object',
      () => file('detail-object.json', '[{"Source":"action.deploy","DetailType":"Manual Deploy","Detail":{"service":"api"}}]'),
      'entry 1: "Detail" must be a JSON string, as put-events takes it ("Detail": "{\\"service\\":\\"api\\"}"), not an object',
    ],
    [
      'an entry whose Detail is not JSON',
      () =>
        file(
          'detail-text.json',
          '[{"Source":"action.deploy","DetailType":"Manual Deploy","Detail":"{\\"service\\":\\"api\\"}"},{"Source":"action.deploy","DetailType":"Manual Deploy","Detail":"service=api"}]',
        ),
      /^entry 2: "Detail" is not valid JSON \(.+\)$/,
    ],
    [
      'an entry whose Detail is a JSON array',
      () => file('detail-array.json', '[{"Source":"action.deploy","DetailType":"Manual Deploy","Detail":"[1]"}]'),
      'entry 1: "Detail" must hold a JSON object, not an array',
    ],
    [
      'an entry without Detail',
      () => file('no-detail.json', '[{"Source":"action.deploy","DetailType":"Manual Deploy"}]'),
      'entry 1 has no "Detail": PutEvents fails an entry without Source, DetailType and Detail',
    ],
    [
      'an entry without Source and DetailType',
      () => file('no-source.json', '[{"Detail":"{\\"service\\":\\"api\\"}"}]'),
      'entry 1 has no "Source", "DetailType": PutEvents fails an entry without Source, DetailType and Detail',
    ],
    [
      'an entry with a source of AWS (aws.…)',
      () =>
        file(
          'aws-source.json',
          JSON.stringify([
            { Source: 'action.deploy', DetailType: 'Manual Deploy', Detail: '{"service":"api"}' },
            { Source: 'aws.ecr', DetailType: 'ECR Image Action', Detail: '{"repository-name":"myproject_service_api"}' },
          ]),
        ),
      'entry 2: Source "aws.ecr" is reserved for AWS services: PutEvents fails the entry (NotAuthorizedForSourceException); manual deploys are sent as action.deploy or action.production',
    ],
    [
      'an entry whose DetailType is longer than PutEvents takes',
      () => file('long-type.json', JSON.stringify([{ Source: 'action.deploy', DetailType: 'M'.repeat(129), Detail: '{}' }])),
      'entry 1: "DetailType" is 129 characters: PutEvents takes at most 128',
    ],
    [
      'an entry larger than PutEvents takes',
      () =>
        file(
          'large.json',
          JSON.stringify([
            { Source: 'action.deploy', DetailType: 'Manual Deploy', Detail: JSON.stringify({ reason: 'x'.repeat(262_144) }) },
          ]),
        ),
      'entry 1 is 262183 bytes (Source, DetailType, Detail and Resources): PutEvents takes at most 262144 (256 KB) an entry',
    ],
    [
      'more entries than PutEvents takes',
      () =>
        file(
          'eleven.json',
          JSON.stringify(
            Array.from({ length: 11 }, () => ({ Source: 'action.deploy', DetailType: 'Manual Deploy', Detail: '{"service":"api"}' })),
          ),
        ),
      '11 entries: PutEvents takes 1 to 10 in one request and refuses the whole request (split the file)',
    ],
  ])('%s', async (_what, path, problem) => {
    const output = captureOutput();
    try {
      const at = path();
      const { code, lines } = await run([at]);
      expect(code).toBe(2);
      expect(lines).toHaveLength(1);
      const [line = ''] = lines;
      expect(line.startsWith(`${at}: `)).toBe(true);
      const said = line.slice(at.length + 2);
      if (typeof problem === 'string') expect(said).toBe(problem);
      else expect(said).toMatch(problem);
      expect(line).not.toMatch(/\n| {4}at /);
      expect(output.text()).toBe('');
    } finally {
      output.restore();
    }
  });

  it.each([
    [
      ['events/ecr-push-api.json', '--LIVE'],
      'unknown option --LIVE (did you mean --live?); usage: npm start -- <event file> [--json] [--verbose] [--live]',
    ],
    [
      ['--Json', 'events/ecr-push-api.json'],
      'unknown option --Json (did you mean --json?); usage: npm start -- <event file> [--json] [--verbose] [--live]',
    ],
    [['events/ecr-push-api.json', '-v'], 'unknown option -v; usage: npm start -- <event file> [--json] [--verbose] [--live]'],
    [[], 'usage: npm start -- <event file> [--json] [--verbose] [--live]'],
    [
      ['events/ecr-push-api.json', 'events/ecr-push-backend.json'],
      'one file at a time (given events/ecr-push-api.json, events/ecr-push-backend.json); a JSON array of events runs several in order',
    ],
  ])('%j is refused before anything runs', async (argv, line) => {
    expect(await run(argv)).toMatchObject({ code: 2, lines: [line] });
  });

  it('--help prints the usage and the options', async () => {
    const { code, lines } = await run(['--help']);
    expect(code).toBe(0);
    expect(lines[0]).toBe('usage: npm start -- <event file> [--json] [--verbose] [--live]');
    expect(lines.map((l) => l.trim().split(' ')[0])).toEqual(['usage:', '<event', '--json', '--verbose', '--live', 'AWS_ACCOUNT_ID']);
  });

  it('an entries file with several entries runs each in order, naming the bus each is sent to', async () => {
    const path = file(
      'two.json',
      JSON.stringify([
        {
          Source: 'action.deploy',
          DetailType: 'Manual Deploy',
          Detail: JSON.stringify({ service: 'api', env: 'dev', project: 'myproject', reason: 'first' }),
        },
        {
          EventBusName: 'myproject-deploybridge-dev-manual-deploys',
          Source: 'action.deploy',
          DetailType: 'Manual Deploy',
          Detail: JSON.stringify({ service: 'worker', env: 'dev', project: 'myproject', reason: 'second' }),
        },
      ]),
    );
    const output = captureOutput();
    try {
      const { code, lines } = await run([path]);
      expect(code).toBe(0);
      expect(lines[0]).toContain(', 2 entries in order (project myproject, env dev)');
      expect(
        lines.filter((l) => l.startsWith('== ') || l.startsWith('  api →') || l.startsWith('  worker →')).map((l) => l.split(':')[0]),
      ).toEqual([
        '== entry 1 of 2, sent to the default bus',
        '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev)',
        '== entry 2 of 2, sent to the bus myproject-deploybridge-dev-manual-deploys',
        '  worker → ECS service myproject_service_worker_dev (cluster myproject_cluster_dev)',
      ]);
    } finally {
      output.restore();
    }
  });
});

describe('npm start -- <put-events entries file>: the bus each entry is sent to', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploybridge-buses-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("an entry sent to a bus that is not this install's is never received: said, and nothing is planned for it", async () => {
    const entry = (bus: string | undefined, service: string) => ({
      ...(bus === undefined ? {} : { EventBusName: bus }),
      Source: 'action.deploy',
      DetailType: 'Manual Deploy',
      Detail: JSON.stringify({ service, env: 'dev', project: 'myproject', reason: 'r' }),
    });
    const path = join(dir, 'buses.json');
    writeFileSync(
      path,
      JSON.stringify([
        entry('other-team-bus', 'api'),
        entry('arn:aws:events:us-east-1:123456789012:event-bus/myproject-deploybridge-dev-manual-deploys', 'worker'),
        entry('arn:aws:events:us-east-1:999999999999:event-bus/myproject-deploybridge-dev-manual-deploys', 'api'),
        entry(undefined, 'backend'),
      ]),
    );
    const output = captureOutput();
    try {
      const { code, lines } = await run([path]);
      expect(code).toBe(0);
      expect(lines.filter((l) => l.startsWith('== ') || /^ {2}\w+ → /.test(l)).map((l) => l.split(' (cluster')[0])).toEqual([
        "== entry 1 of 4, sent to the bus other-team-bus: not this install's (its rules listen on the default bus and on myproject-deploybridge-dev-manual-deploys), so deploybridge never receives it",
        '== entry 2 of 4, sent to the bus arn:aws:events:us-east-1:123456789012:event-bus/myproject-deploybridge-dev-manual-deploys',
        '  worker → ECS service myproject_service_worker_dev',
        "== entry 3 of 4, sent to the bus arn:aws:events:us-east-1:999999999999:event-bus/myproject-deploybridge-dev-manual-deploys: not this install's (its rules listen on the default bus and on myproject-deploybridge-dev-manual-deploys), so deploybridge never receives it",
        '== entry 4 of 4, sent to the default bus',
        '  backend → ECS service myproject_service_dev',
      ]);
      expect(lines.filter((l) => l.startsWith('Plan for '))).toHaveLength(2);
    } finally {
      output.restore();
    }
  });
});

describe('npm start -- <file> --live', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('uses none of the embedded defaults: an unconfigured live run lists what is missing', async () => {
    const { code, lines } = await run(['events/ecr-push-api.json', '--live'], {});
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^invalid configuration \(\d+ problems?\):$/);
    expect(lines).toContain('- PROJECT_NAME is required');
  });

  it('deploys through the SDK, sends Slack through the webhook, and prints both as for an offline run', async () => {
    const ecsMock = mockClient(ECSClient);
    const ecrMock = mockClient(ECRClient);
    const slack = await startSlackServer();
    try {
      const arn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:42';
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .resolves(
          taskDefinition('myproject_service_api_dev', 42, ['123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:v1.4.2']),
        );
      ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(arn, 'ecs-svc/9876'));
      ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [] });
      const env = {
        PROJECT_NAME: 'myproject',
        PROJECT_ENV: 'dev',
        AWS_REGION: 'us-east-1',
        ENABLE_S3_MONITORING: 'false',
        SLACK_WEBHOOK_URL: slack.url,
      };
      const { code, lines } = await run(['events/ecr-push-api.json', '--live'], env);
      expect(code).toBe(0);
      expect(lines[0]).toBe(
        'deploybridge LIVE run of events/ecr-push-api.json (project myproject, env dev): real AWS calls in us-east-1; Slack as configured',
      );
      expect(sentCommands(ecsMock).map((c) => c.command)).toEqual(['DescribeTaskDefinitionCommand', 'UpdateServiceCommand']);
      expect(lines).toContain('    started: deployment ecs-svc/9876 of myproject_service_api_dev:42');
      expect(lines).toContain('Slack (sent through the webhook): [blue #1D9BD1] :rocket: Deployment started: api');
      expect(slack.received).toHaveLength(1);
      expect(lines.join('\n')).not.toContain('SECRETTOKEN123');
      expect(lines.some((l) => l.startsWith('Embedded defaults'))).toBe(false);
    } finally {
      ecsMock.restore();
      ecrMock.restore();
      await slack.close();
    }
  });
});

describe('the first screen, as `npm start -- events/ecr-push-api.json` prints it', () => {
  it('fits in 25 lines, leads with what would happen, and holds back the SDK’s Node-version warning', async () => {
    const { stdout, stderr } = await promisify(execFile)('npm', ['start', '--', 'events/ecr-push-api.json'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      encoding: 'utf8',
    });
    recordSuiteOutput(stdout);
    // npm's own banner (a blank line, "> deploybridge@… start", "> tsx …", a blank line) is on this screen too.
    const screen = [...stdout.replace(/\n$/, '').split('\n'), ...(stderr === '' ? [] : stderr.replace(/\n$/, '').split('\n'))];
    expect(screen.length).toBeLessThanOrEqual(25);
    expect(stderr).toBe('');
    const own = screen.slice(screen.findIndex((l) => l.startsWith('deploybridge ')));
    expect(own[0]).toBe(
      'deploybridge offline dry run of events/ecr-push-api.json (project myproject, env dev): nothing in AWS is changed, nothing is sent to Slack',
    );
    expect(own[2]).toBe('Plan for ECR Image Action 13cde686-328b-6117-af20-0e5566167482 (route ecr): 1 deployment');
    expect(own[3]).toContain(
      'api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): would deploy myproject_service_api_dev:42',
    );
    expect(own).toContain('Slack (not sent): [blue #1D9BD1] :rocket: [DRY RUN] Deployment would start: api');
    expect(own).toContain(
      '    [Open in ECS console] https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/myproject_cluster_dev/services/myproject_service_api_dev/deployments?region=us-east-1',
    );
    expect(screen.join('\n')).not.toMatch(/NodeVersionSupportWarning|\{"timestamp"|"blocks"/);
    // On Node < 22 the SDK's warning is one line, the last.
    const note = screen.findIndex((l) => l.includes('Node >= 22'));
    if (note !== -1) expect(note).toBe(screen.length - 1);
  });
});

describe('npm start with RELEASE_CONFIG (offline)', () => {
  const RELEASE = {
    RELEASE_CONFIG: JSON.stringify({
      api: { run_before: { family: 'myproject_migrate_dev', container: 'migrate', command: ['./migrate', 'up'], timeout_minutes: 20 } },
      worker: { after: ['api'] },
    }),
    DEPLOYMENTS_TABLE: 'local',
  };
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('one event: a dry run prints the plan of the release steps, and runs nothing', async () => {
    const { code, lines, text } = await run(['events/s3-env-file-created.json'], RELEASE);
    expect(code).toBe(0);
    const plan = lines.indexOf('Slack (not sent), message 1: [blue #1D9BD1] :rocket: [DRY RUN] Release plan: api, worker');
    expect(plan).toBeGreaterThan(0);
    expect(lines.slice(plan + 2, plan + 5)).toEqual([
      '    Steps: 1. Run myproject_migrate_dev before api: waiting',
      '      2. Deploy api: waiting',
      '      3. Deploy worker (after api): waiting',
    ]);
    expect(text).not.toContain('RunTask');
  });

  it('the sample sequence: migration task started, stopped with exit 0, api deployed and completed, worker deployed', async () => {
    const { code, lines } = await run(['events/release-sequence.json'], RELEASE);
    expect(code).toBe(0);
    const writes = lines.filter((l) => l.startsWith('  described write: ')).map((l) => l.split(' → ')[0]);
    expect(writes).toEqual([
      '  described write: ecs:RunTask cluster=myproject_cluster_dev taskDefinition=arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_migrate_dev:42 count=1 startedBy=deploybridge/3877aac17ac0b1b2/0 clientToken=[redacted] launchType=FARGATE platformVersion=LATEST subnets=subnet-0123456789abcdef0 assignPublicIp=DISABLED name=migrate command=./migrate command=up',
      '  described write: ecs:UpdateService cluster=myproject_cluster_dev service=myproject_service_dev forceNewDeployment=true',
      '  described write: ecs:UpdateService cluster=myproject_cluster_dev service=myproject_service_api_dev forceNewDeployment=true',
      '  described write: ecs:UpdateService cluster=myproject_cluster_dev service=myproject_service_worker_dev forceNewDeployment=true',
    ]);
    const channel = lines.slice(lines.findIndex((l) => l.startsWith('The Slack channel as a bot token leaves it')));
    expect(channel).toContain('[green #2EB67D] :white_check_mark: Release completed: api, worker');
    expect(channel.filter((l) => /^ {6}\[/.test(l))).toEqual([
      '      [blue #1D9BD1] :rocket: Task started before api: myproject_migrate_dev',
      '      [green #2EB67D] :white_check_mark: Task succeeded before api: myproject_migrate_dev',
      '      [green #2EB67D] :white_check_mark: Step done: api deployed',
      '      [green #2EB67D] :white_check_mark: Step done: worker deployed',
    ]);
  });
});
