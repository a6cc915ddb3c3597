/**
 * ECR image push → redeploy the service built from that repository, but only when its current
 * task definition runs the pushed tag. A service pinned by digest is never moved by a push.
 * A Lambda service (LAMBDA_CONFIG) is updated under the same rule: only an image function whose
 * configured image is that repository with the pushed tag.
 *
 * A push that deploys describes its image (`DescribeImages`: every tag, size, push time), for the
 * messages. With `ECR_SCAN_GATE` the image must also pass its scan (src/triggers/scanGate.ts). A scan still
 * running is waited for statelessly: nothing is deployed and the wait is logged and reported; the
 * "ECR Image Scan" event of that digest carries the repository, the digest and the tags, so it
 * decides again from scratch — the same rule (a service running one of the image's tags), then
 * the gate on its finding counts.
 */
import type { CatalogService } from '../config/catalog.js';
import { ECR_SCAN_LIMITS } from '../config/constants.js';
import { errorFields } from '../shared/errors.js';
import { ecrImageActionSchema, ecrImageScanSchema, excerpt, parseDetail, type EventEnvelope } from './events.js';
import { ecrRegistry, parseImage } from '../config/images.js';
import { emptyPlan, ignoredPlan, type PlanBuilder, type RouteContext } from './context.js';
import type { DeploymentRequest } from './requests.js';
import type { ImageScan, ImageSummary, ScanFinding, Trigger } from './trigger.js';
import type { Plan, Skip } from './plan.js';
import { describeScanRefusal } from '../present/images.js';
import { gateVerdict } from './scanGate.js';
import type { TaskDefinitionImages } from './reads/ecs.js';

type ImageUse = 'pushed-tag' | 'digest' | 'other-tag';
type EcrTrigger = Extract<Trigger, { kind: 'ecr' }>;

/** What an image means for one service: deploy it (running `tag`), or skip it and say why. */
type PushVerdict = { deploy: true; image: string; tag: string } | { deploy: false; reason: string; fields?: Record<string, unknown> };

/** The image an event is about: its repository and the tags that would deploy it. */
interface EventImage {
  repository: string;
  /** Tags a service must run to get this image (the pushed tag; every tag of a scanned image). */
  tags: readonly string[];
  /** How the reasons name those tags ("the pushed tag v1.4.2"). */
  wanted: string;
  digest: string | undefined;
  registry: string | undefined;
}

/** How each container (of a task definition, or the one image of a function) uses the repository. */
function imageUses(containers: TaskDefinitionImages['containers'], { repository, tags, registry }: EventImage) {
  return containers.flatMap(({ name, image }) => {
    const ref = parseImage(image);
    if (ref.repository !== repository || ref.registry === undefined || !ref.registry.includes('.dkr.ecr.')) return [];
    if (registry !== undefined && ref.registry !== registry) return [];
    const use: ImageUse =
      ref.digest !== undefined ? 'digest' : ref.tag !== undefined && tags.includes(ref.tag) ? 'pushed-tag' : 'other-tag';
    return [{ container: name, image, use, tag: ref.tag, digest: ref.digest }];
  });
}

/**
 * The rule both targets follow: deploy when an image of the repository runs one of the wanted
 * tags; never when it is pinned by digest; otherwise name the tag it runs. `subject` is "service"
 * or "function"; `unrelated` says why nothing uses the repository.
 */
function pushVerdict(uses: ReturnType<typeof imageUses>, wanted: string, subject: string, unrelated: string): PushVerdict {
  const matching = uses.find((u) => u.use === 'pushed-tag');
  if (matching?.tag !== undefined) return { deploy: true, image: matching.image, tag: matching.tag };
  if (uses.some((u) => u.use === 'digest')) {
    const pinned = uses.filter((u) => u.use === 'digest').map((u) => `${u.container}@${u.digest}`);
    return { deploy: false, reason: `image pinned by digest (${pinned.join(', ')}); a push never redeploys a pinned image` };
  }
  if (uses.length > 0) {
    const tags = [...new Set(uses.map((u) => u.tag))].join(', ');
    return { deploy: false, reason: `${subject} runs tag ${tags}, not ${wanted}`, fields: { service_tag: tags } };
  }
  return { deploy: false, reason: unrelated };
}

/** The deployment an image means for one service (its trigger naming the tag the service runs), or why none. */
async function deploymentFor(
  service: CatalogService,
  image: EventImage,
  trigger: EcrTrigger,
  { reads }: RouteContext,
): Promise<DeploymentRequest | Skip> {
  const { repository } = image;
  if (service.kind === 'lambda') {
    const { lambda } = service;
    const { packageType, imageUri } = await (await reads.lambda()).functionImage(lambda.functionName);
    const fields = { repository, pushed_tag: trigger.tag, function_name: lambda.functionName, image_uri: imageUri };
    if (packageType !== 'Image' || imageUri === undefined) {
      return { service: service.name, reason: `${lambda.functionName} is a zip function; an image push does not deploy it`, fields };
    }
    const verdict = pushVerdict(
      imageUses([{ name: lambda.functionName, image: imageUri }], image),
      image.wanted,
      'function',
      `${lambda.functionName} runs ${imageUri}, not an image from ${repository}`,
    );
    if (!verdict.deploy) return { service: service.name, reason: verdict.reason, fields: { ...fields, ...verdict.fields } };
    // The same ImageUri again: Lambda resolves the tag anew, to the pushed digest.
    return {
      target: 'lambda',
      service: service.name,
      lambda,
      change: { kind: 'image', imageUri: verdict.image, pushedDigest: image.digest },
      trigger: { ...trigger, tag: verdict.tag },
    };
  }
  const { ecs } = service;
  const taskDefinition = await (await reads.ecs()).latestTaskDefinition(ecs.family);
  const fields = { repository, pushed_tag: trigger.tag, task_definition: taskDefinition.arn };
  const verdict = pushVerdict(
    imageUses(taskDefinition.containers, image),
    image.wanted,
    'service',
    `no container of ${taskDefinition.arn} runs an image from ${repository}`,
  );
  if (!verdict.deploy) return { service: service.name, reason: verdict.reason, fields: { ...fields, ...verdict.fields } };
  return { target: 'ecs', service: service.name, ecs, taskDefinition: taskDefinition.arn, trigger: { ...trigger, tag: verdict.tag } };
}

/** The pushed image as ECR describes it. Without the gate a failed read only loses the details; with it, the push cannot be judged. */
async function describePushed(
  repository: string,
  digest: string | undefined,
  tag: string,
  { config, reads, log }: RouteContext,
): Promise<ImageSummary | undefined> {
  try {
    return await (await reads.ecr()).describeImage(repository, digest === undefined ? { tag } : { digest });
  } catch (error) {
    if (config.ecrScanGate !== undefined) throw error;
    log.warn('image not described: deploying without its tags, size and push time', {
      repository,
      digest,
      pushed_tag: tag,
      ...errorFields(error),
    });
    return undefined;
  }
}

/** The worst findings of a refused image; a failed read leaves them out (the refusal stands). */
async function worstFindings(image: ImageSummary, { reads, log }: RouteContext): Promise<ScanFinding[]> {
  try {
    return await (await reads.ecr()).topFindings(image.repository, image.digest, ECR_SCAN_LIMITS.topFindings);
  } catch (error) {
    log.warn('scan findings not read: the refusal lists the counts only', {
      repository: image.repository,
      digest: image.digest,
      ...errorFields(error),
    });
    return [];
  }
}

/** Adds a deployment to the plan once its image is admitted: always without the gate; with it, when its scan passes. */
async function admit(
  result: Plan,
  request: DeploymentRequest,
  service: CatalogService,
  image: ImageSummary | undefined,
  context: RouteContext,
): Promise<void> {
  const gate = context.config.ecrScanGate;
  const trigger = request.trigger as EcrTrigger;
  const described = { ...request, trigger: { ...trigger, ...(image === undefined ? {} : { image }) } };
  if (gate === undefined || image === undefined) {
    result.deployments.push(described);
    return;
  }
  const verdict = gateVerdict(image.scan, gate);
  if (verdict.kind === 'pass') {
    result.deployments.push({ ...described, trigger: { ...described.trigger, gate } });
    return;
  }
  const fields = {
    repository: image.repository,
    digest: image.digest,
    tags: image.tags,
    gate,
    scan_status: image.scan?.status ?? 'none',
    scan_counts: image.scan?.counts,
  };
  if (verdict.kind === 'wait') {
    result.skipped.push({
      service: service.name,
      reason: `waiting for the scan of ${image.repository}@${image.digest} (ECR_SCAN_GATE ${gate}): its "ECR Image Scan" event deploys it`,
      fields,
    });
    result.notices.push({ kind: 'image_scan_pending', service, image, tag: trigger.tag, gate });
    return;
  }
  const refusal =
    verdict.kind === 'refuse'
      ? verdict.refusal
      : { kind: 'findings' as const, blocking: verdict.blocking, findings: await worstFindings(image, context) };
  result.skipped.push({
    service: service.name,
    reason: `image refused by the scan gate: ${describeScanRefusal(refusal, gate)}`,
    fields: { ...fields, findings: refusal.kind === 'findings' ? refusal.findings : undefined },
  });
  result.notices.push({ kind: 'image_refused', service, image, tag: trigger.tag, gate, refusal });
}

function notOurs(event: EventEnvelope, repository: string, projectName: string): Plan {
  return ignoredPlan(
    'ecr',
    event.id,
    `repository ${excerpt(repository)} matches neither ${projectName}_backend nor ${projectName}_service_{name}`,
  );
}

function registryOf(event: EventEnvelope): string | undefined {
  return event.account && event.region ? ecrRegistry(event.account, event.region) : undefined;
}

const planPush: PlanBuilder = async (event, context) => {
  const { config, catalog } = context;
  const detail = parseDetail(ecrImageActionSchema(), event, 'ECR Image Action');
  if (detail['action-type'] !== 'PUSH' || detail.result !== 'SUCCESS') {
    return ignoredPlan(
      'ecr',
      event.id,
      `ECR ${excerpt(detail['action-type'])} with result ${excerpt(detail.result)} is not a successful push`,
    );
  }
  const repository = detail['repository-name'];
  const found = catalog.forRepository(repository);
  if (found === undefined) return notOurs(event, repository, config.projectName);
  const result = emptyPlan('ecr', event.id);
  const tag = detail['image-tag'];
  if (tag === undefined || tag === '') {
    result.skipped.push({
      service: found.name,
      reason: 'push has no image-tag (an untagged image cannot be what a service runs by tag)',
      fields: { repository },
    });
    return result;
  }
  const digest = detail['image-digest'];
  const trigger: EcrTrigger = { kind: 'ecr', repository, tag, digest, via: 'push' };
  const decided = await deploymentFor(
    found,
    { repository, tags: [tag], wanted: `the pushed tag ${tag}`, digest, registry: registryOf(event) },
    trigger,
    context,
  );
  if (!('target' in decided)) {
    result.skipped.push(decided);
    return result;
  }
  await admit(result, decided, found, await describePushed(repository, digest, tag, context), context);
  return result;
};

const planScan: PlanBuilder = async (event, context) => {
  const { config, catalog, reads } = context;
  const gate = config.ecrScanGate;
  if (gate === undefined) return ignoredPlan('ecr', event.id, 'ECR Image Scan events deploy only with ECR_SCAN_GATE set', 'debug');
  const detail = parseDetail(ecrImageScanSchema(), event, 'ECR Image Scan');
  const repository = detail['repository-name'];
  const found = catalog.forRepository(repository);
  if (found === undefined) return notOurs(event, repository, config.projectName);
  const digest = detail['image-digest'];
  // The tags the digest has now: a tag moved to a newer image since the push must not deploy this one.
  const described = await (await reads.ecr()).describeImage(repository, { digest });
  const sincePush =
    described.pushedAt === undefined || event.time === undefined ? 0 : Date.parse(event.time) - Date.parse(described.pushedAt);
  if (sincePush > ECR_SCAN_LIMITS.rescanAfterHours * 3600_000) {
    return ignoredPlan(
      'ecr',
      event.id,
      `scan of ${repository}@${digest} completed more than ${ECR_SCAN_LIMITS.rescanAfterHours} h after its push (${described.pushedAt ?? ''}): a rescan does not deploy`,
    );
  }
  const result = emptyPlan('ecr', event.id);
  const tags = described.tags;
  if (tags.length === 0) {
    result.skipped.push({
      service: found.name,
      reason: `the scanned image ${repository}@${digest} has no tag (any more); a service runs images by tag`,
      fields: { repository, digest },
    });
    return result;
  }
  const trigger: EcrTrigger = { kind: 'ecr', repository, tag: tags[0] as string, digest, via: 'scan' };
  const image: EventImage = {
    repository,
    tags,
    wanted: `a tag of the scanned image (${tags.join(', ')})`,
    digest,
    registry: registryOf(event),
  };
  const decided = await deploymentFor(found, image, trigger, context);
  if (!('target' in decided)) {
    result.skipped.push(decided);
    return result;
  }
  // The event's own counts and status: they are what this scan found.
  const scan: ImageScan = { status: detail['scan-status'], description: undefined, counts: detail['finding-severity-counts'] ?? {} };
  await admit(result, decided, found, { ...described, scan }, context);
  return result;
};

export const plan: PlanBuilder = (event, context) =>
  event['detail-type'] === 'ECR Image Scan' ? planScan(event, context) : planPush(event, context);
