/**
 * The routes the bench (and `npm run bench:profile`) runs: one sample event each (from events/),
 * what the stub must see, the configuration they run with, and the Lambda-like environment of a
 * sample. Pure: no I/O but reading the ECR sample.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const ROUTES = [
  // A push that deploys describes its image; a parameter change names who made it; an env file is
  // read, and compared with the version before it, before anything restarts.
  // `floor`: the route's SDK floor (bench/floors.mjs); the ECS-events route calls no AWS API.
  {
    name: 'ecr',
    event: 'events/ecr-push-api.json',
    calls: { DescribeTaskDefinition: 1, DescribeImages: 1, UpdateService: 1 },
    clients: ['ecr', 'ecs'],
    floor: 'ecr',
  },
  {
    name: 'ssm',
    event: 'events/ssm-parameter-update.json',
    calls: { DescribeParameters: 1, UpdateService: 1 },
    clients: ['ecs', 'ssm'],
    floor: 'ssm',
  },
  {
    name: 's3',
    event: 'events/s3-env-file-created.json',
    calls: { GetObject: 2, ListObjectVersions: 1, UpdateService: 3 },
    clients: ['ecs', 's3'],
    floor: 's3',
  },
  { name: 'ecs', event: 'events/ecs-deployment-completed.json', calls: {}, clients: [] },
  { name: 'manual', event: 'events/manual-deploy.json', calls: { UpdateService: 1 }, clients: ['ecs'], floor: 'manual' },
  // A Lambda target (LAMBDA_CONFIG below): its calls are the Lambda target's business (reads, update,
  // waits, publish, smoke test, alias), so only their kind is checked: Lambda operations only.
  {
    name: 'lambda',
    event: 'events/lambda-s3-artifact-upload.json',
    calls: undefined,
    clients: ['lambda'],
    label: 'route s3 -> Lambda target',
    floor: 'lambda',
  },
];

/** The configuration of the sample events (as `npm start` embeds it). */
const SERVICE_CONFIG = {
  api: [
    { bucket: 'myproject-config-dev', key: 'api/.env' },
    { bucket: 'myproject-config-dev', key: 'shared/.env' },
  ],
  worker: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
  backend: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
};
const LAMBDA_CONFIG = {
  thumbnailer: {
    alias: 'live',
    artifact: { bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' },
    smoke_test: { payload: { ping: true }, expect: { statusCode: 200 } },
  },
};
export const LAMBDA_OPERATIONS = new Set([
  'GetFunction',
  'GetFunctionConfiguration',
  'GetAlias',
  'UpdateFunctionCode',
  'UpdateFunctionConfiguration',
  'PublishVersion',
  'Invoke',
  'UpdateAlias',
]);

/** The image the ECR sample pushes, so the stubbed task definition runs it and the push redeploys. */
export function pushedImage() {
  const event = JSON.parse(readFileSync(join(root, 'events/ecr-push-api.json'), 'utf8'));
  return `${event.account}.dkr.ecr.${event.region}.amazonaws.com/${event.detail['repository-name']}:${event.detail['image-tag']}`;
}

/** A Lambda-like environment: nothing inherited but PATH, fake credentials, the stub as AWS and Slack. */
export function sampleEnv(stub, home, extra = {}) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'bench-session-token',
    AWS_ENDPOINT_URL: stub.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: 'deploybridge',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/deploybridge',
    AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    PROJECT_NAME: 'myproject',
    PROJECT_ENV: 'dev',
    SERVICE_CONFIG: JSON.stringify(SERVICE_CONFIG),
    LAMBDA_CONFIG: JSON.stringify(LAMBDA_CONFIG),
    SLACK_WEBHOOK_URL: stub.slackUrl,
    // Lambda runs Node 22: the SDK's "upgrade from Node 20" warning would be a local-only cost.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}
