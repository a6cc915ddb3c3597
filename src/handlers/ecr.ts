/**
 * ECR image push → redeploy the service built from that repository, but only when its current
 * task definition runs the pushed tag. A service pinned by digest is never moved by a push.
 * A Lambda service (LAMBDA_CONFIG) is updated under the same rule: only an image function whose
 * configured image is that repository with the pushed tag.
 */
import { ecrImageActionSchema, excerpt, parseDetail } from '../events.js';
import { ecrRegistry, parseImage } from '../images.js';
import { emptyPlan, ignoredPlan, type Trigger } from '../plan.js';
import type { TaskDefinitionImages } from '../targets/ecs.js';
import type { PlanBuilder } from './context.js';

type ImageUse = 'pushed-tag' | 'digest' | 'other-tag';

/** What a push means for one service: deploy it, or skip it and say why. */
type PushVerdict = { deploy: true; image: string } | { deploy: false; reason: string; fields?: Record<string, unknown> };

/** How each container (of a task definition, or the one image of a function) uses the pushed repository. */
function imageUses(containers: TaskDefinitionImages['containers'], repository: string, tag: string, registry: string | undefined) {
  return containers.flatMap(({ name, image }) => {
    const ref = parseImage(image);
    if (ref.repository !== repository || ref.registry === undefined || !ref.registry.includes('.dkr.ecr.')) return [];
    if (registry !== undefined && ref.registry !== registry) return [];
    const use: ImageUse = ref.digest !== undefined ? 'digest' : ref.tag === tag ? 'pushed-tag' : 'other-tag';
    return [{ container: name, image, use, tag: ref.tag, digest: ref.digest }];
  });
}

/**
 * The rule both targets follow: deploy when an image of the pushed repository runs the pushed tag;
 * never when it is pinned by digest; otherwise name the tag it runs. `subject` is "service" or
 * "function"; `unrelated` says why nothing uses the repository.
 */
function pushVerdict(uses: ReturnType<typeof imageUses>, tag: string, subject: string, unrelated: string): PushVerdict {
  const matching = uses.find((u) => u.use === 'pushed-tag');
  if (matching !== undefined) return { deploy: true, image: matching.image };
  if (uses.some((u) => u.use === 'digest')) {
    const pinned = uses.filter((u) => u.use === 'digest').map((u) => `${u.container}@${u.digest}`);
    return { deploy: false, reason: `image pinned by digest (${pinned.join(', ')}); a push never redeploys a pinned image` };
  }
  if (uses.length > 0) {
    const tags = [...new Set(uses.map((u) => u.tag))].join(', ');
    return { deploy: false, reason: `${subject} runs tag ${tags}, not the pushed tag ${tag}`, fields: { service_tag: tags } };
  }
  return { deploy: false, reason: unrelated };
}

export const plan: PlanBuilder = async (event, { config, catalog, targets }) => {
  const detail = parseDetail(ecrImageActionSchema, event, 'ECR Image Action');
  if (detail['action-type'] !== 'PUSH' || detail.result !== 'SUCCESS') {
    return ignoredPlan('ecr', event.id, `ECR ${excerpt(detail['action-type'])} with result ${excerpt(detail.result)} is not a successful push`);
  }
  const repository = detail['repository-name'];
  const found = catalog.forRepository(repository);
  if (found === undefined) {
    return ignoredPlan('ecr', event.id, `repository ${excerpt(repository)} matches neither ${config.projectName}_backend nor ${config.projectName}_service_{name}`);
  }
  const service = found.name;
  const result = emptyPlan('ecr', event.id);
  const tag = detail['image-tag'];
  if (tag === undefined || tag === '') {
    result.skipped.push({ service, reason: 'push has no image-tag (an untagged image cannot be what a service runs by tag)', fields: { repository } });
    return result;
  }
  const registry = event.account && event.region ? ecrRegistry(event.account, event.region) : undefined;
  const trigger: Trigger = { kind: 'ecr', repository, tag, digest: detail['image-digest'] };

  if (found.kind === 'lambda') {
    const { lambda } = found;
    const { packageType, imageUri } = await (await targets.lambda()).functionImage(lambda.functionName);
    const fields = { repository, pushed_tag: tag, function_name: lambda.functionName, image_uri: imageUri };
    if (packageType !== 'Image' || imageUri === undefined) {
      result.skipped.push({ service, reason: `${lambda.functionName} is a zip function; an image push does not deploy it`, fields });
      return result;
    }
    const uses = imageUses([{ name: lambda.functionName, image: imageUri }], repository, tag, registry);
    const verdict = pushVerdict(uses, tag, 'function', `${lambda.functionName} runs ${imageUri}, not an image from ${repository}`);
    if (verdict.deploy) {
      // The same ImageUri again: Lambda resolves the tag anew, to the pushed digest.
      result.deployments.push({ target: 'lambda', service, lambda, change: { kind: 'image', imageUri: verdict.image, pushedDigest: detail['image-digest'] }, trigger });
    } else {
      result.skipped.push({ service, reason: verdict.reason, fields: { ...fields, ...verdict.fields } });
    }
    return result;
  }

  const { ecs } = found;
  const taskDefinition = await (await targets.ecs()).latestTaskDefinition(ecs.family);
  const uses = imageUses(taskDefinition.containers, repository, tag, registry);
  const fields = { repository, pushed_tag: tag, task_definition: taskDefinition.arn };
  const verdict = pushVerdict(uses, tag, 'service', `no container of ${taskDefinition.arn} runs an image from ${repository}`);
  if (verdict.deploy) {
    result.deployments.push({ target: 'ecs', service, ecs, taskDefinition: taskDefinition.arn, trigger });
  } else {
    result.skipped.push({ service, reason: verdict.reason, fields: { ...fields, ...verdict.fields } });
  }
  return result;
};
