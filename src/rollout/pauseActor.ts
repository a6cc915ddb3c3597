/**
 * What a verified click on Continue, Roll back (a pause hook) or Roll back (a followed deployment in
 * progress) does, in the asynchronous invocation it was handed off to (src/interactions/carryOut.ts
 * verified it and checked the approver). The decision is one conditional write (./pauseRecords.ts):
 * of two clicks, one calls ECS; a retry of the hand-off that decided calls again, since ECS may not
 * have been reached. ECS's refusal is said in the message; a transient failure gives the decision
 * back and fails the invocation, for Lambda to retry it. A click that changes nothing tells the
 * person who clicked why, on their own.
 */
import type { ECSClient } from '../aws/ecs.js';
import type { DeploymentJournal, FollowedEcsDeployment, MessageRef, PauseHook } from '../following/journal.js';
import { readDeployment } from '../following/records.js';
import { pauseMessages, stopMessage, unchangedPauseReply, unchangedStopReply } from '../present/pause.js';
import { describeError, errorFields, isRetryableAwsError } from '../shared/errors.js';
import type { Log, LogFields } from '../shared/observability.js';
import type { ButtonClick } from '../slack/interactions.js';
import { replyInThread, type Notifier } from '../slack/notifier.js';
import type { ClickActor } from '../interactions/contract.js';
import type { Person } from '../triggers/requests.js';
import { ROLLOUT_ACTIONS } from '../interactions/rollout.js';
import { decidePause, requestStop, settlePause, settleStop } from './pauseRecords.js';

export interface RolloutActorParts {
  journal: DeploymentJournal;
  notifier: Notifier;
  log: Log;
  ecs: () => Promise<ECSClient>;
  /** Tells only the person who clicked. */
  reply(click: ButtonClick, text: string): Promise<void>;
  /** After a Roll back: the followed deployment's message as it now stands (who rolled it back, no button). */
  stopped(deployment: FollowedEcsDeployment): Promise<void>;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** The clicked message, where Slack says it is. */
function clickedMessage(click: ButtonClick): MessageRef | undefined {
  return click.channel === undefined || click.messageTs === undefined ? undefined : { channel: click.channel, ts: click.messageTs };
}

/** The fields of every decision's log line: the pause, the service, who decided, the times. */
function pauseFields(pause: PauseHook, by: Person, requestId: string | undefined): LogFields {
  return {
    request_id: requestId,
    pause_id: pause.id,
    service: pause.service,
    lifecycle_stage: pause.stage,
    hook_id: pause.hookId,
    service_deployment_arn: pause.serviceDeploymentArn,
    deployment_id: pause.deploymentId,
    approver: by.id,
    approver_name: by.name,
    expires_at: pause.expiresAt,
  };
}

/**
 * The actor of the rollout buttons.
 *
 * @example
 * const actor = createRolloutActor({ journal, notifier, log, ecs, reply, stopped });
 * await actor(click, { requestId }); // ContinueServiceDeployment called once; the message says who decided what
 */
export function createRolloutActor(parts: RolloutActorParts): ClickActor {
  const { journal, notifier, log } = parts;
  const now = parts.now ?? Date.now;

  /** The pause's message, replaced by what it came to (no button is left). */
  const update = async (pause: PauseHook, click: ButtonClick) => {
    const message = pauseMessages.ended(pause);
    await notifier.follow(pause.message ?? clickedMessage(click), { state: message, standalone: message });
  };

  const decide = async (click: ButtonClick, requestId: string | undefined) => {
    const action = click.actionId === ROLLOUT_ACTIONS.continue ? 'CONTINUE' : 'ROLLBACK';
    const by: Person = { id: click.user.id, name: click.user.name };
    const decided = await decidePause(journal, click.value ?? '', action, by, new Date(now()), requestId);
    const { pause } = decided;
    if (pause === undefined) {
      log.warn('pause click changed nothing: no such pause', { request_id: requestId, pause_id: click.value, approver: by.id });
      await parts.reply(click, unchangedPauseReply(undefined));
      return;
    }
    const fields = { ...pauseFields(pause, by, requestId), clicked: action };
    if (decided.timedOut) {
      log.info('pause timed out: the click came after it', { ...fields, decision: 'timed out' });
      await update(pause, click);
      await parts.reply(click, unchangedPauseReply(pause));
      return;
    }
    if (!decided.act) {
      log.info('pause click changed nothing', { ...fields, status: pause.status });
      await parts.reply(click, unchangedPauseReply(pause));
      return;
    }
    const decision = { decision: action === 'CONTINUE' ? 'continue' : 'roll back', decided_at: pause.decision?.at };
    try {
      // The ECS commands load with the client, on the first click: the handler that carries clicks out runs every other route too.
      const [client, { ContinueServiceDeploymentCommand }] = await Promise.all([parts.ecs(), import('../aws/ecs.js')]);
      await client.send(
        new ContinueServiceDeploymentCommand({ serviceDeploymentArn: pause.serviceDeploymentArn, hookId: pause.hookId, action }),
      );
    } catch (error) {
      if (isRetryableAwsError(error)) {
        await settlePause(journal, pause.id, { kind: 'unreached' });
        log.warn('pause decision not taken: ECS could not be reached; the invocation fails so that Lambda retries it', {
          ...fields,
          ...decision,
          ...errorFields(error),
        });
        throw error;
      }
      const failed = await settlePause(journal, pause.id, { kind: 'refused', failure: describeError(error) });
      log.error('pause decision refused by ECS', { ...fields, ...decision, ...errorFields(error) });
      if (failed !== undefined) await update(failed, click);
      return;
    }
    const taken = await settlePause(journal, pause.id, { kind: 'taken' });
    log.info(`pause decided: ${decision.decision}`, { ...fields, ...decision });
    await update(taken ?? pause, click);
  };

  /** The service deployment in progress of a followed deployment's service (the newest, if ECS lists several). */
  const inProgress = async (deployment: FollowedEcsDeployment): Promise<string | undefined> => {
    const [client, { ListServiceDeploymentsCommand }] = await Promise.all([parts.ecs(), import('../aws/ecs.js')]);
    const { serviceDeployments } = await client.send(
      new ListServiceDeploymentsCommand({ cluster: deployment.cluster, service: deployment.resource, status: ['IN_PROGRESS'] }),
    );
    return serviceDeployments?.find((listed) => listed.status === 'IN_PROGRESS')?.serviceDeploymentArn;
  };

  const stop = async (click: ButtonClick, requestId: string | undefined) => {
    const by: Person = { id: click.user.id, name: click.user.name };
    const id = click.value ?? '';
    const deployment = await readDeployment(journal, id);
    const fields = { request_id: requestId, deployment_id: id, approver: by.id, approver_name: by.name, clicked: 'roll back' };
    if (deployment?.target !== 'ecs' || deployment.status !== 'in_progress') {
      log.info('roll back click changed nothing: the deployment is not in progress', { ...fields, status: deployment?.status });
      await parts.reply(
        click,
        `Nothing was changed: this deployment is ${deployment === undefined ? 'no longer known' : 'no longer in progress'}.`,
      );
      return;
    }
    const all = { ...fields, service: deployment.service, ecs_service: deployment.resource };
    const asked = await requestStop(journal, id, by, new Date(now()), requestId);
    if (!asked.act) {
      log.info('roll back click changed nothing', { ...all, status: asked.stop.status });
      await parts.reply(click, unchangedStopReply(asked.stop));
      return;
    }
    let serviceDeploymentArn: string | undefined;
    try {
      serviceDeploymentArn = await inProgress(deployment);
      if (serviceDeploymentArn !== undefined) {
        const { StopServiceDeploymentCommand } = await import('../aws/ecs.js');
        await (await parts.ecs()).send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: 'ROLLBACK' }));
      }
    } catch (error) {
      if (isRetryableAwsError(error)) {
        await settleStop(journal, id, { kind: 'unreached' });
        log.warn('roll back not asked: ECS could not be reached; the invocation fails so that Lambda retries it', {
          ...all,
          ...errorFields(error),
        });
        throw error;
      }
      await settleStop(journal, id, { kind: 'refused', failure: describeError(error) });
      log.error('roll back refused by ECS', { ...all, service_deployment_arn: serviceDeploymentArn, ...errorFields(error) });
      await replyInThread(
        notifier,
        deployment.message,
        stopMessage({ ...asked.stop, status: 'failed', failure: describeError(error) }, deployment),
      );
      return;
    }
    if (serviceDeploymentArn === undefined) {
      const failure = 'ECS lists no service deployment in progress for the service';
      await settleStop(journal, id, { kind: 'refused', failure });
      log.warn(`roll back not asked: ${failure}`, all);
      await parts.reply(click, `Nothing was changed: ${failure}.`);
      return;
    }
    await settleStop(journal, id, { kind: 'stopped', serviceDeploymentArn });
    log.info('roll back asked: StopServiceDeployment (ROLLBACK)', {
      ...all,
      service_deployment_arn: serviceDeploymentArn,
      decision: 'roll back',
    });
    const stopped = { ...asked.stop, status: 'stopped' as const, serviceDeploymentArn };
    await replyInThread(notifier, deployment.message, stopMessage(stopped, deployment));
    await parts.stopped({ ...deployment, stoppedBy: { by, at: stopped.at } });
  };

  return async (click, { requestId }) => {
    if (click.actionId === ROLLOUT_ACTIONS.stop) await stop(click, requestId);
    else await decide(click, requestId);
  };
}
