/**
 * Property-based tests: valid events mutated in every way we could think of (fields removed, wrong
 * types, huge strings, unicode, path traversal, near-miss names, other projects and envs). Whatever
 * arrives: no throw, no AWS write unless the event is valid and ours, one warn log per rejection.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { HandleResult } from '../../src/entry/app.js';
import { createApp } from '../../src/entry/createApp.js';
import { s3EventKeyForms } from '../../src/triggers/events.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import {
  DescribeTaskDefinitionCommand,
  fakeMetrics,
  recordingNotifier,
  serviceUpdated,
  taskDefinition,
  testApp,
  UpdateServiceCommand,
} from '../helpers/app.js';
import { recordFigure } from './figures.js';

const RUNS = 250;
// A fixed seed: the figures in docs/reliability.md reproduce exactly (vary it locally to explore further).
fc.configureGlobal({ seed: 20261122 });
let casesRun = 0;
let manualRefused = 0;
let rejectedCases = 0;
let rejectedWrites = 0;

type Json = Record<string, unknown>;

/** Valid events of each route, from the real AWS samples adapted to project myproject, env dev. */
const VALID: Record<string, () => Json> = {
  ecr: () => adapt('ecr/image-action-push-success.json', { 'repository-name': 'myproject_service_api', 'image-tag': 'v1' }),
  ssm: () => adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/DATABASE_URL' }),
  s3: () => adapt('s3/eventbridge-object-created.json', { bucket: { name: 'myproject-config-dev' }, object: { key: 'api/.env' } }),
  manual: () => ({
    ...awsSample('custom/custom-event-as-delivered-sqs-body.json'),
    source: 'action.deploy',
    'detail-type': 'Manual Deploy',
    detail: { service: 'api', env: 'dev', project: 'myproject', reason: 'r' },
  }),
  ecs: () => ({
    ...awsSample('ecs/deployment-completed.json'),
    resources: ['arn:aws:ecs:us-west-2:111122223333:service/myproject_cluster_dev/myproject_service_api_dev'],
  }),
};

/** Paths whose value the handlers depend on. */
const REQUIRED_PATHS: Record<string, string[][]> = {
  ecr: [
    ['id'],
    ['source'],
    ['detail-type'],
    ['detail'],
    ['detail', 'repository-name'],
    ['detail', 'action-type'],
    ['detail', 'result'],
    ['detail', 'image-tag'],
  ],
  ssm: [['id'], ['source'], ['detail-type'], ['detail'], ['detail', 'name'], ['detail', 'operation']],
  s3: [
    ['id'],
    ['detail-type'],
    ['detail'],
    ['detail', 'bucket'],
    ['detail', 'bucket', 'name'],
    ['detail', 'object'],
    ['detail', 'object', 'key'],
  ],
  manual: [['id'], ['source'], ['detail'], ['detail', 'service']],
  ecs: [['id'], ['detail-type'], ['detail'], ['detail', 'eventName'], ['resources']],
};

const HUGE = 'x'.repeat(100_000);
const wrongValue = fc.constantFrom<unknown>(undefined, null, 42, true, [], {}, [1, 2], HUGE, '', '\u0000', '../../etc/passwd', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢');

function setPath(event: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(event);
  let node: Json = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return copy;
    node = next as Json;
  }
  const last = path.at(-1) as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** Pieces that make names almost, but not quite, this project's. */
const nearMiss = fc
  .array(
    fc.constantFrom(
      'myproject',
      'myproject_',
      'dev',
      'prod',
      'api',
      'backend',
      '_service_',
      'myproject_service_',
      '/',
      '//',
      '..',
      '.',
      '*',
      ' ',
      '\t',
      '\n',
      '\u0000',
      '%2e%2e',
      'ápi',
      'API',
      '-',
      '_',
      '~',
      '$',
      '{name}',
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));
const anyName = fc.oneof(
  nearMiss,
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant(HUGE),
);

const SERVICE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Mutations that leave a valid event of ours: an opaque but well-formed id, "" meaning the backend. */
function stillValid(route: string, path: string[], value: unknown): boolean {
  if (path.join('.') === 'id') return typeof value === 'string' && /^[\x21-\x7e]{1,128}$/.test(value);
  return route === 'manual' && path.join('.') === 'detail.service' && value === '';
}

describe('hostile and broken input', () => {
  let output: ReturnType<typeof captureOutput>;
  let warnings: MockInstance<typeof process.emitWarning>;
  // One set of mocked clients per test, its history cleared per case: a fresh mock for each of
  // thousands of cases would pile up in sinon's sandbox (its "potential memory leak" warning).
  let mocked: ReturnType<typeof testApp>;
  beforeEach(() => {
    output = captureOutput();
    warnings = vi.spyOn(process, 'emitWarning');
    mocked = testApp();
  });
  afterEach(() => {
    output.restore();
    // Thousands of cases, and not one warning (sinon's "potential memory leak" counts the mocks made).
    expect(warnings.mock.calls).toEqual([]);
    warnings.mockRestore();
  });
  afterAll(() => {
    recordFigure('hostile_cases_generated', casesRun);
    recordFigure('manual_requests_refused', manualRefused);
    recordFigure('hostile_cases_rejected', rejectedCases);
    recordFigure('aws_writes_for_rejected_events', rejectedWrites);
  });

  /** A fresh App (its own Slack and metrics) on the test's mocked clients, their history cleared. */
  function freshApp() {
    const { deps, config, ecsMock, s3Mock, ecrMock, ssmMock } = mocked;
    for (const mock of [ecsMock, s3Mock, ecrMock, ssmMock]) mock.resetHistory();
    const notifier = recordingNotifier();
    return { app: createApp(config, { ...deps, notifier, metrics: fakeMetrics() }), ecsMock, notifier };
  }

  /** Runs one event on a fresh app; returns what reached AWS and the logs. */
  async function runEvent(event: unknown, repository = 'myproject_service_api') {
    const { app, ecsMock } = freshApp();
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(taskDefinition('f', 1, [`123456789012.dkr.ecr.us-east-1.amazonaws.com/${repository}:v1`]));
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/f:1'));
    const before = output.logs().length;
    let result: HandleResult | undefined;
    let thrown: unknown;
    try {
      result = await app.handle(event);
    } catch (error) {
      thrown = error;
    }
    casesRun++;
    const logs = output.logs().slice(before);
    // Nothing hostile is echoed at length into the logs.
    for (const line of logs) expect(JSON.stringify(line).length).toBeLessThan(16_384);
    return { result, thrown, writes: ecsMock.commandCalls(UpdateServiceCommand).length, logs };
  }

  function expectRejectedCleanly(outcome: Awaited<ReturnType<typeof runEvent>>) {
    rejectedCases++;
    rejectedWrites += outcome.writes;
    expect(outcome.thrown).toBeUndefined();
    expect(outcome.writes).toBe(0);
    if (outcome.result?.status === 'rejected') {
      const warns = outcome.logs.filter((l) => l.level === 'warn');
      expect(warns).toHaveLength(1);
      // A rejection never echoes a huge or hostile payload back into the logs.
      expect(JSON.stringify(warns[0]).length).toBeLessThan(4096);
    }
  }

  for (const route of Object.keys(VALID)) {
    it(`${route}: a required field removed or of the wrong type never deploys and never throws`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...(REQUIRED_PATHS[route] as string[][])), wrongValue, async (path, value) => {
          fc.pre(!stillValid(route, path, value));
          const outcome = await runEvent(setPath((VALID[route] as () => Json)(), path, value));
          expectRejectedCleanly(outcome);
          if (outcome.result?.status === 'planned') expect(outcome.result.deployments).toEqual([]);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('events that are not objects at all are rejected with one warning', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.string({ unit: 'grapheme' })), async (event) => {
        const outcome = await runEvent(event);
        expect(outcome.result?.status).toBe('rejected');
        expectRejectedCleanly(outcome);
      }),
      { numRuns: RUNS },
    );
  });

  it('ECR: only {project}_backend and {project}_service_{name} repositories are ever deployed', async () => {
    await fc.assert(
      fc.asyncProperty(anyName, async (repository) => {
        const outcome = await runEvent(setPath(VALID.ecr!(), ['detail', 'repository-name'], repository), repository);
        const ours =
          repository === 'myproject_backend' ||
          (repository.startsWith('myproject_service_') && SERVICE.test(repository.slice('myproject_service_'.length)));
        expect(outcome.thrown).toBeUndefined();
        expect(outcome.writes).toBe(ours && repository !== '' ? 1 : 0);
      }),
      { numRuns: RUNS },
    );
  });

  it('SSM: only /dev/myproject/{service}/NAME parameters are ever deployed', async () => {
    const name = fc.oneof(
      anyName,
      fc.tuple(nearMiss, nearMiss, anyName).map(([a, b, c]) => `/dev/myproject/${a}/${b}${c}`),
      fc.tuple(anyName, anyName).map(([a, b]) => `/${a}/myproject/api/${b}`),
    );
    await fc.assert(
      fc.asyncProperty(
        name,
        fc.constantFrom('Create', 'Update', 'Delete', 'LabelParameterVersion', 'Wipe'),
        async (parameter, operation) => {
          const event = setPath(setPath(VALID.ssm!(), ['detail', 'name'], parameter), ['detail', 'operation'], operation);
          const outcome = await runEvent(event);
          const [empty, env, project, service, ...rest] = parameter.split('/');
          const ours =
            parameter.length <= 2048 &&
            empty === '' &&
            env === 'dev' &&
            project === 'myproject' &&
            service !== undefined &&
            (service === '' ? false : SERVICE.test(service)) &&
            rest.length > 0 &&
            rest.every((s) => s !== '' && s !== '.' && s !== '..');
          expect(outcome.thrown).toBeUndefined();
          expect(outcome.writes).toBe(ours && (operation === 'Create' || operation === 'Update') ? 1 : 0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('S3: only objects listed in SERVICE_CONFIG are ever deployed', async () => {
    const key = fc.oneof(
      anyName,
      fc.constantFrom(
        'api/.env',
        'api/.env ',
        'API/.env',
        './api/.env',
        'api//.env',
        'api/../api/.env',
        'shared/.env',
        'api%2F.env',
        'shared/%2Eenv',
        'api/+.env',
        'api/%2.env',
      ),
    );
    const bucket = fc.oneof(fc.constant('myproject-config-dev'), anyName);
    await fc.assert(
      fc.asyncProperty(bucket, key, async (b, k) => {
        const event = setPath(setPath(VALID.s3!(), ['detail', 'bucket'], { name: b }), ['detail', 'object', 'key'], k);
        const outcome = await runEvent(event);
        // A native event names an object in one of the forms S3 encodes keys in.
        const named = (key: string) => s3EventKeyForms(key).includes(k);
        const expected = b !== 'myproject-config-dev' ? 0 : named('api/.env') ? 1 : named('shared/.env') ? 3 : 0;
        expect(outcome.thrown).toBeUndefined();
        expect(outcome.writes).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('manual: a service name that could escape the patterns is refused before any AWS call', async () => {
    await fc.assert(
      fc.asyncProperty(anyName, async (service) => {
        const outcome = await runEvent(setPath(VALID.manual!(), ['detail', 'service'], service));
        expect(outcome.thrown).toBeUndefined();
        if (service === '' || SERVICE.test(service)) {
          expect(outcome.writes).toBe(1);
        } else {
          manualRefused++;
          expect(outcome.result?.status).toBe('rejected');
          expectRejectedCleanly(outcome);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('ECS: events of other clusters, services or envs never reach Slack', async () => {
    const arn = fc.oneof(
      anyName,
      fc.tuple(anyName, anyName).map(([c, s]) => `arn:aws:ecs:us-east-1:123456789012:service/${c}/${s}`),
    );
    await fc.assert(
      fc.asyncProperty(arn, async (resource) => {
        const { app, notifier } = freshApp();
        const result = await app.handle(setPath(VALID.ecs!(), ['resources'], [resource]));
        casesRun++;
        const ours = /^arn:aws:ecs:[^:]+:\d+:service\/myproject_cluster_dev\/myproject_service_([A-Za-z0-9][A-Za-z0-9_-]{0,63}_)?dev$/.test(
          resource,
        );
        expect(notifier.sent.length).toBe(ours ? 1 : 0);
        expect(result.status).toBe(ours ? 'planned' : 'ignored');
      }),
      { numRuns: RUNS },
    );
  });
});
