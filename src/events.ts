/**
 * Schemas of the EventBridge events deploybridge acts on, in the shapes AWS documents.
 * Handlers parse `detail` with these; a mismatch is a rejected (malformed) event.
 */
import * as z from 'zod/mini';
import { RejectedEventError } from './errors.js';

const nonEmpty = () => z.string().check(z.minLength(1));

/** The EventBridge envelope: only what routing and logging need is required. */
export const envelopeSchema = z.object({
  id: nonEmpty(),
  'detail-type': z.string(),
  source: nonEmpty(),
  account: z.optional(z.string()),
  time: z.optional(z.string()),
  region: z.optional(z.string()),
  resources: z.optional(z.array(z.string())),
  detail: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof envelopeSchema>;

export const ecrImageActionSchema = z.object({
  result: z.string(),
  'action-type': z.string(),
  'repository-name': nonEmpty(),
  'image-digest': z.optional(z.string()),
  'image-tag': z.optional(z.string()),
});

export const parameterStoreChangeSchema = z.object({
  operation: nonEmpty(),
  name: nonEmpty(),
  type: z.optional(z.string()),
});

export const s3NativeObjectSchema = z.object({
  bucket: z.object({ name: nonEmpty() }),
  object: z.object({ key: nonEmpty(), 'version-id': z.optional(z.string()) }),
  reason: z.optional(z.string()),
});

export const s3CloudTrailSchema = z.object({
  eventSource: z.literal('s3.amazonaws.com'),
  eventName: nonEmpty(),
  requestParameters: z.object({ bucketName: nonEmpty(), key: nonEmpty() }),
  responseElements: z.optional(z.nullable(z.object({ 'x-amz-version-id': z.optional(z.string()) }))),
});

export const ecsDeploymentStateSchema = z.object({
  eventType: z.optional(z.string()),
  eventName: nonEmpty(),
  deploymentId: z.optional(z.string()),
  reason: z.optional(z.string()),
});

export const ecsServiceActionSchema = z.object({
  eventType: z.optional(z.string()),
  eventName: nonEmpty(),
  clusterArn: z.optional(z.string()),
});

export const manualDeploySchema = z.object({
  service: z.string().check(z.maxLength(256)),
  task_definition: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  reason: z.optional(z.string().check(z.maxLength(1000))),
});

/**
 * Parses an event's `detail`; a mismatch throws a {@link RejectedEventError} that names the
 * offending fields, never their (possibly huge or hostile) values.
 */
export function parseDetail<T>(schema: z.ZodMiniType<T>, event: EventEnvelope, what: string): T {
  const result = schema.safeParse(event.detail);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `detail.${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new RejectedEventError(`malformed ${what} event: ${problems.slice(0, 5).join('; ')}`);
}
