/**
 * Waiting on Lambda with the SDK's own waiters, bounded by the deployment's deadline.
 *
 * A waiter's error embeds the whole last response (a `GetFunction` response holds the function's
 * environment), so it is never passed on, not even as a `cause`: the status is read again instead.
 */
import type { GetFunctionCommandOutput } from '../../aws/lambda.js';
import { DeploymentError, errorName } from '../../shared/errors.js';
import { redact } from '../../shared/redact.js';
import type { Session } from './session.js';

const isWaiterTimeout = (error: unknown) => ['TimeoutError', 'AbortError'].includes(errorName(error));

function waiterConfiguration(session: Session) {
  const { waiterMinDelaySeconds: minDelay, waiterMaxDelaySeconds: maxDelay } = session.options;
  const remainingSeconds = (session.context.deadline - Date.now()) / 1000;
  // The waiter insists on maxWaitTime > minDelay; the abort signal ends it at the deadline anyway.
  return {
    client: session.client,
    minDelay,
    maxDelay,
    maxWaitTime: Math.max(minDelay * 2, remainingSeconds),
    abortSignal: session.context.signal,
  };
}

function timedOut(session: Session, what: string): DeploymentError {
  return new DeploymentError(
    `timed out waiting for ${session.fn} ${what} within its deadline (DEPLOYMENT_TIMEOUT_SECONDS, or what the invocation had left)`,
    { retryable: true },
  );
}

/**
 * Waits until `LastUpdateStatus` is Successful (`waitUntilFunctionUpdatedV2`, which polls
 * `GetFunction`) and returns the last `GetFunction` answer. `before` a change, an earlier update
 * that Failed does not block ours (a new deploy is how one fixes it); `after` it, Failed fails the
 * deployment with Lambda's reason.
 */
export async function waitForUpdate(session: Session, phase: 'before' | 'after'): Promise<GetFunctionCommandOutput | undefined> {
  try {
    const { final } = await session.sdk.waitUntilFunctionUpdatedV2(waiterConfiguration(session), { FunctionName: session.fn });
    session.revisionId = final?.Configuration?.RevisionId ?? session.revisionId;
    return final;
  } catch (error) {
    if (isWaiterTimeout(error)) throw timedOut(session, 'to finish updating');
    const configuration = await session.readConfiguration();
    if (configuration.LastUpdateStatus !== 'Failed') {
      throw new DeploymentError(`waiting for ${session.fn} to finish updating failed (${errorName(error)})`, { retryable: true });
    }
    const reason = `${configuration.LastUpdateStatusReasonCode ?? 'Failed'}: ${configuration.LastUpdateStatusReason ?? 'no reason given'}`;
    if (phase === 'before') {
      session.context.log.info('lambda: the update in progress failed; deploying over it', { last_update_status_reason: redact(reason) });
      return undefined;
    }
    throw new DeploymentError(`update of ${session.fn} failed (LastUpdateStatus Failed): ${reason}`, { retryable: false });
  }
}

/** Waits until a published version is Active (`waitUntilPublishedVersionActive`). */
export async function waitForVersion(session: Session, version: string): Promise<void> {
  try {
    await session.sdk.waitUntilPublishedVersionActive(waiterConfiguration(session), { FunctionName: session.fn, Qualifier: version });
  } catch (error) {
    if (isWaiterTimeout(error)) throw timedOut(session, `version ${version} to become Active`);
    const configuration = await session.readConfiguration(version);
    throw new DeploymentError(
      `version ${version} of ${session.fn} did not become Active (${configuration.State ?? 'unknown'}: ${configuration.StateReason ?? errorName(error)})`,
      {
        retryable: configuration.State !== 'Failed',
      },
    );
  }
}

/** How a dry run describes the waits. */
export const describeWait = {
  update: (phase: 'before' | 'after') =>
    `wait: GetFunction until LastUpdateStatus is Successful (${phase === 'before' ? 'an update is in progress' : 'after the change'})`,
  version: (version: string) => `wait: GetFunctionConfiguration until version ${version} is Active`,
};
