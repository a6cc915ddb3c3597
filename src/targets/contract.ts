/**
 * Deployment targets: what a deployment does to AWS, one module per kind (./ecs.ts, ./lambda/),
 * each created on first use by ./registry.ts, behind this one contract with the deployer. A target
 * receives a typed request and a context (deadline, abort signal, a log bound to the deployment)
 * and returns typed outcomes (./outcomes.ts); it never writes wording and never calls back into
 * the deployer. Its outcome says itself what comes next: a rollout that `started` runs on and is
 * followed (src/following/), a deployment that `succeeded` is over.
 *
 * A deployment is two steps:
 * 1. `prepare` makes the reads and decides the calls that would follow. A dry run ends here: the
 *    deployer describes {@link PreparedDeployment.calls} and returns.
 * 2. `apply` makes those calls and says what came of them.
 *
 * Adding a target: its request type in src/triggers/requests.ts, its previews and outcomes in
 * ./outcomes.ts, its module here, its loader in ./registry.ts, its words in src/present/
 * (identity.ts, deployments.ts; a kind they do not know is shown by its outcome's own fields).
 * The deployer does not change.
 */
import type { Log, MetricSink } from '../shared/observability.js';
import type { Carried, DeploymentRequest, TargetKind } from '../triggers/requests.js';
import type { EcsPreview, EcsRollout, LambdaPreview, LambdaProgress, LambdaRelease } from './outcomes.js';

/** What a deployment will deploy, known from its reads, by kind of target. */
export type DeploymentPreview = EcsPreview | LambdaPreview;

/** A deployment that started and runs on: its end is reported later, from what ECS says of it. */
export type Rollout = EcsRollout;

/** A deployment that finished inside the invocation. */
export type Release = LambdaRelease;

/** Where a failed deployment got to, when its target can say. */
export type Progress = LambdaProgress;

/** What one attempt at a deployment came to. */
export type TargetOutcome =
  /** The change is made and runs on (ECS: a rollout); its end is reported later, from what ECS says of it. */
  | { status: 'started'; result: Rollout }
  /** The deployment finished inside the invocation (Lambda). */
  | { status: 'succeeded'; result: Release }
  /** It failed; `cause` is the error, `progress` says where it got to when the target knows. */
  | { status: 'failed'; cause: unknown; retryable: boolean; progress?: Progress };

/** How one call that meets a conflict is retried: backoff from `baseMs`, doubling, at most `maxRetries` times. */
export interface ConflictRetry {
  baseMs: number;
  maxRetries: number;
}

/** What a target may use during one attempt. */
export interface TargetContext {
  /** Aborts when the deployment's time is up. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds by which the deployment must be over. */
  readonly deadline: number;
  /** Log lines carry the deployment's fields. */
  readonly log: Log;
  readonly metrics: MetricSink;
  /** One line naming the trigger, for descriptions the target writes to AWS (version and alias descriptions). */
  readonly trigger: string;
  readonly conflictRetry: ConflictRetry;
}

/** A deployment whose reads are done: what it would do, and how to do it. */
export type PreparedDeployment = {
  /** What the deployment starts from and goes to. */
  readonly preview: DeploymentPreview;
  /** The calls that would change AWS, in order, described for people. */
  readonly calls: readonly string[];
} & (
  | {
      readonly settled?: undefined;
      /** Makes the calls. Never throws: a failure is an outcome. */
      apply(): Promise<TargetOutcome>;
    }
  | {
      /** The reads already decided the outcome: nothing to change, or nothing that can be done. */
      readonly settled: TargetOutcome;
    }
);

/** A deployment target. */
export interface Target<R extends DeploymentRequest = DeploymentRequest> {
  /**
   * True when {@link PreparedDeployment.apply} returns only once the deployment is over (Lambda):
   * its start is announced before applying and its success reported after. Otherwise (ECS) apply
   * starts a rollout and its outcome is the announcement.
   */
  readonly reportsCompletion: boolean;
  /**
   * What a deployment that runs on after `apply` claims (src/following/claims.ts): its target's
   * key, and what it carries, so a later change made before it started is deployed by it instead
   * of again. Absent: the target's deployments do not claim.
   */
  claimOf?(request: R): { target: string; carried: Carried };
  /** Reads what the deployment needs; never changes AWS. May throw (a failed read is a failed attempt). */
  prepare(request: R, context: TargetContext): Promise<PreparedDeployment>;
}

/** The targets of one container by kind, each created on first use so a route loads only the SDK clients it needs. */
export type TargetRegistry = { readonly [K in TargetKind]: () => Promise<Target<Extract<DeploymentRequest, { target: K }>>> };
