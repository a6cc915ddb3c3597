/**
 * The one contract between the deployer and a deployment target (src/targets/<kind>/). A target
 * receives a typed request and a context (deadline, abort signal, a log bound to the deployment)
 * and returns typed outcomes; it never writes Slack wording and never calls back into the deployer.
 *
 * A deployment is two steps:
 * 1. `prepare` makes the reads and decides the calls that would follow. A dry run ends here: the
 *    deployer describes {@link PreparedDeployment.calls} and returns.
 * 2. `apply` makes those calls and says what came of them.
 *
 * Adding a target: its request and outcome types in src/triggers/plan.ts, its module here, its loader in
 * src/targets/registry.ts, its wording in src/present/ (identity.ts, deployments.ts). The deployer does not change.
 */
import type { Log, MetricSink } from '../shared/observability.js';
import type { DeploymentPreview, DeploymentRequest, TargetKind, TargetOutcome } from '../triggers/plan.js';

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
  /** Reads what the deployment needs; never changes AWS. May throw (a failed read is a failed attempt). */
  prepare(request: R, context: TargetContext): Promise<PreparedDeployment>;
}

/** The targets of one container by kind, each created on first use so a route loads only the SDK clients it needs. */
export type TargetRegistry = { readonly [K in TargetKind]: () => Promise<Target<Extract<DeploymentRequest, { target: K }>>> };
