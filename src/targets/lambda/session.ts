/**
 * One Lambda deployment's session: the function, the deployment's context, and what it has learnt
 * so far (the revision to guard writes with, how far it got). The environment values it reads are
 * remembered for masking (src/shared/redact.ts).
 * The verbs (release.ts, promote.ts, rollback.ts) are written on it.
 */
import type * as LambdaDoor from '../../aws/lambda.js';
import type { FunctionConfiguration, GetAliasCommandOutput, LambdaClient } from '../../aws/lambda.js';
import { DeploymentError, errorFields, errorName } from '../../shared/errors.js';
import { MetricName } from '../../shared/observability.js';
import type { LambdaDeployment } from '../../triggers/requests.js';
import type { LambdaProgress, LambdaRelease } from '../outcomes.js';
import { isRetryableAwsError } from '../../shared/errors.js';
import { rememberSecretValues } from '../../shared/redact.js';
import { withRetries } from '../../shared/retry.js';
import type { TargetContext, TargetOutcome } from '../contract.js';

export interface LambdaTargetOptions {
  /** Waiters poll with a backoff between these delays (seconds). */
  waiterMinDelaySeconds: number;
  waiterMaxDelaySeconds: number;
}

/** Lambda's "an update is in progress" (409): passes by itself. */
export const isUpdateConflict = (error: unknown) => errorName(error) === 'ResourceConflictException';

/** Lambda refused a write guarded by `RevisionId`: someone else changed the function or alias since it was read. */
export const isStale = (error: unknown) => errorName(error) === 'PreconditionFailedException';

/** A guarded write retries on a conflict, and on a stale revision once it has read the function or alias again. */
export const isConflictOrStale = (error: unknown) => isUpdateConflict(error) || isStale(error);

/** The Lambda SDK's commands and waiters (src/aws/lambda.ts), loaded with the client: a session is given them. */
export type LambdaSdk = typeof LambdaDoor;

export class Session {
  readonly fn: string;
  readonly alias: string | undefined;
  /** How far the deployment got, for a failure to say what traffic sees now. */
  readonly progress: LambdaProgress = { target: 'lambda', fromVersion: undefined, toVersion: undefined, latestChanged: false };
  /** The function's revision as last seen: `PublishVersion` and `UpdateFunctionConfiguration` are guarded by it. */
  revisionId: string | undefined;

  constructor(
    readonly client: LambdaClient,
    readonly sdk: LambdaSdk,
    readonly options: LambdaTargetOptions,
    readonly request: LambdaDeployment,
    readonly context: TargetContext,
  ) {
    this.fn = request.lambda.functionName;
    this.alias = request.lambda.alias;
  }

  /** `GetFunctionConfiguration` of `$LATEST` (remembering its revision) or of a version. */
  async readConfiguration(qualifier?: string): Promise<FunctionConfiguration> {
    const input = qualifier === undefined ? { FunctionName: this.fn } : { FunctionName: this.fn, Qualifier: qualifier };
    const configuration = await this.client.send(new this.sdk.GetFunctionConfigurationCommand(input), { abortSignal: this.context.signal });
    if (qualifier === undefined) this.revisionId = configuration.RevisionId;
    // Masked wherever they could appear: smoke-test responses, AWS error messages.
    rememberSecretValues(Object.values(configuration.Environment?.Variables ?? {}));
    return configuration;
  }

  async readAlias(name: string): Promise<GetAliasCommandOutput> {
    return this.client.send(new this.sdk.GetAliasCommand({ FunctionName: this.fn, Name: name }), { abortSignal: this.context.signal });
  }

  /** The alias; versions and rollbacks move one, so without it they cannot run. */
  requireAlias(): string {
    if (this.alias === undefined) {
      throw new DeploymentError(`${this.fn} has no alias in LAMBDA_CONFIG; versions and rollbacks move an alias`, { retryable: false });
    }
    return this.alias;
  }

  /** A call that changes AWS, retried while it meets a conflict (with backoff, inside the deadline). */
  async change<T>(operation: string, send: () => Promise<T>, shouldRetry: (error: unknown) => boolean = isUpdateConflict): Promise<T> {
    const { conflictRetry, deadline, log, metrics } = this.context;
    const outcome = await withRetries(
      {
        baseMs: conflictRetry.baseMs,
        maxRetries: conflictRetry.maxRetries,
        deadline,
        shouldRetry,
        onRetry: (retry, delay, error) => {
          metrics.count(MetricName.ConflictsRetried);
          log.warn(`${operation} failed; retry ${retry} of ${conflictRetry.maxRetries} in ${delay} ms`, {
            operation,
            attempt: retry,
            max_retries: conflictRetry.maxRetries,
            retry_in_ms: delay,
            ...errorFields(error),
          });
        },
      },
      () => send(),
    );
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  /**
   * Runs the changing part of a verb: a thrown error becomes a failed outcome that says how far the
   * deployment got.
   */
  async settle(work: () => Promise<LambdaRelease>): Promise<TargetOutcome> {
    try {
      return { status: 'succeeded', result: await work() };
    } catch (error) {
      return this.failed(error);
    }
  }

  failed(error: unknown): TargetOutcome {
    return { status: 'failed', cause: error, retryable: isRetryableAwsError(error), progress: { ...this.progress } };
  }

  /** A finished deployment between two versions. */
  release(
    fromVersion: string,
    toVersion: string,
    smokeTest: LambdaRelease['smokeTest'],
    extra: Pick<LambdaRelease, 'note' | 'image'> = {},
  ): LambdaRelease {
    return { target: 'lambda', functionName: this.fn, alias: this.alias, fromVersion, toVersion, smokeTest, ...extra };
  }
}

/** A call as a dry run and the local run describe it. */
export function describeCall(command: string, input: unknown): string {
  return `lambda:${command} ${JSON.stringify(input)}`;
}
