/**
 * What ECS later said of a deployment deploybridge started, as the follower reports it: its steps,
 * and the evidence of why its tasks failed. Types only (./evidence.ts reads the evidence).
 */
import type { EcsEventName } from '../triggers/plan.js';
import type { Trigger } from '../triggers/trigger.js';
import type { FollowedEcsDeployment } from './journal.js';

/** What happened to a followed deployment. */
export type DeploymentStep =
  | { kind: 'rolling_out' }
  | { kind: 'completed'; durationMs: number }
  | { kind: 'failed'; reason: string | undefined }
  | { kind: 'start_impaired' }
  | { kind: 'rolling_back' }
  | { kind: 'rolled_back'; durationMs: number }
  | { kind: 'rollback_failed'; reason: string | undefined }
  | { kind: 'superseded' }
  /** `changes` more changes (`trigger` says which), made before it started, are deployed by it instead of by a deployment of their own. */
  | { kind: 'covered'; changes: number; trigger: Trigger };

/** A task of the service that stopped, as ECS describes it. */
export interface StoppedTask {
  taskArn: string;
  /** A service's tasks are started by their deployment: `ecs-svc/…`. */
  startedBy: string | undefined;
  stopCode: string | undefined;
  stoppedReason: string | undefined;
  stoppedAt: string | undefined;
  containers: Array<{ name: string; reason: string | undefined; exitCode: number | undefined }>;
}

/** What ECS can tell about why tasks failed: recently stopped tasks and the service's latest events. */
export interface FailureEvidence {
  /** Most relevant first: tasks of the deployment, then the latest. */
  stoppedTasks: StoppedTask[];
  /** Newest first. */
  serviceEvents: Array<{ createdAt: string | undefined; message: string }>;
  /** Reads that failed or ran out of time (best effort: the notification goes out anyway). */
  unavailable: string[];
}

/** Which service's failure to explain, and from when. */
export interface EvidenceQuery {
  cluster: string;
  service: string;
  /** Tasks this deployment started are shown first. */
  deploymentId: string | undefined;
  /** Tasks stopped and events logged before this time (ISO 8601) are older news. */
  since: string | undefined;
}

/** What the follower reports of an ECS event. */
export type EcsReport =
  /**
   * ECS reports a deployment's state or a service action, for a deployment deploybridge has no
   * record of (started by someone else, or no DEPLOYMENTS_TABLE).
   */
  | {
      kind: 'ecs_event';
      event: EcsEventName;
      service: string;
      ecsService: string;
      cluster: string;
      region: string;
      deploymentId: string | undefined;
      reason: string | undefined;
      /** The deployment is a circuit-breaker rollback (`to`: the deployment it rolls back to), starting or, when recorded, completed. */
      rollback?: { phase: 'started' | 'completed'; to: string | undefined };
      /** Why tasks failed, on a failure or impaired task start (best effort). */
      evidence?: FailureEvidence;
    }
  /** A deployment deploybridge started moved on: `deployment` is its record after the step. */
  | { kind: 'deployment_step'; deployment: FollowedEcsDeployment; step: DeploymentStep; evidence?: FailureEvidence };
