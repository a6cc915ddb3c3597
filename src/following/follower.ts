/**
 * Following: what deploybridge started, and what ECS later said of it. The deployer's reporter
 * tells the follower when a rollout started or a deployment ended; the App hands it the facts of
 * each ECS event the ECS route recognised. With the deployments table (DEPLOYMENTS_TABLE), starts
 * are recorded and every later step is applied to the record once and reported in the
 * deployment's own Slack message and thread; without it, starts are announced and ECS's events are
 * reported as far as they tell on their own. The table is ./journal.ts (stores: ./store.ts,
 * ./dynamodb.ts), records ./records.ts, ECS's events ./ecsEvents.ts, why tasks failed
 * ./evidence.ts, releases (RELEASE_CONFIG: steps in order, each started by the ECS event that
 * ends the one before it) ./releases.ts; the words are src/present/'s.
 */
import type { ECSClient } from '../aws/ecs.js';
import { FOLLOW_DEFAULTS } from '../config/constants.js';
import { deploymentStepUpdate, ecsReportMessage, stepFields, stepLog } from '../present/following.js';
import type { Notification } from '../present/notification.js';
import { errorFields } from '../shared/errors.js';
import { MetricName, type Log, type LogFields, type MetricSink } from '../shared/observability.js';
import { notifyLogged, openDeployment, type Notifier } from '../slack/notifier.js';
import type { TargetOutcome } from '../targets/contract.js';
import type { EcsEventFacts } from '../triggers/plan.js';
import { followEcsEvent } from './ecsEvents.js';
import type { DeploymentJournal, FollowedEcsDeployment, MessageRef } from './journal.js';
import { attachMessage, recordDeployment, type DeploymentFacts } from './records.js';
import type { DeploymentStep, EcsReport, EvidenceQuery, FailureEvidence } from './steps.js';

export interface FollowerParts {
  log: Log;
  notifier: Notifier;
  /** DEPLOYMENTS_TABLE: without it nothing is recorded, and ECS's events are reported statelessly. */
  journal: DeploymentJournal | undefined;
  /** The container's ECS client: why tasks failed is read with it, on first use. */
  ecs: () => Promise<ECSClient>;
}

/** A deployment the deployer's reporter tells the follower about. */
export interface Reported {
  /** What its record is made of, besides its outcome and message. */
  facts: Omit<DeploymentFacts, 'outcome' | 'message'>;
  /** Its log fields: a failure to record it is logged with them. */
  fields: LogFields;
  /** Its metrics (a deployment of a batch counts under its own route). */
  metrics: MetricSink;
}

export interface Follower {
  /**
   * A rollout started whose end ECS will report: recorded first (ECS's first event follows within
   * seconds), then announced with `message`; the rollouts it superseded are told so in their
   * threads. Resolves with its first message.
   */
  onStarted(
    deployment: Reported,
    outcome: Extract<TargetOutcome, { status: 'started' }>,
    message: Notification,
  ): Promise<MessageRef | undefined>;
  /**
   * A deployment whose start was announced (`first`: its message) ended inside the invocation: its
   * message becomes `message` (the outcome), and it is recorded with it.
   */
  onFinished(deployment: Reported, outcome: TargetOutcome, first: MessageRef | undefined, message: Notification): Promise<void>;
  /**
   * What ECS said of a service of this project: applied to the deployments table, then reported.
   * Resolves with what was reported. A table that cannot be reached for a transient reason rejects
   * (the invocation is retried: a late message beats a wrong one).
   */
  onEcsEvent(facts: EcsEventFacts, metrics: MetricSink): Promise<EcsReport[]>;
}

/**
 * The follower of one container.
 *
 * @example
 * const follower = createFollower({ log, notifier, journal, ecs: clients.ecs });
 * await follower.onEcsEvent(plan.ecsEvent, metrics);
 */
export function createFollower({ log, notifier, journal, ecs }: FollowerParts): Follower {
  /** Runs a write of the deployments table; a failure is logged and counted, never thrown (the deployment is under way). */
  const recording = async <T>(deployment: Reported, write: (journal: DeploymentJournal) => Promise<T>): Promise<T | undefined> => {
    if (journal === undefined) return undefined;
    try {
      return await write(journal);
    } catch (error) {
      deployment.metrics.count(MetricName.DeploymentRecordsFailed);
      log.error('deployment not recorded: its later events are reported without it', { ...deployment.fields, ...errorFields(error) });
      return undefined;
    }
  };

  /** One step of a followed deployment: its log line, its message and thread, then where its message is now. */
  const reportStep = async (
    deployment: FollowedEcsDeployment,
    step: DeploymentStep,
    evidence: FailureEvidence | undefined,
    fields: LogFields,
    metrics: MetricSink,
  ): Promise<void> => {
    const { level, message } = stepLog(step);
    log[level](message, { ...stepFields(deployment, step, evidence), ...fields });
    const now = await notifier.follow(deployment.message, deploymentStepUpdate(deployment, step, evidence));
    if (now === undefined || journal === undefined) return;
    try {
      await attachMessage(journal, deployment.id, now, deployment.message);
    } catch (error) {
      metrics.count(MetricName.DeploymentRecordsFailed);
      log.error('deployment message not recorded: later steps start a new one', {
        deployment_id: deployment.id,
        ...fields,
        ...errorFields(error),
      });
    }
  };

  /** Why a service's tasks fail, within the time allowed; never throws. */
  const evidence = async (query: EvidenceQuery): Promise<FailureEvidence> => {
    const signal = AbortSignal.timeout(FOLLOW_DEFAULTS.evidenceBudgetMs);
    let found: FailureEvidence;
    try {
      const { readFailureEvidence } = await import('./evidence.js');
      found = await readFailureEvidence(await ecs(), query, signal);
    } catch (error) {
      found = { stoppedTasks: [], serviceEvents: [], unavailable: [`ECS: ${(error as Error).name}`] };
    }
    if (found.unavailable.length > 0)
      log.warn('why tasks failed: some ECS reads failed', {
        ecs_service: query.service,
        deployment_id: query.deploymentId,
        unavailable: found.unavailable,
      });
    return found;
  };

  return {
    async onStarted(deployment, outcome, message) {
      const recorded = await recording(deployment, (table) =>
        recordDeployment(table, { ...deployment.facts, outcome, message: undefined }),
      );
      const first = await openDeployment(notifier, deployment.facts.request, message);
      if (recorded === undefined) return first;
      const { id } = recorded.deployment;
      if (first !== undefined) await recording(deployment, (table) => attachMessage(table, id, first, undefined));
      for (const superseded of recorded.superseded)
        await reportStep(superseded, { kind: 'superseded' }, undefined, { superseded_by: id }, deployment.metrics);
      return first;
    },

    async onFinished(deployment, outcome, first, message) {
      const now = await notifier.follow(first, { state: message, standalone: message });
      await recording(deployment, (table) => recordDeployment(table, { ...deployment.facts, outcome, message: now ?? first }));
    },

    async onEcsEvent(facts, metrics) {
      const reports = await followEcsEvent(facts, { journal, evidence, log, metrics });
      await Promise.all(
        reports.map(async (report) => {
          if (report.kind === 'deployment_step')
            await reportStep(report.deployment, report.step, report.evidence, { event_id: facts.eventId }, metrics);
          else notifyLogged(notifier, log, ecsReportMessage(report), facts.eventId);
        }),
      );
      return reports;
    },
  };
}
