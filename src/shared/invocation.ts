/**
 * What one Lambda invocation brings besides its event: the account and partition deploybridge runs
 * in (from the function's own ARN, never from the event, which names the sender) and the moment
 * Lambda ends the invocation. Outside Lambda (tests, the local run without a context) all of it is
 * unknown.
 */
import type { Context } from 'aws-lambda';

export interface Invocation {
  /** The AWS account deploybridge runs in. */
  readonly account: string | undefined;
  /** Its partition (`aws`, `aws-cn`, `aws-us-gov`, …). */
  readonly partition: string | undefined;
  /** Epoch milliseconds at which Lambda ends the invocation. */
  readonly endsAt: number | undefined;
  /** The context itself, for Powertools Idempotency (an in-progress record expires with the invocation). */
  readonly lambdaContext: Context | undefined;
}

const FUNCTION_ARN_RE = /^arn:(aws[a-z-]*):lambda:[a-z0-9-]+:(\d{12}):function:/;

/**
 * The invocation of a Lambda context, read when the invocation starts.
 *
 * @example
 * invocationOf(context); // { account: '123456789012', partition: 'aws', endsAt: 1767225600000, lambdaContext: context }
 */
export function invocationOf(context: Context | undefined, now: number = Date.now()): Invocation {
  if (context === undefined) return { account: undefined, partition: undefined, endsAt: undefined, lambdaContext: undefined };
  const arn = FUNCTION_ARN_RE.exec(context.invokedFunctionArn ?? '');
  const remaining = context.getRemainingTimeInMillis();
  return {
    account: arn?.[2],
    partition: arn?.[1],
    endsAt: Number.isFinite(remaining) ? now + remaining : undefined,
    lambdaContext: context,
  };
}
