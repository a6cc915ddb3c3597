/**
 * A local stand-in for AWS and Slack, for the bench: one HTTP server on 127.0.0.1 that answers the
 * ECS and SSM JSON protocols (`x-amz-target: AmazonEC2ContainerServiceV20141113.UpdateService`, …)
 * and Lambda's REST-JSON API (`PUT /2015-03-31/functions/{name}/code`, …) with minimal valid
 * responses, and accepts Slack webhook POSTs (any other request). The SDK reaches it through
 * `AWS_ENDPOINT_URL`; the notifier through `SLACK_WEBHOOK_URL`.
 *
 * Every AWS call is recorded (operation, input, start and end time) and can be delayed, so the
 * bench can count calls and compare a fan-out with its ideal duration.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const ECS_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const SSM_PREFIX = 'AmazonSSM.';
const ACCOUNT = '123456789012';

/** The image the stub's task definitions run, when no image is configured. */
export const DEFAULT_IMAGE = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:latest`;

function taskDefinitionArn(region, familyOrArn) {
  if (familyOrArn.startsWith('arn:')) return familyOrArn;
  return `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${familyOrArn.includes(':') ? familyOrArn : `${familyOrArn}:7`}`;
}

/**
 * Answers one AWS JSON-protocol operation. Returns `[status, body]`; unknown operations get the
 * error shape the SDK expects, so a wrong call fails loudly instead of hanging.
 */
export function answer(target, input, { region = 'us-east-1', image = DEFAULT_IMAGE, webhookUrl = 'http://127.0.0.1/slack' } = {}) {
  switch (target) {
    case `${ECS_PREFIX}DescribeTaskDefinition`: {
      const family = String(input.taskDefinition ?? 'unknown');
      return [200, { taskDefinition: { taskDefinitionArn: taskDefinitionArn(region, family), family: family.split(':')[0], revision: 7, status: 'ACTIVE', containerDefinitions: [{ name: 'app', image }] } }];
    }
    case `${ECS_PREFIX}UpdateService`: {
      const arn = taskDefinitionArn(region, String(input.taskDefinition ?? 'unknown'));
      const id = `ecs-svc/${String(Date.now()).padStart(19, '0')}`;
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
    default:
      return [400, { __type: 'UnknownOperationException', message: `the bench stub does not answer ${target}` }];
  }
}

/** The Lambda REST-JSON operation of a request, e.g. `PUT /2015-03-31/functions/f/code` → UpdateFunctionCode. */
export function lambdaOperation(method, pathname) {
  const match = /^\/2015-03-31\/functions\/([^/]+)(?:\/(configuration|code|versions|invocations|aliases)(?:\/([^/]+))?)?\/?$/.exec(pathname);
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
  return operation === undefined ? undefined : { operation, functionName: decodeURIComponent(fn), alias: name === undefined ? undefined : decodeURIComponent(name) };
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
 * Starts the stub on 127.0.0.1 (an ephemeral port). `options.delayMs` (mutable through
 * `setDelay`) delays every AWS answer; Slack is answered at once.
 */
export async function startStub(options = {}) {
  const settings = { delayMs: 0, image: DEFAULT_IMAGE, ...options };
  /** @type {Array<{ target: string; input: Record<string, unknown>; start: number; end: number }>} */
  let calls = [];
  let slack = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set();

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const requestUrl = new URL(req.url ?? '/', 'http://127.0.0.1');
      const lambda = typeof target === 'string' ? undefined : lambdaOperation(req.method, requestUrl.pathname);
      if (typeof target !== 'string' && lambda === undefined) {
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
      const operation = lambda?.operation ?? target.slice(target.indexOf('.') + 1);
      const call = { target: operation, input, start: Date.now(), end: 0 };
      calls.push(call);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const reply = () => {
        inFlight--;
        call.end = Date.now();
        const requestId = { 'x-amzn-requestid': `bench-${calls.length}` };
        if (lambda !== undefined) {
          const [status, body, headers] = answerLambda(lambda, input, requestUrl.searchParams);
          res.writeHead(status, { 'content-type': 'application/json', ...requestId, ...headers }).end(JSON.stringify(body));
          return;
        }
        const [status, body] = answer(target, input, { image: settings.image, webhookUrl: `${url}/services/T000/B000/SSMWEBHOOK` });
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
    /** Forgets recorded calls (before each sample). */
    reset() {
      calls = [];
      slack = 0;
      maxInFlight = 0;
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
