import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SAMPLE = fileURLToPath(
  new URL('../fixtures/aws-events/sqs/sqs-record-wrapping-eventbridge-s3-object-created-real.json', import.meta.url),
);

/** The real S3 → EventBridge → SQS → Lambda record (test/fixtures/aws-events/sqs/, see SOURCES.md there). */
export function sqsSampleEvent(): SQSEvent {
  return JSON.parse(readFileSync(SAMPLE, 'utf8')) as SQSEvent;
}

/** The coalescing queue of the tests' module (project myproject, env dev). */
export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:myproject-deploybridge-dev-coalesce';

/**
 * An SQS batch as the event source mapping delivers it: each record in the shape of the real
 * sample, its `body` the EventBridge event as JSON (or a string, sent as it is), message ids
 * `msg-1`, `msg-2`, … unless `messageIds` names them.
 *
 * @example
 * sqsBatch([parameterChange('/dev/myproject/api/A'), push('latest')]);
 */
export function sqsBatch(
  events: unknown[],
  { messageIds, receiveCount = 1 }: { messageIds?: string[]; receiveCount?: number } = {},
): SQSEvent {
  const [sample] = sqsSampleEvent().Records as [SQSRecord];
  return {
    Records: events.map((event, i): SQSRecord => {
      const body = typeof event === 'string' ? event : JSON.stringify(event);
      return {
        ...sample,
        messageId: messageIds?.[i] ?? `msg-${i + 1}`,
        receiptHandle: `${sample.receiptHandle.slice(0, 40)}${i}`,
        body,
        md5OfBody: createHash('md5').update(body).digest('hex'),
        attributes: { ...sample.attributes, ApproximateReceiveCount: String(receiveCount) },
        eventSourceARN: QUEUE_ARN,
      };
    }),
  };
}
