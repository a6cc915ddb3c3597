/**
 * `npm start -- events/ecs-hook-*.json`: ECS's lifecycle hook invocation run offline, shown as the
 * other routes are (what it came to, the answer ECS gets, what Slack would get), with the alarms
 * described rather than read. `events/ecs-pause-continue-sequence.json`: a pause hook awaiting
 * action, then an approver's click on Continue, with ECS's call described, not made.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RawEvent } from '../../src/local/input.js';
import { runLocal } from '../../src/local/run.js';
import { pauseId } from '../../src/rollout/pauseRecords.js';
import { parseInteraction } from '../../src/slack/interactions.js';
import { awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const printed: string[] = [];
  const code = await runLocal(argv, env, (line) => printed.push(line));
  return { code, lines: printed.filter((line) => !line.startsWith('note: the AWS SDK')) };
}

const DEPLOYMENT =
  'arn:aws:ecs:us-east-1:123456789012:service-deployment/myproject_cluster_dev/myproject_service_api_dev/EZe5RNVLH6PPzHXINuP28';
const PAUSED =
  'arn:aws:ecs:us-east-1:123456789012:service-deployment/myproject_cluster_dev/myproject_service_api_dev/0EYSiB0qap8xf0N76FsbE';
const HOOK = 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw';
const ALARMS_READ =
  'cloudwatch:DescribeAlarms AlarmNames=myproject-api-5xx AlarmNames=myproject-api-p99-latency AlarmTypes=MetricAlarm AlarmTypes=CompositeAlarm MaxRecords=100';
const REASON = 'Threshold Crossed: 3 out of the last 3 datapoints [41.0, 37.0, 52.0] were greater than the threshold (5.0)';

describe('npm start -- events/ecs-hook-*.json (offline)', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('the samples are the documentation payloads with only the names changed to the default project', () => {
    for (const [sample, source] of [
      ['ecs-hook-post-test-traffic-shift.json', 'lifecycle-hook-invocation-post-test-traffic-shift.json'],
      ['ecs-hook-alarm-failed.json', 'lifecycle-hook-invocation-post-production-traffic-shift.json'],
    ] as const) {
      const adapted = JSON.stringify(awsSample(`ecs/${source}`))
        .replaceAll('us-west-2', 'us-east-1')
        .replaceAll('my-cluster', 'myproject_cluster_dev')
        .replaceAll('my-service', 'myproject_service_api_dev');
      expect(JSON.parse(readFileSync(`events/${sample}`, 'utf8')), sample).toEqual(JSON.parse(adapted));
    }
  });

  it('a hook that passes: the checks, the answer SUCCEEDED, the alarms it assumed, no message', async () => {
    const { code, lines } = await run(['events/ecs-hook-post-test-traffic-shift.json']);
    expect(code).toBe(0);
    expect(lines).toEqual([
      'deploybridge offline dry run of events/ecs-hook-post-test-traffic-shift.json (project myproject, env dev): nothing in AWS is changed, nothing is sent to Slack',
      '',
      `Lifecycle hook invocation 3a0345ba-b029-404b-890d-7da2a4b266aa (route hook): api at POST_TEST_TRAFFIC_SHIFT, service deployment ${DEPLOYMENT}`,
      '  alarms passed: 2 alarms OK (myproject-api-5xx, myproject-api-p99-latency)',
      '  answer to ECS: {"hookStatus":"SUCCEEDED"}',
      `  assumed: ${ALARMS_READ} → each exists and is OK`,
      '',
      'Slack (not sent): no message',
      'Embedded defaults for PROJECT_NAME, PROJECT_ENV, SERVICE_CONFIG, LAMBDA_CONFIG, ECR_SCAN_GATE, ROLLOUT_CONFIG (set any to override); --json, --verbose, --live: npm start -- --help',
    ]);
    expect(output.text()).toBe('');
  });

  it('a hook that fails: the alarm in ALARM (reason, since when), the answer FAILED, and the message Slack would get', async () => {
    const { code, lines } = await run(['events/ecs-hook-alarm-failed.json']);
    expect(code).toBe(0);
    const since = /since (\S+):/.exec(lines[3] ?? '')?.[1];
    // Described as two minutes before the run.
    expect(Date.now() - Date.parse(since ?? '')).toBeGreaterThanOrEqual(120_000);
    const failed = `alarm myproject-api-5xx is in ALARM since ${since}: ${REASON}`;
    expect(lines).toEqual([
      'deploybridge offline dry run of events/ecs-hook-alarm-failed.json (project myproject, env dev): nothing in AWS is changed, nothing is sent to Slack',
      '',
      `Lifecycle hook invocation 5f40ed04-7e54-437d-b95d-98bc872fec49 (route hook): api at POST_PRODUCTION_TRAFFIC_SHIFT, service deployment ${DEPLOYMENT}`,
      `  alarms failed: ${failed}`,
      '  answer to ECS: {"hookStatus":"FAILED"}',
      `  assumed: ${ALARMS_READ} → production traffic on the new revision set off myproject-api-5xx: in ALARM for 2 minutes (${REASON}); the others are OK`,
      '',
      'Slack (not sent): [red #E01E5A] :x: Rollout check failed: api at POST_PRODUCTION_TRAFFIC_SHIFT',
      '    Environment: dev',
      '    Service: myproject_service_api_dev',
      '    Stage: POST_PRODUCTION_TRAFFIC_SHIFT',
      `    Check failed: ${failed}`,
      '    Revision under test: arn:aws:ecs:us-east-1:123456789012:service-revision/myproject_cluster_dev/myproject_service_api_dev/9313423515462893900',
      `    Service deployment: ${DEPLOYMENT}`,
      '    Action: the hook answered FAILED: ECS rolls the deployment back to the revision that served before',
      '1 warning or error was logged (--verbose shows the log lines)',
      'Embedded defaults for PROJECT_NAME, PROJECT_ENV, SERVICE_CONFIG, LAMBDA_CONFIG, ECR_SCAN_GATE, ROLLOUT_CONFIG (set any to override); --json, --verbose, --live: npm start -- --help',
    ]);
  });

  it('--verbose shows the metrics the hook counts: HookInvocations, and HookChecksFailed by check', async () => {
    const { lines } = await run(['events/ecs-hook-alarm-failed.json', '--verbose']);
    expect(lines.filter((line) => line.startsWith('  metric '))).toEqual([
      '  metric HookInvocations 1 (environment=dev, trigger=hook)',
      '  metric HookChecksFailed 1 (environment=dev, check=alarms)',
    ]);
  });

  it('a ROLLOUT_CONFIG that is set wins over the embedded one: nothing configured for api answers SUCCEEDED at once, no read', async () => {
    const { lines } = await run(['events/ecs-hook-alarm-failed.json'], { ROLLOUT_CONFIG: '{}' });
    expect(lines.slice(2, 5)).toEqual([
      `Lifecycle hook invocation 5f40ed04-7e54-437d-b95d-98bc872fec49 (route hook): api at POST_PRODUCTION_TRAFFIC_SHIFT, service deployment ${DEPLOYMENT}`,
      '  no check ran: nothing to check at POST_PRODUCTION_TRAFFIC_SHIFT',
      '  answer to ECS: {"hookStatus":"SUCCEEDED"}',
    ]);
  });

  it("the documentation's payload as sent (my-cluster/my-service): FAILED, saying why, and reported", async () => {
    const { lines } = await run(['test/fixtures/aws-events/ecs/lifecycle-hook-invocation-post-test-traffic-shift.json']);
    expect(lines.slice(2, 5)).toEqual([
      'Lifecycle hook invocation 3a0345ba-b029-404b-890d-7da2a4b266aa (route hook): no service of this install at POST_TEST_TRAFFIC_SHIFT, service deployment arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/EZe5RNVLH6PPzHXINuP28',
      '  no check ran: service "arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service" is not a service of this project and env (cluster myproject_cluster_dev); a gate that cannot check does not let traffic through',
      '  answer to ECS: {"hookStatus":"FAILED"}',
    ]);
    expect(lines[6]).toBe('Slack (not sent): [red #E01E5A] :x: Rollout check failed: unknown service at POST_TEST_TRAFFIC_SHIFT');
  });

  it("the pause sample is the documentation event with only the names changed, then the approval sample's click on Continue", () => {
    const [pause, click] = JSON.parse(readFileSync('events/ecs-pause-continue-sequence.json', 'utf8')) as [unknown, RawEvent];
    const adapted = JSON.stringify(awsSample('ecs/hook-state-change-awaiting-action.json'))
      .replaceAll('us-west-2', 'us-east-1')
      .replaceAll('my-cluster', 'myproject_cluster_dev')
      .replaceAll('my-service', 'myproject_service_api_dev');
    expect(pause).toEqual(JSON.parse(adapted));
    const payload = parseInteraction(String(click.body));
    expect(payload.kind === 'click' && payload.click).toMatchObject({
      actionId: 'deploybridge.hook.continue',
      value: pauseId(PAUSED, HOOK),
      user: { id: 'U0APPROVER', name: 'alice' },
    });
    // Sent before the hook times out (the event's expiresAt, 2026-03-05T16:04:41Z).
    expect(new Date((click.requestContext as { timeEpoch: number }).timeEpoch).toISOString()).toBe('2026-03-05T15:56:30.000Z');
  });

  it('pause → Continue: the pause in full with its buttons, then ContinueServiceDeployment described (not made) once, and who continued', async () => {
    const { code, lines } = await run(['events/ecs-pause-continue-sequence.json']);
    expect(code).toBe(0);
    const text = lines.join('\n');
    const pauseStep = lines.slice(lines.indexOf('\n== 1 of 2') + 1, lines.indexOf('\n== 2 of 2'));
    expect(pauseStep).toEqual([
      'Plan for ECS Hook State Change 3329f79b-3dca-07f8-b1c2-5fe99f0b5e87 (route ecs): nothing to deploy',
      '  assumed: ecs:DescribeServiceDeployments serviceDeploymentArns=arn:aws:ecs:us-east-1:123456789012:service-deployment/myproject_cluster_dev/myp… → it is IN_PROGRESS, revision 9313423515462893900 under test with test traffic 100% and production 0%, the hook awaiting action and rolled back at its timeout',
      'Slack (not sent): [amber #ECB22E] :double_vertical_bar: Deployment paused: api',
      '    Environment: dev',
      '    Service: myproject_service_api_dev',
      '    Status: paused: ECS waits for Continue or Roll back',
      '    Stage: POST_TEST_TRAFFIC_SHIFT',
      '    Revision under test: 9313423515462893900',
      '    Traffic: test 100%, production 0%',
      '    Times out: 2026-03-05 16:04 UTC (then ECS takes ROLLBACK)',
      `    Service deployment: ${PAUSED}`,
      '    Approvers: <@U0APPROVER>',
      '    [Continue] (primary; asks first: "Continue api?")',
      '    [Roll back] (danger; asks first: "Roll back api?")',
      '    [Open in ECS console] https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/myproject_cluster_dev/services/myproject_service_api_dev/deployments?region=us-east-1',
    ]);
    const clickStep = lines.slice(lines.indexOf('\n== 2 of 2') + 1, lines.indexOf('\n== 2 of 2') + 6);
    expect(clickStep).toEqual([
      `Slack: a click on deploybridge.hook.continue by U0APPROVER (alice) for ${pauseId(PAUSED, HOOK)}, signed now with the signing secret`,
      '  the Function URL answered 200: handed off to an asynchronous invocation',
      '  the asynchronous invocation: carried out',
      `  described write (not made): ecs:ContinueServiceDeployment serviceDeploymentArn=${PAUSED} hookId=${HOOK} action=CONTINUE`,
      '  Slack (not sent), update of message 1: [green #2EB67D] :white_check_mark: Deployment continued: api',
    ]);
    expect(text.match(/ContinueServiceDeployment/g)).toHaveLength(1);
    // The channel: the pause become what it came to, naming who continued it, at the click's time; no button left.
    const channel = text.slice(text.indexOf('The Slack channel as a bot token leaves it'));
    expect(channel).toContain('    Status: continued: ECS moves the deployment on');
    expect(channel).toContain('    Continued by: <@U0APPROVER> at 2026-03-05 15:56 UTC');
    expect(channel).not.toContain('[Continue]');
    expect(channel.match(/^\[/gm)).toHaveLength(1);
  });

  it('a click on Continue from someone not an approver is refused and calls nothing', async () => {
    const { lines } = await run(['events/ecs-pause-continue-sequence.json'], { APPROVERS: 'U0SOMEONE' });
    const text = lines.join('\n');
    expect(text).toContain(
      '  the Function URL answered 200\n  told only the one who clicked: "Only approvers may continue or roll back deployments: nothing was changed."',
    );
    expect(text).not.toContain('ContinueServiceDeployment');
    expect(text).not.toContain('Deployment continued');
  });
});
