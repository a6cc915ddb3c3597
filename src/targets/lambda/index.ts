/**
 * Lambda functions as a deployment target. One deployment runs inside one invocation and reports
 * its own completion. Each verb has its own file, written on a {@link Session}:
 *
 * - release.ts — change (image, S3 zip, configuration revision) or not, publish, smoke-test, move
 *   the alias (without an alias: change `$LATEST` in place and smoke-test it);
 * - promote.ts — smoke-test a published version and move the alias to it;
 * - rollback.ts — move the alias back to the version its description records;
 * - smoke.ts, wait.ts, alias.ts, update.ts — the steps they share.
 */
import type { LambdaClient } from '../../aws/lambda.js';
import { LAMBDA_DEFAULTS } from '../../config/constants.js';
import type { LambdaDeployment } from '../../triggers/requests.js';
import type { PreparedDeployment, Target } from '../contract.js';
import { preparePromote } from './promote.js';
import { prepareRelease } from './release.js';
import { prepareRollback } from './rollback.js';
import { Session, type LambdaTargetOptions } from './session.js';

function prepareVerb(session: Session): Promise<PreparedDeployment> {
  const { change } = session.request;
  switch (change.kind) {
    case 'rollback':
      return prepareRollback(session);
    case 'version':
      return preparePromote(session, change.version);
    default:
      return prepareRelease(session, change);
  }
}

/**
 * The Lambda target on a Lambda client.
 *
 * @example
 * const target = createLambdaTarget(new LambdaClient({ region: 'eu-west-1' }));
 * const prepared = await target.prepare(request, context); // reads; prepared.calls lists the writes
 */
export function createLambdaTarget(client: LambdaClient, options: Partial<LambdaTargetOptions> = {}): Target<LambdaDeployment> {
  const settings: LambdaTargetOptions = {
    waiterMinDelaySeconds: LAMBDA_DEFAULTS.waiterMinDelaySeconds,
    waiterMaxDelaySeconds: LAMBDA_DEFAULTS.waiterMaxDelaySeconds,
    ...options,
  };
  return {
    reportsCompletion: true,
    async prepare(request, context) {
      // The SDK's commands load with the client, on the first deployment of a function (src/aws/ is the only lazy boundary).
      const session = new Session(client, await import('../../aws/lambda.js'), settings, request, context);
      try {
        return await prepareVerb(session);
      } catch (error) {
        // A read failed, or the reads show it cannot be done: a failure that says how far it got.
        const { fromVersion, toVersion } = session.progress;
        return {
          preview: {
            target: 'lambda',
            functionName: session.fn,
            alias: session.alias,
            fromVersion: fromVersion ?? '$LATEST',
            toVersion: toVersion ?? fromVersion ?? '$LATEST',
          },
          calls: [],
          settled: session.failed(error),
        };
      }
    },
  };
}
