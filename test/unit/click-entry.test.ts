/**
 * The two halves of a click (src/entry/): the buttons both recognise, made once per configuration
 * (buttons.ts), the metrics of an interaction, and a handed-off click refused before any actor
 * when the configuration is invalid or no signing secret is set (clicks.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buttonsOf, interactionMetrics } from '../../src/entry/buttons.js';
import { carryOutClick } from '../../src/entry/clicks.js';
import { startRuntime, type Runtime } from '../../src/entry/runtime.js';
import { APPROVAL_ACTIONS } from '../../src/approvals/buttons.js';
import { ROLLOUT_ACTIONS } from '../../src/interactions/rollout.js';
import { MetricName } from '../../src/shared/observability.js';
import { BASE_ENV, fakeMetrics, testConfig } from '../helpers/app.js';
import { captureOutput } from '../helpers/logs.js';

const APPROVING = {
  APPROVERS: 'U0APPROVER',
  SLACK_BOT_TOKEN: 'xoxb-click-entry-test',
  SLACK_CHANNEL: 'C0DEPLOYS',
  DEPLOYMENTS_TABLE: 'myproject-deploybridge-dev-deployments',
};
const SIGNING_SECRET = 'click-entry-signing-secret';
const handOff = { deploybridge: 'interaction', request: { timestamp: '1', signature: 'v0=00', body: 'payload=%7B%7D' } };

describe('buttonsOf: the buttons of a configuration', () => {
  it('are made once per configuration, and anew for another', () => {
    const config = testConfig({ ...APPROVING, SLACK_SIGNING_SECRET: SIGNING_SECRET });
    const other = testConfig({ ...APPROVING, APPROVERS: 'U0OTHER', SLACK_SIGNING_SECRET: SIGNING_SECRET });
    const buttons = buttonsOf(config);
    expect(buttonsOf(config)).toBe(buttons);
    const others = buttonsOf(other);
    expect(others).not.toBe(buttons);
    expect(others.rules(APPROVAL_ACTIONS.approve)?.allows('U0OTHER')).toBe(true);
    expect(others.rules(APPROVAL_ACTIONS.approve)?.allows('U0APPROVER')).toBe(false);
  });

  it('recognise the approval and the rollout buttons for the approvers; the rollout rules only the rollout buttons', async () => {
    const { rules, rollouts, secret } = buttonsOf(testConfig({ ...APPROVING, SLACK_SIGNING_SECRET: SIGNING_SECRET }));
    for (const action of [APPROVAL_ACTIONS.approve, APPROVAL_ACTIONS.reject, ROLLOUT_ACTIONS.continue, ROLLOUT_ACTIONS.stop])
      expect(rules(action)?.allows('U0APPROVER'), action).toBe(true);
    expect(rules('deploybridge.unknown')).toBeUndefined();
    expect(rollouts(APPROVAL_ACTIONS.approve)).toBeUndefined();
    expect(rollouts(ROLLOUT_ACTIONS.rollback)?.allows('U0APPROVER')).toBe(true);
    expect(await secret?.()).toBe(SIGNING_SECRET);
  });

  it('without a configuration or a signing secret: no button, nothing to verify with', () => {
    const none = buttonsOf(undefined);
    expect(none.rules(APPROVAL_ACTIONS.approve)?.allows('U0APPROVER')).toBe(false);
    expect(none.rules(ROLLOUT_ACTIONS.continue)?.allows('U0APPROVER')).toBe(false);
    expect(none.secret).toBeUndefined();
    expect(buttonsOf(testConfig()).secret).toBeUndefined();
  });
});

describe('interactionMetrics', () => {
  it('dimensions the invocation `interaction` once, at its first count, and passes every metric on', () => {
    const metrics = fakeMetrics();
    const counted = interactionMetrics(metrics);
    expect(metrics.triggers).toEqual([]);
    counted.count(MetricName.InteractionsRejected);
    counted.count(MetricName.InteractionsRejected, 2);
    counted.ofDeployment(MetricName.DeploymentsStarted, 'manual');
    counted.ofChannel(MetricName.NotificationsFailed, 'teams');
    counted.ofHookCheck(MetricName.HookChecksFailed, 'smoke');
    expect(metrics.triggers).toEqual(['interaction']);
    expect(metrics.counts).toMatchObject({ InteractionsRejected: 3, DeploymentsStarted: 1, NotificationsFailed: 1, HookChecksFailed: 1 });
    expect(metrics.ofChannels).toEqual([{ name: MetricName.NotificationsFailed, channel: 'teams', value: 1 }]);
    expect(metrics.ofHookChecks).toEqual([{ name: MetricName.HookChecksFailed, check: 'smoke', value: 1 }]);
  });
});

describe('carryOutClick: refused before any actor', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  /** The container's runtime of `env`, its metrics recorded. */
  const runtimeOf = (env: Record<string, string>) => {
    const metrics = fakeMetrics();
    return { runtime: { ...startRuntime(env), metrics } as unknown as Runtime, metrics };
  };

  it('an invalid configuration fails the invocation with its problems, logged once and counted under `interaction`', async () => {
    const { runtime, metrics } = runtimeOf({ PROJECT_NAME: '', PROJECT_ENV: '' });
    const { configError } = runtime;
    expect(configError?.problems).toContain('PROJECT_NAME is required');
    // The configuration's own error, as the handler throws it for an event.
    await expect(carryOutClick(handOff, undefined, runtime)).rejects.toBe(configError);
    const errors = output.logs().filter((l) => l.level === 'error');
    expect(errors.map((l) => [l.message, l.fields.problems])).toEqual([[configError?.message, configError?.problems]]);
    expect(metrics.counts).toEqual({ ConfigInvalid: 1 });
    expect(metrics.triggers).toEqual(['interaction']);
  });

  it('without a signing secret nothing is verified: refused, warned and counted', async () => {
    const { runtime, metrics } = runtimeOf(BASE_ENV);
    expect(await carryOutClick(handOff, undefined, runtime)).toEqual({ status: 'refused', reason: 'no signing secret is configured' });
    expect(output.logs().map((l) => [l.level, l.message])).toEqual([
      ['warn', 'hand-off refused: no signing secret is configured (SLACK_SIGNING_SECRET or SLACK_SIGNING_SECRET_SSM_PARAMETER)'],
    ]);
    expect(metrics.counts).toEqual({ InteractionsRejected: 1 });
  });
});
