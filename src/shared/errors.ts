/**
 * What every folder uses and none owns (src/shared/): errors (this file), log lines and metrics
 * (./observability.ts), retries (./retry.ts), bounded concurrency (./concurrency.ts), what an
 * invocation brings (./invocation.ts, ./partition.ts), masking secrets (./redact.ts), delivering a
 * notification (./delivery.ts, ./post.ts, ./secrets.ts) and text.
 *
 * Errors that decide what happens next: a {@link ConfigError} stops everything, a
 * {@link RejectedEventError} is a permanent problem with one event (logged, counted, not retried),
 * a {@link DeploymentError} is a deployment that failed for a reason its target understands, and
 * {@link isRetryableAwsError} separates transient AWS failures from permanent ones.
 *
 * Errors keep the error they wrap as `cause`, so the log line keeps the AWS error name, request id
 * and stack; the words people read are derived from them here, in {@link describeError}.
 */
import { maskText } from './redact.js';
import { mapStack } from './stackTrace.js';
import { plural } from './text.js';

/**
 * Invalid configuration: the message lists every problem on one line, so it reads whole in a log
 * line and in the error Lambda records for the failed invocation.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`${ConfigError.heading(problems)} ${problems.join('; ')}`);
  }

  private static heading(problems: string[]): string {
    return `invalid configuration (${plural(problems.length, 'problem')}):`;
  }

  /**
   * The problems one per line, for a terminal.
   *
   * @example
   * new ConfigError(['PROJECT_ENV is required']).listed; // 'invalid configuration (1 problem):\n- PROJECT_ENV is required'
   */
  get listed(): string {
    return `${ConfigError.heading(this.problems)}\n- ${this.problems.join('\n- ')}`;
  }
}

/**
 * An event that can never succeed (malformed, unknown service, refused manual request).
 * Retrying it is pointless, so the handler logs it once and returns normally.
 */
export class RejectedEventError extends Error {
  override readonly name = 'RejectedEventError';
}

/**
 * A failure that may pass (throttling, 5xx, network, a deployment left undone, a write that kept
 * losing races): it fails the invocation so that Lambda's own retry and on-failure destination apply.
 */
export class TransientDeploymentError extends Error {
  override readonly name = 'TransientDeploymentError';
}

/**
 * Raised at the end of an invocation when a deployment failed on an error no code path expects (a
 * bug). It is not retried as if AWS were down: it is reported once, and the invocation fails so the
 * Errors alarm fires and the event waits in the on-failure destination until the fix is deployed.
 */
export class UnexpectedError extends Error {
  override readonly name = 'UnexpectedError';
}

/**
 * A deployment that failed for a reason the target understands (an update ended in
 * `LastUpdateStatus` Failed, nothing recorded to roll back to, a wait timed out). Its message is
 * written for people; `retryable` says whether sending the same deployment again may succeed.
 *
 * @example
 * throw new DeploymentError('update of fn failed (LastUpdateStatus Failed): …', { retryable: false, cause: error });
 */
export class DeploymentError extends Error {
  override readonly name: string = 'DeploymentError';
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
  }
}

/** A smoke test that failed: the version never received traffic. `response` is already redacted and trimmed. */
export class SmokeTestFailedError extends DeploymentError {
  override readonly name = 'SmokeTestFailedError';

  constructor(
    message: string,
    readonly response: string,
  ) {
    super(message, { retryable: false });
  }
}

/** Error names AWS uses for requests that cannot succeed however often they are sent. */
const PERMANENT_ERROR_NAMES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ValidationException',
  'ClientException',
  'PlatformUnknownException',
  'PlatformTaskDefinitionIncompatibilityException',
  'UnsupportedFeatureException',
  'ResourceNotFoundException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);

/** Client errors (4xx) that pass by themselves: Lambda's "an update is in progress" (409). */
const TRANSIENT_CLIENT_ERROR_NAMES = new Set(['ResourceConflictException']);

interface AwsLikeError {
  name?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** The `name` of an error-like value, or `''`. */
export function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

/** Node's system error codes (ECONNRESET, ETIMEDOUT, …): the network, not the code. */
const SYSTEM_ERROR_CODE_RE = /^E[A-Z_]+$/;

/**
 * True for an error no code path expects: a bug (a `TypeError`, a thrown string), as opposed to
 * what AWS clients raise (service errors carry `$metadata` or `$fault`, and so do network errors
 * once the SDK's own retries are spent), a call aborted at the deadline, a network error, or one
 * of deploybridge's own errors.
 *
 * @example
 * isUnexpectedError(new TypeError("Cannot read properties of undefined")); // true
 * isUnexpectedError(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' })); // false
 */
export function isUnexpectedError(error: unknown): boolean {
  if ([DeploymentError, RejectedEventError, ConfigError, TransientDeploymentError, UnexpectedError].some((known) => error instanceof known))
    return false;
  if (typeof error !== 'object' || error === null) return true;
  const e = error as AwsLikeError & { code?: unknown };
  if (e.$metadata !== undefined || e.$fault !== undefined || e.$retryable !== undefined) return false;
  if (['AbortError', 'TimeoutError'].includes(errorName(error))) return false;
  return !(typeof e.code === 'string' && SYSTEM_ERROR_CODE_RE.test(e.code));
}

/**
 * True when sending the same request again may succeed: throttling, server faults, timeouts and
 * network errors. Permanent errors (not found, invalid parameter, access denied, other client
 * faults) and unexpected ones (bugs) are not retried.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (error instanceof DeploymentError) return error.retryable;
  if (isUnexpectedError(error)) return false;
  const e = error as AwsLikeError;
  const name = errorName(error);
  if (PERMANENT_ERROR_NAMES.has(name)) return false;
  if (TRANSIENT_CLIENT_ERROR_NAMES.has(name)) return true;
  if (e.$retryable !== undefined || /Throttl|TooManyRequests|RequestLimitExceeded/.test(name)) return true;
  if (e.$fault === 'client') return false;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) return false;
  return true;
}

/**
 * A short, secret-free description of an error for logs and Slack: the message of a
 * {@link DeploymentError} (written for people), otherwise `Name: message`; AWS messages can echo
 * values, so secrets, credentials and control characters are masked ({@link maskText}).
 */
export function describeError(error: unknown): string {
  if (error instanceof DeploymentError) return maskText(error.message);
  if (error instanceof Error) return maskText(error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message);
  return maskText(String(error));
}

/**
 * Log fields of an error: its description, and what an operator needs to follow it up — the name
 * and AWS request id of the error at the root of its `cause` chain, and the stack (its frames in
 * deploybridge's code mapped to their source lines, ./stackTrace.ts; its first line is the message:
 * masked like the description).
 *
 * @example
 * log.error('deployment failed', { ...fields, ...errorFields(error) });
 */
export function errorFields(error: unknown): Record<string, unknown> {
  let root: unknown = error;
  for (let depth = 0; depth < 5 && root instanceof Error && root.cause !== undefined; depth++) root = root.cause;
  const requestId = (root as AwsLikeError | null)?.$metadata?.requestId;
  return {
    error: describeError(error),
    ...(root !== error ? { error_cause: describeError(root) } : {}),
    ...(errorName(root) === '' ? {} : { error_name: errorName(root) }),
    ...(requestId === undefined ? {} : { aws_request_id: requestId }),
    ...(error instanceof Error && error.stack !== undefined ? { error_stack: maskText(mapStack(error.stack)) } : {}),
  };
}
