/**
 * SQS delivery: the deploying triggers can reach the function through a queue (EventBridge rule →
 * SQS → event source mapping with a batching window), so a burst of changes arrives as one batch.
 * Each record's `body` is the EventBridge event as JSON, exactly as EventBridge sends it to an SQS
 * target. This module only recognises such an invocation; src/deploy/batch/run.ts handles it.
 */
import type { SQSEvent } from 'aws-lambda';

/**
 * True for an SQS event (records from `aws:sqs`); an EventBridge event has no `Records`.
 *
 * @example
 * isSqsBatch({ Records: [{ eventSource: 'aws:sqs', messageId: 'm1', body: '{…}' }] }); // true
 * isSqsBatch({ id: 'e1', source: 'aws.ecr', 'detail-type': 'ECR Image Action', detail: {} }); // false
 */
export function isSqsBatch(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) && records.length > 0 && records.every((r) => (r as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs')
  );
}
