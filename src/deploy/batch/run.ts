/**
 * One SQS batch, start to finish: every record's EventBridge event is planned and reported as a
 * direct invocation would; the deployments the events ask for are merged, one per target
 * (./merge.ts), and carried out in one run of the deployer; the answer lists the records to retry.
 *
 * Merging needs every plan before any deployment starts, so the batch's work is done first and the
 * answer is built from what came of it: `batchItemFailures` lists exactly the records whose events
 * are left to do (a deployment that failed on a transient error, is in progress in another
 * invocation or was not started; an event whose planning or following must be retried), and when
 * that is every record the invocation fails (FullBatchFailureError, as Powertools Batch fails it).
 * Records with permanent problems, foreign events and bodies that are not EventBridge events
 * succeed: they would fail the same way on every receive.
 *
 * ECS events and manual deploys are not merged: their deployments run beside the merged ones, one
 * per event; delete warnings and refused images are reported per event, never merged.
 */
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { BATCH_LIMITS } from '../../config/constants.js';
import { unfinishedWork, type DeploymentOrder, type DeploymentResult } from '../deployer.js';
import { describeError, errorFields } from '../../shared/errors.js';
import { envelopeSchema, malformedFields, type EventEnvelope } from '../../triggers/events.js';
import { MetricName, type Log, type MetricSink } from '../../shared/observability.js';
import type { Plan, RouteName } from '../../triggers/plan.js';
import { mergeDeployments } from './merge.js';

/** The routes whose deployments are merged: the deploying triggers people do not wait on. */
const MERGED_ROUTES: ReadonlySet<RouteName> = new Set(['ecr', 'ssm', 's3']);

/** One event of the batch after planning. */
export type PlannedEvent =
  /** Nothing more to do: ignored, or rejected, refused or failed to plan (reported). */
  | { kind: 'settled'; outcome: 'ignored' | 'rejected' }
  | {
      kind: 'planned';
      plan: Plan;
      /** ISO 8601: when the event happened. */
      time: string;
      /** Follows its ECS event and reports its skips and notices (its deployments run with the batch's); throws what must be retried. */
      report(): Promise<void>;
    };

/** What the batch needs of the application (src/entry/app.ts). */
export interface BatchSteps {
  log: Log;
  /** For the records the batch itself rejects (their route is unknown). */
  metrics: MetricSink;
  /** Plans one event as a direct invocation does; throws what must be retried. */
  plan(event: EventEnvelope): Promise<PlannedEvent>;
  /** Carries out the batch's deployments, in one run: what became of each one started, with the order it carries out. */
  deploy<O extends DeploymentOrder>(orders: readonly O[]): Promise<Array<{ order: O; result: DeploymentResult }>>;
}

/**
 * What came of one record, each counted in the batch's log line: its event's deployments ran, or it
 * was only reported (an ECS event, a notice, skips), ignored or rejected; its body was not an
 * EventBridge event; it carried an event an earlier record of the batch carries (handled once); or
 * it comes back to be retried.
 */
type RecordFate = 'deployed' | 'reported' | 'ignored' | 'rejected' | 'not_an_event' | 'duplicate' | 'to_retry';

/** A record handler's error: Powertools lists the record in `batchItemFailures`. */
class RecordNotFinished extends Error {
  override readonly name = 'RecordNotFinished';
}

/** Why a deployment's events must come back, or `undefined` when they need not. */
function retryReason(result: DeploymentResult): string | undefined {
  const left = unfinishedWork(result);
  const error = result.status === 'failed' ? result.error : '';
  // A bug: the records come back, and after the queue's receives they wait in its dead-letter queue (alarmed).
  // In progress: if the other invocation fails, only this record's return can make up for it.
  switch (left) {
    case undefined:
      return undefined;
    case 'transient':
      return `deployment of ${result.service} failed on a transient error: ${error}`;
    case 'bug':
      return `deployment of ${result.service} failed on an unexpected error (a bug): ${error}`;
    case 'in progress':
      return `deployment of ${result.service} is in progress in another invocation`;
    case 'out of time':
      return `deployment of ${result.service} was not started: out of time`;
  }
}

/** The EventBridge event a record carries, or why it carries none. */
function eventOf(record: SQSRecord): { event: EventEnvelope } | { reason: string } {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { reason: 'the message body is not JSON' };
  }
  const parsed = envelopeSchema().safeParse(body);
  if (parsed.success) return { event: parsed.data };
  return { reason: `the message body is not an EventBridge event (bad or missing: ${malformedFields(parsed.error).join(', ')})` };
}

/**
 * Handles an SQS batch of EventBridge events and answers with the records to retry.
 *
 * @example
 * await handleSqsBatch(sqsEvent, steps); // { batchItemFailures: [{ itemIdentifier: 'ee95829a-…' }] }
 */
export async function handleSqsBatch(batch: SQSEvent, steps: BatchSteps): Promise<SQSBatchResponse> {
  const { log, metrics } = steps;
  /** Event id → the records that carry it (a duplicate delivery is planned once). */
  const events = new Map<string, { event: EventEnvelope; messageIds: string[] }>();
  /** Message id → what came of its record (an event's first record: once the event is handled). */
  const fates = new Map<string, RecordFate>();
  for (const record of batch.Records) {
    const carried = eventOf(record);
    if ('reason' in carried) {
      // Reported once: it would be refused the same way on every receive.
      metrics.count(MetricName.EventsRejected);
      log.warn(`event rejected: ${carried.reason}`, { message_id: record.messageId, reason: carried.reason });
      fates.set(record.messageId, 'not_an_event');
      continue;
    }
    const seen = events.get(carried.event.id);
    if (seen === undefined) events.set(carried.event.id, { event: carried.event, messageIds: [record.messageId] });
    else {
      seen.messageIds.push(record.messageId);
      fates.set(record.messageId, 'duplicate');
    }
  }

  /** Event id → why it must come back. */
  const unfinished = new Map<string, string>();
  const leftToDo = (eventId: string, error: unknown) => {
    unfinished.set(eventId, describeError(error));
    log.error('event not finished: it comes back with the SQS retry', {
      event_id: eventId,
      message_ids: events.get(eventId)?.messageIds,
      ...errorFields(error),
    });
  };

  const planned = await mapWithConcurrency(
    [...events.values()],
    BATCH_LIMITS.planningConcurrency,
    async ({ event }): Promise<PlannedEvent> => {
      try {
        const planned = await steps.plan(event);
        const [first] = events.get(event.id)?.messageIds ?? [];
        const fate = planned.kind === 'settled' ? planned.outcome : planned.plan.deployments.length > 0 ? 'deployed' : 'reported';
        if (first !== undefined) fates.set(first, fate);
        return planned;
      } catch (error) {
        leftToDo(event.id, error);
        return { kind: 'settled', outcome: 'rejected' };
      }
    },
  );
  const plans = planned.filter((p) => p.kind === 'planned');
  const merging = plans.filter((p) => MERGED_ROUTES.has(p.plan.route));
  const merged = mergeDeployments(
    merging.flatMap(({ plan, time }) =>
      plan.deployments.map((request) => ({ eventId: plan.eventId, route: plan.route, time: Date.parse(time), request })),
    ),
  );
  // The others' deployments run on their own, one per event, as a direct invocation would run them.
  const alone = plans
    .filter((p) => !MERGED_ROUTES.has(p.plan.route))
    .flatMap(({ plan, time }) =>
      plan.deployments.map((request) => ({
        request,
        eventId: plan.eventId,
        route: plan.route,
        triggeredAt: time,
        eventIds: [plan.eventId],
      })),
    );
  const deployments = [...merged, ...alone];

  const reported = Promise.all(plans.map((p) => p.report().catch((error: unknown) => leftToDo(p.plan.eventId, error))));
  const ran = await steps.deploy(deployments);
  await reported;
  // Matched by order, not by position: a release starts its deployments in its own order, some later.
  for (const { order, result } of ran) {
    const reason = retryReason(result);
    if (reason !== undefined) for (const eventId of order.eventIds) unfinished.set(eventId, reason);
  }
  const results = ran.map(({ result }) => result);

  const covered = results.filter((result) => result.status === 'covered');
  const failedMessages = new Map<string, string>();
  for (const [eventId, reason] of unfinished)
    for (const messageId of events.get(eventId)?.messageIds ?? []) {
      failedMessages.set(messageId, reason);
      fates.set(messageId, 'to_retry');
    }
  const recordFates: Partial<Record<RecordFate, number>> = {};
  for (const fate of fates.values()) recordFates[fate] = (recordFates[fate] ?? 0) + 1;
  log.info('batch handled', {
    records: batch.Records.length,
    events: events.size,
    deployments_asked: plans.reduce((sum, p) => sum + p.plan.deployments.length, 0),
    deployments: deployments.length,
    // A manual deploy (and an ECS event's) runs as asked, on its own: it deploys exactly what its request names.
    ...(alone.length === 0 ? {} : { deployments_not_merged: alone.length }),
    // Deployments not started: one that began after their changes deploys them.
    deployments_covered: covered.length,
    changes_covered: covered.reduce((sum, result) => sum + result.changes, 0),
    record_fates: recordFates,
    records_to_retry: [...failedMessages.keys()],
  });
  return answer(batch, failedMessages);
}

/**
 * The answer to SQS: the records to retry, in the batch's order. When that is every record, the
 * invocation fails instead, so SQS retries them all (and the Errors alarm sees it).
 */
function answer(batch: SQSEvent, failedMessages: ReadonlyMap<string, string>): SQSBatchResponse {
  const failed = batch.Records.filter((record) => failedMessages.has(record.messageId));
  if (failed.length > 0 && failed.length === batch.Records.length)
    throw new FullBatchFailureError(failed.map((record) => new RecordNotFinished(failedMessages.get(record.messageId))));
  return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
}
