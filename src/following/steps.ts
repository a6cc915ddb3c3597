/**
 * What ECS later said of a deployment deploybridge started, as the follower reports it: its steps,
 * and the evidence of why its tasks failed. Types only (./evidence.ts reads the evidence).
 */
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
