/**
 * ECR image push → redeploy the service built from that repository, but only when its current
 * task definition runs the pushed tag. A service pinned by digest is never moved by a push.
 */
import { ecrImageActionSchema, excerpt, parseDetail } from '../events.js';
import { ecrRegistry, parseImage } from '../images.js';
import { emptyPlan, ignoredPlan, type Trigger } from '../plan.js';
import type { TaskDefinitionImages } from '../targets/ecs.js';
import type { PlanBuilder } from './context.js';

type ImageUse = 'pushed-tag' | 'digest' | 'other-tag';

/** How each container of a task definition uses the pushed repository. */
function imageUses(taskDefinition: TaskDefinitionImages, repository: string, tag: string, registry: string | undefined) {
  return taskDefinition.containers.flatMap(({ name, image }) => {
    const ref = parseImage(image);
    if (ref.repository !== repository || ref.registry === undefined || !ref.registry.includes('.dkr.ecr.')) return [];
    if (registry !== undefined && ref.registry !== registry) return [];
    const use: ImageUse = ref.digest !== undefined ? 'digest' : ref.tag === tag ? 'pushed-tag' : 'other-tag';
    return [{ container: name, image, use, tag: ref.tag, digest: ref.digest }];
  });
}

export const plan: PlanBuilder = async (event, { config, naming, targets }) => {
  const detail = parseDetail(ecrImageActionSchema, event, 'ECR Image Action');
  if (detail['action-type'] !== 'PUSH' || detail.result !== 'SUCCESS') {
    return ignoredPlan('ecr', event.id, `ECR ${excerpt(detail['action-type'])} with result ${excerpt(detail.result)} is not a successful push`);
  }
  const repository = detail['repository-name'];
  const service = naming.serviceFromRepository(repository);
  if (service === undefined) {
    return ignoredPlan('ecr', event.id, `repository ${excerpt(repository)} matches neither ${config.projectName}_backend nor ${config.projectName}_service_{name}`);
  }
  const result = emptyPlan('ecr', event.id);
  const tag = detail['image-tag'];
  if (tag === undefined || tag === '') {
    result.skipped.push({ service, reason: 'push has no image-tag (an untagged image cannot be what a service runs by tag)', fields: { repository } });
    return result;
  }
  const ecs = naming.ecsNames(service);
  const taskDefinition = await (await targets.ecs()).latestTaskDefinition(ecs.family);
  const registry = event.account && event.region ? ecrRegistry(event.account, event.region) : undefined;
  const uses = imageUses(taskDefinition, repository, tag, registry);
  const trigger: Trigger = { kind: 'ecr', repository, tag, digest: detail['image-digest'] };
  const fields = { repository, pushed_tag: tag, task_definition: taskDefinition.arn };

  if (uses.some((u) => u.use === 'pushed-tag')) {
    result.deployments.push({ target: 'ecs', service, ecs, taskDefinition: taskDefinition.arn, trigger });
  } else if (uses.some((u) => u.use === 'digest')) {
    const pinned = uses.filter((u) => u.use === 'digest').map((u) => `${u.container}@${u.digest}`);
    result.skipped.push({ service, reason: `image pinned by digest (${pinned.join(', ')}); a push never redeploys a pinned image`, fields });
  } else if (uses.length > 0) {
    const tags = [...new Set(uses.map((u) => u.tag))].join(', ');
    result.skipped.push({ service, reason: `service runs tag ${tags}, not the pushed tag ${tag}`, fields: { ...fields, service_tag: tags } });
  } else {
    result.skipped.push({ service, reason: `no container of ${taskDefinition.arn} runs an image from ${repository}`, fields });
  }
  return result;
};
