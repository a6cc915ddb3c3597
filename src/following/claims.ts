/**
 * Claims: one deployment per service however many batches (or events) a burst becomes. A change
 * needs a deployment of its own only if no deployment of its target that deploybridge started, and
 * that is still in progress or completed, began after it: the tasks (execution environments) such
 * a deployment starts already read the new parameter or env file, and run the pushed image when
 * the deployment carries it.
 *
 * So before its first write to AWS a deployment claims its target in the deployments table, with
 * one conditional write recording when it starts and what it carries (src/triggers/requests.ts
 * `carried`). A deployment that finds a claim:
 * - whose deployment started after every one of its changes (EventBridge's `time` is to the second:
 *   a change in the same second as the start is not covered), carries all it carries, and is still
 *   in progress or completed (its record says: failed, rolled back or superseded do not cover), is
 *   covered by it and does not start;
 * - that is being started in another invocation, waits until it started (a few reads), then
 *   decides as above: of two racing deployments one claims, and the other is covered or starts
 *   after it; a claim whose holder's invocation ended while starting was abandoned;
 * - otherwise claims the target itself, replacing the claim it found.
 * The holder settles its claim: started (the follower, once it recorded the deployment), or given
 * back (its deployment did not start): the claim it replaced holds again.
 */
import { randomUUID } from 'node:crypto';
import { CLAIM_DEFAULTS, FOLLOW_DEFAULTS } from '../config/constants.js';
import { TransientDeploymentError } from '../shared/errors.js';
import { sleep } from '../shared/retry.js';
import { carriesAll, type Carried } from '../triggers/requests.js';
import type { DeploymentJournal, FollowedDeployment, JournalEntry, ServiceClaim } from './journal.js';
import { change, journalKeys, readDeployment, see, withEvent, type Decision, type Seen } from './records.js';

/** The time claims are judged by, and waited on. */
export interface ClaimClock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const SYSTEM_CLOCK: ClaimClock = { now: () => Date.now(), sleep };

/** A claim its holder settles. */
export interface ClaimTicket {
  key: string;
  /** The claim as written, and the version it was written at: settling it reads nothing when nobody wrote since. */
  claim: ServiceClaim;
  version: number;
  /** The claim it replaced: it holds again if this one's deployment does not start. */
  replaced: ServiceClaim | undefined;
}

/** A deployment about to start, as it claims its target. */
export interface ClaimAsk {
  /** Its target (src/triggers/requests.ts `deploymentKey`). */
  target: string;
  carried: Carried;
  /** ISO 8601: when its latest change happened. */
  changedAt: string;
  /** How long its invocation holds a claim being started: after that, the claim was abandoned. */
  leaseMs: number;
  /** How long it may wait for a claim being started in another invocation. */
  waitMs: number;
}

/** What covers a deployment that does not start: a deployment deploybridge started after its changes, still in progress or completed. */
export interface Covering {
  claim: Extract<ServiceClaim, { state: 'started' }>;
  deployment: FollowedDeployment;
}

export type ClaimOutcome =
  | { kind: 'claimed'; ticket: ClaimTicket }
  | { kind: 'covered'; by: Covering }
  /** Another invocation is still starting a deployment of the target after `waitMs`. */
  | { kind: 'busy'; claim: ServiceClaim };

export interface ServiceClaims {
  /** Claims the deployment's target, or says what covers it, or that it is being deployed elsewhere. */
  claim(ask: ClaimAsk): Promise<ClaimOutcome>;
  /** Gives a claim back: its deployment did not start, and the claim it replaced holds again. Nothing changes when the claim is no longer its holder's. */
  release(ticket: ClaimTicket): Promise<void>;
}

export interface ServiceClaimsParts {
  journal: DeploymentJournal;
  clock?: ClaimClock;
  /** First wait between reads of a claim being started elsewhere; doubles up to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
}

/** What a deployment makes of the claim it found. */
type Verdict = { kind: 'take' } | { kind: 'wait'; claim: ServiceClaim } | { kind: 'covered'; by: Covering };

/** Same second or later: the change may have happened after the start. */
const SECOND_MS = 1000;

/** The claim an entry holds, if it is one. */
function claimOf(entry: JournalEntry | undefined): ServiceClaim | undefined {
  return entry?.type === 'claim' ? entry.claim : undefined;
}

/** A deployment deploybridge started still covers what began before it while it is in progress or once it completed. */
function stillCovers(deployment: FollowedDeployment | undefined): deployment is FollowedDeployment {
  return deployment?.status === 'in_progress' || deployment?.status === 'completed';
}

/**
 * Whether a deployment that started at `startedAt` began after a change made at `changedAt`:
 * EventBridge's `time` is to the second, so the change may have happened up to a second later.
 *
 * @example
 * beganAfter('2026-03-02T10:00:06.000Z', '2026-03-02T10:00:05Z'); // true
 * beganAfter('2026-03-02T10:00:05.900Z', '2026-03-02T10:00:05Z'); // false: the same second
 */
export function beganAfter(startedAt: string, changedAt: string): boolean {
  return Date.parse(changedAt) + SECOND_MS <= Date.parse(startedAt);
}

/** What a deployment makes of `claim` (a claim `started` is judged with its deployment's record). */
async function judge(journal: DeploymentJournal, claim: ServiceClaim | undefined, ask: ClaimAsk, now: number): Promise<Verdict> {
  if (claim === undefined) return { kind: 'take' };
  const covers = carriesAll(claim.carried, ask.carried);
  switch (claim.state) {
    case 'released':
      return { kind: 'take' };
    case 'starting':
      return Date.parse(claim.leaseEndsAt) > now ? { kind: 'wait', claim } : { kind: 'take' };
    case 'started': {
      if (!covers || !beganAfter(claim.startedAt, ask.changedAt)) return { kind: 'take' };
      const deployment = await readDeployment(journal, claim.deploymentId);
      return stillCovers(deployment) ? { kind: 'covered', by: { claim, deployment } } : { kind: 'take' };
    }
  }
}

/**
 * Claims on the deployments table.
 *
 * @example
 * const claims = createServiceClaims({ journal });
 * const outcome = await claims.claim({ target: 'ecs:myproject_cluster_dev/myproject_service_api_dev', carried, changedAt, leaseMs, waitMs });
 * // { kind: 'claimed', ticket } — or { kind: 'covered', by: { claim, deployment } }
 */
export function createServiceClaims({
  journal,
  clock = SYSTEM_CLOCK,
  pollMs = CLAIM_DEFAULTS.pollMs,
  maxPollMs = CLAIM_DEFAULTS.maxPollMs,
}: ServiceClaimsParts): ServiceClaims {
  return {
    async claim(ask) {
      const key = journalKeys.claim(ask.target);
      const waitUntil = clock.now() + ask.waitMs;
      let delay = pollMs;
      for (let raced = 0; raced < FOLLOW_DEFAULTS.writeAttempts; ) {
        const seen = await see(journal, key);
        const found = claimOf(seen.stored?.entry);
        const now = clock.now();
        const verdict = await judge(journal, found, ask, now);
        if (verdict.kind === 'covered') return { kind: 'covered', by: verdict.by };
        if (verdict.kind === 'wait') {
          if (now + delay > waitUntil) return { kind: 'busy', claim: verdict.claim };
          await clock.sleep(delay);
          delay = Math.min(delay * 2, maxPollMs);
          continue;
        }
        const mine: ServiceClaim = {
          id: randomUUID(),
          startedAt: new Date(now).toISOString(),
          carried: ask.carried,
          state: 'starting',
          leaseEndsAt: new Date(now + ask.leaseMs).toISOString(),
        };
        // Written only over the entry judged (its version): if another invocation wrote meanwhile, it is judged again.
        const expected = seen.stored?.version;
        if (await journal.write(key, { type: 'claim', claim: mine }, expected))
          return { kind: 'claimed', ticket: { key, claim: mine, version: (expected ?? 0) + 1, replaced: found } };
        raced++;
      }
      // Losing every race is contention, not a bug.
      throw new TransientDeploymentError(`deployments table: ${key} kept changing under ${FOLLOW_DEFAULTS.writeAttempts} claims`);
    },

    release: (ticket) => settleClaim(journal, ticket, undefined),
  };
}

/**
 * Settles a claim still being started, if it is still the holder's: started, with the record of its
 * deployment (`deploymentId`); or, undefined, given back (it did not start, or is not recorded): the
 * claim it replaced holds again.
 *
 * @example
 * await settleClaim(journal, ticket, 'ecs-svc/1234567890123456789');
 */
export async function settleClaim(journal: DeploymentJournal, ticket: ClaimTicket, deploymentId: string | undefined): Promise<void> {
  const written: Seen = { key: ticket.key, stored: { entry: { type: 'claim', claim: ticket.claim }, version: ticket.version } };
  const decide = (current: JournalEntry | undefined): Decision<true> => {
    const claim = claimOf(current);
    if (claim?.id !== ticket.claim.id || claim.state !== 'starting') return undefined;
    const { id, startedAt, carried } = claim;
    const settled: ServiceClaim =
      deploymentId !== undefined
        ? { id, startedAt, carried, state: 'started', deploymentId }
        : (ticket.replaced ?? { id, startedAt, carried, state: 'released' });
    return { entry: { type: 'claim', claim: settled }, result: true };
  };
  await change(journal, ticket.key, decide, written);
}

/**
 * Counts `changes` more changes a deployment covers, once per covered deployment (`marker`: the
 * event it would have deployed, so a redelivered batch counts nothing twice). Resolves with the
 * record after the change, or undefined when it is gone or counted them already.
 *
 * @example
 * await countCovered(journal, 'ecs-svc/1234567890123456789', 84, '00000000-0000-4000-8000-000000000101');
 */
export async function countCovered(
  journal: DeploymentJournal,
  deploymentId: string,
  changes: number,
  marker: string,
): Promise<FollowedDeployment | undefined> {
  const seenMarker = `covered:${marker}`;
  return change(journal, journalKeys.deployment(deploymentId), (current) => {
    if (current?.type !== 'deployment' || current.deployment.events.includes(seenMarker)) return undefined;
    const before = current.deployment;
    const deployment = { ...before, covered: (before.covered ?? 0) + changes, events: withEvent(before.events, seenMarker) };
    return { entry: { type: 'deployment', deployment }, result: deployment };
  });
}
