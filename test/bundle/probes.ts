/**
 * Small programs run twice by test/bundle/lambda-bundle.test.ts: bundled with the Lambda build's
 * settings (build.mjs) in a child `node` process, and from source in the test, against the same
 * server on 127.0.0.1 (AWS_ENDPOINT_URL). What they answer is compared.
 */
import { ECSClient, ListTasksCommand } from '../../src/aws/ecs.js';

/** An error as the probes report it. */
function failure(error: unknown) {
  const e = error as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e.name, message: e.message, fault: e.$fault, status: e.$metadata?.httpStatusCode };
}

/** One ECS call: whether it was sent (the server records which key signed it) or why not. */
export async function ecsCall(): Promise<unknown> {
  const ecs = new ECSClient({ region: 'us-east-1' });
  try {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'myproject_cluster_dev' }));
    return { taskArns };
  } catch (error) {
    return { error: failure(error) };
  }
}
