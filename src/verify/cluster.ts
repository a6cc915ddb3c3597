/**
 * The cluster: it exists, and which of its ECS services look like this project's (they match
 * `SERVICE_NAME_PATTERN`) — reachable ones the configuration does not list are checked like the
 * others; those no trigger could ever reach are warnings.
 */
import { DescribeClustersCommand, paginateListServices } from '../aws/ecs.js';
import { awsFailure } from './clients.js';
import { accountOf, couldNotCheck, type VerifyContext } from './context.js';
import { ok, problem, warning, type CheckResult } from './result.js';
import type { KnownService } from './services.js';
import { serviceRepositories } from '../config/naming.js';
import { plural } from '../shared/text.js';

/**
 * Whether the cluster exists; when it does, the account it is in.
 *
 * @example
 * const { result, state, account } = await checkCluster(ctx);
 */
export async function checkCluster(
  ctx: VerifyContext,
): Promise<{ result: CheckResult; state: 'exists' | 'missing' | 'failed'; account: string | undefined }> {
  const name = ctx.config.catalog.cluster;
  let cluster;
  try {
    cluster = (await ctx.clients.ecs.send(new DescribeClustersCommand({ clusters: [name] }))).clusters?.[0];
  } catch (error) {
    return {
      result: couldNotCheck('cluster', undefined, `cluster ${name}`, 'ecs:DescribeClusters', awsFailure(error)),
      state: 'failed',
      account: undefined,
    };
  }
  if (cluster === undefined) {
    return {
      result: problem('cluster', {
        message: `cluster ${name} not found in ${ctx.config.region}`,
        fix: `create it, or correct CLUSTER_NAME_PATTERN (it renders ${name}) or AWS_REGION`,
      }),
      state: 'missing',
      account: undefined,
    };
  }
  if (cluster.status !== 'ACTIVE') {
    return {
      result: problem('cluster', {
        message: `cluster ${name} is ${cluster.status ?? 'not ACTIVE'}`,
        fix: 'use an ACTIVE cluster (an INACTIVE one was deleted)',
      }),
      state: 'missing',
      account: undefined,
    };
  }
  const services = cluster.activeServicesCount === undefined ? '' : `, ${plural(cluster.activeServicesCount, 'service')}`;
  return {
    result: ok('cluster', { message: `cluster ${name} exists (ACTIVE${services})` }),
    state: 'exists',
    account: accountOf(cluster.clusterArn),
  };
}

/**
 * Reads the ECS services of the cluster: those triggers reach but the configuration does not list
 * are returned to be checked too; those that look like this project's but that no trigger can
 * reach are warnings.
 *
 * @example
 * const { found, results } = await clusterServices(ctx, knownServices(config));
 */
export async function clusterServices(
  ctx: VerifyContext,
  known: readonly KnownService[],
): Promise<{ found: KnownService[]; results: CheckResult[] }> {
  const { catalog } = ctx.config;
  const names: string[] = [];
  try {
    for await (const page of paginateListServices({ client: ctx.clients.ecs }, { cluster: catalog.cluster })) {
      for (const arn of page.serviceArns ?? []) names.push(arn.slice(arn.lastIndexOf('/') + 1));
    }
  } catch (error) {
    return {
      found: [],
      results: [
        couldNotCheck(
          'unreachable-service',
          undefined,
          `the services of cluster ${catalog.cluster}`,
          'ecs:ListServices',
          awsFailure(error),
        ),
      ],
    };
  }
  const found: KnownService[] = [];
  const results: CheckResult[] = [];
  for (const name of names.sort()) {
    const service = catalog.forEcsService(name);
    if (service === undefined) continue;
    if (service.kind === 'lambda') {
      results.push(
        warning('unreachable-service', {
          service: service.name,
          message: `ECS service ${name} looks like ${service.name}'s, but ${service.name} is a Lambda target (LAMBDA_CONFIG): its triggers deploy ${service.lambda.functionName}, never this ECS service`,
          fix: `delete the ECS service if the function replaced it, or remove ${service.name} from LAMBDA_CONFIG if the ECS service is the target`,
        }),
      );
    } else if (service.ecs.service !== name) {
      const naming = catalog.naming;
      results.push(
        warning('unreachable-service', {
          service: service.name,
          message: `ECS service ${name} looks like this project's, but no trigger reaches it: "backend" means the backend, whose ECS service is ${service.ecs.service} (a push to ${serviceRepositories(naming, service.name).join(' or ')} redeploys that one)`,
          fix:
            ctx.config.backendServiceName === ''
              ? `set BACKEND_SERVICE_NAME=backend if ${name} is the backend (then ${service.ecs.service} is not), or rename it`
              : `rename or delete it: the backend is ${service.ecs.service}`,
        }),
      );
    } else if (!known.some((k) => k.service.name === service.name)) {
      found.push({ service, origin: 'cluster' });
    }
  }
  return { found, results };
}
