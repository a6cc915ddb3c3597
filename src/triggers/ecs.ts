/**
 * ECS deployment and service-action events → Slack. Observation only: nothing is deployed, and
 * nothing is written while planning. Only this project's cluster and services are reported: the
 * route recognises the event and plans its facts, which the follower (src/following/) applies to
 * the deployments table and reports, after planning.
 */
import type { Catalog } from '../config/catalog.js';
import { RELEASE_STARTED_BY_PREFIX } from '../config/constants.js';
import {
  ecsDeploymentStateSchema,
  ecsHookStateSchema,
  ecsServiceActionSchema,
  ecsTaskStateSchema,
  eventTime,
  excerpt,
  parseDetail,
  type EventEnvelope,
} from './events.js';
import { emptyPlan, ignoredPlan, type PlanBuilder } from './context.js';
import type { EcsEventFacts, EcsEventName, PauseFacts, Plan, TaskStoppedFacts } from './plan.js';

const DEPLOYMENT_STATES = new Set<string>(['SERVICE_DEPLOYMENT_IN_PROGRESS', 'SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_DEPLOYMENT_FAILED']);
const SERVICE_ACTIONS = new Set<string>(['SERVICE_TASK_START_IMPAIRED']);

/** The event's name when it is one that is reported. */
function reported(eventName: string, names: Set<string>): EcsEventName | undefined {
  return names.has(eventName) ? (eventName as EcsEventName) : undefined;
}

/** Cluster and service names from `arn:…:service/{cluster}/{service}` (or the older `service/{service}`). */
export function serviceFromArn(arn: string | undefined): { cluster: string | undefined; service: string } | undefined {
  const marker = arn?.indexOf(':service/') ?? -1;
  if (arn === undefined || marker === -1) return undefined;
  const parts = arn.slice(marker + ':service/'.length).split('/');
  if (parts.length === 2) return { cluster: parts[0], service: parts[1] as string };
  if (parts.length === 1 && parts[0]) return { cluster: undefined, service: parts[0] };
  return undefined;
}

function clusterFromArn(arn: string | undefined): string | undefined {
  const marker = arn?.indexOf(':cluster/') ?? -1;
  return arn === undefined || marker === -1 ? undefined : arn.slice(marker + ':cluster/'.length);
}

function eventDetail(event: EventEnvelope) {
  if (event['detail-type'] === 'ECS Deployment State Change') {
    const detail = parseDetail(ecsDeploymentStateSchema(), event, 'ECS Deployment State Change');
    return {
      eventName: detail.eventName,
      reported: reported(detail.eventName, DEPLOYMENT_STATES),
      deploymentId: detail.deploymentId,
      reason: detail.reason,
      clusterArn: undefined,
    };
  }
  if (event['detail-type'] === 'ECS Service Action') {
    const detail = parseDetail(ecsServiceActionSchema(), event, 'ECS Service Action');
    return {
      eventName: detail.eventName,
      reported: reported(detail.eventName, SERVICE_ACTIONS),
      deploymentId: undefined,
      reason: undefined,
      clusterArn: detail.clusterArn,
    };
  }
  return undefined;
}

/** A task that stopped: the release that started it moves on (the ECS rule sends only tasks whose `startedBy` is deploybridge's). */
function taskPlan(event: EventEnvelope, cluster: string): Plan {
  const detail = parseDetail(ecsTaskStateSchema(), event, 'ECS Task State Change');
  const startedBy = detail.startedBy ?? '';
  if (detail.lastStatus !== 'STOPPED' || !startedBy.startsWith(RELEASE_STARTED_BY_PREFIX))
    return ignoredPlan(
      'ecs',
      event.id,
      `ECS task ${excerpt(detail.lastStatus)}, started by ${excerpt(startedBy || '(nobody)')}, is not a release task that stopped`,
      'debug',
    );
  const taskCluster = clusterFromArn(detail.clusterArn);
  if (taskCluster !== cluster)
    return ignoredPlan(
      'ecs',
      event.id,
      `ECS task of cluster ${excerpt(taskCluster ?? detail.clusterArn)} is not in ${cluster} of this project and env`,
      'debug',
    );
  const taskStopped: TaskStoppedFacts = {
    eventId: event.id,
    time: eventTime(event),
    taskArn: detail.taskArn,
    cluster: taskCluster,
    startedBy,
    stopCode: detail.stopCode,
    stoppedReason: detail.stoppedReason,
    containers: (detail.containers ?? []).map((c) => ({ name: c.name, exitCode: c.exitCode, reason: c.reason })),
  };
  return { ...emptyPlan('ecs', event.id), taskStopped };
}

/** A pause hook of a service of this project awaits action: the pause is posted in Slack after planning. */
function pausePlan(event: EventEnvelope, catalog: Catalog, region: string): Plan {
  const detail = parseDetail(ecsHookStateSchema(), event, 'ECS Hook State Change');
  if (detail.eventName !== 'HOOK_AWAITING_ACTION')
    return ignoredPlan(
      'ecs',
      event.id,
      `ECS hook ${excerpt(detail.eventName)} is not reported (only HOOK_AWAITING_ACTION asks for a decision)`,
      'debug',
    );
  const arn = serviceFromArn(detail.serviceArn);
  const cluster = clusterFromArn(detail.clusterArn) ?? arn?.cluster;
  const service = arn === undefined ? undefined : catalog.forEcsService(arn.service);
  if (arn === undefined || service === undefined || cluster !== catalog.cluster)
    return ignoredPlan(
      'ecs',
      event.id,
      `ECS service ${excerpt(detail.serviceArn)} is not in ${catalog.cluster} of this project and env`,
      'debug',
    );
  const pause: PauseFacts = {
    eventId: event.id,
    time: eventTime(event),
    service: service.name,
    ecsService: arn.service,
    cluster,
    region: event.region ?? region,
    hookId: detail.hookId,
    stage: detail.lifecycleStage,
    serviceDeploymentArn: detail.serviceDeploymentArn,
    expiresAt: detail.expiresAt,
  };
  return { ...emptyPlan('ecs', event.id), pause };
}

export const plan: PlanBuilder = async (event, context) => {
  const { config, catalog } = context;
  if (event.source === 'aws.events') {
    if (config.release === undefined) return ignoredPlan('ecs', event.id, 'no release is followed (RELEASE_CONFIG is unset)', 'debug');
    return { ...emptyPlan('ecs', event.id), releaseTimeouts: { time: eventTime(event) } };
  }
  if (event['detail-type'] === 'ECS Hook State Change') return pausePlan(event, catalog, config.region);
  if (event['detail-type'] === 'ECS Task State Change') {
    if (config.release === undefined) return ignoredPlan('ecs', event.id, 'ECS task events are followed only for RELEASE_CONFIG', 'debug');
    return taskPlan(event, catalog.cluster);
  }
  const detail = eventDetail(event);
  if (detail?.reported === undefined) {
    return ignoredPlan(
      'ecs',
      event.id,
      `ECS ${excerpt(event['detail-type'])} ${excerpt(detail?.eventName ?? '')} is not reported`,
      'debug',
    );
  }
  const arn = serviceFromArn(event.resources?.[0]);
  const cluster = clusterFromArn(detail.clusterArn) ?? arn?.cluster;
  const service = arn === undefined ? undefined : catalog.forEcsService(arn.service);
  if (arn === undefined || service === undefined || (cluster !== undefined && cluster !== catalog.cluster)) {
    return ignoredPlan(
      'ecs',
      event.id,
      `ECS service ${excerpt(event.resources?.[0] ?? '(none)')} is not in ${catalog.cluster} of this project and env`,
      'debug',
    );
  }
  const ecsEvent: EcsEventFacts = {
    eventId: event.id,
    name: detail.reported,
    deploymentId: detail.deploymentId,
    reason: detail.reason,
    time: eventTime(event),
    service: service.name,
    ecsService: arn.service,
    cluster: catalog.cluster,
    region: event.region ?? config.region,
  };
  return { ...emptyPlan('ecs', event.id), ecsEvent };
};
