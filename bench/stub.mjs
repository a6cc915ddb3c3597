/**
 * A local stand-in for AWS and Slack, for the bench: one HTTP server on 127.0.0.1 that answers the
 * ECS, ECR and SSM JSON protocols (`x-amz-target: AmazonEC2ContainerServiceV20141113.UpdateService`,
 * …), Lambda's REST-JSON API (`PUT /2015-03-31/functions/{name}/code`, …) and S3's REST-XML reads of
 * an env file (`GET /{bucket}/{key}?x-id=GetObject`, `GET /{bucket}?versions`) with minimal valid
 * responses, DynamoDB's `GetItem` and conditional `PutItem` (the deployments table, in memory), and
 * accepts Slack webhook POSTs (any other request). The SDK reaches it through
 * `AWS_ENDPOINT_URL` (S3 path-style, as it uses for an IP address); the notifier through
 * `SLACK_WEBHOOK_URL`.
 *
 * Every AWS call is recorded (operation, input, start and end time) and can be delayed, so the
 * bench can count calls and compare a fan-out with its ideal duration.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WRITE_OPERATIONS } from './lib.mjs';

const ECS_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const ECR_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
const SSM_PREFIX = 'AmazonSSM.';
const DYNAMODB_PREFIX = 'DynamoDB_20120810.';

/** The version the stub lists before any env-file version it was asked for: a change, so it deploys. */
export const PREVIOUS_VERSION = 'bench-previous-version';
const ENV_FILES = { current: 'APP_ENV=dev\nLOG_LEVEL=info\n', previous: 'APP_ENV=dev\nLOG_LEVEL=debug\n' };
const ACCOUNT = '123456789012';

/** The image the stub's task definitions run, when no image is configured. */
export const DEFAULT_IMAGE = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:latest`;

/** Deployments the stub started, for their ids. */
let deployments = 0;

function taskDefinitionArn(region, familyOrArn) {
  if (familyOrArn.startsWith('arn:')) return familyOrArn;
  return `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${familyOrArn.includes(':') ? familyOrArn : `${familyOrArn}:7`}`;
}

/**
 * Answers one AWS JSON-protocol operation. Returns `[status, body]`; unknown operations get the
 * error shape the SDK expects, so a wrong call fails loudly instead of hanging.
 */
export function answer(
  target,
  input,
  { region = 'us-east-1', image = DEFAULT_IMAGE, images = {}, webhookUrl = 'http://127.0.0.1/slack' } = {},
) {
  switch (target) {
    case `${ECS_PREFIX}DescribeTaskDefinition`: {
      const family = String(input.taskDefinition ?? 'unknown');
      const runs = images[family.split(':')[0]] ?? image;
      return [
        200,
        {
          taskDefinition: {
            taskDefinitionArn: taskDefinitionArn(region, family),
            family: family.split(':')[0],
            revision: 7,
            status: 'ACTIVE',
            containerDefinitions: [{ name: 'app', image: runs }],
          },
        },
      ];
    }
    case `${ECS_PREFIX}UpdateService`: {
      // Without a task definition (a restart), the service keeps the one it runs: here, its own name's family.
      const arn = taskDefinitionArn(region, String(input.taskDefinition ?? input.service ?? 'unknown'));
      // Unique across the processes of one sample (two batches at once): the time, then a counter.
      const id = `ecs-svc/${String(Date.now()).padStart(13, '0')}${String(++deployments % 1_000_000).padStart(6, '0')}`;
      return [
        200,
        {
          service: {
            serviceName: input.service,
            serviceArn: `arn:aws:ecs:${region}:${ACCOUNT}:service/${input.cluster}/${input.service}`,
            clusterArn: `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${input.cluster}`,
            status: 'ACTIVE',
            taskDefinition: arn,
            deployments: [{ id, status: 'PRIMARY', taskDefinition: arn, rolloutState: 'IN_PROGRESS' }],
          },
        },
      ];
    }
    case `${SSM_PREFIX}GetParameter`:
      return [200, { Parameter: { Name: input.Name, Type: 'SecureString', Value: webhookUrl, Version: 1, DataType: 'text' } }];
    case `${SSM_PREFIX}DescribeParameters`: {
      const name = input.ParameterFilters?.[0]?.Values?.[0];
      return [
        200,
        {
          Parameters: [
            {
              Name: name,
              Type: 'String',
              Version: 3,
              LastModifiedUser: `arn:aws:iam::${ACCOUNT}:user/bench`,
              LastModifiedDate: 1_700_000_000,
            },
          ],
        },
      ];
    }
    case `${ECR_PREFIX}DescribeImages`: {
      const id = input.imageIds?.[0] ?? {};
      const digest = id.imageDigest ?? `sha256:${'0'.repeat(64)}`;
      return [
        200,
        {
          imageDetails: [
            {
              registryId: ACCOUNT,
              repositoryName: input.repositoryName,
              imageDigest: digest,
              imageTags: [id.imageTag ?? 'v1.4.2', 'latest'],
              imageSizeInBytes: 182_312_448,
              imagePushedAt: 1_700_000_000,
            },
          ],
        },
      ];
    }
    default:
      return [400, { __type: 'UnknownOperationException', message: `the bench stub does not answer ${target}` }];
  }
}

/** The Lambda REST-JSON operation of a request, e.g. `PUT /2015-03-31/functions/f/code` → UpdateFunctionCode. */
export function lambdaOperation(method, pathname) {
  const match = /^\/2015-03-31\/functions\/([^/]+)(?:\/(configuration|code|versions|invocations|aliases)(?:\/([^/]+))?)?\/?$/.exec(
    pathname,
  );
  if (match === null) return undefined;
  const [, fn, part, name] = match;
  const key = `${method} ${part ?? ''}${name === undefined ? '' : '/'}`;
  const operation = {
    'GET ': 'GetFunction',
    'GET configuration': 'GetFunctionConfiguration',
    'PUT configuration': 'UpdateFunctionConfiguration',
    'PUT code': 'UpdateFunctionCode',
    'POST versions': 'PublishVersion',
    'POST invocations': 'Invoke',
    'GET aliases/': 'GetAlias',
    'PUT aliases/': 'UpdateAlias',
  }[key];
  return operation === undefined
    ? undefined
    : { operation, functionName: decodeURIComponent(fn), alias: name === undefined ? undefined : decodeURIComponent(name) };
}

/** The AWS operation of a request a sample started: its target (JSON protocols) or its Lambda REST-JSON path; undefined for others (S3's reads, Slack). */
function requestOperation({ target, method, path }) {
  return target !== undefined
    ? target.slice(target.indexOf('.') + 1)
    : lambdaOperation(method, new URL(path, 'http://stub').pathname)?.operation;
}

/**
 * The first AWS write (lib.mjs WRITE_OPERATIONS) among the requests a sample started, in the order
 * bench/child.mjs noted them, with the CPU time (`cpuMs`) and monotonic time (`atUs`) it started
 * at; undefined when the sample made none. The bench and bench/profile.mjs both cut there.
 *
 * @example
 * firstWriteRequest([{ target: 'AmazonEC2ContainerServiceV20141113.UpdateService', cpuMs: 120.5 }])?.cpuMs; // 120.5
 */
export function firstWriteRequest(requests) {
  return requests.find((request) => WRITE_OPERATIONS.has(requestOperation(request)));
}

/** The S3 operation of a request: `GetObject` of `/{bucket}/{key}`, `ListObjectVersions` of `/{bucket}?versions`. */
export function s3Operation(method, url) {
  if (method !== 'GET') return undefined;
  const bucket = url.pathname.split('/')[1] ?? '';
  // `/{bucket}/{key}` (the key may hold slashes), or `/{bucket}` and `/{bucket}/` for the bucket itself.
  const key = decodeURIComponent(url.pathname.slice(bucket.length + 2));
  if (url.searchParams.get('x-id') === 'GetObject' && key !== '')
    return { operation: 'GetObject', bucket, key, versionId: url.searchParams.get('versionId') ?? undefined };
  if (url.searchParams.has('versions') && key === '')
    return { operation: 'ListObjectVersions', bucket, key: url.searchParams.get('prefix') ?? '' };
  return undefined;
}

/**
 * Answers an S3 read of an env file: every object holds a valid file, and the version before the
 * one last read is {@link PREVIOUS_VERSION}, which holds another (so a change is always a change).
 * Returns `[status, headers, body]`.
 */
export function answerS3({ operation, bucket, key, versionId }, lastRead) {
  if (operation === 'GetObject') {
    const body = versionId === PREVIOUS_VERSION ? ENV_FILES.previous : ENV_FILES.current;
    return [
      200,
      {
        'content-type': 'text/plain',
        'content-length': String(Buffer.byteLength(body)),
        ...(versionId === undefined ? {} : { 'x-amz-version-id': versionId }),
      },
      body,
    ];
  }
  const version = (id, latest) =>
    `<Version><Key>${key}</Key><VersionId>${id}</VersionId><IsLatest>${latest}</IsLatest><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>20</Size><StorageClass>STANDARD</StorageClass></Version>`;
  const versions = [...(lastRead === undefined ? [] : [version(lastRead, true)]), version(PREVIOUS_VERSION, lastRead === undefined)].join(
    '',
  );
  const xml = `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${key}</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${versions}</ListVersionsResult>`;
  return [200, { 'content-type': 'application/xml' }, xml];
}

/**
 * Answers a Lambda operation as a function that updates at once: every update is Successful,
 * every published version Active, the smoke test answers `{"statusCode":200}`.
 */
export function answerLambda({ operation, functionName, alias }, input, query, { region = 'us-east-1' } = {}) {
  const arn = `arn:aws:lambda:${region}:${ACCOUNT}:function:${functionName}`;
  const version = operation === 'PublishVersion' ? '13' : (query.get('Qualifier') ?? '$LATEST');
  const configuration = {
    FunctionName: functionName,
    FunctionArn: version === '$LATEST' ? arn : `${arn}:${version}`,
    Runtime: 'nodejs22.x',
    PackageType: 'Zip',
    Version: version,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    RevisionId: '11111111-2222-4333-8444-555555555555',
    CodeSha256: 'YmVuY2g=',
    Environment: { Variables: { STAGE: 'dev' } },
  };
  const aliasConfiguration = {
    AliasArn: `${arn}:${alias}`,
    Name: alias,
    FunctionVersion: operation === 'UpdateAlias' ? String(input.FunctionVersion ?? '13') : '12',
    Description: 'previous_version=11',
    RevisionId: '66666666-7777-4888-9999-000000000000',
  };
  switch (operation) {
    case 'GetFunction':
      return [200, { Configuration: configuration, Code: { RepositoryType: 'S3', Location: 'https://example.invalid/code.zip' } }, {}];
    case 'GetAlias':
    case 'UpdateAlias':
      return [200, aliasConfiguration, {}];
    case 'Invoke':
      return [200, { statusCode: 200 }, { 'x-amz-executed-version': version }];
    default:
      return [operation === 'PublishVersion' ? 201 : 200, configuration, {}];
  }
}

/**
 * Answers a DynamoDB `GetItem` or `PutItem` (with the conditions the deployments table writes:
 * `attribute_not_exists(id)`, `#version = :expected`) on `items` (key `id` → item), one table for
 * every table name. Returns `[status, body]`, or undefined for any other operation.
 */
function answerDynamoDb(target, input, items) {
  if (target === `${DYNAMODB_PREFIX}GetItem`) {
    const item = items.get(input.Key?.id?.S);
    return [200, item === undefined ? {} : { Item: item }];
  }
  if (target !== `${DYNAMODB_PREFIX}PutItem`) return undefined;
  const id = input.Item?.id?.S;
  const stored = items.get(id);
  const condition = input.ConditionExpression;
  const expected = input.ExpressionAttributeValues?.[':expected']?.N;
  const holds =
    condition === undefined ||
    (condition === 'attribute_not_exists(id)' && stored === undefined) ||
    (condition === '#version = :expected' && stored?.version?.N === expected);
  if (!holds)
    return [400, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' }];
  items.set(id, input.Item);
  return [200, {}];
}

/**
 * Starts the stub on 127.0.0.1 (an ephemeral port). `options.delayMs` (mutable through
 * `setDelay`) delays every AWS answer; Slack is answered at once. Task definitions run
 * `options.image`, or per family what `setImages` says.
 */
export async function startStub(options = {}) {
  const settings = { delayMs: 0, image: DEFAULT_IMAGE, images: {}, ...options };
  /** @type {Array<{ target: string; input: Record<string, unknown>; start: number; end: number; arrived: number }>} */
  let calls = [];
  let slack = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  /** The env-file version last read, which ListObjectVersions lists before PREVIOUS_VERSION. */
  let lastRead;
  /** DynamoDB items by key (every table name shares them). */
  const items = new Map();
  const sockets = new Set();

  const server = createServer((req, res) => {
    // When the request reached the stub (its headers), on the bench's own clock: the first write's
    // arrival, less the child's spawn, is "event to first write" of a cold start.
    const arrived = performance.now();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const requestUrl = new URL(req.url ?? '/', 'http://127.0.0.1');
      const lambda = typeof target === 'string' ? undefined : lambdaOperation(req.method, requestUrl.pathname);
      const s3 = typeof target === 'string' || lambda !== undefined ? undefined : s3Operation(req.method, requestUrl);
      if (typeof target !== 'string' && lambda === undefined && s3 === undefined) {
        slack++;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      let input = {};
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        input = {};
      }
      if (s3 !== undefined) input = { Bucket: s3.bucket, Key: s3.key, VersionId: s3.versionId };
      const operation = lambda?.operation ?? s3?.operation ?? target.slice(target.indexOf('.') + 1);
      const call = { target: operation, input, start: Date.now(), end: 0, arrived };
      calls.push(call);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const reply = () => {
        inFlight--;
        call.end = Date.now();
        const requestId = { 'x-amzn-requestid': `bench-${calls.length}` };
        if (s3 !== undefined) {
          if (s3.operation === 'GetObject' && s3.versionId !== PREVIOUS_VERSION) lastRead = s3.versionId;
          const [status, headers, body] = answerS3(s3, lastRead);
          res.writeHead(status, { 'x-amz-request-id': `bench-${calls.length}`, ...headers }).end(body);
          return;
        }
        if (lambda !== undefined) {
          const [status, body, headers] = answerLambda(lambda, input, requestUrl.searchParams);
          res.writeHead(status, { 'content-type': 'application/json', ...requestId, ...headers }).end(JSON.stringify(body));
          return;
        }
        const dynamoDb = answerDynamoDb(target, input, items);
        if (dynamoDb !== undefined) {
          res.writeHead(dynamoDb[0], { 'content-type': 'application/x-amz-json-1.0', ...requestId }).end(JSON.stringify(dynamoDb[1]));
          return;
        }
        const [status, body] = answer(target, input, {
          image: settings.image,
          images: settings.images,
          webhookUrl: `${url}/services/T000/B000/SSMWEBHOOK`,
        });
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...requestId }).end(JSON.stringify(body));
      };
      if (settings.delayMs > 0) sleep(settings.delayMs).then(reply);
      else reply();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    slackUrl: `${url}/services/T000/B000/BENCHWEBHOOK`,
    setDelay(ms) {
      settings.delayMs = ms;
    },
    setImage(image) {
      settings.image = image;
    },
    /** Family → the image its task definition runs (others: the default image). */
    setImages(images) {
      settings.images = images;
    },
    /** Forgets recorded calls (before each sample). */
    reset() {
      calls = [];
      slack = 0;
      maxInFlight = 0;
      lastRead = undefined;
      items.clear();
    },
    calls: () => calls,
    slackPosts: () => slack,
    maxInFlight: () => maxInFlight,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
