/**
 * `npm run verify`: the preflight against a mocked account (AWS's answers and exceptions), healthy
 * and broken one thing at a time; each break is asserted as the line a person reads and the exit code.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { DescribeClustersCommand, DescribeServicesCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/entry/createApp.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/shared/observability.js';
import { runVerify } from '../../src/verify/cli.js';
import { fakeMetrics, recordingNotifier } from '../helpers/app.js';
import { adapt } from '../helpers/fixtures.js';
import { mockAccount, REGISTRY, type FakeAccount } from '../helpers/fakeAccount.js';
import { startSlackApi, TEST_BOT_TOKEN } from '../helpers/slackApi.js';
import { SIGNING_SECRET, teamsUrl, webhookUrl } from '../helpers/channels.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startSlackServer } from '../helpers/slackServer.js';
import { ENV_FILE_SECRETS, recordSuiteOutput } from '../helpers/suiteOutput.js';

const CONFIG_BUCKET = 'myproject-config-dev';
const FUNCTION_SECRET = 'fn-env-s3cr3t-Qx71';

/** The function's configuration, as the Terraform module passes it. */
const ENV: Record<string, string> = {
  PROJECT_NAME: 'myproject',
  PROJECT_ENV: 'dev',
  AWS_REGION: 'us-east-1',
  SERVICE_CONFIG: JSON.stringify({
    api: [
      { bucket: CONFIG_BUCKET, key: 'api/.env' },
      { bucket: CONFIG_BUCKET, key: 'shared/.env' },
    ],
    worker: [{ bucket: CONFIG_BUCKET, key: 'shared/.env' }],
  }),
  LAMBDA_CONFIG: JSON.stringify({
    thumbnailer: { alias: 'live', artifact: { bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' } },
    renderer: { alias: 'live' },
  }),
  SLACK_WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/slack-webhook-url',
};

/** An account where everything the configuration names exists. */
function healthyAccount(): FakeAccount {
  return {
    clusters: {
      myproject_cluster_dev: {
        myproject_service_api_dev: { taskDefinition: 'myproject_service_api_dev:42' },
        myproject_service_worker_dev: { taskDefinition: 'myproject_service_worker_dev:7' },
        otherteam_web: { taskDefinition: 'otherteam_web:1' },
      },
    },
    taskDefinitions: [
      {
        family: 'myproject_service_api_dev',
        revision: 41,
        status: 'INACTIVE',
        containers: [{ name: 'app', image: `${REGISTRY}/myproject_service_api:old` }],
      },
      {
        family: 'myproject_service_api_dev',
        revision: 42,
        status: 'ACTIVE',
        containers: [
          {
            name: 'app',
            image: `${REGISTRY}/myproject_service_api:latest`,
            secrets: ['/dev/myproject/api/DATABASE_URL', `arn:aws:ssm:us-east-1:123456789012:parameter/dev/myproject/api/API_KEY`],
            envFiles: [`arn:aws:s3:::${CONFIG_BUCKET}/api/.env`, `arn:aws:s3:::${CONFIG_BUCKET}/shared/.env`],
          },
          { name: 'proxy', image: 'public.ecr.aws/nginx/nginx:1.27' },
        ],
      },
      {
        family: 'myproject_service_worker_dev',
        revision: 7,
        status: 'ACTIVE',
        containers: [
          { name: 'worker', image: `${REGISTRY}/myproject_service_worker:v1.2.3`, envFiles: [`arn:aws:s3:::${CONFIG_BUCKET}/shared/.env`] },
        ],
      },
      { family: 'otherteam_web', revision: 1, status: 'ACTIVE', containers: [{ name: 'web', image: 'nginx' }] },
    ],
    repositories: {
      myproject_service_api: ['latest', 'old'],
      myproject_service_worker: ['v1.2.3'],
      myproject_service_renderer: ['v3'],
    },
    parameters: {
      '/dev/myproject/api/DATABASE_URL': { type: 'SecureString' },
      '/dev/myproject/api/API_KEY': { type: 'SecureString' },
      '/deploybridge/myproject/dev/slack-webhook-url': {
        type: 'SecureString',
        version: 2,
        description: 'Slack incoming-webhook URL of deploybridge (myproject dev)',
      },
    },
    objects: {
      [`s3://${CONFIG_BUCKET}/api/.env`]: `# api\nPORT=8080\nDB_PASSWORD=${ENV_FILE_SECRETS[0]}\n`,
      [`s3://${CONFIG_BUCKET}/shared/.env`]: 'LOG_LEVEL=info\n',
      's3://myproject-artifacts/thumbnailer/lambda.zip': 'PK…',
    },
    functions: {
      myproject_lambda_thumbnailer_dev: { packageType: 'Zip', aliases: { live: '7' }, environment: { DATABASE_PASSWORD: FUNCTION_SECRET } },
      myproject_lambda_renderer_dev: {
        packageType: 'Image',
        imageUri: `${REGISTRY}/myproject_service_renderer:v3`,
        aliases: { live: '3' },
      },
    },
    denied: [],
  };
}

let account: FakeAccount;
let mocks: ReturnType<typeof mockAccount>;

beforeEach(() => {
  account = healthyAccount();
  mocks = mockAccount(account);
});
afterEach(() => mocks.reset());

async function verify(argv: string[], env: Record<string, string> = ENV) {
  const printed: string[] = [];
  const code = await runVerify(argv, env, (line) => {
    printed.push(line);
    recordSuiteOutput(line);
  });
  const text = printed.join('\n');
  return { code, text, lines: text.split('\n'), problems: text.split('\n').filter((l) => l.startsWith('problem')) };
}

const HEALTHY = [
  'deploybridge preflight for myproject/dev in us-east-1 (live)',
  'ok       the configuration is valid (4 services named: thumbnailer, renderer, api, worker)',
  'ok       cluster myproject_cluster_dev exists (ACTIVE, 3 services)',
  'ok       api: ECS service myproject_service_api_dev exists (ACTIVE, runs myproject_service_api_dev:42, 2/2 tasks)',
  'ok       api: task-definition family myproject_service_api_dev: latest ACTIVE revision myproject_service_api_dev:42',
  'ok       api: container app of myproject_service_api_dev:42 runs myproject_service_api:latest, which exists in ECR',
  'ok       api: an ECR push of myproject_service_api:latest redeploys it',
  'ok       api: the 2 SSM parameters myproject_service_api_dev:42 references exist (all under /dev/myproject/api/)',
  'ok       worker: ECS service myproject_service_worker_dev exists (ACTIVE, runs myproject_service_worker_dev:7, 2/2 tasks)',
  'ok       worker: task-definition family myproject_service_worker_dev: latest ACTIVE revision myproject_service_worker_dev:7',
  'ok       worker: container worker of myproject_service_worker_dev:7 runs myproject_service_worker:v1.2.3, which exists in ECR',
  'ok       worker: an ECR push of myproject_service_worker:v1.2.3 redeploys it',
  'ok       thumbnailer: Lambda function myproject_lambda_thumbnailer_dev exists (Zip, nodejs22.x)',
  'ok       thumbnailer: alias live of myproject_lambda_thumbnailer_dev points to version 7',
  'ok       thumbnailer: artifact s3://myproject-artifacts/thumbnailer/lambda.zip exists',
  'ok       renderer: Lambda function myproject_lambda_renderer_dev exists (Image)',
  'ok       renderer: alias live of myproject_lambda_renderer_dev points to version 3',
  'ok       renderer: function myproject_lambda_renderer_dev runs myproject_service_renderer:v3, which exists in ECR',
  'ok       renderer: an ECR push of myproject_service_renderer:v3 redeploys it',
  'ok       api: env file s3://myproject-config-dev/api/.env exists and is a valid ECS env file (2 variables)',
  'ok       env file s3://myproject-config-dev/shared/.env (read by api, worker) exists and is a valid ECS env file (1 variable)',
  "ok       the Slack webhook's SSM parameter /deploybridge/myproject/dev/slack-webhook-url exists (SecureString, version 2; value not read)",
  'summary  myproject/dev: 21 ok, 0 problems, 0 warnings (exit 0)',
];

/** Every command the five mocked clients received, as "client:Command". */
function commandsSent(): string[] {
  return Object.entries({ ecs: mocks.ecs, ecr: mocks.ecr, ssm: mocks.ssm, s3: mocks.s3, lambda: mocks.lambda }).flatMap(([client, mock]) =>
    mock.calls().map((call) => `${client}:${(call.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')}`),
  );
}

const service = (name: string) => account.clusters.myproject_cluster_dev?.[name];
const taskDefinition = (family: string, revision: number) =>
  account.taskDefinitions.find((td) => td.family === family && td.revision === revision)!;

describe('npm run verify -- --live, healthy account', () => {
  it('prints one ok line per check, a summary, and exits 0', async () => {
    const { code, lines } = await verify(['--live']);
    expect(lines).toEqual(HEALTHY);
    expect(code).toBe(0);
  });

  it('only reads: describes, lists, gets and heads, and never reads a parameter value', async () => {
    await verify(['--live']);
    const sent = commandsSent();
    expect(sent.length).toBeGreaterThan(10);
    for (const command of sent) expect(command).toMatch(/^\w+:(Describe|List|Get(Function|Alias|Object)$|HeadObject$)/);
    expect(sent.filter((c) => c.startsWith('ssm:'))).toEqual(['ssm:DescribeParameters', 'ssm:DescribeParameters']);
    // The current version of each env file, nothing of its history.
    expect(sent.filter((c) => c.startsWith('s3:'))).toEqual(['s3:HeadObject', 's3:GetObject', 's3:GetObject']);
    for (const call of mocks.s3.commandCalls(GetObjectCommand)) expect(call.args[0].input.VersionId).toBeUndefined();
  });

  it('looks up services ten at a time, parameters by name, and follows the pages of ListServices', async () => {
    await verify(['--live']);
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: 'myproject_cluster_dev',
      services: ['myproject_service_api_dev', 'myproject_service_worker_dev'],
    });
    expect(mocks.ecs).toHaveReceivedCommandTimes(ListServicesCommand, 2);
    expect(mocks.ssm).toHaveReceivedCommandWith(DescribeParametersCommand, {
      ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/dev/myproject/api/DATABASE_URL', '/dev/myproject/api/API_KEY'] }],
    });
    expect(mocks.ecr).toHaveReceivedCommandWith(DescribeImagesCommand, {
      registryId: '123456789012',
      repositoryName: 'myproject_service_worker',
      imageIds: [{ imageTag: 'v1.2.3' }],
    });
  });

  it("never prints a function's environment or its code URL", async () => {
    const { text } = await verify(['--live', '--json']);
    expect(text).not.toContain(FUNCTION_SECRET);
    expect(text).not.toContain('PRESIGNED');
  });
});

describe('npm run verify -- --live, broken account: one problem line each, exit 1', () => {
  it.each<[string, (a: FakeAccount) => void, string]>([
    [
      'missing service',
      (a) => delete a.clusters.myproject_cluster_dev!.myproject_service_worker_dev,
      'problem  worker: ECS service myproject_service_worker_dev not found in cluster myproject_cluster_dev. Fix: create it, or correct SERVICE_NAME_PATTERN (it renders myproject_service_worker_dev for worker) or the key "worker" in SERVICE_CONFIG',
    ],
    [
      'missing family (its only revision deregistered)',
      (a) => (a.taskDefinitions.find((td) => td.family === 'myproject_service_worker_dev')!.status = 'INACTIVE'),
      'problem  worker: task-definition family myproject_service_worker_dev has no ACTIVE revision: every deploy of worker would fail. Fix: register one, or correct TASK_FAMILY_PATTERN (it renders myproject_service_worker_dev for worker)',
    ],
    [
      'missing tag',
      (a) => (a.repositories.myproject_service_worker = ['v1.2.2']),
      'problem  worker: container worker of myproject_service_worker_dev:7 runs myproject_service_worker:v1.2.3, but myproject_service_worker has no image with tag v1.2.3: new tasks cannot pull it. Fix: push myproject_service_worker:v1.2.3, or point the task definition at a tag that exists',
    ],
    [
      'missing repository',
      (a) => delete a.repositories.myproject_service_renderer,
      `problem  renderer: function myproject_lambda_renderer_dev runs ${REGISTRY}/myproject_service_renderer:v3, but the repository myproject_service_renderer does not exist. Fix: create it (aws ecr create-repository --repository-name myproject_service_renderer) and push the image`,
    ],
    [
      'missing parameter',
      (a) => delete a.parameters['/dev/myproject/api/API_KEY'],
      'problem  api: myproject_service_api_dev:42 references SSM parameter /dev/myproject/api/API_KEY, which does not exist: new tasks cannot start. Fix: create it (aws ssm put-parameter --name /dev/myproject/api/API_KEY --type SecureString --value …), or remove it from the task definition',
    ],
    [
      'missing env file',
      (a) => delete a.objects[`s3://${CONFIG_BUCKET}/shared/.env`],
      'problem  env file s3://myproject-config-dev/shared/.env (read by api, worker) does not exist. Fix: upload it, or correct its bucket and key in SERVICE_CONFIG',
    ],
    [
      'invalid env file',
      (a) => (a.objects[`s3://${CONFIG_BUCKET}/api/.env`] = `PORT=8080\nDB PASSWORD=${ENV_FILE_SECRETS[1]}\nexport\nPORT=9090\n`),
      'problem  api: env file s3://myproject-config-dev/api/.env is not a valid ECS env file: line 3: no "=" (neither VARIABLE=VALUE nor a comment; a comment starts with # in the first column); line 2: the name contains whitespace (spaces around or inside the name before "="); line 4: PORT is set again (first on line 1; ECS keeps the last one). Fix: correct it: while it is invalid, a change to it redeploys nothing (ECS would not read it as written)',
    ],
    [
      'missing alias',
      (a) => (a.functions.myproject_lambda_thumbnailer_dev!.aliases = {}),
      'problem  thumbnailer: alias live of myproject_lambda_thumbnailer_dev does not exist: every deploy of thumbnailer would fail. Fix: create it (aws lambda create-alias --function-name myproject_lambda_thumbnailer_dev --name live --function-version VERSION), or remove alias from LAMBDA_CONFIG.thumbnailer',
    ],
    [
      'missing function',
      (a) => delete a.functions.myproject_lambda_thumbnailer_dev,
      'problem  thumbnailer: Lambda function myproject_lambda_thumbnailer_dev not found in us-east-1. Fix: create it, or correct LAMBDA_CONFIG.thumbnailer.function_name (without one, LAMBDA_FUNCTION_PATTERN renders myproject_lambda_thumbnailer_dev)',
    ],
    [
      'missing artifact',
      (a) => delete a.objects['s3://myproject-artifacts/thumbnailer/lambda.zip'],
      'problem  thumbnailer: artifact s3://myproject-artifacts/thumbnailer/lambda.zip does not exist. Fix: upload it, or correct LAMBDA_CONFIG.thumbnailer.artifact',
    ],
    [
      'missing Slack webhook parameter',
      (a) => delete a.parameters['/deploybridge/myproject/dev/slack-webhook-url'],
      `problem  the Slack webhook's SSM parameter /deploybridge/myproject/dev/slack-webhook-url does not exist: no notification can be sent. Fix: aws ssm put-parameter --type SecureString --name /deploybridge/myproject/dev/slack-webhook-url --value "$WEBHOOK_URL"`,
    ],
    [
      "the Terraform module's placeholder still in the webhook parameter",
      (a) => (a.parameters['/deploybridge/myproject/dev/slack-webhook-url']!.version = 1),
      `problem  the Slack webhook's SSM parameter /deploybridge/myproject/dev/slack-webhook-url still holds the placeholder the Terraform module created (version 1). Fix: aws ssm put-parameter --overwrite --type SecureString --name /deploybridge/myproject/dev/slack-webhook-url --value "$WEBHOOK_URL"`,
    ],
    [
      'a service that runs another family than the pattern renders',
      (a) => {
        a.clusters.myproject_cluster_dev!.myproject_service_worker_dev = { taskDefinition: 'worker-legacy:3' };
        a.taskDefinitions.push({
          family: 'worker-legacy',
          revision: 3,
          status: 'ACTIVE',
          containers: [{ name: 'worker', image: `${REGISTRY}/myproject_service_worker:v1.2.3` }],
        });
      },
      'problem  worker: myproject_service_worker_dev runs worker-legacy:3, of another family than myproject_service_worker_dev: a deploy of any trigger would switch it to myproject_service_worker_dev:7. Fix: make TASK_FAMILY_PATTERN render worker-legacy, or move the service to the family myproject_service_worker_dev',
    ],
  ])('%s', async (_name, breakIt, line) => {
    breakIt(account);
    const { code, problems, lines } = await verify(['--live']);
    expect(problems).toEqual([line]);
    expect(lines.at(-1)).toMatch(/^summary {2}myproject\/dev: \d+ ok, 1 problem, 0 warnings \(exit 1\)$/);
    expect(code).toBe(1);
  });

  it('a missing cluster is one problem; the services in it are not looked up', async () => {
    account.clusters = {};
    const { code, problems } = await verify(['--live']);
    expect(problems).toEqual([
      'problem  cluster myproject_cluster_dev not found in us-east-1. Fix: create it, or correct CLUSTER_NAME_PATTERN (it renders myproject_cluster_dev) or AWS_REGION',
    ]);
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
    expect(code).toBe(1);
  });

  it('without a cluster, a project of Lambda targets only has no problem', async () => {
    account.clusters = {};
    const { code, text } = await verify(['--live'], { ...ENV, SERVICE_CONFIG: '{}' });
    expect(text).toContain(
      'ok       cluster myproject_cluster_dev not found in us-east-1; no ECS service is configured, and Lambda targets do not need it',
    );
    expect(code).toBe(0);
  });

  it('a read the operator may not make is a problem naming the permission; the other checks still run', async () => {
    account.denied = ['ecr:DescribeImages'];
    const { code, problems, text } = await verify(['--live']);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe(
      'problem  api: could not check image myproject_service_api:latest: AccessDeniedException: User: arn:aws:iam::123456789012:user/operator is not authorized to perform: ecr:DescribeImages. Fix: allow ecr:DescribeImages for the identity running the preflight (docs/preflight.md, "IAM for the preflight")',
    );
    expect(text).toContain('ok       thumbnailer: alias live of myproject_lambda_thumbnailer_dev points to version 7');
    expect(code).toBe(1);
  });
});

describe('npm run verify -- --live, Slack with a bot token', () => {
  const BOT_ENV = { ...ENV, SLACK_BOT_TOKEN_SSM_PARAMETER: '/deploybridge/myproject/dev/slack-bot-token', SLACK_CHANNEL: 'C0DEPLOYS' };

  it("checks the token's parameter; the webhook's, unused while a token is set, may still hold the module's placeholder", async () => {
    account.parameters['/deploybridge/myproject/dev/slack-bot-token'] = { type: 'SecureString', version: 1 };
    account.parameters['/deploybridge/myproject/dev/slack-webhook-url']!.version = 1;
    const { code, lines } = await verify(['--live'], BOT_ENV);
    expect(lines.at(-2)).toBe(
      "ok       the Slack bot token's SSM parameter /deploybridge/myproject/dev/slack-bot-token exists (SecureString, version 1; value not read) posting to channel C0DEPLOYS; the webhook is not used while a bot token is set",
    );
    expect(code).toBe(0);
  });

  it('a token parameter that does not exist is a problem', async () => {
    const { code, problems } = await verify(['--live'], BOT_ENV);
    expect(problems).toEqual([
      "problem  the Slack bot token's SSM parameter /deploybridge/myproject/dev/slack-bot-token does not exist: no notification can be sent. Fix: aws ssm put-parameter --type SecureString --name /deploybridge/myproject/dev/slack-bot-token --value file://bot-token.txt",
    ]);
    expect(code).toBe(1);
  });
});

describe('npm run verify -- --live, warnings (exit 0)', () => {
  it("lists ECS services that look like this project's but that no trigger reaches", async () => {
    Object.assign(account.clusters.myproject_cluster_dev!, {
      myproject_service_backend_dev: { taskDefinition: 'myproject_service_api_dev:42' },
      myproject_service_thumbnailer_dev: { taskDefinition: 'myproject_service_api_dev:42' },
    });
    const { code, lines } = await verify(['--live']);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([
      'warning  backend: ECS service myproject_service_backend_dev looks like this project\'s, but no trigger reaches it: "backend" means the backend, whose ECS service is myproject_service_dev (a push to myproject_backend redeploys that one). Fix: set BACKEND_SERVICE_NAME=backend if myproject_service_backend_dev is the backend (then myproject_service_dev is not), or rename it',
      "warning  thumbnailer: ECS service myproject_service_thumbnailer_dev looks like thumbnailer's, but thumbnailer is a Lambda target (LAMBDA_CONFIG): its triggers deploy myproject_lambda_thumbnailer_dev, never this ECS service. Fix: delete the ECS service if the function replaced it, or remove thumbnailer from LAMBDA_CONFIG if the ECS service is the target",
    ]);
    expect(code).toBe(0);
  });

  it('checks the services of the cluster that triggers reach although SERVICE_CONFIG does not list them', async () => {
    account.clusters.myproject_cluster_dev!.myproject_service_dev = { taskDefinition: 'myproject_service_dev:3' };
    account.taskDefinitions.push({
      family: 'myproject_service_dev',
      revision: 3,
      status: 'ACTIVE',
      containers: [{ name: 'app', image: `${REGISTRY}/myproject_backend:main` }],
    });
    account.repositories.myproject_backend = ['main'];
    const { code, text } = await verify(['--live']);
    expect(text).toContain(
      'ok       backend: ECS service myproject_service_dev exists (ACTIVE, runs myproject_service_dev:3, 2/2 tasks) (found in the cluster; SERVICE_CONFIG does not list it)',
    );
    expect(text).toContain('ok       backend: an ECR push of myproject_backend:main redeploys it');
    expect(code).toBe(0);
  });

  it('notes a digest-pinned image: a push never redeploys it', async () => {
    taskDefinition('myproject_service_worker_dev', 7).containers[0]!.image = `${REGISTRY}/myproject_service_worker@sha256:abc123`;
    account.repositories.myproject_service_worker!.push('sha256:abc123');
    const { code, lines } = await verify(['--live']);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([
      'warning  worker: container worker of myproject_service_worker_dev:7 runs myproject_service_worker@sha256:abc123 (exists), pinned by digest: a push never redeploys this. Fix: run it by tag if pushes should redeploy it',
      'warning  worker: myproject_service_worker_dev:7 runs its images by digest only: an ECR push never redeploys worker. Fix: run an image of myproject_service_worker by tag if pushes should redeploy it (SSM, S3 and manual deploys still do)',
    ]);
    expect(code).toBe(0);
  });

  it("says when no image comes from the service's repository, so pushes never redeploy it", async () => {
    taskDefinition('myproject_service_worker_dev', 7).containers[0]!.image = `${REGISTRY}/worker-images:v1`;
    const { lines } = await verify(['--live']);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([
      'warning  worker: no image of myproject_service_worker_dev:7 is from myproject_service_worker in this account and region: an ECR push never redeploys worker. Fix: run an image of myproject_service_worker by tag if pushes should redeploy it (SSM, S3 and manual deploys still do)',
    ]);
  });

  it('says when a service runs an older revision than the one its next deploy rolls out, and checks both', async () => {
    service('myproject_service_api_dev')!.taskDefinition = 'myproject_service_api_dev:41';
    const { code, lines } = await verify(['--live']);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([
      'warning  api: myproject_service_api_dev runs myproject_service_api_dev:41, but the latest ACTIVE revision is myproject_service_api_dev:42: the next deploy of any trigger rolls that out too. Fix: deploy myproject_service_api_dev:42 now, or deregister it, so the next change deploys only itself',
    ]);
    expect(lines).toContain(
      'ok       api: container app of myproject_service_api_dev:41 runs myproject_service_api:old, which exists in ECR',
    );
    expect(code).toBe(0);
  });

  it('says when a task definition uses a parameter or an env file whose change would not redeploy the service', async () => {
    const worker = taskDefinition('myproject_service_worker_dev', 7).containers[0]!;
    worker.secrets = ['/dev/myproject/api/DATABASE_URL', '/shared/SENTRY_DSN'];
    worker.envFiles!.push(`arn:aws:s3:::${CONFIG_BUCKET}/worker/.env`);
    account.parameters['/shared/SENTRY_DSN'] = { type: 'SecureString' };
    const { code, lines } = await verify(['--live']);
    expect(lines).toContain(
      'ok       worker: the 2 SSM parameters myproject_service_worker_dev:7 references exist (0 under /dev/myproject/worker/, 2 elsewhere (a change to those does not redeploy worker))',
    );
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([
      "warning  worker: myproject_service_worker_dev:7 references /dev/myproject/api/DATABASE_URL, under the path of api: a change to it redeploys api, not worker. Fix: keep worker's parameters under /dev/myproject/worker/",
      'warning  worker: myproject_service_worker_dev:7 loads env file s3://myproject-config-dev/worker/.env, which SERVICE_CONFIG does not list for worker: changing it redeploys nothing. Fix: add {"bucket":"myproject-config-dev","key":"worker/.env"} to SERVICE_CONFIG.worker',
    ]);
    expect(code).toBe(0);
  });
});

describe('npm run verify -- --live, less common answers', () => {
  it('looks services up ten at a time', async () => {
    for (let i = 0; i < 10; i++)
      account.clusters.myproject_cluster_dev![`myproject_service_extra${i}_dev`] = { taskDefinition: 'myproject_service_api_dev:42' };
    await verify(['--live']);
    const batches = mocks.ecs.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input.services?.length);
    expect(batches).toEqual([10, 2]);
  });

  it('a service that is not ACTIVE is a problem, and what it ran is not inspected', async () => {
    account.clusters.myproject_cluster_dev!.myproject_service_worker_dev = {
      taskDefinition: 'myproject_service_worker_dev:6',
      status: 'DRAINING',
    };
    account.taskDefinitions.push({
      family: 'myproject_service_worker_dev',
      revision: 6,
      status: 'INACTIVE',
      containers: [{ name: 'worker', image: `${REGISTRY}/myproject_service_worker:v1.2.2` }],
    });
    const { code, problems, lines } = await verify(['--live']);
    expect(problems).toEqual([
      'problem  worker: ECS service myproject_service_worker_dev is DRAINING. Fix: recreate it (a DRAINING or INACTIVE service was deleted)',
    ]);
    expect(lines.filter((l) => l.startsWith('warning') || l.includes('worker_dev:6'))).toEqual([]);
    expect(code).toBe(1);
  });

  it('reads the operator may not make about services and task definitions are problems naming the permission', async () => {
    account.denied = ['ecs:DescribeServices', 'ecs:DescribeTaskDefinition'];
    const { code, problems } = await verify(['--live']);
    expect(problems).toEqual([
      'problem  api: could not check ECS service myproject_service_api_dev: AccessDeniedException: User: arn:aws:iam::123456789012:user/operator is not authorized to perform: ecs:DescribeServices. Fix: allow ecs:DescribeServices for the identity running the preflight (docs/preflight.md, "IAM for the preflight")',
      'problem  api: could not check task-definition family myproject_service_api_dev: AccessDeniedException: User: arn:aws:iam::123456789012:user/operator is not authorized to perform: ecs:DescribeTaskDefinition. Fix: allow ecs:DescribeTaskDefinition for the identity running the preflight (docs/preflight.md, "IAM for the preflight")',
      'problem  worker: could not check ECS service myproject_service_worker_dev: AccessDeniedException: User: arn:aws:iam::123456789012:user/operator is not authorized to perform: ecs:DescribeServices. Fix: allow ecs:DescribeServices for the identity running the preflight (docs/preflight.md, "IAM for the preflight")',
      'problem  worker: could not check task-definition family myproject_service_worker_dev: AccessDeniedException: User: arn:aws:iam::123456789012:user/operator is not authorized to perform: ecs:DescribeTaskDefinition. Fix: allow ecs:DescribeTaskDefinition for the identity running the preflight (docs/preflight.md, "IAM for the preflight")',
    ]);
    expect(code).toBe(1);
  });

  it('a running revision that no longer exists is skipped; images shared by two revisions are checked once', async () => {
    service('myproject_service_worker_dev')!.taskDefinition = 'myproject_service_worker_dev:6';
    service('myproject_service_api_dev')!.taskDefinition = 'myproject_service_api_dev:41';
    taskDefinition('myproject_service_api_dev', 41).containers.push(
      { name: 'proxy', image: 'public.ecr.aws/nginx/nginx:1.27' },
      { name: 'app2', image: `${REGISTRY}/myproject_service_api:latest` },
    );
    const { code, lines } = await verify(['--live']);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([
      'warning  api: myproject_service_api_dev runs myproject_service_api_dev:41, but the latest ACTIVE revision is myproject_service_api_dev:42: the next deploy of any trigger rolls that out too. Fix: deploy myproject_service_api_dev:42 now, or deregister it, so the next change deploys only itself',
      'warning  worker: myproject_service_worker_dev runs myproject_service_worker_dev:6, but the latest ACTIVE revision is myproject_service_worker_dev:7: the next deploy of any trigger rolls that out too. Fix: deploy myproject_service_worker_dev:7 now, or deregister it, so the next change deploys only itself',
    ]);
    expect(lines.filter((l) => l.includes('runs myproject_service_api:latest'))).toEqual([
      'ok       api: container app2 of myproject_service_api_dev:41 runs myproject_service_api:latest, which exists in ECR',
    ]);
    expect(lines).toContain(
      'ok       api: the 2 SSM parameters myproject_service_api_dev:41 and myproject_service_api_dev:42 references exist (all under /dev/myproject/api/)',
    );
    expect(code).toBe(0);
  });

  it("an image of another service's repository: a push redeploys that service, not this one", async () => {
    taskDefinition('myproject_service_api_dev', 42).containers.push({ name: 'jobs', image: `${REGISTRY}/myproject_service_worker:v1.2.3` });
    const { lines } = await verify(['--live']);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([
      `warning  api: container jobs of myproject_service_api_dev:42 runs ${REGISTRY}/myproject_service_worker:v1.2.3, from the repository of worker: a push to myproject_service_worker redeploys worker, not api. Fix: to redeploy api on a push, build it from myproject_service_api`,
    ]);
  });

  it('images in another region or account are not looked up here, and their pushes never reach deploybridge', async () => {
    taskDefinition('myproject_service_api_dev', 42).containers[0]!.image =
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/myproject_service_api:latest';
    taskDefinition('myproject_service_worker_dev', 7).containers[0]!.image =
      '210987654321.dkr.ecr.us-east-1.amazonaws.com/myproject_service_worker:v1.2.3';
    const { code, lines } = await verify(['--live']);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([
      'warning  api: container app of myproject_service_api_dev:42 runs 123456789012.dkr.ecr.eu-west-1.amazonaws.com/myproject_service_api:latest: its registry is in eu-west-1; deploybridge runs in us-east-1 and never sees pushes there. Fix: push the image to this account and region, or run deploybridge where the registry is',
      'warning  api: no image of myproject_service_api_dev:42 is from myproject_service_api in this account and region: an ECR push never redeploys api. Fix: run an image of myproject_service_api by tag if pushes should redeploy it (SSM, S3 and manual deploys still do)',
      "warning  worker: container worker of myproject_service_worker_dev:7 runs 210987654321.dkr.ecr.us-east-1.amazonaws.com/myproject_service_worker:v1.2.3: its registry is account 210987654321's; deploybridge runs in 123456789012 and never sees pushes there. Fix: push the image to this account and region, or run deploybridge where the registry is",
      'warning  worker: no image of myproject_service_worker_dev:7 is from myproject_service_worker in this account and region: an ECR push never redeploys worker. Fix: run an image of myproject_service_worker by tag if pushes should redeploy it (SSM, S3 and manual deploys still do)',
    ]);
    expect(mocks.ecr.commandCalls(DescribeImagesCommand).map((call) => call.args[0].input.repositoryName)).toEqual([
      'myproject_service_renderer',
    ]);
    expect(code).toBe(0);
  });

  it('a pinned digest that is gone is a problem', async () => {
    taskDefinition('myproject_service_worker_dev', 7).containers[0]!.image = `${REGISTRY}/myproject_service_worker@sha256:gone`;
    const { problems } = await verify(['--live']);
    expect(problems).toEqual([
      'problem  worker: container worker of myproject_service_worker_dev:7 runs myproject_service_worker@sha256:gone, but myproject_service_worker has no image with digest sha256:gone: new tasks cannot pull it. Fix: point the task definition at an image that exists',
    ]);
  });
});

describe('npm run verify: exit code 2 when the preflight cannot run', () => {
  it('reports an invalid configuration as the function does, before any AWS call', async () => {
    const { code, text } = await verify(['--live'], { PROJECT_NAME: 'myproject', SERVICE_CONFIG: '{"api": "nope"}', DRY_RUN: 'maybe' });
    expect(text).toBe(
      [
        'invalid configuration (3 problems):',
        '- PROJECT_ENV is required',
        '- SERVICE_CONFIG.api: expected array',
        '- DRY_RUN must be one of true/false/1/0/yes/no, got "maybe"',
      ].join('\n'),
    );
    expect(commandsSent()).toEqual([]);
    expect(code).toBe(2);
  });

  it('and as JSON with --json', async () => {
    const { code, text } = await verify(['--json'], { PROJECT_NAME: 'myproject', SERVICE_CONFIG: '{}' });
    expect(JSON.parse(text)).toEqual({
      exitCode: 2,
      error: 'invalid configuration (1 problem):\n- PROJECT_ENV is required',
      problems: ['PROJECT_ENV is required'],
    });
    expect(code).toBe(2);
  });

  it('without credentials', async () => {
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ])
      vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    try {
      const { code, text } = await verify(['--live']);
      expect(text).toMatch(
        /^the preflight could not run: no AWS credentials \(CredentialsProviderError: .+\); set AWS_PROFILE or AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY, or run where a role is available$/,
      );
      expect(commandsSent()).toEqual([]);
      expect(code).toBe(2);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('when AWS refuses the credentials', async () => {
    mocks.ecs.on(DescribeClustersCommand).rejects(
      Object.assign(new Error('The security token included in the request is invalid.'), {
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { code, text } = await verify(['--live']);
    expect(text).toBe(
      'the preflight could not run: AWS refused the credentials (UnrecognizedClientException: The security token included in the request is invalid.)',
    );
    expect(code).toBe(2);
  });

  it('when AWS cannot be reached', async () => {
    mocks.ecs
      .on(DescribeClustersCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }));
    const { code, text } = await verify(['--live', '--json']);
    expect(JSON.parse(text)).toEqual({
      exitCode: 2,
      error: 'the preflight could not run: AWS could not be reached (Error: connect ECONNREFUSED 127.0.0.1:4566)',
    });
    expect(code).toBe(2);
  });

  it('for an unknown argument', async () => {
    expect(await verify(['--lve'])).toMatchObject({
      code: 2,
      text: 'unknown argument --lve\nusage: npm run verify -- [--live] [--slack] [--notify] [--json]',
    });
  });
});

describe('npm run verify -- --json', () => {
  it('prints the same results as one JSON document, with the services and their AWS names', async () => {
    delete account.functions.myproject_lambda_thumbnailer_dev!.aliases.live;
    const { code, text } = await verify(['--live', '--json']);
    const report = JSON.parse(text) as {
      results: Array<Record<string, unknown>>;
      services: Array<Record<string, unknown>>;
      summary: unknown;
      exitCode: number;
    };
    expect(report).toMatchObject({
      project: 'myproject',
      env: 'dev',
      region: 'us-east-1',
      mode: 'live',
      summary: { ok: 20, problems: 1, warnings: 0 },
      exitCode: 1,
    });
    expect(report.results).toHaveLength(HEALTHY.length - 2);
    expect(report.results).toContainEqual({
      status: 'problem',
      check: 'lambda-alias',
      service: 'thumbnailer',
      message: 'alias live of myproject_lambda_thumbnailer_dev does not exist: every deploy of thumbnailer would fail',
      fix: 'create it (aws lambda create-alias --function-name myproject_lambda_thumbnailer_dev --name live --function-version VERSION), or remove alias from LAMBDA_CONFIG.thumbnailer',
    });
    expect(report.services).toContainEqual({
      service: 'api',
      kind: 'ecs',
      origin: 'SERVICE_CONFIG',
      cluster: 'myproject_cluster_dev',
      ecsService: 'myproject_service_api_dev',
      taskFamily: 'myproject_service_api_dev',
      repositories: ['myproject_service_api'],
      parameterPrefixes: ['/dev/myproject/api/'],
      envFiles: ['s3://myproject-config-dev/api/.env', 's3://myproject-config-dev/shared/.env'],
    });
    expect(code).toBe(1);
  });
});

describe('npm run verify (offline)', () => {
  it('validates the configuration and prints the services with their AWS names, without calling AWS', async () => {
    const { code, lines } = await verify([], { ...ENV, BACKEND_SERVICE_NAME: 'web' });
    expect(lines).toEqual([
      'deploybridge preflight for myproject/dev in us-east-1 (offline: the configuration and the AWS names it maps to; --live checks them in the account)',
      'services of myproject/dev and their AWS names (cluster myproject_cluster_dev):',
      '  thumbnailer (Lambda function, from LAMBDA_CONFIG)',
      '    function        myproject_lambda_thumbnailer_dev, alias live',
      '    artifact        s3://myproject-artifacts/thumbnailer/lambda.zip',
      '    ECR repository  myproject_service_thumbnailer',
      '    SSM parameters  /dev/myproject/thumbnailer/*',
      '  renderer (Lambda function, from LAMBDA_CONFIG)',
      '    function        myproject_lambda_renderer_dev, alias live',
      '    ECR repository  myproject_service_renderer',
      '    SSM parameters  /dev/myproject/renderer/*',
      '  api (ECS service, from SERVICE_CONFIG)',
      '    ECS service     myproject_service_api_dev',
      '    task family     myproject_service_api_dev',
      '    ECR repository  myproject_service_api',
      '    SSM parameters  /dev/myproject/api/*',
      '    env files       s3://myproject-config-dev/api/.env, s3://myproject-config-dev/shared/.env',
      '  worker (ECS service, from SERVICE_CONFIG)',
      '    ECS service     myproject_service_worker_dev',
      '    task family     myproject_service_worker_dev',
      '    ECR repository  myproject_service_worker',
      '    SSM parameters  /dev/myproject/worker/*',
      '    env files       s3://myproject-config-dev/shared/.env',
      '  web (ECS service, from BACKEND_SERVICE_NAME)',
      '    ECS service     myproject_service_web_dev',
      '    task family     myproject_service_web_dev',
      '    ECR repository  myproject_backend, myproject_service_web',
      '    SSM parameters  /dev/myproject/backend/*, /dev/myproject/web/*',
      '  any other NAME: ECS service myproject_service_NAME_dev, task family myproject_service_NAME_dev, ECR repository myproject_service_NAME, SSM parameters /dev/myproject/NAME/*',
      'ok       the configuration is valid (5 services named: thumbnailer, renderer, api, worker, web)',
      'ok       Slack webhook read at run time from the SSM parameter /deploybridge/myproject/dev/slack-webhook-url (--live checks that it exists)',
      'summary  myproject/dev: 2 ok, 0 problems, 0 warnings (exit 0)',
    ]);
    expect(commandsSent()).toEqual([]);
    expect(code).toBe(0);
  });

  it('a Slack that is on without a webhook is a problem', async () => {
    const env = { ...ENV };
    delete env.SLACK_WEBHOOK_SSM_PARAMETER;
    const { code, problems } = await verify([], env);
    expect(problems).toEqual([
      'problem  Slack notifications are on, but neither SLACK_WEBHOOK_URL nor SLACK_WEBHOOK_SSM_PARAMETER (nor a bot token) is set: notifications only reach the debug log. Fix: set SLACK_WEBHOOK_SSM_PARAMETER (or SLACK_WEBHOOK_URL), or ENABLE_SLACK_NOTIFICATIONS=false',
    ]);
    expect(code).toBe(1);
  });
});

describe('npm run verify right after npm ci (nothing set)', () => {
  it("offline, checks npm start's embedded configuration and says so", async () => {
    const { code, lines } = await verify([], {});
    expect(lines.slice(0, 2)).toEqual([
      'deploybridge preflight for myproject/dev in us-east-1 (offline: the configuration and the AWS names it maps to; --live checks them in the account)',
      "embedded defaults for PROJECT_NAME, PROJECT_ENV, SERVICE_CONFIG, LAMBDA_CONFIG, ECR_SCAN_GATE: npm start's configuration for the samples in events/ (set PROJECT_NAME and PROJECT_ENV to check yours: the module's output verify_command sets the function's)",
    ]);
    expect(lines).toContain('ok       the configuration is valid (5 services named: thumbnailer, renderer, api, worker, backend)');
    // The embedded configuration has no Slack (npm start prints the messages): said as for any configuration.
    expect(lines.at(-1)).toBe('summary  myproject/dev: 1 ok, 1 problem, 0 warnings (exit 1)');
    expect(commandsSent()).toEqual([]);
    expect(code).toBe(1);
  });

  it('--json lists the variables it took from the embedded defaults', async () => {
    const { text } = await verify(['--json'], {});
    expect(JSON.parse(text)).toMatchObject({
      project: 'myproject',
      env: 'dev',
      mode: 'offline',
      defaults: ['PROJECT_NAME', 'PROJECT_ENV', 'SERVICE_CONFIG', 'LAMBDA_CONFIG', 'ECR_SCAN_GATE'],
    });
  });

  it('a configuration of your own (PROJECT_NAME or PROJECT_ENV set) takes nothing from the embedded defaults', async () => {
    const { code, text } = await verify([], { PROJECT_NAME: 'acme', ENABLE_S3_MONITORING: 'false' });
    expect(text).toBe('invalid configuration (1 problem):\n- PROJECT_ENV is required');
    expect(code).toBe(2);
  });

  it('--live never uses them, and says where the configuration comes from', async () => {
    const { code, lines } = await verify(['--live'], {});
    expect(lines).toEqual([
      'invalid configuration (3 problems):',
      '- PROJECT_NAME is required',
      '- PROJECT_ENV is required',
      '- SERVICE_CONFIG is required while ENABLE_S3_MONITORING is on: service name → [{"bucket", "key"}], {} when no service reads an env file from S3',
      '--live checks the function\'s configuration: set its variables (eval "$(terraform output -raw verify_command)" sets them all); offline, npm run verify alone checks npm start\'s embedded configuration',
    ]);
    expect(commandsSent()).toEqual([]);
    expect(code).toBe(2);
  });

  it('--help describes every option and the exit codes', async () => {
    const { code, lines } = await verify(['--help'], {});
    expect(code).toBe(0);
    expect(lines[0]).toBe('usage: npm run verify -- [--live] [--slack] [--notify] [--json]');
    expect(lines.map((l) => l.trim().split(' ')[0])).toEqual([
      'usage:',
      '(none)',
      '--live',
      '--slack',
      '--notify',
      '--json',
      '--help',
      'exit',
    ]);
    expect(await verify(['-h'], {})).toMatchObject({ code: 0, lines });
  });
});

describe('npm run verify -- --notify', () => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  async function receiver(respond?: Parameters<typeof startReceiver>[0]) {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  }

  it("with --live: each channel's parameters exist; one test message to every channel, whatever it hears, and one line per answer", async () => {
    const [slack, teams, hook] = await Promise.all([receiver(), receiver(), receiver((_q, res) => res.writeHead(401).end())]);
    // Slack's webhook as a value: Powertools caches what a parameter holds for the whole process.
    const values: Record<string, string> = {
      '/deploybridge/myproject/dev/teams-webhook-url': teamsUrl(teams.baseUrl),
      '/deploybridge/myproject/dev/webhook-url': webhookUrl(hook.baseUrl),
      '/deploybridge/myproject/dev/webhook-secret': SIGNING_SECRET,
    };
    for (const name of Object.keys(values)) account.parameters[name] ??= { type: 'SecureString', version: 3 };
    mocks.ssm
      .on(GetParameterCommand)
      .callsFake((input: { Name: string }) => ({ Parameter: { Name: input.Name, Type: 'SecureString', Value: values[input.Name] } }));
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    try {
      const { SLACK_WEBHOOK_SSM_PARAMETER: _parameter, ...env } = ENV;
      const { code, lines, text } = await verify(['--live', '--notify'], {
        ...env,
        SLACK_WEBHOOK_URL: `${slack.baseUrl}/services/T000/B000/SECRETTOKEN123`,
        TEAMS_WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/teams-webhook-url',
        WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/webhook-url',
        WEBHOOK_SECRET_SSM_PARAMETER: '/deploybridge/myproject/dev/webhook-secret',
        WEBHOOK_EVENTS: 'deployment.failed',
        SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:myproject-deploys',
      });
      expect([slack.received.length, teams.received.length, hook.received.length]).toEqual([1, 1, 1]);
      expect((hook.received[0]?.body as { type: string }).type).toBe('preflight.test');
      expect(JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}')).toMatchObject({
        version: '1.0',
        source: 'custom',
        metadata: { eventType: 'preflight.test' },
      });
      expect(lines.filter((l) => /Teams|webhook \(|SNS/.test(l))).toEqual([
        'ok       Teams (teams) hears everything Slack hears, through the SSM parameter /deploybridge/myproject/dev/teams-webhook-url (exists, SecureString; value not read)',
        'ok       webhook (webhook) hears only deployment.failed, through the SSM parameter /deploybridge/myproject/dev/webhook-url and the SSM parameter /deploybridge/myproject/dev/webhook-secret (exists, SecureString; value not read)',
        'ok       SNS (sns) hears everything Slack hears, through topic arn:aws:sns:us-east-1:123456789012:myproject-deploys',
        'ok       test message delivered to Teams (teams)',
        'problem  test message not delivered to webhook (webhook): HTTP 401. Fix: check the URL in the SSM parameter /deploybridge/myproject/dev/webhook-url and the secret in the SSM parameter /deploybridge/myproject/dev/webhook-secret (the receiver checks the signature with it)',
        'ok       test message delivered to SNS (sns)',
      ]);
      expect(text).toContain('ok       test message delivered to Slack through the webhook');
      for (const secret of ['SECRETTOKEN123', 'TEAMSSIG-SECRET789', 'HOOKPATH-SECRET135', SIGNING_SECRET])
        expect(text).not.toContain(secret);
      expect(code).toBe(1);
    } finally {
      sns.restore();
    }
  });

  it("a channel's parameter that does not exist is a problem of --live, before any message", async () => {
    const { code, problems } = await verify(['--live'], {
      ...ENV,
      GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/missing',
    });
    expect(problems).toContain(
      'problem  Google Chat: the SSM parameter /deploybridge/myproject/dev/missing does not exist: no notification reaches Google Chat. Fix: aws ssm put-parameter --type SecureString --name /deploybridge/myproject/dev/missing --value file://value.txt',
    );
    expect(code).toBe(1);
  });

  it('with no channel at all, says so', async () => {
    const env = { ...ENV, ENABLE_SLACK_NOTIFICATIONS: 'false' };
    const { code, problems } = await verify(['--notify'], env);
    expect(problems).toEqual([
      'problem  no test message sent: no channel is configured (Slack is off, and no Teams, Google Chat, webhook or SNS topic is set). Fix: configure a channel (docs/notifications.md), or ENABLE_SLACK_NOTIFICATIONS=true with a webhook or bot token',
    ]);
    expect(code).toBe(1);
  });
});

describe('npm run verify -- --slack', () => {
  let server: Awaited<ReturnType<typeof startSlackServer>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const withWebhook = (url: string) => {
    const env: Record<string, string> = { ...ENV, SLACK_WEBHOOK_URL: url };
    delete env.SLACK_WEBHOOK_SSM_PARAMETER;
    return env;
  };

  it('posts one test message with the counts through the configured webhook', async () => {
    server = await startSlackServer();
    delete account.functions.myproject_lambda_thumbnailer_dev!.aliases.live;
    const { code, lines, text } = await verify(['--live', '--slack'], withWebhook(server.url));
    expect(server.received).toHaveLength(1);
    const payload = server.received[0]!.body as { text: string; attachments: Array<{ color: string; blocks: unknown[] }> };
    expect(payload.text).toBe('deploybridge preflight for myproject/dev: 20 ok, 1 problem (dev)');
    expect(payload.attachments[0]?.color).toBe('#E01E5A');
    expect(JSON.stringify(payload.attachments[0]?.blocks)).toContain(
      'thumbnailer: alias live of myproject_lambda_thumbnailer_dev does not exist',
    );
    expect(lines.slice(-3)).toEqual([
      'ok       Slack webhook URL set in SLACK_WEBHOOK_URL (not shown: it is a secret)',
      'ok       test message delivered to Slack through the webhook',
      'summary  myproject/dev: 21 ok, 1 problem, 0 warnings (exit 1)',
    ]);
    expect(text).not.toContain('SECRETTOKEN123');
    expect(code).toBe(1);
  });

  it('a healthy account gets a green message; offline, only Slack is contacted', async () => {
    server = await startSlackServer();
    const { code } = await verify(['--slack'], withWebhook(server.url));
    const payload = server.received[0]!.body as { text: string; attachments: Array<{ color: string }> };
    expect(payload.text).toBe('deploybridge preflight for myproject/dev: 2 ok, 0 problems (dev)');
    expect(payload.attachments[0]?.color).toBe('#2EB67D');
    expect(commandsSent()).toEqual([]);
    expect(code).toBe(0);
  });

  it('a webhook Slack refuses is a problem, said without the URL', async () => {
    server = await startSlackServer((_req, res) => {
      res.statusCode = 404;
      res.end('no_service');
    });
    const { code, problems, text } = await verify(['--slack'], withWebhook(server.url));
    expect(problems).toEqual([
      'problem  test message not delivered through the webhook: HTTP 404. Fix: check the webhook URL (its value in SLACK_WEBHOOK_URL) and that Slack accepts it',
    ]);
    expect(text).not.toContain('SECRETTOKEN123');
    expect(code).toBe(1);
  });

  it('reads the webhook from its SSM parameter as the function does', async () => {
    server = await startSlackServer();
    mocks.ssm
      .on(GetParameterCommand)
      .resolves({ Parameter: { Name: '/deploybridge/myproject/dev/slack-webhook-url', Type: 'SecureString', Value: server.url } });
    const { code, text } = await verify(['--live', '--slack']);
    expect(mocks.ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/deploybridge/myproject/dev/slack-webhook-url',
      WithDecryption: true,
    });
    expect(server.received).toHaveLength(1);
    expect(text).toContain('ok       test message delivered to Slack');
    expect(text).not.toContain('SECRETTOKEN123');
    expect(code).toBe(0);
  });

  it('with a bot token, posts the test message with chat.postMessage to the channel, as the function would', async () => {
    const api = await startSlackApi();
    try {
      const { code, lines, text } = await verify(['--slack'], {
        ...ENV,
        SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
        SLACK_CHANNEL: 'C0DEPLOYS',
        SLACK_API_URL: api.apiUrl,
      });
      expect(api.calls.map((c) => c.method)).toEqual(['chat.postMessage']);
      expect(api.messages).toEqual([
        {
          ts: expect.any(String),
          colour: '#2EB67D',
          title: ':white_check_mark: deploybridge preflight for myproject/dev: 2 ok, 0 problems',
          replies: [],
        },
      ]);
      expect(lines.slice(-3)).toEqual([
        'ok       Slack bot token set in SLACK_BOT_TOKEN posting to channel C0DEPLOYS (not shown: it is a secret); the webhook is not used while a bot token is set',
        'ok       test message delivered to Slack through the bot token (channel C0DEPLOYS)',
        'summary  myproject/dev: 3 ok, 0 problems, 0 warnings (exit 0)',
      ]);
      expect(text).not.toContain(TEST_BOT_TOKEN);
      expect(code).toBe(0);
    } finally {
      await api.close();
    }
  });

  it('a bot token Slack refuses is a problem, said without the token', async () => {
    const api = await startSlackApi();
    try {
      const { code, problems, text } = await verify(['--slack'], {
        ...ENV,
        SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
        SLACK_CHANNEL: 'C0ELSEWHERE',
        SLACK_API_URL: api.apiUrl,
      });
      expect(problems).toEqual([
        expect.stringMatching(
          /^problem {2}test message not delivered through the bot token \(channel C0ELSEWHERE\): .*channel_not_found.*\. Fix: check the bot token \(its value in SLACK_BOT_TOKEN\), that the app is in channel C0ELSEWHERE and has chat:write$/,
        ),
      ]);
      expect(text).not.toContain(TEST_BOT_TOKEN);
      expect(code).toBe(1);
    } finally {
      await api.close();
    }
  });

  it('with Slack off, no message is sent and that is a problem', async () => {
    const { code, problems } = await verify(['--slack'], { ...ENV, ENABLE_SLACK_NOTIFICATIONS: 'false' });
    expect(problems).toEqual([
      'problem  test message not sent: Slack notifications are off. Fix: set ENABLE_SLACK_NOTIFICATIONS=true to test Slack',
    ]);
    expect(code).toBe(1);
  });
});

describe("the preflight's push lines agree with the ECR trigger", () => {
  /** What the function's ECR route does with a push of `repository:tag`, on the same account (dry run: reads only). */
  async function pushed(repository: string, tag: string) {
    const config = loadConfig({ ...ENV, DRY_RUN: 'true' });
    const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'error' });
    const app = createApp(config, { log, metrics: fakeMetrics(), notifier: recordingNotifier() });
    const result = await app.handle(adapt('ecr/image-action-push-success.json', { 'repository-name': repository, 'image-tag': tag }));
    return result.status === 'planned'
      ? { deployed: result.plan.deployments.map((d) => d.service), skipped: result.plan.skipped.map((d) => d.service) }
      : { deployed: [], skipped: [] };
  }

  it('a push the preflight says redeploys a service does; one it warns about does not', async () => {
    taskDefinition('myproject_service_worker_dev', 7).containers[0]!.image = `${REGISTRY}/myproject_service_worker@sha256:abc123`;
    account.repositories.myproject_service_worker!.push('sha256:abc123');
    const { lines } = await verify(['--live']);
    const claims = lines.flatMap((line) => {
      const m = /^ok {7}(\w+): an ECR push of (\S+):(\S+) redeploys it$/.exec(line);
      return m === null ? [] : [{ service: m[1] as string, repository: m[2] as string, tag: m[3] as string }];
    });
    expect(claims.map((c) => c.service)).toEqual(['api', 'renderer']);
    for (const claim of claims) expect((await pushed(claim.repository, claim.tag)).deployed, claim.repository).toEqual([claim.service]);
    expect(lines).toContain(
      'warning  worker: myproject_service_worker_dev:7 runs its images by digest only: an ECR push never redeploys worker. Fix: run an image of myproject_service_worker by tag if pushes should redeploy it (SSM, S3 and manual deploys still do)',
    );
    expect(await pushed('myproject_service_worker', 'v1.2.3')).toEqual({ deployed: [], skipped: ['worker'] });
  });
});

describe('docs/preflight.md', () => {
  it('its example output is what the preflight prints for that account', async () => {
    const page = readFileSync('docs/preflight.md', 'utf8');
    const example = /```text\n\$ npm run verify -- --live\n([\s\S]*?)\n```/.exec(page)?.[1];
    expect(example).toBeDefined();
    account.repositories.myproject_service_worker = ['v1.2.2'];
    account.functions.myproject_lambda_thumbnailer_dev!.aliases = {};
    account.clusters.myproject_cluster_dev!.myproject_service_backend_dev = { taskDefinition: 'myproject_service_api_dev:42' };
    const { lines } = await verify(['--live']);
    expect(lines).toEqual(example?.split('\n'));
  });
});

describe('npm run verify -- --live, the tasks RELEASE_CONFIG runs before services deploy', () => {
  const releaseEnv = (container: string) => ({
    ...ENV,
    DEPLOYMENTS_TABLE: 'myproject-deploybridge-dev-deployments',
    RELEASE_CONFIG: JSON.stringify({
      api: { run_before: { family: 'myproject_migrate_dev', container, command: ['./migrate', 'up'] } },
      worker: { after: ['api'] },
    }),
  });

  it('a family with an ACTIVE revision that names the container is ok', async () => {
    account.taskDefinitions.push({
      family: 'myproject_migrate_dev',
      revision: 3,
      status: 'ACTIVE',
      containers: [{ name: 'migrate', image: `${REGISTRY}/myproject_migrate:v1` }],
    });
    const { code, lines } = await verify(['--live'], releaseEnv('migrate'));
    expect(lines).toContain('ok       api: runs myproject_migrate_dev:3 before it deploys; container migrate decides');
    expect(code).toBe(0);
  });

  it('a family without an ACTIVE revision, or without the named container, is a problem', async () => {
    const missing = await verify(['--live'], releaseEnv('migrate'));
    expect(missing.problems).toEqual([
      'problem  api: RELEASE_CONFIG.api.run_before.family myproject_migrate_dev has no ACTIVE revision: every release of api would stop before it deploys. Fix: register the task definition, or correct run_before.family',
    ]);
    account.taskDefinitions.push({
      family: 'myproject_migrate_dev',
      revision: 3,
      status: 'ACTIVE',
      containers: [{ name: 'app', image: `${REGISTRY}/myproject_migrate:v1` }],
    });
    const wrong = await verify(['--live'], releaseEnv('migrate'));
    expect(wrong.problems).toEqual([
      'problem  api: myproject_migrate_dev:3 has no container migrate (it has app): every release of api would stop before it deploys. Fix: correct RELEASE_CONFIG.api.run_before.container',
    ]);
    expect(wrong.code).not.toBe(0);
  });
});
