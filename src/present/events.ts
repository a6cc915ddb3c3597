/**
 * The deployment a message is about, as machines read it ({@link DeploymentSummary}, the
 * `deployment` of a notification's typed event): built from what the families already hold — a
 * request and its run, a deployment followed through ECS's events, an ECS event about a deployment
 * deploybridge has no record of, or the request the scan gate holds.
 */
import type { CatalogService } from '../config/catalog.js';
import type { FollowedEcsDeployment } from '../following/journal.js';
import type { DeploymentRequest } from '../triggers/requests.js';
import type { EventTrigger, ImageSummary, Trigger } from '../triggers/trigger.js';
import type { DeploymentIdentity } from './identity.js';
import type { DeploymentOutcome, DeploymentSummary, TriggerSummary } from './notification.js';
import { describeTrigger } from './triggerLines.js';

/** Which event a deployment runs for, and when it ran: what its messages need besides the request. */
export interface DeploymentRun {
  eventId: string;
  /** ISO 8601: when deploybridge started it. */
  startedAt: string;
  /** ISO 8601: when it ended, for a deployment that ended inside the invocation. */
  endedAt?: string;
}

/** One trigger with the fields that identify it. */
function triggerSummary(trigger: EventTrigger): TriggerSummary {
  const description = describeTrigger(trigger);
  switch (trigger.kind) {
    case 'ecr':
      return { kind: 'ecr', description, repository: trigger.repository, tag: trigger.tag, digest: trigger.digest ?? null };
    case 'ssm':
      return {
        kind: 'ssm',
        description,
        parameter: trigger.parameter,
        operation: trigger.operation,
        version: trigger.parameterVersion ?? null,
      };
    case 's3':
      return {
        kind: 's3',
        description,
        bucket: trigger.bucket,
        key: trigger.key,
        version_id: trigger.versionId ?? null,
        operation: trigger.operation,
      };
    case 'manual':
      return {
        kind: 'manual',
        description,
        source: trigger.source,
        reason: trigger.reason ?? null,
        requested_by: trigger.requestedBy ?? null,
      };
  }
}

/** Every trigger a deployment answers: one, or each of a merged deployment's, in event-time order. */
function triggerSummaries(trigger: Trigger): TriggerSummary[] {
  return (trigger.kind === 'merged' ? trigger.triggers : [trigger]).map(triggerSummary);
}

/** Who changed what or asked for it, each once, as AWS or the request says (ECR does not say who pushed). */
function actorsOf(trigger: Trigger): string[] {
  const each = trigger.kind === 'merged' ? trigger.triggers : [trigger];
  const actors = each.flatMap((t) => {
    if (t.kind === 'manual') return t.requestedBy === undefined ? [] : [t.requestedBy];
    if (t.kind === 'ssm' || t.kind === 's3') return t.actor === undefined ? [] : [t.actor];
    return [];
  });
  return [...new Set(actors)];
}

/** What is known of a deployment beyond its request and run. */
export interface DeploymentKnown {
  /** ECS's deployment id, once ECS named it. */
  id?: string | undefined;
  revision?: string | undefined;
  previousRevision?: string | undefined;
  outcome?: DeploymentOutcome;
  reasons?: string[];
  /** A dry run starts nothing: no `started_at`. */
  notStarted?: boolean;
}

/** A Lambda version: a published number or `$LATEST`; not the placeholder of one yet to be published. */
export function versionOf(version: string | undefined): string | undefined {
  return version !== undefined && /^(\d+|\$LATEST)$/.test(version) ? version : undefined;
}

/**
 * The deployment a request starts (or started), as machines read it. Until its target names it
 * (ECS's deployment id), its id is `{target}:{resource}:{event id}` (a Lambda deployment's record
 * has the same).
 *
 * @example
 * deploymentOfRequest(request, identity, { eventId: 'e-1', startedAt: '2026-12-07T10:00:00Z' }, { id: 'ecs-svc/42', revision: taskDefinitionArn });
 */
export function deploymentOfRequest(
  request: DeploymentRequest,
  identity: DeploymentIdentity,
  run: DeploymentRun,
  known: DeploymentKnown = {},
): DeploymentSummary {
  return {
    id: known.id ?? `${request.target}:${identity.resource}:${run.eventId}`,
    service: request.service,
    target: request.target,
    revision: known.revision ?? null,
    previous_revision: known.previousRevision ?? null,
    triggers: triggerSummaries(request.trigger),
    actors: actorsOf(request.trigger),
    started_at: known.notStarted === true ? null : run.startedAt,
    ended_at: run.endedAt ?? null,
    outcome: known.outcome ?? null,
    reasons: known.reasons ?? [],
  };
}

/** How a followed deployment ended, from its status and rollback; null while it runs. */
function followedOutcome(deployment: FollowedEcsDeployment): DeploymentOutcome | null {
  switch (deployment.status) {
    case 'in_progress':
      return null;
    case 'completed':
      return 'succeeded';
    case 'superseded':
      return 'superseded';
    case 'failed':
      if (deployment.rollback?.status === 'completed') return 'rolled_back';
      if (deployment.rollback?.status === 'failed') return 'rollback_failed';
      // A rollback under way: the deployment failed; how the rollback ends is a later message.
      return 'failed';
  }
}

/**
 * An ECS deployment deploybridge started, as its record stands after a step; `reasons` are the
 * step's (what ECS said, why tasks failed).
 *
 * @example
 * deploymentOfFollowed(deployment, ['Essential container in task exited']).outcome; // 'failed'
 */
export function deploymentOfFollowed(deployment: FollowedEcsDeployment, reasons: readonly string[] = []): DeploymentSummary {
  const all = [...(deployment.failure === undefined ? [] : [deployment.failure]), ...reasons];
  return {
    id: deployment.id,
    service: deployment.service,
    target: 'ecs',
    revision: deployment.taskDefinition,
    previous_revision: deployment.previousTaskDefinition ?? null,
    triggers: triggerSummaries(deployment.trigger),
    actors: actorsOf(deployment.trigger),
    started_at: deployment.startedAt,
    ended_at: deployment.finishedAt ?? null,
    outcome: followedOutcome(deployment),
    reasons: [...new Set(all)],
  };
}

/**
 * An ECS deployment deploybridge has no record of (started by someone else, or no deployments
 * table), as one of ECS's events tells it.
 */
export function deploymentOfEcsEvent(
  service: string,
  deploymentId: string | undefined,
  outcome: DeploymentOutcome | null,
  reasons: readonly string[],
): DeploymentSummary {
  return {
    id: deploymentId ?? null,
    service,
    target: 'ecs',
    revision: null,
    previous_revision: null,
    triggers: [],
    actors: [],
    started_at: null,
    ended_at: null,
    outcome,
    reasons: [...reasons],
  };
}

/** The deployment an image push asks for, which the scan gate holds (waiting for the scan, or refused). */
export function deploymentOfGatedImage(
  service: CatalogService,
  image: ImageSummary,
  tag: string,
  reasons: readonly string[],
): DeploymentSummary {
  const trigger: EventTrigger = { kind: 'ecr', repository: image.repository, tag, digest: image.digest };
  return {
    id: null,
    service: service.name,
    target: service.kind,
    revision: null,
    previous_revision: null,
    triggers: [triggerSummary(trigger)],
    actors: [],
    started_at: null,
    ended_at: null,
    outcome: null,
    reasons: [...reasons],
  };
}
