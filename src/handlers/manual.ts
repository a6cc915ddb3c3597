/**
 * Manual deploys sent with `aws events put-events` (sources `action.production`, `action.deploy`):
 * `{"service": "api", "task_definition": "optional", "reason": "Hotfix"}`. A task definition must
 * belong to the service's family; without one, the family's latest ACTIVE revision is deployed.
 *
 * For a Lambda service (LAMBDA_CONFIG, with an alias): `{"service": "thumbnailer"}` publishes
 * `$LATEST` and moves the alias to it; `"version": "12"` moves the alias to that version;
 * `"action": "rollback"` moves it back to the version recorded in its description.
 *
 * With `ECR_SCAN_GATE` on, a manual ECS deploy is not gated (a person decided), but the scans of
 * the service's own images in the task definition it deploys are read and shown.
 */
import type { EcsService, LambdaFunction } from '../catalog.js';
import type { Config } from '../config.js';
import { errorFields, RejectedEventError } from '../errors.js';
import { excerpt, manualDeploySchema, parseDetail, type EventEnvelope, type ManualDeployDetail } from '../events.js';
import { ecrRegistry, parseImage } from '../images.js';
import { taskDefinitionFamily } from '../naming.js';
import { emptyPlan, type ImageSummary, type LambdaChange, type Trigger } from '../plan.js';
import type { PlanBuilder, RouteContext } from './context.js';

/** A published version number as Lambda writes it. */
const VERSION_RE = /^[1-9]\d{0,9}$/;

/** What a manual request asks of a function, or why it is refused. */
function lambdaChangeOf(detail: ManualDeployDetail, service: string, lambda: LambdaFunction): LambdaChange {
  const refuse = (why: string) => new RejectedEventError(`manual deploy refused: ${why}`);
  if (detail.task_definition !== undefined) throw refuse(`task_definition applies to ECS services; ${service} is the Lambda function ${lambda.functionName}`);
  if (lambda.alias === undefined) {
    throw refuse(`${service} (${lambda.functionName}) has no alias in LAMBDA_CONFIG; a manual deploy moves an alias, and without one $LATEST already is what runs`);
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
    throw new RejectedEventError(`manual deploy refused: account ${excerpt(event.account ?? '(none)', 20)} is not in MANUAL_DEPLOY_ACCOUNTS`);
  }
  if (config.protectedEnvs.includes(config.projectEnv) && event.source !== 'action.production') {
    throw new RejectedEventError(`manual deploy refused: ${config.projectEnv} is a protected env (PROTECTED_ENVS); send the event with source action.production`);
  }
}

/** The account and region of a task-definition ARN; `undefined` for `family[:revision]`. */
function arnAccountAndRegion(taskDefinition: string): { account: string; region: string } | undefined {
  const [arn, , , region, account] = taskDefinition.split(':');
  return arn === 'arn' && region !== undefined && account !== undefined ? { account, region } : undefined;
}

/**
 * The service's own images (from its repository, in this account and region) in the task
 * definition a manual deploy deploys, as ECR describes them. A failed read shows no scan.
 */
async function ownImages(service: EcsService, taskDefinition: string, account: string | undefined, { config, catalog, targets, reads, log }: RouteContext): Promise<ImageSummary[] | undefined> {
  try {
    // DescribeTaskDefinition of a family reads its latest ACTIVE revision; of family:revision or an ARN, that revision.
    const { containers } = await (await targets.ecs()).latestTaskDefinition(taskDefinition);
    const registry = account === undefined ? undefined : ecrRegistry(account, config.region);
    const own = containers.map(({ image }) => parseImage(image)).filter((ref) => ref.registry === registry && catalog.forRepository(ref.repository)?.name === service.name);
    const ecr = await reads.ecr();
    return await Promise.all(own.map((ref) => ecr.describeImage(ref.repository, ref.digest === undefined ? { tag: ref.tag ?? 'latest' } : { digest: ref.digest })));
  } catch (error) {
    log.warn('image scans not read: the message shows none', { service: service.name, task_definition: taskDefinition, ...errorFields(error) });
    return undefined;
  }
}

export const plan: PlanBuilder = async (event, context) => {
  const { config, catalog } = context;
  const detail = parseDetail(manualDeploySchema, event, 'manual deploy');
  authorise(event, config);
  const found = catalog.service(detail.service);
  if (found === undefined) {
    throw new RejectedEventError(`manual deploy refused: service name ${excerpt(detail.service, 80)} is not a valid service name`);
  }
  if (detail.action !== undefined && detail.action !== 'rollback') {
    throw new RejectedEventError(`manual deploy refused: action ${excerpt(detail.action, 64)} is unknown (the only action is "rollback")`);
  }
  const service = found.name;
  const trigger: Extract<Trigger, { kind: 'manual' }> = { kind: 'manual', source: event.source, reason: detail.reason, account: event.account };
  if (found.kind === 'lambda') {
    const { lambda } = found;
    const result = emptyPlan('manual', event.id);
    result.deployments.push({ target: 'lambda', service, lambda, change: lambdaChangeOf(detail, service, lambda), trigger });
    return result;
  }
  if (detail.version !== undefined || detail.action !== undefined) {
    throw new RejectedEventError(`manual deploy refused: "version" and "action" apply to Lambda functions; ${service} is an ECS service`);
  }
  const { ecs } = found;
  const requested = detail.task_definition;
  if (requested !== undefined && taskDefinitionFamily(requested) !== ecs.family) {
    throw new RejectedEventError(
      `manual deploy refused: task definition ${excerpt(requested)} is not of family ${ecs.family} (service ${service})`,
    );
  }
  const owner = requested === undefined ? undefined : arnAccountAndRegion(requested);
  if (owner !== undefined && (owner.account !== event.account || owner.region !== config.region)) {
    throw new RejectedEventError(
      `manual deploy refused: task definition ${excerpt(requested ?? '')} belongs to account ${excerpt(owner.account, 20)} in ${excerpt(owner.region, 30)}, not to ${event.account ?? 'this account'} in ${config.region}`,
    );
  }
  const taskDefinition = requested ?? ecs.family;
  const images = config.ecrScanGate === undefined ? undefined : await ownImages(found, taskDefinition, event.account, context);
  const result = emptyPlan('manual', event.id);
  result.deployments.push({
    target: 'ecs',
    service,
    ecs,
    taskDefinition,
    trigger: images === undefined ? trigger : { ...trigger, images },
  });
  return result;
};
