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
import { deploymentStepUpdate, ecsReportMessage, stepFields, stepLog, type FollowedButtons } from '../present/following.js';
import type { Notification } from '../present/notification.js';
import { errorFields } from '../shared/errors.js';
import { MetricName, type Log, type LogFields, type MetricSink } from '../shared/observability.js';
import { notifyLogged, openDeployment, type Notifier } from '../slack/notifier.js';
import type { TargetOutcome } from '../targets/contract.js';
import type { EcsEventFacts } from '../triggers/plan.js';
import type { Trigger } from '../triggers/trigger.js';
import {
  countCovered,
  createServiceClaims,
  settleClaim,
  type ClaimAsk,
  type ClaimClock,
  type ClaimOutcome,
  type ClaimTicket,
  type Covering,
} from './claims.js';
import { followEcsEvent } from './ecsEvents.js';
import type { DeploymentJournal, FollowedEcsDeployment, MessageRef } from './journal.js';
import { attachMessage, recordDeployment, type DeploymentFacts } from './records.js';
import type { DeploymentStep, EcsReport, EvidenceQuery, FailureEvidence } from './steps.js';
import { readFailureEvidence } from './evidence.js';

export interface FollowerParts {
  log: Log;
  notifier: Notifier;
  /** DEPLOYMENTS_TABLE: without it nothing is recorded, and ECS's events are reported statelessly. */
  journal: DeploymentJournal | undefined;
  /** The container's ECS client: why tasks failed is read with it, on first use. */
  ecs: () => Promise<ECSClient>;
  /** The time claims are judged by and waited on (./claims.ts); the system's unless a test gives one. */
  claimClock?: ClaimClock;
  /** What a deployment's message offers while in progress (with approvals: Roll back). */
  buttons?: FollowedButtons;
}

/** A deployment the deployer's reporter tells the follower about. */
export interface Reported {
  /** What its record is made of, besides its outcome and message. */
  facts: Omit<DeploymentFacts, 'outcome' | 'message'>;
  /** Its log fields: a failure to record it is logged with them. */
  fields: LogFields;
  /** Its metrics (a deployment of a batch counts under its own route). */
  metrics: MetricSink;
  /** Its claim of its target (./claims.ts), which its record settles. */
  claim?: ClaimTicket;
}

export interface Follower {
  /**
   * Claims a deployment's target before it starts (./claims.ts), or says which deployment covers
   * it. Undefined without the deployments table, or when the table cannot be reached (logged and
   * counted with `fields`): the deployment starts as it would without claims.
   */
  claim(ask: ClaimAsk, fields: LogFields, metrics: MetricSink): Promise<ClaimOutcome | undefined>;
  /** Gives a claim back: its deployment did not start. A failure is logged and counted, never thrown. */
  release(deployment: Reported, ticket: ClaimTicket): Promise<void>;
  /**
   * A deployment that does not start because `by` covers its `changes` changes (`trigger`): counted
   * on the covering deployment's record once (a redelivery adds nothing) and told in its thread.
   */
  onCovered(deployment: Reported, by: Covering, changes: number, trigger: Trigger): Promise<void>;
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
export function createFollower({ log, notifier, journal, ecs, claimClock, buttons = {} }: FollowerParts): Follower {
  const claims =
    journal === undefined ? undefined : createServiceClaims({ journal, ...(claimClock === undefined ? {} : { clock: claimClock }) });
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
    const now = await notifier.follow(deployment.message, deploymentStepUpdate(deployment, step, evidence, buttons));
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

  /** Settles the deployment's claim with its record (undefined: given back); later batches wait for it. */
  const settle = async (deployment: Reported, recordId: string | undefined): Promise<void> => {
    const { claim } = deployment;
    if (claim !== undefined) await recording(deployment, (table) => settleClaim(table, claim, recordId));
  };

  return {
    async claim(ask, fields, metrics) {
      if (claims === undefined) return undefined;
      try {
        return await claims.claim(ask);
      } catch (error) {
        metrics.count(MetricName.DeploymentRecordsFailed);
        log.error('deployment claim not recorded: it starts without one, as without the deployments table', {
          ...fields,
          ...errorFields(error),
        });
        return undefined;
      }
    },

    release: (deployment, ticket) => settle({ ...deployment, claim: ticket }, undefined),

    async onCovered(deployment, by, changes, trigger) {
      const counted = await recording(deployment, (table) => countCovered(table, by.deployment.id, changes, deployment.facts.eventId));
      if (counted?.target !== 'ecs') return;
      await reportStep(counted, { kind: 'covered', changes, trigger }, undefined, deployment.fields, deployment.metrics);
    },

    async onStarted(deployment, outcome, message) {
      const recorded = await recording(deployment, (table) =>
        recordDeployment(table, { ...deployment.facts, outcome, message: undefined }),
      );
      await settle(deployment, recorded?.deployment.id);
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
