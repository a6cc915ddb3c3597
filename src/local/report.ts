/**
 * The local run's words: what an event came to (trigger → targets → what would happen, with the
 * reads it assumed), for a person at a terminal. The Slack messages are rendered by `thread.ts`.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import type { HandleResult } from '../entry/app.js';
import type { DeploymentResult } from '../deploy/deployer.js';
import type { HookAnswer } from '../rollout/hook.js';
import { shortTaskDefinition } from '../config/naming.js';
import type { LogFields } from '../shared/observability.js';
import type { DeploymentRequest } from '../triggers/requests.js';
import { ecsReportMessage } from '../present/following.js';
import { describeChange } from '../present/identity.js';
import { noticeMessage } from '../present/notices.js';
import { describeTrigger } from '../present/triggerLines.js';
import type { DescribedCall } from './describedCalls.js';
import { isObject, type RawEvent } from './input.js';
import { plural, truncate } from '../shared/text.js';

/** A value of a call's input, short enough for one line: digests and long text are cut. */
function shortValue(value: string): string {
  const digest = /^(sha256:[0-9a-f]{12})[0-9a-f]{20,}$/.exec(value);
  if (digest !== null) return `${digest[1]}…`;
  return truncate(value, 80);
}

/**
 * What a call was about, as `name=value` pairs of its input's leaves.
 *
 * @example
 * callSubject({ repositoryName: 'myproject_service_api', imageIds: [{ imageDigest: 'sha256:7f5b…' }] });
 * // 'repositoryName=myproject_service_api imageDigest=sha256:7f5b2640fe6f…'
 */
function callSubject(input: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (key: string, value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(key, item);
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(k, v);
    else if (value !== undefined && value !== null)
      parts.push(`${key}=${shortValue(typeof value === 'string' ? value : JSON.stringify(value))}`);
  };
  for (const [key, value] of Object.entries(input)) walk(key, value);
  return parts.join(' ');
}

/** `assumed: ecs:DescribeTaskDefinition taskDefinition=… → its latest ACTIVE revision is 42 …` */
function assumedLine(call: DescribedCall): string {
  const answer = call.assumed.length === 0 ? 'an empty answer' : call.assumed.join('; ');
  return `  ${call.kind === 'read' ? 'assumed' : 'described write'}: ${call.service}:${call.command} ${callSubject(call.input)} → ${answer}`;
}

/** The target of a deployment and what happens to it, with "would" for a dry run. */
function deploymentLines(request: DeploymentRequest, result: DeploymentResult | undefined): string[] {
  // Dry run, or waiting for an approver: nothing has happened yet.
  const would = result?.status === 'dry_run' || result?.status === 'awaiting approval' ? 'would ' : '';
  const lines: string[] = [];
  if (request.target === 'ecs') {
    const where = `ECS service ${request.ecs.service} (cluster ${request.ecs.cluster})`;
    const revision = request.taskDefinition === undefined ? undefined : shortTaskDefinition(request.taskDefinition);
    const what =
      revision === undefined
        ? `${would}restart it on the revision it runs`
        : revision.includes(':')
          ? `${would}deploy ${revision}`
          : `${would}deploy the latest ACTIVE revision of ${revision}`;
    lines.push(`  ${request.service} → ${where}: ${what} (UpdateService, forceNewDeployment)`);
  } else {
    const { functionName, alias, smokeTest } = request.lambda;
    lines.push(
      `  ${request.service} → Lambda ${functionName} (${alias === undefined ? 'no alias: $LATEST in place' : `alias ${alias}`}): ${would}${describeChange(request.change)}`,
    );
    if (smokeTest !== undefined) {
      const expectation = smokeTest.expect === undefined ? '' : `, expect ${JSON.stringify(smokeTest.expect)}`;
      lines.push(
        `    smoke test: ${request.change.kind === 'rollback' ? 'skipped for a rollback' : `invoke with smoke_test.payload${expectation}`}`,
      );
    }
  }
  lines.push(`    trigger: ${describeTrigger(request.trigger)}`);
  if (result !== undefined) lines.push(...resultLines(result));
  return lines;
}

/** What a deployment came to; a dry run of ECS says nothing more than its "would". */
function resultLines(result: DeploymentResult): string[] {
  switch (result.status) {
    case 'dry_run':
      if (result.target === 'ecs') return [];
      return [
        `    from version ${result.fromVersion}; the calls it would make, in order:`,
        ...result.plannedCalls.map((call) => `      ${call}`),
      ];
    case 'started': {
      const from = result.previousTaskDefinition === undefined ? '' : `, replacing ${shortTaskDefinition(result.previousTaskDefinition)}`;
      return [`    started: deployment ${result.deploymentId ?? '(no id)'} of ${shortTaskDefinition(result.taskDefinition)}${from}`];
    }
    case 'succeeded':
      return [
        `    succeeded: ${result.alias === undefined ? '$LATEST' : `alias ${result.alias}`} ${result.fromVersion} → ${result.toVersion}, smoke test ${result.smokeTest.replace('_', ' ')}, ${result.durationMs} ms`,
      ];
    case 'failed':
      return [
        `    failed after ${plural(result.attempts, 'attempt')}: ${result.error}${result.retryable ? ' (retryable: the invocation fails, so Lambda retries it)' : ''}`,
      ];
    case 'skipped':
      return ['    skipped: already deployed for this event'];
    case 'covered':
      return [`    not started: ${plural(result.changes, 'change')} covered by deployment ${result.coveredBy}, which began after them`];
    case 'awaiting approval':
      return [`    waiting for approval: request ${result.approvalId} asked in Slack, nothing deployed until an approver approves`];
    case 'deferred':
      return [`    not carried out (${result.reason}): the invocation fails, so Lambda retries the event`];
  }
}

/**
 * What one event came to, first of all: the event, the deployments with their targets and what would
 * happen (or happened), what was skipped or reported, and the answers the offline run assumed.
 *
 * @example
 * planSummary(await app.handle(event), event, calls);
 * // ['Plan for ECR Image Action 13cde686-… (route ecr): 1 deployment',
 * //  '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): would deploy myproject_service_api_dev:42 (UpdateService, forceNewDeployment)', …]
 */
export function planSummary(result: HandleResult, event: RawEvent, calls: DescribedCall[]): string[] {
  const what = typeof event['detail-type'] === 'string' ? event['detail-type'] : 'event';
  if (result.status === 'rejected')
    return [`Rejected ${what} ${result.eventId ?? '(no id)'}: nothing to deploy (${result.reason})`, ...calls.map(assumedLine)];
  if (result.status === 'ignored')
    return [
      `Plan for ${what} ${result.eventId}${result.route === undefined ? '' : ` (route ${result.route})`}: nothing to deploy (ignored: ${result.reason})`,
      ...calls.map(assumedLine),
    ];
  const { plan } = result;
  // What the follower reported of an ECS event counts with the plan's notices.
  const notified = [...plan.notices.map(noticeMessage), ...result.followed.map(ecsReportMessage)];
  const counts = [
    plan.deployments.length === 0 ? 'nothing to deploy' : plural(plan.deployments.length, 'deployment'),
    ...(plan.skipped.length === 0 ? [] : [`${plan.skipped.length} skipped`]),
    ...(notified.length === 0 ? [] : [plural(notified.length, 'notice')]),
  ];
  const lines = [`Plan for ${what} ${plan.eventId} (route ${plan.route}): ${counts.join(', ')}`];
  for (const request of plan.deployments)
    lines.push(
      ...deploymentLines(
        request,
        result.deployments.find((r) => r.service === request.service),
      ),
    );
  for (const skip of plan.skipped) lines.push(`  skip ${skip.service}: ${skip.reason}`);
  for (const message of notified) lines.push(`  notify (${message.severity}): ${message.title}`);
  lines.push(...calls.map(assumedLine));
  return lines;
}

/**
 * What an SQS batch came to: its records and events, the deployments its events asked for and how
 * many remain once merged (one per target), what came of every record, the records the function
 * would hand back for a retry,
 * and the answers the offline run assumed. `handled` is the fields of the batch's `batch handled`
 * log line.
 *
 * @example
 * batchSummary(trace.fieldsOf('batch handled'), { batchItemFailures: [] }, calls);
 * // ['SQS batch of 4 records (4 events): 4 deployments asked, 2 after merging (one per target); records: 4 deployed; records to retry: none', …]
 */
export function batchSummary(handled: LogFields | undefined, response: SQSBatchResponse, calls: DescribedCall[]): string[] {
  const number = (key: string) => (typeof handled?.[key] === 'number' ? handled[key] : 0);
  const asked = number('deployments_asked');
  const merged = number('deployments');
  const alone = number('deployments_not_merged');
  const retry = response.batchItemFailures.map((failure) => failure.itemIdentifier);
  const notMerged =
    alone === 0 ? '' : `; ${alone} manual deploy or ECS event not merged: ${alone === 1 ? 'it deploys' : 'they deploy'} as asked`;
  const deployments =
    asked === 0 ? 'nothing to deploy' : `${plural(asked, 'deployment')} asked, ${merged} after merging (one per target${notMerged})`;
  const fates = (handled?.record_fates ?? {}) as Record<string, number>;
  const counted = Object.entries(RECORD_FATE_WORDS)
    .filter(([fate]) => (fates[fate] ?? 0) > 0)
    .map(([fate, [one, many]]) => `${fates[fate]} ${fates[fate] === 1 ? one : many}`);
  return [
    `SQS batch of ${plural(number('records'), 'record')} (${plural(number('events'), 'event')}): ${deployments}; records: ${counted.join(', ') || 'none'}; records to retry: ${retry.length === 0 ? 'none' : retry.join(', ')}`,
    ...calls.map(assumedLine),
  ];
}

/** What came of a batch's records (`record_fates` of its log line), in words, singular and plural. */
const RECORD_FATE_WORDS: Record<string, [string, string]> = {
  deployed: ['deployed', 'deployed'],
  reported: ['reported (nothing to deploy)', 'reported (nothing to deploy)'],
  ignored: ['ignored', 'ignored'],
  rejected: ['rejected', 'rejected'],
  not_an_event: ['not an EventBridge event', 'not EventBridge events'],
  duplicate: ['duplicate delivery', 'duplicate deliveries'],
  to_retry: ['to retry', 'to retry'],
};

/**
 * What a lifecycle hook invocation came to: the service and the stage, each check and how it went,
 * the answer ECS gets, and the answers the offline run assumed. `answered` is the fields of the
 * hook's log line.
 *
 * @example
 * hookSummary({ hookStatus: 'SUCCEEDED' }, trace.fieldsOf(/^lifecycle hook (answered|failed)/), event, calls);
 * // ['Lifecycle hook invocation 3a0345ba-… (route hook): api at POST_TEST_TRAFFIC_SHIFT', '  alarms passed: 2 alarms OK (…)', '  answer to ECS: {"hookStatus":"SUCCEEDED"}', …]
 */
export function hookSummary(answer: HookAnswer, answered: LogFields | undefined, event: RawEvent, calls: DescribedCall[]): string[] {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const service = text(answered?.service) ?? 'no service of this install';
  const stage = text(event.lifecycleStage) ?? 'no stage';
  const checks = Array.isArray(answered?.checks) ? (answered.checks as Array<{ kind: string; outcome: string; summary: string }>) : [];
  const deployment = text(event.resourceArn);
  return [
    `Lifecycle hook invocation ${text(event.executionId) ?? '(no id)'} (route hook): ${service} at ${stage}${deployment === undefined ? '' : `, service deployment ${deployment}`}`,
    ...(checks.length === 0
      ? [`  no check ran: ${text(answered?.reason) ?? 'see the log lines (--verbose)'}`]
      : checks.map((check) => `  ${check.kind} ${check.outcome}: ${check.summary}`)),
    `  answer to ECS: ${JSON.stringify(answer)}`,
    ...calls.map(assumedLine),
  ];
}
