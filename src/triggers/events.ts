/**
 * Schemas of the EventBridge events deploybridge acts on, in the shapes AWS documents.
 * Handlers parse `detail` with these; a mismatch is a rejected (malformed) event.
 */
import * as z from 'zod/mini';
import { lazySchema } from '../shared/schema.js';
import { EXCERPT_LIMIT } from '../config/constants.js';
import { RejectedEventError } from '../shared/errors.js';
import { closest } from '../shared/text.js';

const nonEmpty = () => z.string().check(z.minLength(1));
/** A string within AWS's own length limit for that field: longer is not a real AWS event. */
const bounded = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const optionalBounded = (max: number) => z.optional(z.string().check(z.maxLength(max)));

/** The EventBridge envelope: only what routing and logging need is required. */
export const envelopeSchema = lazySchema(() =>
  z.object({
    // EventBridge ids are UUIDs; anything else is not an EventBridge event (and must not reach the logs).
    id: z.string().check(z.regex(/^[\x21-\x7e]{1,128}$/, 'expected printable ASCII, at most 128 characters')),
    'detail-type': z.string(),
    source: nonEmpty(),
    account: z.optional(z.string()),
    time: z.optional(z.string()),
    region: z.optional(z.string()),
    resources: z.optional(z.array(z.string())),
    // The object as sent, not a copy: a record would leave out a `__proto__` key unseen, and the
    // strict schemas of the triggers (a manual request's) must see every key to refuse it by name.
    detail: z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
  }),
);
export type EventEnvelope = z.infer<ReturnType<typeof envelopeSchema>>;

/**
 * What a malformed envelope lacks: the fields its parse named, once each (`(root)`: the event
 * itself is not an object).
 *
 * @example
 * malformedFields(envelopeSchema().safeParse({ id: 'e1' }).error); // ['detail-type', 'source', 'detail']
 */
export function malformedFields(error: z.core.$ZodError): string[] {
  return [...new Set(error.issues.map((issue) => issue.path.join('.') || '(root)'))];
}

/**
 * The event's time (ISO 8601) when it is a valid one, otherwise now.
 *
 * @example
 * eventTime({ ...event, time: '2026-03-02T10:00:00Z' }); // '2026-03-02T10:00:00.000Z'
 */
export function eventTime(event: Pick<EventEnvelope, 'time'>): string {
  const time = event.time === undefined ? Number.NaN : Date.parse(event.time);
  return new Date(Number.isNaN(time) ? Date.now() : time).toISOString();
}

export const ecrImageActionSchema = lazySchema(() =>
  z.object({
    result: bounded(32),
    'action-type': bounded(32),
    'repository-name': bounded(256),
    'image-digest': optionalBounded(200),
    'image-tag': optionalBounded(300),
  }),
);

/** "ECR Image Scan": a basic scan finished (or failed) for one image digest. */
export const ecrImageScanSchema = lazySchema(() =>
  z.object({
    'scan-status': bounded(64),
    'repository-name': bounded(256),
    'image-digest': bounded(200),
    'image-tags': z.optional(z.array(bounded(300)).check(z.maxLength(1000))),
    'finding-severity-counts': z.optional(z.record(z.string().check(z.maxLength(32)), z.number().check(z.nonnegative()))),
  }),
);

export const parameterStoreChangeSchema = lazySchema(() =>
  z.object({
    operation: bounded(64),
    name: bounded(2048),
    type: optionalBounded(64),
  }),
);

export const s3NativeObjectSchema = lazySchema(() =>
  z.object({
    bucket: z.object({ name: bounded(63) }),
    object: z.object({ key: bounded(1024), 'version-id': optionalBounded(1024) }),
    reason: optionalBounded(64),
    /** Who made the request: an account id, or an AWS service principal (`s3.amazonaws.com` for lifecycle). */
    requester: optionalBounded(2048),
  }),
);

export const s3CloudTrailSchema = lazySchema(() =>
  z.object({
    eventSource: z.literal('s3.amazonaws.com'),
    eventName: bounded(64),
    /** Present when the call failed (e.g. AccessDenied): nothing changed. */
    errorCode: optionalBounded(128),
    requestParameters: z.object({ bucketName: bounded(63), key: bounded(1024) }),
    /** Who made the call; `arn` is absent for some identity types (an AWS service, for one). */
    userIdentity: z.optional(z.object({ arn: optionalBounded(2048) })),
    responseElements: z.optional(z.nullable(z.object({ 'x-amz-version-id': optionalBounded(1024) }))),
  }),
);

/**
 * The forms S3 writes an object key in, in its own events ("Object Created", "Object Deleted"): a
 * configured key matches an event only in one of them, as the module's rule for the bucket matches it
 * (terraform/events.tf lists the same forms; test/terraform/s3-keys.test.ts holds the two together).
 *
 * Where that comes from: S3 URL-encodes the key in its event notifications ("red flower.jpg" becomes
 * "red+flower.jpg": S3 User Guide, "Event message structure"); the EventBridge page ("EventBridge
 * event message structure") shows only plain keys and does not say, and the samples in
 * shared/aws-events/s3/ have plain keys only, but Powertools for AWS Lambda (Python) URL-decodes
 * `detail.object.key` of these events (S3EventBridgeNotificationObject.key, `unquote_plus`) and
 * LocalStack sends them encoded: they are encoded as notifications are. So: each UTF-8 byte
 * percent-encoded, but letters, digits, "-", "_", ".", "~" and "/"; a space as "+". The other forms
 * cover what the encoders S3 may use differ in ("~" and "*"; a space as "%20"), and decode to the
 * same key. CloudTrail's `requestParameters.key` is the key as the request sent it: not encoded,
 * matched as it is.
 *
 * @example
 * s3EventKeyForms('config/my app+1.env'); // ['config/my+app%2B1.env', 'config/my%20app%2B1.env']
 */
export function s3EventKeyForms(key: string): string[] {
  const encoded = encodeURIComponent(key)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+')
    .replaceAll('%2F', '/');
  return [...new Set([encoded, encoded.replaceAll('~', '%7E').replaceAll('%2A', '*'), encoded.replaceAll('+', '%20')])];
}

export const ecsDeploymentStateSchema = lazySchema(() =>
  z.object({
    eventType: optionalBounded(32),
    eventName: bounded(128),
    deploymentId: optionalBounded(256),
    reason: optionalBounded(2048),
  }),
);

/** `ECS Task State Change`: what deploybridge reads of a task that stopped. */
export const ecsTaskStateSchema = lazySchema(() =>
  z.object({
    taskArn: bounded(2048),
    clusterArn: bounded(2048),
    lastStatus: bounded(32),
    startedBy: optionalBounded(128),
    stopCode: optionalBounded(64),
    stoppedReason: optionalBounded(2048),
    containers: z.optional(
      z
        .array(
          z.object({
            name: bounded(255),
            exitCode: z.optional(z.number()),
            reason: optionalBounded(2048),
          }),
        )
        .check(z.maxLength(100)),
    ),
  }),
);

/** `ECS Hook State Change`: a lifecycle hook of a service deployment (a pause hook awaiting action). */
export const ecsHookStateSchema = lazySchema(() =>
  z.object({
    eventName: bounded(64),
    hookId: bounded(256),
    hookType: optionalBounded(32),
    expiresAt: optionalBounded(64),
    lifecycleStage: bounded(64),
    clusterArn: optionalBounded(2048),
    serviceArn: bounded(2048),
    serviceDeploymentArn: bounded(2048),
  }),
);

export const ecsServiceActionSchema = lazySchema(() =>
  z.object({
    eventType: optionalBounded(32),
    eventName: bounded(128),
    clusterArn: optionalBounded(2048),
  }),
);

/**
 * A manual deploy request. Strict: a misspelt field ("Action", "taskDefinition") refuses the
 * request rather than being ignored, so a typo cannot turn a rollback into a release.
 */
export const manualDeploySchema = lazySchema(() =>
  z.strictObject({
    service: z.string().check(z.maxLength(256)),
    task_definition: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
    reason: z.optional(z.string().check(z.maxLength(1000))),
    /** Lambda targets: the published version to move the alias to ("12"; a number is accepted too). */
    version: z.optional(z.union([z.string().check(z.maxLength(64)), z.number()])),
    /** Lambda targets: "rollback" moves the alias back to the version before the last deploy. */
    action: z.optional(z.string().check(z.maxLength(64))),
    /**
     * The deployment the request is for (`PROJECT_ENV`, `PROJECT_NAME`); another one's deploybridge
     * acts on it. Required unless MANUAL_DEPLOY_REQUIRE_SCOPE is off (checked by the manual trigger).
     */
    env: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    project: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    /** Who asked, as free text: shown in Slack and the log. */
    requested_by: z.optional(z.string().check(z.maxLength(200))),
  }),
);
/** What a manual request's fields are for, said when one is missing. */
export const MANUAL_DEPLOY_HINTS: Readonly<Record<string, string>> = { service: 'the service to deploy; "backend" or "" for the backend' };
export type ManualDeployDetail = z.infer<ReturnType<typeof manualDeploySchema>>;

/** A value from an event as it may appear in a log line or a reason: bounded, JSON-quoted. */
export function excerpt(value: string, max: number = EXCERPT_LIMIT): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/** A value's kind in words, for "must be text, not a number". */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return 'true/false';
  return `a ${typeof value}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

/**
 * One schema problem of a `detail` in words. zod/mini ships no messages (each default one is
 * "Invalid input"), and the value itself is never quoted: it may be huge or hostile. Unknown
 * fields get a suggestion from `fields` when one is close; a missing field is explained by its hint.
 */
function explainIssue(
  issue: z.core.$ZodIssue,
  detail: unknown,
  fields: readonly string[],
  hints: Readonly<Record<string, string>>,
): string[] {
  const name = JSON.stringify(issue.path.join('.'));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.slice(0, 5).map((key) => {
        const suggestion = closest(key, fields);
        return `unknown field ${excerpt(key, 64)}${suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`}`;
      });
    case 'invalid_type': {
      const value = valueAt(detail, issue.path);
      if (value === undefined) {
        const hint = hints[issue.path.join('.')];
        return [`field ${name} is missing${hint === undefined ? '' : ` (${hint})`}`];
      }
      return [`field ${name} must be ${issue.expected === 'string' ? 'text' : issue.expected}, not ${kindOf(value)}`];
    }
    case 'invalid_union':
      return [`field ${name} must be text or a number, not ${kindOf(valueAt(detail, issue.path))}`];
    case 'too_big':
      return [`field ${name} is too long (at most ${issue.maximum} characters)`];
    case 'too_small':
      return [`field ${name} is empty`];
    case 'invalid_value':
      return [`field ${name} must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`];
    default:
      return [`field ${name}: ${issue.message}`];
  }
}

/**
 * Checks an event's `detail` against a schema; a mismatch is a list of problems in words, each
 * naming the field, never its (possibly huge or hostile) value.
 *
 * @example
 * checkDetail(manualDeploySchema(), { service: 'api', Action: 'rollback' });
 * // { ok: false, problems: ['unknown field "Action" (did you mean "action"?)'] }
 */
export function checkDetail<T>(
  schema: z.ZodMiniType<T>,
  detail: unknown,
  hints: Readonly<Record<string, string>> = {},
): { ok: true; data: T } | { ok: false; problems: string[] } {
  const result = schema.safeParse(detail);
  if (result.success) return { ok: true, data: result.data };
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  const fields = shape === undefined ? [] : Object.keys(shape);
  return { ok: false, problems: result.error.issues.flatMap((issue) => explainIssue(issue, detail, fields, hints)).slice(0, 5) };
}

/**
 * Parses an event's `detail`; a mismatch throws a {@link RejectedEventError} that names the
 * offending fields, never their (possibly huge or hostile) values.
 */
export function parseDetail<T>(schema: z.ZodMiniType<T>, event: EventEnvelope, what: string): T {
  const checked = checkDetail(schema, event.detail);
  if (checked.ok) return checked.data;
  throw new RejectedEventError(`malformed ${what} event: ${checked.problems.join('; ')}`);
}

/**
 * What ECS sends the Lambda it invokes as a lifecycle hook of a service deployment (not an
 * EventBridge event): the stage, the service deployment (`resourceArn`), the service and revision
 * under test, the traffic weights, and the `hookDetails` of the hook's configuration or of the
 * previous `IN_PROGRESS` answer. Only what the hook reads is required.
 */
export const lifecycleHookInvocationSchema = lazySchema(() =>
  z.object({
    executionId: bounded(128),
    lifecycleStage: bounded(64),
    resourceArn: bounded(2048),
    executionDetails: z.object({
      serviceArn: bounded(2048),
      targetServiceRevisionArn: optionalBounded(2048),
      testTrafficWeights: z.optional(z.record(z.string(), z.number())),
      productionTrafficWeights: z.optional(z.record(z.string(), z.number())),
    }),
    hookDetails: z.optional(
      z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
    ),
  }),
);
export type LifecycleHookInvocation = z.infer<ReturnType<typeof lifecycleHookInvocationSchema>>;

/**
 * True when ECS invoked the function as a lifecycle hook: an object with an `executionId` and a
 * `lifecycleStage` and no EventBridge `detail-type`. A malformed one is still answered (`FAILED`,
 * saying what is wrong); anything else goes to the EventBridge routes.
 *
 * @example
 * isLifecycleHookInvocation({ executionId: '3a03…', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', … }); // true
 */
export function isLifecycleHookInvocation(event: unknown): event is Record<string, unknown> {
  return (
    typeof event === 'object' &&
    event !== null &&
    !Array.isArray(event) &&
    'executionId' in event &&
    'lifecycleStage' in event &&
    !('detail-type' in event)
  );
}
