/**
 * Manual deploys sent with `aws events put-events` (sources `action.production`, `action.deploy`):
 * `{"service": "api", "task_definition": "optional", "reason": "Hotfix", "env": "dev", "project": "myproject"}`.
 * A task definition must belong to the service's family; without one, the family's latest ACTIVE
 * revision is deployed. A request naming another `env` or `project` is another deployment's and is
 * ignored; one naming none is refused (every deployment on the bus would act on it), unless
 * MANUAL_DEPLOY_REQUIRE_SCOPE is off.
 *
 * For a Lambda service (LAMBDA_CONFIG, with an alias): `{"service": "thumbnailer"}` publishes
 * `$LATEST` and moves the alias to it; `"version": "12"` moves the alias to that version;
 * `"action": "rollback"` moves it back to the version recorded in its description.
 *
 * With `ECR_SCAN_GATE` on, a manual ECS deploy is not gated (a person decided), but the scans of
 * the service's own images in the task definition it deploys are read and shown.
 */
import type { EcsService, LambdaFunction } from '../config/catalog.js';
import type { Config } from '../config/config.js';
import { errorFields, RejectedEventError } from '../shared/errors.js';
import { checkDetail, excerpt, MANUAL_DEPLOY_HINTS, manualDeploySchema, type EventEnvelope, type ManualDeployDetail } from './events.js';
import { ecrRegistry, parseImage } from '../config/images.js';
import type { Invocation } from '../shared/invocation.js';
import type { EcsNames } from '../config/naming.js';
import { emptyPlan, ignoredPlan, type PlanBuilder, type RouteContext } from './context.js';
import type { ImageSummary, Trigger } from './trigger.js';
import type { LambdaChange } from './requests.js';

/** A published version number as Lambda writes it. */
const VERSION_RE = /^[1-9]\d{0,9}$/;

/** A manual request refused: reported (warn log, Slack error), nothing deployed. */
function refuse(why: string): RejectedEventError {
  return new RejectedEventError(`manual deploy refused: ${why}`);
}

/** What a manual request asks of a function, or why it is refused. */
function lambdaChangeOf(detail: ManualDeployDetail, service: string, lambda: LambdaFunction): LambdaChange {
  if (detail.task_definition !== undefined)
    throw refuse(`task_definition applies to ECS services; ${service} is the Lambda function ${lambda.functionName}`);
  if (lambda.alias === undefined) {
    throw refuse(
      `${service} (${lambda.functionName}) has no alias in LAMBDA_CONFIG; a manual deploy moves an alias, and without one $LATEST already is what runs`,
    );
  }
  if (detail.version !== undefined && detail.action !== undefined) throw refuse('give either "version" or "action", not both');
  if (detail.action === 'rollback') return { kind: 'rollback' };
  if (detail.version === undefined) return { kind: 'release' };
  const version = String(detail.version);
  if (!VERSION_RE.test(version)) throw refuse(`version ${excerpt(version, 64)} is not a published version number (like "12")`);
  return { kind: 'version', version };
}

/**
 * Who may ask: anyone allowed `events:PutEvents` on the default bus can send a manual deploy, so
 * the sender's account can be limited (MANUAL_DEPLOY_ACCOUNTS) and a protected env
 * (PROTECTED_ENVS) only takes requests sent as `action.production`.
 */
function authorise(event: EventEnvelope, config: Pick<Config, 'manualDeployAccounts' | 'protectedEnvs' | 'projectEnv'>): void {
  const accounts = config.manualDeployAccounts;
  if (accounts.length > 0 && (event.account === undefined || !accounts.includes(event.account))) {
    throw refuse(`account ${excerpt(event.account ?? '(none)', 20)} is not in MANUAL_DEPLOY_ACCOUNTS`);
  }
  if (config.protectedEnvs.includes(config.projectEnv) && event.source !== 'action.production') {
    throw refuse(`${config.projectEnv} is a protected env (PROTECTED_ENVS); send the event with source action.production`);
  }
}

/**
 * Why a request is for another deployment sharing this bus (another env or project), or
 * `undefined` when it names this one or none. Such a request is that deployment's business.
 */
function addressedElsewhere(detail: Record<string, unknown>, config: Pick<Config, 'projectEnv' | 'projectName'>): string | undefined {
  const { env, project } = detail;
  // An empty name is no name: the request is refused for it below.
  if (typeof env === 'string' && env !== '' && env !== config.projectEnv)
    return `manual deploy for env ${excerpt(env, 64)}, not ${config.projectEnv}`;
  if (typeof project === 'string' && project !== '' && project !== config.projectName)
    return `manual deploy for project ${excerpt(project, 64)}, not ${config.projectName}`;
  return undefined;
}

/**
 * Why a request that names no env or project is refused: every deployment listening on the bus
 * would otherwise act on it. `undefined` when it names both, or when MANUAL_DEPLOY_REQUIRE_SCOPE is off.
 */
function missingScope(
  detail: ManualDeployDetail,
  config: Pick<Config, 'projectEnv' | 'projectName' | 'manualDeployRequireScope'>,
): string | undefined {
  if (!config.manualDeployRequireScope) return undefined;
  const missing = [
    detail.env === undefined ? `field "env" is missing (the env the request is for: ${JSON.stringify(config.projectEnv)} here)` : [],
    detail.project === undefined
      ? `field "project" is missing (the project the request is for: ${JSON.stringify(config.projectName)} here)`
      : [],
  ].flat();
  return missing.length === 0 ? undefined : missing.join('; ');
}

/** `family:revision` (a positive whole revision), or a task-definition ARN of one. */
const TASK_DEFINITION_RE = /^(?:arn:(aws[a-z-]*):ecs:([a-z0-9-]+):(\d{12}):task-definition\/)?([A-Za-z0-9_-]{1,255}):([1-9]\d{0,9})$/;

/**
 * The task definition a request names, checked before any AWS call: of the service's family, and,
 * as an ARN, of the account, region and partition deploybridge runs in (the sender's account says
 * nothing about where the service runs).
 */
function checkTaskDefinition(
  requested: string,
  ecs: EcsNames,
  service: string,
  config: Pick<Config, 'region'>,
  invocation: Invocation,
): string {
  const match = TASK_DEFINITION_RE.exec(requested);
  if (match === null) {
    throw refuse(
      `task_definition ${excerpt(requested)} is neither family:revision (like "${ecs.family}:42") nor a task-definition ARN (arn:aws:ecs:${config.region}:ACCOUNT:task-definition/${ecs.family}:42); leave it out to deploy the family's latest revision`,
    );
  }
  const [, partition, region, account, family] = match;
  if (family !== ecs.family) throw refuse(`task definition ${excerpt(requested)} is not of family ${ecs.family} (service ${service})`);
  if (partition === undefined) return requested;
  if (invocation.partition !== undefined && partition !== invocation.partition) {
    throw refuse(
      `task definition ${excerpt(requested)} belongs to partition ${excerpt(partition, 20)}, not ${invocation.partition} where deploybridge runs`,
    );
  }
  if (invocation.account === undefined) {
    throw refuse(
      `task definition ${excerpt(requested)} is an ARN, and the account deploybridge runs in is unknown here (no Lambda context); give it as family:revision`,
    );
  }
  if (account !== invocation.account || region !== config.region) {
    throw refuse(
      `task definition ${excerpt(requested)} belongs to account ${excerpt(account ?? '', 20)} in ${excerpt(region ?? '', 30)}, not to account ${invocation.account} in ${config.region} where deploybridge runs`,
    );
  }
  return requested;
}

/**
 * The task definition a manual deploy deploys, as read (a family: its latest ACTIVE revision), and
 * the service's own images in it (from its repository, in this account and region) as ECR
 * describes them. A failed read shows no scan.
 */
async function ownImages(
  service: EcsService,
  taskDefinition: string,
  account: string | undefined,
  { config, catalog, reads, log }: RouteContext,
): Promise<{ arn: string; images: ImageSummary[] } | undefined> {
  try {
    // DescribeTaskDefinition of a family reads its latest ACTIVE revision; of family:revision or an ARN, that revision.
    const { arn, containers } = await (await reads.ecs()).latestTaskDefinition(taskDefinition);
    const registry = account === undefined ? undefined : ecrRegistry(account, config.region);
    const own = containers
      .map(({ image }) => parseImage(image))
      .filter((ref) => ref.registry === registry && catalog.forRepository(ref.repository)?.name === service.name);
    const ecr = await reads.ecr();
    const images = await Promise.all(
      own.map((ref) => ecr.describeImage(ref.repository, ref.digest === undefined ? { tag: ref.tag ?? 'latest' } : { digest: ref.digest })),
    );
    return { arn, images };
  } catch (error) {
    log.warn('image scans not read: the message shows none', {
      service: service.name,
      task_definition: taskDefinition,
      ...errorFields(error),
    });
    return undefined;
  }
}

export const plan: PlanBuilder = async (event, context) => {
  const { config, catalog, invocation } = context;
  const elsewhere = addressedElsewhere(event.detail, config);
  if (elsewhere !== undefined) return ignoredPlan('manual', event.id, elsewhere, 'debug');
  const checked = checkDetail(manualDeploySchema(), event.detail, MANUAL_DEPLOY_HINTS);
  if (!checked.ok) throw refuse(checked.problems.join('; '));
  const detail = checked.data;
  const unscoped = missingScope(detail, config);
  if (unscoped !== undefined) throw refuse(unscoped);
  authorise(event, config);
  const found = catalog.service(detail.service);
  if (found === undefined) {
    throw refuse(`service name ${excerpt(detail.service, 80)} is not a valid service name`);
  }
  if (detail.action !== undefined && detail.action !== 'rollback') {
    throw refuse(`action ${excerpt(detail.action, 64)} is unknown (the only action is "rollback")`);
  }
  const service = found.name;
  const trigger: Extract<Trigger, { kind: 'manual' }> = {
    kind: 'manual',
    source: event.source,
    reason: detail.reason,
    account: event.account,
    requestedBy: detail.requested_by,
  };
  if (found.kind === 'lambda') {
    const { lambda } = found;
    const result = emptyPlan('manual', event.id);
    result.deployments.push({ target: 'lambda', service, lambda, change: lambdaChangeOf(detail, service, lambda), trigger });
    return result;
  }
  if (detail.version !== undefined || detail.action !== undefined) {
    throw refuse(`"version" and "action" apply to Lambda functions; ${service} is an ECS service`);
  }
  const { ecs } = found;
  const requested =
    detail.task_definition === undefined ? ecs.family : checkTaskDefinition(detail.task_definition, ecs, service, config, invocation);
  // The service's images live in the account deploybridge runs in (the sender's is a fallback outside Lambda).
  const read =
    config.ecrScanGate === undefined ? undefined : await ownImages(found, requested, invocation.account ?? event.account, context);
  const result = emptyPlan('manual', event.id);
  result.deployments.push({
    target: 'ecs',
    service,
    ecs,
    // The revision read is the one deployed (and named in the message): not one registered since, unseen.
    taskDefinition: read?.arn ?? requested,
    trigger: read === undefined ? trigger : { ...trigger, images: read.images },
  });
  return result;
};
