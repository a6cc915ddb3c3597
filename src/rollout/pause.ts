/**
 * A pause hook awaiting action (ECS's `HOOK_AWAITING_ACTION`), posted in Slack: in the thread of
 * the deployment deploybridge follows on the service, or as a message of its own. With approvals
 * configured it carries Continue and Roll back (./buttons.ts; what a click does is
 * ./pauseActor.ts); without, it says how to decide elsewhere, and the log says why no button was
 * posted. What ECS can tell of the service deployment (the revision under test, the traffic
 * weights, the timeout action) is read with DescribeServiceDeployments, best effort.
 */
import type { ECSClient, ServiceDeployment } from '../aws/ecs.js';
import { PAUSE_DEFAULTS } from '../config/constants.js';
import type { DeploymentJournal, FollowedEcsDeployment, PauseHook } from '../following/journal.js';
import { followedInProgress } from '../following/records.js';
import { pauseMessages } from '../present/pause.js';
import { describeError, errorFields } from '../shared/errors.js';
import type { Log } from '../shared/observability.js';
import { replyInThread, type Notifier } from '../slack/notifier.js';
import type { PauseFacts } from '../triggers/plan.js';
import { ROLLOUT_ACTIONS } from '../interactions/rollout.js';
import { attachPauseMessage, pauseId, recordPause } from './pauseRecords.js';

export interface PauseParts {
  config: { approvers: readonly string[] };
  log: Log;
  notifier: Notifier;
  journal: DeploymentJournal | undefined;
  ecs: () => Promise<ECSClient>;
}

/** What ECS says of the service deployment, within a bounded time; undefined when it cannot say. */
async function describe(parts: PauseParts, facts: PauseFacts): Promise<ServiceDeployment | undefined> {
  try {
    const [client, { DescribeServiceDeploymentsCommand }] = await Promise.all([parts.ecs(), import('../aws/ecs.js')]);
    const { serviceDeployments } = await client.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [facts.serviceDeploymentArn] }),
      { abortSignal: AbortSignal.timeout(PAUSE_DEFAULTS.describeTimeoutMs) },
    );
    return serviceDeployments?.[0];
  } catch (error) {
    parts.log.warn('paused deployment not described: its message says what the event says', {
      service: facts.service,
      service_deployment_arn: facts.serviceDeploymentArn,
      reason: describeError(error),
    });
    return undefined;
  }
}

/** The pause as recorded, from the event and what ECS said. */
function pauseOf(
  facts: PauseFacts,
  described: ServiceDeployment | undefined,
  followed: FollowedEcsDeployment | undefined,
  buttons: boolean,
): PauseHook {
  const hook = described?.lifecycleHookDetails?.find((detail) => detail.hookId === facts.hookId);
  const target = described?.targetServiceRevision;
  return {
    id: pauseId(facts.serviceDeploymentArn, facts.hookId),
    status: 'awaiting',
    service: facts.service,
    ecsService: facts.ecsService,
    cluster: facts.cluster,
    region: facts.region,
    stage: facts.stage,
    hookId: facts.hookId,
    serviceDeploymentArn: facts.serviceDeploymentArn,
    expiresAt: facts.expiresAt ?? (hook?.expiresAt === undefined ? undefined : new Date(hook.expiresAt).toISOString()),
    timeoutAction: hook?.timeoutAction,
    revision: target?.arn,
    weights: { test: target?.requestedTestTrafficWeight, production: target?.requestedProductionTrafficWeight },
    deploymentId: followed?.id,
    buttons,
  };
}

/**
 * Posts a pause hook awaiting action; a redelivered event posts nothing again. A deployments table
 * that cannot be reached rejects (the event is retried).
 *
 * @example
 * await announcePause(plan.pause, { config, log, notifier, journal, ecs: clients.ecs });
 */
export async function announcePause(facts: PauseFacts, parts: PauseParts): Promise<void> {
  const { config, log, notifier, journal } = parts;
  const buttons = config.approvers.length > 0 && journal !== undefined;
  const fields = {
    event_id: facts.eventId,
    service: facts.service,
    lifecycle_stage: facts.stage,
    hook_id: facts.hookId,
    service_deployment_arn: facts.serviceDeploymentArn,
    expires_at: facts.expiresAt,
  };
  const [followed, described] = await Promise.all([followedInProgress(journal, facts.cluster, facts.ecsService), describe(parts, facts)]);
  let pause = pauseOf(facts, described, followed, buttons);
  if (journal !== undefined) {
    const recorded = await recordPause(journal, pause);
    if (!recorded.created && recorded.pause.message !== undefined) {
      log.info('deployment paused: already posted for this hook', { ...fields, status: recorded.pause.status });
      return;
    }
    pause = recorded.pause;
  }
  if (!buttons)
    log.warn(
      `deployment paused: no Continue or Roll back buttons posted: ${journal === undefined ? 'DEPLOYMENTS_TABLE is not set' : 'APPROVERS is not set'} (approvals are off); decide in the ECS console or with aws ecs continue-service-deployment`,
      fields,
    );
  else log.info('deployment paused: waiting for an approver', { ...fields, deployment_id: followed?.id, approvers: config.approvers });
  const message = pauseMessages.awaiting(pause, config.approvers, buttons ? ROLLOUT_ACTIONS : undefined);
  const posted = await replyInThread(notifier, followed?.message, message);
  if (posted === undefined || journal === undefined) return;
  try {
    await attachPauseMessage(journal, pause.id, posted);
  } catch (error) {
    // The buttons carry the pause's id: a click still finds it, and the click's own message is updated.
    log.error('paused deployment message not recorded', { ...fields, ...errorFields(error) });
  }
}
