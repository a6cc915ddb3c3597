/**
 * One ECS service: it exists, its task-definition family has an ACTIVE revision, it runs that
 * family (a deploy points it at the family's latest ACTIVE revision), and the revisions it runs
 * and would get use images, SSM parameters and env files that exist and that reach it.
 */
import type { EcsService, S3ObjectRef } from '../config/catalog.js';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type Service, type TaskDefinition } from '../aws/ecs.js';
import { shortTaskDefinition, taskDefinitionFamily } from '../config/naming.js';
import { awsFailure, type AwsFailure } from './clients.js';
import { couldNotCheck, type VerifyContext } from './context.js';
import { checkImage, pushReach, type ImageUse } from './images.js';
import { s3Uri } from './objects.js';
import { checkParameters } from './parameters.js';
import { ok, problem, warning, type CheckResult } from './result.js';
import type { KnownService, Origin } from './services.js';

/** DescribeServices takes at most 10 services per call. */
const SERVICES_PER_CALL = 10;

export type DescribedService = { state: 'found'; service: Service } | { state: 'missing' } | { state: 'failed'; failure: AwsFailure };
type DescribedRevision = { state: 'found'; definition: TaskDefinition } | { state: 'missing' } | { state: 'failed'; failure: AwsFailure };

/**
 * The ECS services of the cluster by name, as DescribeServices answers.
 *
 * @example
 * const described = await describeServices(ctx, ['myproject_service_api_dev']);
 */
export async function describeServices(ctx: VerifyContext, names: readonly string[]): Promise<Map<string, DescribedService>> {
  const described = new Map<string, DescribedService>();
  for (let start = 0; start < names.length; start += SERVICES_PER_CALL) {
    const batch = names.slice(start, start + SERVICES_PER_CALL);
    try {
      const { services = [] } = await ctx.clients.ecs.send(
        new DescribeServicesCommand({ cluster: ctx.config.catalog.cluster, services: batch }),
      );
      for (const name of batch) {
        const service = services.find((s) => s.serviceName === name);
        described.set(name, service === undefined ? { state: 'missing' } : { state: 'found', service });
      }
    } catch (error) {
      const failure = awsFailure(error);
      for (const name of batch) described.set(name, { state: 'failed', failure });
    }
  }
  return described;
}

/** Where a service's name comes from, to say what to correct. */
const ORIGIN_FIX: Record<Origin, (name: string) => string> = {
  SERVICE_CONFIG: (name) => `the key "${name}" in SERVICE_CONFIG`,
  LAMBDA_CONFIG: (name) => `the key "${name}" in LAMBDA_CONFIG`,
  BACKEND_SERVICE_NAME: () => 'BACKEND_SERVICE_NAME',
  cluster: () => 'SERVICE_NAME_PATTERN',
};

/**
 * A task definition (a family: its latest ACTIVE revision) as ECS describes it, or why not.
 *
 * @example
 * const latest = await describeRevision(ctx, 'myproject_migrate_dev');
 */
export async function describeRevision(ctx: VerifyContext, taskDefinition: string): Promise<DescribedRevision> {
  try {
    const { taskDefinition: definition } = await ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
    return definition === undefined ? { state: 'missing' } : { state: 'found', definition };
  } catch (error) {
    const failure = awsFailure(error);
    // ECS answers ClientException "Unable to describe task definition." for a family without an ACTIVE revision.
    return failure.name === 'ClientException' ? { state: 'missing' } : { state: 'failed', failure };
  }
}

const revisionOf = (definition: TaskDefinition): string =>
  shortTaskDefinition(definition.taskDefinitionArn ?? `${definition.family ?? ''}:${definition.revision ?? ''}`);

function existence(known: KnownService, service: EcsService, described: DescribedService | undefined): CheckResult {
  const { name, ecs } = service;
  const found = known.origin === 'cluster' ? ' (found in the cluster; SERVICE_CONFIG does not list it)' : '';
  if (described === undefined || described.state === 'missing') {
    return problem('ecs-service', {
      service: name,
      message: `ECS service ${ecs.service} not found in cluster ${ecs.cluster}`,
      fix: `create it, or correct SERVICE_NAME_PATTERN (it renders ${ecs.service} for ${name}) or ${ORIGIN_FIX[known.origin](name)}`,
    });
  }
  if (described.state === 'failed')
    return couldNotCheck('ecs-service', name, `ECS service ${ecs.service}`, 'ecs:DescribeServices', described.failure);
  const s = described.service;
  if (s.status !== 'ACTIVE')
    return problem('ecs-service', {
      service: name,
      message: `ECS service ${ecs.service} is ${s.status ?? 'not ACTIVE'}`,
      fix: 'recreate it (a DRAINING or INACTIVE service was deleted)',
    });
  return ok('ecs-service', {
    service: name,
    message: `ECS service ${ecs.service} exists (ACTIVE, runs ${shortTaskDefinition(s.taskDefinition ?? '?')}, ${s.runningCount ?? 0}/${s.desiredCount ?? 0} tasks)${found}`,
  });
}

/** The lines about the family: its latest ACTIVE revision (the one a deploy rolls out), or why there is none. */
async function familyLines(
  ctx: VerifyContext,
  { name, ecs }: EcsService,
): Promise<{ results: CheckResult[]; latest: TaskDefinition | undefined }> {
  const latest = await describeRevision(ctx, ecs.family);
  switch (latest.state) {
    case 'found':
      return {
        results: [
          ok('task-family', {
            service: name,
            message: `task-definition family ${ecs.family}: latest ACTIVE revision ${revisionOf(latest.definition)}`,
          }),
        ],
        latest: latest.definition,
      };
    case 'missing':
      return {
        results: [
          problem('task-family', {
            service: name,
            message: `task-definition family ${ecs.family} has no ACTIVE revision: every deploy of ${name} would fail`,
            fix: `register one, or correct TASK_FAMILY_PATTERN (it renders ${ecs.family} for ${name})`,
          }),
        ],
        latest: undefined,
      };
    case 'failed':
      return {
        results: [couldNotCheck('task-family', name, `task-definition family ${ecs.family}`, 'ecs:DescribeTaskDefinition', latest.failure)],
        latest: undefined,
      };
  }
}

/** A service that runs another revision than the one its next deploy rolls out: another family (a problem) or an older revision. */
function driftLine({ name, ecs }: EcsService, running: string, latest: TaskDefinition): CheckResult {
  const runningFamily = taskDefinitionFamily(running);
  if (runningFamily !== ecs.family) {
    return problem('revision', {
      service: name,
      message: `${ecs.service} runs ${shortTaskDefinition(running)}, of another family than ${ecs.family}: a deploy of any trigger would switch it to ${revisionOf(latest)}`,
      fix: `make TASK_FAMILY_PATTERN render ${runningFamily}, or move the service to the family ${ecs.family}`,
    });
  }
  return warning('revision', {
    service: name,
    message: `${ecs.service} runs ${shortTaskDefinition(running)}, but the latest ACTIVE revision is ${revisionOf(latest)}: the next deploy of any trigger rolls that out too`,
    fix: `deploy ${revisionOf(latest)} now, or deregister it, so the next change deploys only itself`,
  });
}

/** The images (first place each is used), parameter references and env files of some revisions. */
function contentsOf(revisions: readonly TaskDefinition[]): { images: ImageUse[]; valueFroms: string[]; envFiles: S3ObjectRef[] } {
  const images = new Map<string, ImageUse>();
  const valueFroms: string[] = [];
  const envFiles = new Map<string, S3ObjectRef>();
  for (const revision of revisions) {
    for (const container of revision.containerDefinitions ?? []) {
      if (container.image !== undefined && !images.has(container.image))
        images.set(container.image, { where: `container ${container.name ?? '?'} of ${revisionOf(revision)}`, image: container.image });
      for (const secret of container.secrets ?? []) if (secret.valueFrom !== undefined) valueFroms.push(secret.valueFrom);
      for (const file of container.environmentFiles ?? []) {
        // arn:aws:s3:::bucket/key
        const [bucket = '', ...key] = (file.value ?? '').replace(/^arn:aws[a-z-]*:s3:::/, '').split('/');
        const ref = { bucket, key: key.join('/') };
        envFiles.set(s3Uri(ref), ref);
      }
    }
  }
  return { images: [...images.values()], valueFroms, envFiles: [...envFiles.values()] };
}

/**
 * Every line about one ECS service.
 *
 * @example
 * const lines = await checkEcsService(ctx, known, described.get(known.service.ecs.service));
 */
export async function checkEcsService(
  ctx: VerifyContext,
  known: KnownService,
  described: DescribedService | undefined,
): Promise<CheckResult[]> {
  const service = known.service as EcsService;
  const { name } = service;
  const family = await familyLines(ctx, service);
  const results = [existence(known, service, described), ...family.results];
  const { latest } = family;

  // The revisions whose images and parameters matter: the one running now and the one a deploy rolls out.
  const revisions: TaskDefinition[] = latest === undefined ? [] : [latest];
  const running = described?.state === 'found' && described.service.status === 'ACTIVE' ? described.service.taskDefinition : undefined;
  if (running !== undefined && running !== latest?.taskDefinitionArn) {
    if (latest !== undefined) results.push(driftLine(service, running, latest));
    const current = await describeRevision(ctx, running);
    if (current.state === 'found') revisions.unshift(current.definition);
    else if (current.state === 'failed')
      results.push(
        couldNotCheck('revision', name, `task definition ${shortTaskDefinition(running)}`, 'ecs:DescribeTaskDefinition', current.failure),
      );
  }
  if (revisions.length === 0) return results;

  const subject = revisions.map(revisionOf).join(' and ');
  const contents = contentsOf(revisions);
  for (const use of contents.images) results.push(...(await checkImage(ctx, service, use)));
  if (latest !== undefined) {
    const uses = (latest.containerDefinitions ?? []).flatMap((c) =>
      c.image === undefined ? [] : [{ where: `container ${c.name ?? '?'}`, image: c.image }],
    );
    results.push(pushReach(ctx, service, uses, revisionOf(latest)));
  }
  results.push(...(await checkParameters(ctx, service, contents.valueFroms, subject)));
  // An env file the task definition loads but SERVICE_CONFIG does not list for the service: changing it redeploys nothing.
  const listed = new Set(service.envFiles.map(s3Uri));
  for (const ref of contents.envFiles.filter((r) => !listed.has(s3Uri(r)))) {
    results.push(
      warning('env-file', {
        service: name,
        message: `${subject} loads env file ${s3Uri(ref)}, which SERVICE_CONFIG does not list for ${name}: changing it redeploys nothing`,
        fix: `add ${JSON.stringify(ref)} to SERVICE_CONFIG.${name}`,
      }),
    );
  }
  return results;
}
