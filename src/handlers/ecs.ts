/**
 * ECS deployment and service-action events → Slack. Observation only: nothing is deployed.
 * Only this project's cluster and services are reported.
 */
import { ecsDeploymentStateSchema, ecsServiceActionSchema, excerpt, parseDetail, type EventEnvelope } from '../events.js';
import { emptyPlan, ignoredPlan, type Notification, type Severity } from '../plan.js';
import { ecsConsoleUrl } from '../slack/messages.js';
import type { PlanBuilder } from './context.js';

const DEPLOYMENT_STATES: Record<string, { severity: Severity; title: string; status: string }> = {
  SERVICE_DEPLOYMENT_IN_PROGRESS: { severity: 'info', title: 'Deployment in progress', status: 'in progress' },
  SERVICE_DEPLOYMENT_COMPLETED: { severity: 'success', title: 'Deployment completed', status: 'completed' },
  SERVICE_DEPLOYMENT_FAILED: { severity: 'error', title: 'Deployment failed', status: 'failed' },
};

const SERVICE_ACTIONS: Record<string, { severity: Severity; title: string; status: string }> = {
  SERVICE_TASK_START_IMPAIRED: { severity: 'warning', title: 'Tasks fail to start', status: 'task start impaired' },
};

/** Cluster and service names from `arn:…:service/{cluster}/{service}` (or the older `service/{service}`). */
function serviceFromArn(arn: string | undefined): { cluster: string | undefined; service: string } | undefined {
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
    const detail = parseDetail(ecsDeploymentStateSchema, event, 'ECS Deployment State Change');
    return { eventName: detail.eventName, state: DEPLOYMENT_STATES[detail.eventName], deploymentId: detail.deploymentId, reason: detail.reason, clusterArn: undefined };
  }
  if (event['detail-type'] === 'ECS Service Action') {
    const detail = parseDetail(ecsServiceActionSchema, event, 'ECS Service Action');
    return { eventName: detail.eventName, state: SERVICE_ACTIONS[detail.eventName], deploymentId: undefined, reason: undefined, clusterArn: detail.clusterArn };
  }
  return undefined;
}

export const plan: PlanBuilder = async (event, { config, naming }) => {
  const detail = eventDetail(event);
  if (detail?.state === undefined) {
    return ignoredPlan('ecs', event.id, `ECS ${excerpt(event['detail-type'])} ${excerpt(detail?.eventName ?? '')} is not reported`, 'debug');
  }
  const arn = serviceFromArn(event.resources?.[0]);
  const cluster = clusterFromArn(detail.clusterArn) ?? arn?.cluster;
  const service = arn === undefined ? undefined : naming.serviceFromEcsServiceName(arn.service);
  if (arn === undefined || service === undefined || (cluster !== undefined && cluster !== naming.cluster)) {
    return ignoredPlan('ecs', event.id, `ECS service ${excerpt(event.resources?.[0] ?? '(none)')} is not in ${naming.cluster} of this project and env`, 'debug');
  }
  const facts: Notification['facts'] = [['Status', detail.state.status]];
  if (detail.deploymentId) facts.push(['Deployment ID', detail.deploymentId]);
  if (detail.reason) facts.push(['Reason', detail.reason]);
  const region = event.region ?? config.region;
  const result = emptyPlan('ecs', event.id);
  result.notifications.push({
    severity: detail.state.severity,
    title: `${detail.state.title}: ${service}`,
    service: arn.service,
    facts,
    consoleUrl: ecsConsoleUrl(region, naming.cluster, arn.service),
  });
  return result;
};
