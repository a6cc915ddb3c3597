/**
 * Schemas of the EventBridge events deploybridge acts on, in the shapes AWS documents.
 * Handlers parse `detail` with these; a mismatch is a rejected (malformed) event.
 */
import * as z from 'zod/mini';
import { EXCERPT_LIMIT } from './constants.js';
import { RejectedEventError } from './errors.js';

const nonEmpty = () => z.string().check(z.minLength(1));
/** A string within AWS's own length limit for that field: longer is not a real AWS event. */
const bounded = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const optionalBounded = (max: number) => z.optional(z.string().check(z.maxLength(max)));

/** The EventBridge envelope: only what routing and logging need is required. */
export const envelopeSchema = z.object({
  // EventBridge ids are UUIDs; anything else is not an EventBridge event (and must not reach the logs).
  id: z.string().check(z.regex(/^[\x21-\x7e]{1,128}$/, 'expected printable ASCII, at most 128 characters')),
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
  result: bounded(32),
  'action-type': bounded(32),
  'repository-name': bounded(256),
  'image-digest': optionalBounded(200),
  'image-tag': optionalBounded(300),
});

/** "ECR Image Scan": a basic scan finished (or failed) for one image digest. */
export const ecrImageScanSchema = z.object({
  'scan-status': bounded(64),
  'repository-name': bounded(256),
  'image-digest': bounded(200),
  'image-tags': z.optional(z.array(bounded(300)).check(z.maxLength(1000))),
  'finding-severity-counts': z.optional(z.record(z.string().check(z.maxLength(32)), z.number().check(z.nonnegative()))),
});

export const parameterStoreChangeSchema = z.object({
  operation: bounded(64),
  name: bounded(2048),
  type: optionalBounded(64),
});

export const s3NativeObjectSchema = z.object({
  bucket: z.object({ name: bounded(63) }),
  object: z.object({ key: bounded(1024), 'version-id': optionalBounded(1024) }),
  reason: optionalBounded(64),
  /** Who made the request: an account id, or an AWS service principal (`s3.amazonaws.com` for lifecycle). */
  requester: optionalBounded(2048),
});

export const s3CloudTrailSchema = z.object({
  eventSource: z.literal('s3.amazonaws.com'),
  eventName: bounded(64),
  /** Present when the call failed (e.g. AccessDenied): nothing changed. */
  errorCode: optionalBounded(128),
  requestParameters: z.object({ bucketName: bounded(63), key: bounded(1024) }),
  /** Who made the call; `arn` is absent for some identity types (an AWS service, for one). */
  userIdentity: z.optional(z.object({ arn: optionalBounded(2048) })),
  responseElements: z.optional(z.nullable(z.object({ 'x-amz-version-id': optionalBounded(1024) }))),
});

export const ecsDeploymentStateSchema = z.object({
  eventType: optionalBounded(32),
  eventName: bounded(128),
  deploymentId: optionalBounded(256),
  reason: optionalBounded(2048),
});

export const ecsServiceActionSchema = z.object({
  eventType: optionalBounded(32),
  eventName: bounded(128),
  clusterArn: optionalBounded(2048),
});

export const manualDeploySchema = z.object({
  service: z.string().check(z.maxLength(256)),
  task_definition: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  reason: z.optional(z.string().check(z.maxLength(1000))),
  /** Lambda targets: the published version to move the alias to ("12"; a number is accepted too). */
  version: z.optional(z.union([z.string().check(z.maxLength(64)), z.number()])),
  /** Lambda targets: "rollback" moves the alias back to the version before the last deploy. */
  action: z.optional(z.string().check(z.maxLength(64))),
});
export type ManualDeployDetail = z.infer<typeof manualDeploySchema>;

/** A value from an event as it may appear in a log line or a reason: bounded, JSON-quoted. */
export function excerpt(value: string, max: number = EXCERPT_LIMIT): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

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
