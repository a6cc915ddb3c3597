/**
 * The words of a lifecycle hook call in the thread of the deployment deploybridge follows: one line
 * per stage (the stage, the checks run, the result, the time), and the bake's progress as one line
 * updated at each call.
 */
import { formatTime } from './format.js';
import type { Facts, Notification, Severity } from './notification.js';

/** One call of the hook, as its thread line shows it. */
export interface HookCall {
  service: string;
  resource: string;
  stage: string;
  hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  /** Each check run, in words (`smoke: 1 smoke URL OK`). */
  checks: Array<{ kind: string; outcome: 'passed' | 'failed' | 'pending'; summary: string }>;
  /** ISO 8601. */
  at: string;
}

const RESULT: Record<HookCall['hookStatus'], { severity: Severity; words: string }> = {
  SUCCEEDED: { severity: 'success', words: 'passed: ECS moves on' },
  IN_PROGRESS: { severity: 'info', words: 'in progress: ECS calls again' },
  FAILED: { severity: 'error', words: 'failed: ECS rolls the deployment back' },
};

/**
 * The thread line of one hook call; `bake` marks the line the bake updates.
 *
 * @example
 * hookLine({ service: 'api', stage: 'POST_TEST_TRAFFIC_SHIFT', hookStatus: 'SUCCEEDED', checks: [...], … }).title;
 * // 'Rollout check passed at POST_TEST_TRAFFIC_SHIFT: api'
 */
export function hookLine(call: HookCall, bake: boolean): Notification {
  const result = RESULT[call.hookStatus];
  const checks: Facts =
    call.checks.length === 0
      ? [['Checks', 'none configured for this stage']]
      : call.checks.map((check): [string, string] => [`Check: ${check.kind}`, `${check.outcome}: ${check.summary}`]);
  const what = bake ? 'Bake' : 'Rollout check';
  const verb = call.hookStatus === 'SUCCEEDED' ? 'passed' : call.hookStatus === 'FAILED' ? 'failed' : 'in progress';
  return {
    severity: result.severity,
    title: `${what} ${verb} at ${call.stage}: ${call.service}`,
    service: call.resource,
    facts: [['Stage', call.stage], ...checks, ['Result', `${call.hookStatus} (${result.words})`], ['Time', formatTime(call.at)]],
    event: { type: call.hookStatus === 'FAILED' ? 'deployment.check_failed' : 'deployment.progressing' },
  };
}
