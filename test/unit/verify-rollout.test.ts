/**
 * `npm run verify -- --live` with `ROLLOUT_CONFIG`: each gated service's strategy and lifecycle
 * hooks, its alarms and its smoke URLs, against a mocked account (aws-sdk-client-mock) and smoke
 * URLs served on 127.0.0.1. Each break is asserted as the line a person reads and the exit code.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/verify/cli.js';
import { resultLine, type VerifyReport } from '../../src/verify/report.js';
import { mockAccount, REGISTRY, type FakeAccount } from '../helpers/fakeAccount.js';
import { listenOnLoopback } from '../helpers/loopback.js';

const HOOKED = { function: 'myproject-deploybridge-dev', stages: ['POST_TEST_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'] };

/** An account with the api service deployed blue/green, hooked to this deploybridge, and its alarms OK. */
function account(): FakeAccount {
  return {
    clusters: {
      myproject_cluster_dev: {
        myproject_service_api_dev: { taskDefinition: 'myproject_service_api_dev:42', strategy: 'BLUE_GREEN', hooks: [HOOKED] },
      },
    },
    taskDefinitions: [
      {
        family: 'myproject_service_api_dev',
        revision: 42,
        status: 'ACTIVE',
        containers: [{ name: 'app', image: `${REGISTRY}/myproject_service_api:latest` }],
      },
    ],
    repositories: { myproject_service_api: ['latest'] },
    parameters: {},
    objects: {},
    functions: {},
    alarms: { 'api-5xx': { state: 'OK' }, 'api-p99-latency': { state: 'OK' } },
    denied: [],
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('npm run verify -- --live, ROLLOUT_CONFIG', () => {
  let fake: FakeAccount;
  let mocks: ReturnType<typeof mockAccount>;
  let servers: Array<() => Promise<void>>;
  beforeEach(() => {
    fake = account();
    mocks = mockAccount(fake);
    servers = [];
  });
  afterEach(async () => {
    mocks.reset();
    for (const close of servers) await close();
  });

  async function serve(handler: Handler): Promise<string> {
    const { baseUrl, close } = await listenOnLoopback(createServer(handler));
    servers.push(close);
    return baseUrl;
  }

  /** The rollout lines of a live run, as printed, and its exit code. */
  async function verify(rollout: Record<string, unknown>, more: Record<string, string> = {}) {
    const env = {
      PROJECT_NAME: 'myproject',
      PROJECT_ENV: 'dev',
      AWS_REGION: 'us-east-1',
      SERVICE_CONFIG: JSON.stringify({ api: [] }),
      ENABLE_SLACK_NOTIFICATIONS: 'false',
      ROLLOUT_CONFIG: JSON.stringify(rollout),
      ...more,
    };
    const printed: string[] = [];
    const code = await runVerify(['--live', '--json'], env, (line) => printed.push(line));
    const report = JSON.parse(printed.join('\n')) as VerifyReport;
    return { code, lines: report.results.filter((r) => r.check.startsWith('rollout-')).map(resultLine) };
  }

  it('a service hooked to this function, alarms OK and a smoke URL that answers: ok lines, exit 0, reads only', async () => {
    const asked: string[] = [];
    const base = await serve((req, res) => {
      asked.push(`${req.method} ${req.url} ${req.headers['user-agent']}`);
      res.end('status: ok');
    });
    const { code, lines } = await verify({
      api: {
        smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/health`, expect_body: 'ok' }],
        alarms: ['api-5xx', 'api-p99-latency'],
        bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10 },
      },
    });
    expect(lines).toEqual([
      'ok       api: ECS service myproject_service_api_dev deploys with BLUE_GREEN; lifecycle hooks invoke myproject-deploybridge-dev at POST_TEST_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT',
      'ok       api: 2 alarms exist and are not in ALARM (api-5xx, api-p99-latency)',
      `ok       api: smoke URL ${base}/health (POST_TEST_TRAFFIC_SHIFT) answers 200 with "ok"`,
    ]);
    expect(code).toBe(0);
    expect(asked).toEqual(['GET /health deploybridge-smoke-check']);
    expect(mocks.cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNames: ['api-5xx', 'api-p99-latency'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 },
    ]);
    // One DescribeServices for the service: its existence and its strategy.
    expect(mocks.ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'myproject_cluster_dev', services: ['myproject_service_api_dev'] },
    ]);
  });

  it('a named alarm that does not exist is a problem; one in ALARM now is a warning', async () => {
    fake.alarms = {
      'api-5xx': { state: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).' },
      'api-queue-age': { state: 'INSUFFICIENT_DATA' },
    };
    const { code, lines } = await verify({ api: { alarms: ['api-5xx', 'api-p99-latency', 'api-queue-age'] } });
    expect(lines.slice(1)).toEqual([
      'problem  api: alarm api-p99-latency (ROLLOUT_CONFIG.api.alarms) does not exist in us-east-1: every lifecycle hook call for api would answer FAILED. Fix: create it, or correct its name (CloudWatch alarm names are case-sensitive)',
      'warning  api: alarm api-5xx is in ALARM since 2026-03-05T15:50:00.000Z (Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).): a deployment of api now would be rolled back. Fix: resolve what it reports before deploying',
      'ok       api: 1 alarm exists and is not in ALARM (api-queue-age)',
    ]);
    expect(code).toBe(1);
  });

  it('alarms the preflight may not read: one problem naming the permission', async () => {
    fake.denied = ['cloudwatch:DescribeAlarms'];
    const { lines } = await verify({ api: { alarms: ['api-5xx'] } });
    expect(lines[1]).toBe(
      'problem  api: could not check the alarms of ROLLOUT_CONFIG.api: AccessDeniedException: User: arn:aws:iam::123456789012:user/operator is not authorized to perform: cloudwatch:DescribeAlarms. Fix: allow cloudwatch:DescribeAlarms for the identity running the preflight (docs/preflight.md, "IAM for the preflight")',
    );
  });

  it('smoke URLs that do not answer as the hook expects are problems: status, missing text, connection refused', async () => {
    const base = await serve((req, res) => {
      if (req.url === '/down') res.writeHead(503).end('upstream down: postgres://admin:hunter2@db.internal/app');
      else res.end('degraded');
    });
    const closed = await listenOnLoopback(createServer());
    await closed.close();
    const { code, lines } = await verify({
      api: {
        smoke: [
          { stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/down` },
          { stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/health`, expect_body: 'ok' },
          { stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${closed.baseUrl}/health` },
        ],
      },
    });
    const fix =
      "correct ROLLOUT_CONFIG.api.smoke[INDEX] or the service; a URL only the function's network reaches (a private test listener) is checked by running the preflight from there";
    expect(lines.slice(1)).toEqual([
      `problem  api: smoke URL ${base}/down (POST_TEST_TRAFFIC_SHIFT): status 503, expected 200 (body: "upstream down: postgres://[redacted]@db.internal/app"): the hook would answer FAILED and ECS roll the deployment back. Fix: ${fix.replace('INDEX', '0')}`,
      `problem  api: smoke URL ${base}/health (POST_TEST_TRAFFIC_SHIFT): the body does not contain "ok" (body: "degraded"): the hook would answer FAILED and ECS roll the deployment back. Fix: ${fix.replace('INDEX', '1')}`,
      expect.stringMatching(
        new RegExp(
          `^problem  api: smoke URL ${closed.baseUrl}/health \\(POST_TEST_TRAFFIC_SHIFT\\): could not connect \\(ECONN(REFUSED|RESET)\\): the hook would answer FAILED`,
        ),
      ),
    ]);
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(code).toBe(1);
  });

  it('checks configured for a ROLLING service (or one with no strategy) are a warning: ECS invokes no hook', async () => {
    const api = fake.clusters.myproject_cluster_dev!.myproject_service_api_dev!;
    api.strategy = 'ROLLING';
    const rolling = await verify({ api: { alarms: ['api-5xx'] } });
    expect(rolling.lines[0]).toBe(
      'warning  api: ECS service myproject_service_api_dev deploys with the ROLLING strategy, which invokes no lifecycle hook: the checks of ROLLOUT_CONFIG.api never run. Fix: give it deployment_configuration.strategy BLUE_GREEN, LINEAR or CANARY with lifecycle hooks invoking myproject-deploybridge-dev (docs/rollout-hooks.md), or remove api from ROLLOUT_CONFIG',
    );
    expect(rolling.code).toBe(0);
    delete api.strategy;
    delete api.hooks;
    expect((await verify({ api: {} })).lines).toEqual([
      'warning  api: ECS service myproject_service_api_dev deploys with the ROLLING strategy, which invokes no lifecycle hook: the checks of ROLLOUT_CONFIG.api never run. Fix: give it deployment_configuration.strategy BLUE_GREEN, LINEAR or CANARY with lifecycle hooks invoking myproject-deploybridge-dev (docs/rollout-hooks.md), or remove api from ROLLOUT_CONFIG',
    ]);
  });

  it('a hook invoking another function is a warning, and so is a check at a stage no hook of this function covers', async () => {
    const api = fake.clusters.myproject_cluster_dev!.myproject_service_api_dev!;
    api.strategy = 'CANARY';
    api.hooks = [
      { function: 'approval-hook', stages: ['POST_TEST_TRAFFIC_SHIFT'] },
      { function: 'myproject-deploybridge-dev', stages: ['POST_PRODUCTION_TRAFFIC_SHIFT'] },
    ];
    const { lines } = await verify({ api: { bake: { stage: 'POST_TEST_TRAFFIC_SHIFT', minutes: 5 } } });
    expect(lines).toEqual([
      "warning  api: the lifecycle hook of myproject_service_api_dev at POST_TEST_TRAFFIC_SHIFT invokes approval-hook, not this deploybridge (myproject-deploybridge-dev): ECS does not run the checks of ROLLOUT_CONFIG.api there. Fix: point its hook_target_arn at the module's function_arn, or leave it if another function gates that stage on purpose",
      'ok       api: ECS service myproject_service_api_dev deploys with CANARY; lifecycle hooks invoke myproject-deploybridge-dev at POST_PRODUCTION_TRAFFIC_SHIFT',
      'warning  api: the 5 min bake (ROLLOUT_CONFIG.api) is at POST_TEST_TRAFFIC_SHIFT, where no lifecycle hook of myproject_service_api_dev invokes myproject-deploybridge-dev: it never runs. Fix: add POST_TEST_TRAFFIC_SHIFT to the lifecycle_stages of the hook invoking myproject-deploybridge-dev, or move the check to one of its stages',
    ]);
  });

  it('"this function" is AWS_LAMBDA_FUNCTION_NAME when set (a module given its own name)', async () => {
    const api = fake.clusters.myproject_cluster_dev!.myproject_service_api_dev!;
    api.hooks = [{ function: 'api-gate', stages: ['POST_TEST_TRAFFIC_SHIFT'] }];
    expect((await verify({ api: {} }, { AWS_LAMBDA_FUNCTION_NAME: 'api-gate' })).lines).toEqual([
      'ok       api: ECS service myproject_service_api_dev deploys with BLUE_GREEN; lifecycle hooks invoke api-gate at POST_TEST_TRAFFIC_SHIFT',
    ]);
    expect((await verify({ api: {} })).lines).toEqual([
      "warning  api: the lifecycle hook of myproject_service_api_dev at POST_TEST_TRAFFIC_SHIFT invokes api-gate, not this deploybridge (myproject-deploybridge-dev): ECS does not run the checks of ROLLOUT_CONFIG.api there. Fix: point its hook_target_arn at the module's function_arn, or leave it if another function gates that stage on purpose",
      "warning  api: ECS service myproject_service_api_dev deploys with BLUE_GREEN, but no lifecycle hook invokes myproject-deploybridge-dev: the checks of ROLLOUT_CONFIG.api never run. Fix: add a lifecycle hook with hook_target_arn the module's function_arn and role_arn its ecs_hook_role_arn (docs/rollout-hooks.md)",
    ]);
  });

  it('a service whose hooks invoke this function without checks in ROLLOUT_CONFIG is a warning: each call answers SUCCEEDED at once', async () => {
    fake.clusters.myproject_cluster_dev!.myproject_service_worker_dev = {
      taskDefinition: 'myproject_service_api_dev:42',
      strategy: 'LINEAR',
      hooks: [{ function: 'myproject-deploybridge-dev', stages: ['POST_TEST_TRAFFIC_SHIFT'] }],
    };
    const { lines } = await verify({ api: {} }, { SERVICE_CONFIG: JSON.stringify({ api: [], worker: [] }) });
    expect(lines.slice(1)).toEqual([
      'warning  worker: lifecycle hooks of myproject_service_worker_dev invoke myproject-deploybridge-dev at POST_TEST_TRAFFIC_SHIFT, but ROLLOUT_CONFIG has no checks for worker: each call answers SUCCEEDED at once. Fix: add worker to ROLLOUT_CONFIG with its smoke URLs, alarms or bake, or remove the hooks',
    ]);
  });

  it('without the cluster, the alarms are still checked (the cluster line says what is missing)', async () => {
    delete fake.clusters.myproject_cluster_dev;
    const { code, lines } = await verify({ api: { alarms: ['api-5xx'] } });
    expect(lines).toEqual(['ok       api: 1 alarm exists and is not in ALARM (api-5xx)']);
    expect(code).toBe(1);
  });

  it('a gated service that does not exist is a problem, said once', async () => {
    delete fake.clusters.myproject_cluster_dev!.myproject_service_api_dev!.hooks;
    const gatedOnly = await verify({ web: {} });
    expect(gatedOnly.lines).toEqual([
      'problem  web: ROLLOUT_CONFIG.web gates ECS service myproject_service_web_dev, which is not in cluster myproject_cluster_dev. Fix: correct the key "web" in ROLLOUT_CONFIG, or SERVICE_NAME_PATTERN (it renders myproject_service_web_dev for web)',
    ]);
    expect(gatedOnly.code).toBe(1);
    // A service of SERVICE_CONFIG has its own "not found" line already.
    delete fake.clusters.myproject_cluster_dev!.myproject_service_api_dev;
    expect((await verify({ api: {} })).lines).toEqual([]);
  });
});
