/**
 * Errors that decide what happens next: a {@link ConfigError} stops everything, a
 * {@link RejectedEventError} is a permanent problem with one event (logged, counted, not retried),
 * and {@link isRetryableAwsError} separates transient AWS failures from permanent ones.
 */

/** Invalid configuration: the message lists every problem, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`);
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
 * Raised at the end of an invocation when at least one deployment failed for a reason that may
 * pass (throttling, 5xx, network), so that Lambda's own retry and on-failure destination apply.
 */
export class TransientDeploymentError extends Error {
  override readonly name = 'TransientDeploymentError';
}

/**
 * A deployment that failed for a reason the target understands (a smoke test failed, an update
 * ended in `LastUpdateStatus` Failed, nothing recorded to roll back to), with the facts people
 * need to act on it. `retryable` says whether sending the same deployment again may succeed.
 */
export class DeploymentFailedError extends Error {
  override readonly name = 'DeploymentFailedError';

  constructor(
    message: string,
    readonly details: {
      retryable: boolean;
      /** Replaces "failed" as the Slack status, e.g. "failed; alias live stays on version 12". */
      status?: string;
      /** Extra Slack facts (already trimmed and free of secrets). */
      facts?: Array<[label: string, value: string]>;
      /** Extra log fields. */
      fields?: Record<string, unknown>;
      smokeTestFailed?: boolean;
    },
  ) {
    super(message);
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
  $metadata?: { httpStatusCode?: number };
}

/**
 * True when sending the same request again may succeed: throttling, server faults, timeouts and
 * network errors. Permanent errors (not found, invalid parameter, access denied, other client
 * faults) are not retried.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (error instanceof DeploymentFailedError) return error.details.retryable;
  if (typeof error !== 'object' || error === null) return true;
  const e = error as AwsLikeError;
  const name = typeof e.name === 'string' ? e.name : '';
  if (PERMANENT_ERROR_NAMES.has(name)) return false;
  if (TRANSIENT_CLIENT_ERROR_NAMES.has(name)) return true;
  if (e.$retryable !== undefined || /Throttl|TooManyRequests|RequestLimitExceeded/.test(name)) return true;
  if (e.$fault === 'client') return false;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) return false;
  return true;
}

/** A short, secret-free description of an error for logs and Slack. */
export function describeError(error: unknown): string {
  // Its message is already the whole story (the target wrote it for people).
  if (error instanceof DeploymentFailedError) return error.message;
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
