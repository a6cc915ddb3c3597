/**
 * Reading and changing the deployments table: its keys, a read-change-write loop that survives
 * concurrent invocations, and the record of a deployment deploybridge started.
 */
import { FOLLOW_DEFAULTS } from '../config/constants.js';
import { TransientDeploymentError } from '../shared/errors.js';
import type { TargetOutcome } from '../targets/contract.js';
import type { DeploymentRequest } from '../triggers/requests.js';
import type {
  DeploymentJournal,
  FollowedDeployment,
  FollowedEcsDeployment,
  JournalEntry,
  MessageRef,
  ReleaseStepRef,
  VersionedEntry,
} from './journal.js';

/** The table's keys. */
export const journalKeys = {
  /** A deployment (or a rollback deployment) by its id. */
  deployment: (id: string) => `deployment#${id}`,
  /** The deployment deploybridge started last on an ECS service. */
  latest: (cluster: string, service: string) => `service#${cluster}/${service}`,
  /** A release of RELEASE_CONFIG. */
  release: (id: string) => `release#${id}`,
  /** The releases not yet over. */
  openReleases: 'releases#open',
  /** Who deploys a target (`ecs:{cluster}/{service}`, `lambda:{function}:{alias}`) next. */
  claim: (target: string) => `claim#${target}`,
};

/** What a change decided: the entry to write and what to tell the caller. */
export type Decision<R> = { entry: JournalEntry; result: R } | undefined;

/** What a read of `key` found (`stored` undefined: nothing), for a change of that key to start from. */
export interface Seen {
  key: string;
  stored: VersionedEntry | undefined;
}

/**
 * Reads `key`, remembering what was found.
 *
 * @example
 * const seen = await see(journal, journalKeys.deployment('ecs-svc/1234567890123456789'));
 */
export async function see(journal: DeploymentJournal, key: string): Promise<Seen> {
  return { key, stored: await journal.read(key) };
}

/**
 * Reads `key`, lets `decide` compute the new entry, and writes it if nobody wrote meanwhile;
 * otherwise reads again and decides again. Resolves with the decision's result, or undefined when
 * `decide` declined (nothing to change). Given what a read of the same key just found (`seen`; one
 * of another key is ignored), the first attempt decides on that instead of reading again: the
 * write is still conditional on the version seen, so an entry changed since costs one more
 * attempt, as a race does.
 *
 * @example
 * await change(journal, journalKeys.latest('c', 's'), () => ({ entry: { type: 'latest', deploymentId }, result: true }));
 */
export async function change<R>(
  journal: DeploymentJournal,
  key: string,
  decide: (current: JournalEntry | undefined) => Decision<R>,
  seen?: Seen,
): Promise<R | undefined> {
  for (let attempt = 1; attempt <= FOLLOW_DEFAULTS.writeAttempts; attempt++) {
    const current = attempt === 1 && seen?.key === key ? seen.stored : await journal.read(key);
    const decision = decide(current?.entry);
    if (decision === undefined) return undefined;
    if (await journal.write(key, decision.entry, current?.version)) return decision.result;
  }
  // Losing every race is contention, not a bug: the invocation is retried.
  throw new TransientDeploymentError(`deployments table: ${key} kept changing under ${FOLLOW_DEFAULTS.writeAttempts} attempts to write it`);
}

/**
 * The deployment stored under `id`, if it is one deploybridge started.
 *
 * @example
 * const deployment = await readDeployment(journal, 'ecs-svc/1234567890123456789');
 */
export async function readDeployment(journal: DeploymentJournal, id: string): Promise<FollowedDeployment | undefined> {
  const stored = await journal.read(journalKeys.deployment(id));
  return stored?.entry.type === 'deployment' ? stored.entry.deployment : undefined;
}

/**
 * Adds an event id to the ones a record remembers (the last few).
 *
 * @example
 * withEvent(['e1'], 'e2'); // ['e1', 'e2']
 */
export function withEvent(events: readonly string[], eventId: string): string[] {
  return [...events, eventId].slice(-FOLLOW_DEFAULTS.eventsKept);
}

/** What is known of a deployment when it started (ECS) or finished (Lambda). */
export interface DeploymentFacts {
  request: DeploymentRequest;
  outcome: TargetOutcome;
  eventId: string;
  region: string;
  /** ISO 8601 times: the trigger's event, and when deploybridge started the deployment. */
  triggeredAt: string;
  startedAt: string;
  message: MessageRef | undefined;
  /** The step of a release it is. */
  release?: ReleaseStepRef;
}

/** A deployment as recorded, and the deployments it superseded (their records after the change). */
export interface Recorded {
  deployment: FollowedDeployment;
  superseded: FollowedEcsDeployment[];
}

/** The record of a deployment, from what its request and outcome say; undefined when there is nothing to keep. */
function followed(facts: DeploymentFacts): FollowedDeployment | undefined {
  const { request, outcome } = facts;
  const common = {
    service: request.service,
    region: facts.region,
    trigger: request.trigger,
    eventId: facts.eventId,
    triggeredAt: facts.triggeredAt,
    startedAt: facts.startedAt,
    ...(facts.message === undefined ? {} : { message: facts.message }),
    events: [facts.eventId],
    ...(request.approval === undefined ? {} : { approval: request.approval }),
  };
  if (request.target === 'ecs') {
    if (outcome.status !== 'started' || outcome.result.deploymentId === undefined) return undefined;
    const rollout = outcome.result;
    return {
      ...common,
      target: 'ecs',
      id: rollout.deploymentId as string,
      resource: request.ecs.service,
      cluster: request.ecs.cluster,
      taskDefinition: rollout.taskDefinition,
      previousTaskDefinition: rollout.previousTaskDefinition,
      status: 'in_progress',
      ...(facts.release === undefined ? {} : { release: facts.release }),
    };
  }
  // Another kind of target is not kept (its messages still go out), nor a Lambda deployment that did not end.
  if (request.target !== 'lambda' || outcome.status === 'started') return undefined;
  const versions =
    outcome.status === 'succeeded'
      ? outcome.result
      : { fromVersion: outcome.progress?.fromVersion, toVersion: outcome.progress?.toVersion };
  return {
    ...common,
    target: 'lambda',
    id: `lambda:${request.lambda.functionName}:${facts.eventId}`,
    resource: request.lambda.functionName,
    alias: request.lambda.alias,
    fromVersion: versions.fromVersion,
    toVersion: versions.toVersion,
    status: outcome.status === 'succeeded' ? 'completed' : 'failed',
    finishedAt: new Date().toISOString(),
  };
}

/**
 * Records a deployment: an ECS rollout that started (keyed by its deployment id; the rollouts it
 * replaced before they finished are marked superseded, and it becomes the service's latest) or a
 * Lambda deployment that finished. Undefined when there is nothing to follow (an ECS failure
 * before a rollout started, a rollout without a deployment id).
 *
 * @example
 * const recorded = await recordDeployment(journal, { request, outcome, eventId, region, triggeredAt, startedAt, message: undefined });
 */
export async function recordDeployment(journal: DeploymentJournal, facts: DeploymentFacts): Promise<Recorded | undefined> {
  const deployment = followed(facts);
  if (deployment === undefined) return undefined;
  await change(journal, journalKeys.deployment(deployment.id), (current) =>
    current === undefined ? { entry: { type: 'deployment', deployment }, result: true } : undefined,
  );
  if (deployment.target !== 'ecs' || facts.outcome.status !== 'started') return { deployment, superseded: [] };
  const superseded: FollowedEcsDeployment[] = [];
  // The rollouts this one replaced before they finished: ECS will not complete them.
  for (const id of facts.outcome.result.supersedes) {
    const marked = await change(journal, journalKeys.deployment(id), (current) => {
      const before = current?.type === 'deployment' ? current.deployment : undefined;
      if (before?.target !== 'ecs' || before.status !== 'in_progress') return undefined;
      const after: FollowedEcsDeployment = {
        ...before,
        status: 'superseded',
        finishedAt: deployment.startedAt,
        supersededBy: { deploymentId: deployment.id, trigger: deployment.trigger },
      };
      return { entry: { type: 'deployment', deployment: after }, result: after };
    });
    if (marked !== undefined) superseded.push(marked);
  }
  await change(journal, journalKeys.latest(deployment.cluster, deployment.resource), () => ({
    entry: { type: 'latest', deploymentId: deployment.id },
    result: true,
  }));
  return { deployment, superseded };
}

/**
 * Remembers where a deployment's Slack message is now, if its record still knows the one it
 * replaces (`replaced`; undefined: none): a later step starts from it.
 *
 * @example
 * await attachMessage(journal, 'ecs-svc/1234567890123456789', { channel: 'C0123456789', ts: '1712345678.000100' }, undefined);
 */
export async function attachMessage(
  journal: DeploymentJournal,
  id: string,
  message: MessageRef,
  replaced: MessageRef | undefined,
): Promise<void> {
  await change(journal, journalKeys.deployment(id), (current) => {
    if (current?.type !== 'deployment' || current.deployment.message?.ts !== replaced?.ts || replaced?.ts === message.ts) return undefined;
    return { entry: { type: 'deployment', deployment: { ...current.deployment, message } }, result: true };
  });
}

/**
 * Changes the record of an ECS deployment deploybridge started, when `amend` says how (undefined:
 * leave it). Resolves with the record after the change, or undefined.
 *
 * @example
 * await amendEcsDeployment(journal, 'ecs-svc/123', (d) => ({ ...d, stoppedBy: { by, at } }));
 */
export async function amendEcsDeployment(
  journal: DeploymentJournal,
  id: string,
  amend: (deployment: FollowedEcsDeployment) => FollowedEcsDeployment | undefined,
): Promise<FollowedEcsDeployment | undefined> {
  return change(journal, journalKeys.deployment(id), (current): Decision<FollowedEcsDeployment> => {
    const before = current?.type === 'deployment' && current.deployment.target === 'ecs' ? current.deployment : undefined;
    const after = before === undefined ? undefined : amend(before);
    return after === undefined ? undefined : { entry: { type: 'deployment', deployment: after }, result: after };
  });
}

/**
 * The deployment deploybridge follows on an ECS service, while it is in progress.
 *
 * @example
 * await followedInProgress(journal, 'myproject_cluster_dev', 'myproject_service_api_dev'); // { id: 'ecs-svc/…', message, … }
 */
export async function followedInProgress(
  journal: DeploymentJournal | undefined,
  cluster: string,
  ecsService: string,
): Promise<FollowedEcsDeployment | undefined> {
  if (journal === undefined) return undefined;
  const latest = await journal.read(journalKeys.latest(cluster, ecsService));
  if (latest?.entry.type !== 'latest') return undefined;
  const deployment = await readDeployment(journal, latest.entry.deploymentId);
  return deployment?.target === 'ecs' && deployment.status === 'in_progress' ? deployment : undefined;
}
