/**
 * ECS's events about a deployment, applied to what deploybridge recorded of it. ECS reports each
 * deployment on its own: after the circuit breaker fails deployment D it starts a rollback
 * deployment R ("rolling back to deploymentId X") and reports R as COMPLETED — green, if taken on
 * its own. With the deployments table, D is marked failed and rolled back, R is recorded as D's
 * rollback, and R's completion is reported as D's rollback, never as a success.
 *
 * Every step is applied to the record once (a redelivered event changes nothing) and becomes a
 * `deployment_step` report; events about deployments deploybridge did not start (or without a
 * table) become `ecs_event` reports, as much as can be known statelessly. The follower
 * (./follower.ts) reports them.
 */
import { errorFields, isRetryableAwsError } from '../shared/errors.js';
import type { Log, MetricSink } from '../shared/observability.js';
import { MetricName } from '../shared/observability.js';
import { deployedTrigger } from '../triggers/trigger.js';
import type { EcsEventFacts, EcsEventName } from '../triggers/plan.js';
import type { DeploymentJournal, FollowedEcsDeployment, JournalEntry, Rollback } from './journal.js';
import { change, journalKeys, readDeployment, see, withEvent, type Decision, type Seen } from './records.js';
import type { DeploymentStep, EcsReport, EvidenceQuery, FailureEvidence } from './steps.js';

interface FollowContext {
  /** Without a table, events are reported statelessly. */
  journal: DeploymentJournal | undefined;
  /** Why tasks failed (best effort, bounded in time, never throws). */
  evidence(query: EvidenceQuery): Promise<FailureEvidence>;
  log: Log;
  metrics: MetricSink;
}

const ROLLBACK_REASON = /rolling back to deploymentId\s+(\S+?)\.?\s*$/i;

/**
 * The deployment a circuit-breaker rollback returns to, from ECS's reason ("ECS deployment circuit
 * breaker: rolling back to deploymentId ecs-svc/123."); undefined when the event is no rollback.
 */
function rollbackTarget(reason: string | undefined): { to: string } | undefined {
  const match = reason === undefined ? null : ROLLBACK_REASON.exec(reason);
  return match === null ? undefined : { to: match[1] as string };
}

const NEEDS_EVIDENCE = new Set<EcsEventName>(['SERVICE_DEPLOYMENT_FAILED', 'SERVICE_TASK_START_IMPAIRED']);

/** What to read of why the event's service fails: tasks of `deploymentId` first, none older than `since`. */
function evidenceQuery(facts: EcsEventFacts, deploymentId: string | undefined, since: string | undefined): EvidenceQuery {
  return { cluster: facts.cluster, service: facts.ecsService, deploymentId, since };
}

/** Milliseconds between two ISO times, never negative. */
function elapsed(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from)) || 0;
}

/** The event as it is reported without a record. */
async function stateless(
  facts: EcsEventFacts,
  context: FollowContext,
  rollback?: { phase: 'started' | 'completed'; to: string | undefined },
): Promise<EcsReport> {
  const started = rollback === undefined && facts.name === 'SERVICE_DEPLOYMENT_IN_PROGRESS' ? rollbackTarget(facts.reason) : undefined;
  const evidence = NEEDS_EVIDENCE.has(facts.name) ? await context.evidence(evidenceQuery(facts, facts.deploymentId, undefined)) : undefined;
  return {
    kind: 'ecs_event',
    event: facts.name,
    service: facts.service,
    ecsService: facts.ecsService,
    cluster: facts.cluster,
    region: facts.region,
    deploymentId: facts.deploymentId,
    reason: facts.reason,
    ...(rollback !== undefined ? { rollback } : started !== undefined ? { rollback: { phase: 'started' as const, to: started.to } } : {}),
    ...(evidence === undefined ? {} : { evidence }),
  };
}

type Applied = {
  deployment: FollowedEcsDeployment;
  step: DeploymentStep;
  counted: { failed?: boolean; succeeded?: boolean; rolledBack?: boolean };
};

/**
 * Applies `step` to the deployment stored under `id`, unless the event was applied already or `next` declines;
 * `seen`: what a read of it just found, if the caller read it.
 */
function stepOn(
  journal: DeploymentJournal,
  id: string,
  facts: EcsEventFacts,
  next: (before: FollowedEcsDeployment) => (Omit<Applied, 'deployment'> & { after: FollowedEcsDeployment }) | undefined,
  seen?: Seen,
): Promise<Applied | undefined> {
  return change(
    journal,
    journalKeys.deployment(id),
    (current): Decision<Applied> => {
      const before = current?.type === 'deployment' && current.deployment.target === 'ecs' ? current.deployment : undefined;
      if (before === undefined || before.events.includes(facts.eventId)) return undefined;
      const decided = next(before);
      if (decided === undefined) return undefined;
      const deployment = { ...decided.after, events: withEvent(before.events, facts.eventId) };
      return { entry: { type: 'deployment', deployment }, result: { deployment, step: decided.step, counted: decided.counted } };
    },
    seen,
  );
}

/** An event about a deployment deploybridge started. */
function ownStep(before: FollowedEcsDeployment, facts: EcsEventFacts) {
  switch (facts.name) {
    case 'SERVICE_DEPLOYMENT_IN_PROGRESS':
      return before.status === 'in_progress' ? { after: before, step: { kind: 'rolling_out' } as const, counted: {} } : undefined;
    case 'SERVICE_DEPLOYMENT_COMPLETED':
      // A superseded rollout that completed after all did complete.
      if (before.status !== 'in_progress' && before.status !== 'superseded') return undefined;
      return {
        after: { ...before, status: 'completed' as const, finishedAt: facts.time },
        step: { kind: 'completed', durationMs: elapsed(before.triggeredAt, facts.time) } as const,
        counted: { succeeded: true },
      };
    case 'SERVICE_DEPLOYMENT_FAILED':
      if (before.status === 'in_progress') {
        return {
          after: { ...before, status: 'failed' as const, failure: facts.reason, finishedAt: facts.time },
          step: { kind: 'failed', reason: facts.reason } as const,
          counted: { failed: true },
        };
      }
      // The rollback was reported first: the failure's reasons still belong in its thread.
      if (before.status === 'failed' && before.failure === undefined) {
        return { after: { ...before, failure: facts.reason }, step: { kind: 'failed', reason: facts.reason } as const, counted: {} };
      }
      return undefined;
    case 'SERVICE_TASK_START_IMPAIRED':
      return before.status === 'in_progress' ? { after: before, step: { kind: 'start_impaired' } as const, counted: {} } : undefined;
  }
}

/** Counts what a step means for the deployment's metrics, dimensioned by its trigger. */
function count(applied: Applied, facts: EcsEventFacts, metrics: MetricSink): void {
  const trigger = deployedTrigger(applied.deployment.trigger).kind;
  if (applied.counted.failed) metrics.ofDeployment(MetricName.DeploymentsFailed, trigger);
  if (applied.counted.rolledBack) metrics.ofDeployment(MetricName.DeploymentsRolledBack, trigger);
  if (applied.counted.succeeded) {
    metrics.ofDeployment(MetricName.DeploymentsSucceeded, trigger);
    metrics.ofDeployment(MetricName.DeploymentDuration, trigger, elapsed(applied.deployment.triggeredAt, facts.time), 'Milliseconds');
  }
}

/** The deployment deploybridge started last on the event's service, if it is still one to follow, and the read that found it. */
async function latestOwn(
  journal: DeploymentJournal,
  facts: EcsEventFacts,
): Promise<{ deployment: FollowedEcsDeployment; seen: Seen } | undefined> {
  const latest = await journal.read(journalKeys.latest(facts.cluster, facts.ecsService));
  if (latest?.entry.type !== 'latest') return undefined;
  const seen = await see(journal, journalKeys.deployment(latest.entry.deploymentId));
  const deployment = seen.stored?.entry.type === 'deployment' ? seen.stored.entry.deployment : undefined;
  return deployment?.target === 'ecs' ? { deployment, seen } : undefined;
}

/** A step of one of our deployments, with the reasons tasks failed when the step is a failure. */
async function stepReport(
  applied: Applied,
  facts: EcsEventFacts,
  context: FollowContext,
  evidenceFor: string | undefined,
): Promise<EcsReport> {
  const needsEvidence = applied.step.kind === 'failed' || applied.step.kind === 'start_impaired' || applied.step.kind === 'rollback_failed';
  const evidence = needsEvidence ? await context.evidence(evidenceQuery(facts, evidenceFor, applied.deployment.startedAt)) : undefined;
  return { kind: 'deployment_step', deployment: applied.deployment, step: applied.step, ...(evidence === undefined ? {} : { evidence }) };
}

/** A circuit-breaker rollback starts: the deployment it rolls back, if deploybridge started it, failed. `seen`: the rollback's key, as read. */
async function rollbackStarted(
  journal: DeploymentJournal,
  facts: EcsEventFacts & { deploymentId: string },
  to: string,
  context: FollowContext,
  seen: Seen,
): Promise<EcsReport[]> {
  const key = journalKeys.deployment(facts.deploymentId);
  const own = await latestOwn(journal, facts);
  const latest = own?.deployment;
  const failing =
    latest !== undefined &&
    latest.id !== to &&
    latest.id !== facts.deploymentId &&
    (latest.status === 'in_progress' || latest.status === 'failed') &&
    latest.rollback === undefined
      ? latest
      : undefined;
  const fresh: JournalEntry = { type: 'rollback', deploymentId: facts.deploymentId, rollbackOf: failing?.id, to, events: [facts.eventId] };
  let saw: JournalEntry | undefined;
  const created = await change(
    journal,
    key,
    (current): Decision<boolean> => {
      saw = current;
      return current === undefined ? { entry: fresh, result: true } : undefined;
    },
    seen,
  );
  // Recorded before (a redelivery, or a retry after a failure): finish what is left of it, as the decision saw it.
  const link = created ? fresh : saw;
  if (link?.type !== 'rollback') return [];
  if (link.rollbackOf === undefined) return created ? [await stateless(facts, context, { phase: 'started', to })] : [];
  const target = await readDeployment(journal, to);
  const applied = await stepOn(
    journal,
    link.rollbackOf,
    facts,
    (before) => {
      if (before.rollback !== undefined) return undefined;
      const toTaskDefinition = target?.target === 'ecs' ? target.taskDefinition : before.previousTaskDefinition;
      const rollback: Rollback = { deploymentId: facts.deploymentId, to, toTaskDefinition, status: 'in_progress' };
      return {
        after: { ...before, status: 'failed', finishedAt: before.finishedAt ?? facts.time, rollback },
        step: { kind: 'rolling_back' },
        counted: { failed: before.status === 'in_progress' },
      };
    },
    own?.seen,
  );
  if (applied === undefined) return [];
  count(applied, facts, context.metrics);
  return [await stepReport(applied, facts, context, undefined)];
}

/** An event about a rollback deployment that was recorded when it started (`seen`: the read that found it). */
async function rollbackStep(
  journal: DeploymentJournal,
  link: Extract<JournalEntry, { type: 'rollback' }>,
  facts: EcsEventFacts,
  context: FollowContext,
  seen: Seen,
): Promise<EcsReport[]> {
  if (facts.name === 'SERVICE_DEPLOYMENT_IN_PROGRESS' || link.events.includes(facts.eventId)) return [];
  await change(
    journal,
    journalKeys.deployment(link.deploymentId),
    (current): Decision<boolean> =>
      current?.type === 'rollback' ? { entry: { ...current, events: withEvent(current.events, facts.eventId) }, result: true } : undefined,
    seen,
  );
  const completed = facts.name === 'SERVICE_DEPLOYMENT_COMPLETED';
  if (link.rollbackOf === undefined) {
    return [await stateless(facts, context, completed ? { phase: 'completed', to: link.to } : undefined)];
  }
  if (!completed && facts.name !== 'SERVICE_DEPLOYMENT_FAILED') return [await stateless(facts, context)];
  const applied = await stepOn(journal, link.rollbackOf, facts, (before) => {
    if (before.rollback?.deploymentId !== link.deploymentId || before.rollback.status !== 'in_progress') return undefined;
    const rollback: Rollback = { ...before.rollback, status: completed ? 'completed' : 'failed' };
    return {
      after: { ...before, rollback },
      step: completed
        ? { kind: 'rolled_back', durationMs: elapsed(before.triggeredAt, facts.time) }
        : { kind: 'rollback_failed', reason: facts.reason },
      counted: { rolledBack: completed },
    };
  });
  if (applied === undefined) return [];
  count(applied, facts, context.metrics);
  return [await stepReport(applied, facts, context, link.deploymentId)];
}

/** The event as the deployments table explains it. */
async function correlated(journal: DeploymentJournal, facts: EcsEventFacts, context: FollowContext): Promise<EcsReport[]> {
  if (facts.deploymentId === undefined) {
    // A service action names no deployment: it concerns the one rolling out, if it is ours.
    const latest = await latestOwn(journal, facts);
    if (latest === undefined || latest.deployment.status !== 'in_progress') return [await stateless(facts, context)];
    const { id } = latest.deployment;
    const applied = await stepOn(journal, id, facts, (before) => ownStep(before, facts), latest.seen);
    return applied === undefined ? [] : [await stepReport(applied, facts, context, id)];
  }
  const seen = await see(journal, journalKeys.deployment(facts.deploymentId));
  const entry = seen.stored?.entry;
  if (entry?.type === 'deployment') {
    const applied = await stepOn(journal, facts.deploymentId, facts, (before) => ownStep(before, facts), seen);
    if (applied === undefined) {
      context.log.debug('ECS event changes nothing for this deployment (redelivered, or older than its state)', {
        event_id: facts.eventId,
        deployment_id: facts.deploymentId,
        ecs_event: facts.name,
      });
      return [];
    }
    count(applied, facts, context.metrics);
    return [await stepReport(applied, facts, context, facts.deploymentId)];
  }
  if (entry?.type === 'rollback') return rollbackStep(journal, entry, facts, context, seen);
  const rollback = facts.name === 'SERVICE_DEPLOYMENT_IN_PROGRESS' ? rollbackTarget(facts.reason) : undefined;
  if (rollback !== undefined) return rollbackStarted(journal, { ...facts, deploymentId: facts.deploymentId }, rollback.to, context, seen);
  const reports: EcsReport[] = [];
  if (facts.name === 'SERVICE_DEPLOYMENT_IN_PROGRESS') {
    // Someone else started a deployment of the service while ours was rolling out: ours will not finish.
    const latest = await latestOwn(journal, facts);
    if (latest !== undefined && latest.deployment.status === 'in_progress' && latest.deployment.startedAt < facts.time) {
      const superseded = await stepOn(
        journal,
        latest.deployment.id,
        facts,
        (before) =>
          before.status !== 'in_progress'
            ? undefined
            : {
                after: {
                  ...before,
                  status: 'superseded',
                  finishedAt: facts.time,
                  supersededBy: { deploymentId: facts.deploymentId as string, trigger: undefined },
                },
                step: { kind: 'superseded' },
                counted: {},
              },
        latest.seen,
      );
      if (superseded !== undefined) reports.push({ kind: 'deployment_step', deployment: superseded.deployment, step: superseded.step });
    }
  }
  reports.push(await stateless(facts, context));
  return reports;
}

/**
 * What an ECS event is reported as, after applying it to the deployments table. A table that
 * cannot be reached for a transient reason fails the invocation (Lambda retries it: a late message
 * beats a wrong one); a permanent problem (no such table, access denied) is logged and counted,
 * and the event is reported statelessly.
 *
 * @example
 * const reports = await followEcsEvent(facts, { journal, evidence, log, metrics });
 */
export async function followEcsEvent(facts: EcsEventFacts, context: FollowContext): Promise<EcsReport[]> {
  const { journal } = context;
  if (journal === undefined) return [await stateless(facts, context)];
  try {
    return await correlated(journal, facts, context);
  } catch (error) {
    if (isRetryableAwsError(error)) throw error;
    context.metrics.count(MetricName.DeploymentRecordsFailed);
    context.log.error('deployments table unavailable: ECS event reported without its deployment', {
      event_id: facts.eventId,
      deployment_id: facts.deploymentId,
      ...errorFields(error),
    });
    return [await stateless(facts, context)];
  }
}
