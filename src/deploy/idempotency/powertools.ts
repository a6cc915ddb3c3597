/**
 * The DynamoDB guard on Powertools Idempotency. Only this module loads the DynamoDB client.
 */
import { DynamoDBClient } from '../../aws/dynamodb.js';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import type { DeploymentGuard, DynamoDbGuardOptions } from './guard.js';

/** Thrown inside the idempotent function so Powertools deletes the record of a failed deployment. */
class NotDeployed extends Error {}

/**
 * Outside Lambda (no context: tests, a local run) no invocation ends, so an "in progress" record
 * holds until the record itself expires. Without a context Powertools does the same, but warns on
 * every deployment that one was forgotten; this says it deliberately.
 */
function untilRecordExpires(ttlSeconds: number): Context {
  const until: Pick<Context, 'getRemainingTimeInMillis'> = { getRemainingTimeInMillis: () => ttlSeconds * 1000 };
  return until as Context;
}

export function createPowertoolsGuard(
  options: DynamoDbGuardOptions,
  client = new DynamoDBClient({ region: options.region }),
): DeploymentGuard {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    keyAttr: 'id',
    expiryAttr: 'expiration',
    awsSdkV3Client: client,
  });
  return {
    async once(eventId, target, deploy, succeeded, lambdaContext) {
      // One configuration per call: each carries its own invocation's context, and one container
      // may serve overlapping calls. With the context, the "in progress" record expires when the
      // invocation does, so Lambda's retry after a timeout or a crash takes the deployment over.
      const config = new IdempotencyConfig({ expiresAfterSeconds: options.ttlSeconds });
      config.registerLambdaContext(lambdaContext ?? untilRecordExpires(options.ttlSeconds));
      type Result = Awaited<ReturnType<typeof deploy>>;
      let outcome: { result: Result } | undefined;
      // The record's key is the hash of this payload: the event id and the target, nothing else.
      const deployOnce = makeIdempotent(
        async (_key: { event_id: string; target: string }) => {
          const result = await deploy();
          outcome = { result };
          if (!succeeded(result)) throw new NotDeployed();
          return { deployed: true };
        },
        { persistenceStore, config, keyPrefix: 'deploybridge' },
      );
      try {
        await deployOnce({ event_id: eventId, target });
      } catch (error) {
        if (error instanceof IdempotencyAlreadyInProgressError) return { ran: false, reason: 'in progress' };
        if (!(error instanceof NotDeployed)) throw error;
      }
      return outcome === undefined ? { ran: false, reason: 'already deployed' } : { ran: true, result: outcome.result };
    },
  };
}
