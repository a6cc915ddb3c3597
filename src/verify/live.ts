/**
 * The live preflight: every check against the account, in the order people read them — the
 * cluster, each ECS service, the cluster's services no trigger reaches, the tasks releases run
 * before services deploy, the rollout checks (ROLLOUT_CONFIG), each Lambda target, the env files, Slack, approvals and the other channels.
 */
import type { EcsService, LambdaService } from '../config/catalog.js';
import type { Config } from '../config/config.js';
import { mapWithConcurrency } from '../shared/concurrency.js';
import { resolveCredentials, type VerifyClients } from './clients.js';
import { checkCluster, clusterServices } from './cluster.js';
import type { VerifyContext } from './context.js';
import { checkEcsService, describeServices } from './ecsService.js';
import { checkEnvFiles } from './envFiles.js';
import { checkLambdaService } from './lambda.js';
import { checkReleaseTasks } from './release.js';
import { checkRollout } from './rollout.js';
import { ok, type CheckResult } from './result.js';
import { checkChannels } from './notify.js';
import { checkApprovalsConfiguration, checkSlackConfiguration } from './slack.js';
import type { KnownService } from './services.js';

/** Services checked at once: each makes a few reads in sequence. */
const CONCURRENCY = 4;

/**
 * Runs every live check. Throws `CannotRunError` when it cannot run at all (no credentials,
 * credentials AWS refuses, no network).
 *
 * @example
 * const { results, services } = await liveChecks(config, createVerifyClients(config.region, process.env), knownServices(config));
 */
export async function liveChecks(
  config: Config,
  clients: VerifyClients,
  known: readonly KnownService[],
): Promise<{ results: CheckResult[]; services: KnownService[] }> {
  await resolveCredentials(clients);
  const ctx: VerifyContext = { config, clients, account: undefined };
  const results: CheckResult[] = [];
  const ecs = known.filter((k) => k.service.kind === 'ecs');
  const lambdas = known.filter((k) => k.service.kind === 'lambda');

  const cluster = await checkCluster(ctx);
  let found: KnownService[] = [];
  if (cluster.state === 'missing' && ecs.length === 0)
    results.push(
      ok('cluster', {
        message: `cluster ${config.catalog.cluster} not found in ${config.region}; no ECS service is configured, and Lambda targets do not need it`,
      }),
    );
  else results.push(cluster.result);
  if (cluster.state === 'exists') {
    ctx.account = cluster.account;
    const listed = await clusterServices(ctx, known);
    found = listed.found;
    const all = [...ecs, ...found];
    const checked = new Set(all.map((k) => (k.service as EcsService).ecs.service));
    // The services ROLLOUT_CONFIG gates are described in the same calls, for their strategy and hooks.
    const gated = Object.keys(config.rollout).map((name) => (config.catalog.service(name) as EcsService).ecs.service);
    const described = await describeServices(ctx, [...new Set([...checked, ...gated])]);
    const blocks = await mapWithConcurrency(all, CONCURRENCY, (k) =>
      checkEcsService(ctx, k, described.get((k.service as EcsService).ecs.service)),
    );
    results.push(...blocks.flat(), ...listed.results, ...(await checkReleaseTasks(ctx)), ...(await checkRollout(ctx, described, checked)));
  } else results.push(...(await checkRollout(ctx, undefined, new Set())));
  const lambdaBlocks = await mapWithConcurrency(lambdas, CONCURRENCY, (k) => checkLambdaService(ctx, k.service as LambdaService));
  results.push(...lambdaBlocks.flat());
  results.push(
    ...(await checkEnvFiles(
      ctx,
      known.map((k) => k.service),
    )),
  );
  results.push(
    await checkSlackConfiguration(config, ctx),
    ...(await checkApprovalsConfiguration(config, ctx)),
    ...(await checkChannels(config, ctx)),
  );
  return { results, services: [...known, ...found] };
}
