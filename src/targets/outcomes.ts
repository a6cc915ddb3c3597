/**
 * What each kind of target says of a deployment, as the contract (./contract.ts) carries it and
 * the words (src/present/) read it: what it will deploy (a preview, known from the reads), a
 * rollout that started and runs on, a deployment that finished, and where a failed one got to.
 * Types only. Adding a target: its own types here, each joining its union in the contract.
 */
/** What an ECS deployment will deploy, known before any change. */
export interface EcsPreview {
  target: 'ecs';
  /** Absent for a restart, which keeps the revision the service runs. */
  taskDefinition: string | undefined;
}

/** What a Lambda deployment starts from and goes to, known from its reads. */
export interface LambdaPreview {
  target: 'lambda';
  functionName: string;
  alias: string | undefined;
  /** The version the alias points to now (`$LATEST` without an alias). */
  fromVersion: string;
  /** The version it will point to; "(new version)" when it is yet to be published. */
  toVersion: string;
}

/** An ECS rollout that started: its completion is reported later, from ECS's own events. */
export interface EcsRollout {
  target: 'ecs';
  /** The task definition ECS resolved (the ARN of a revision). */
  taskDefinition: string;
  /** The new PRIMARY deployment. */
  deploymentId: string | undefined;
  /** The revision the service ran before (the ACTIVE deployment with the most running tasks), when ECS says. */
  previousTaskDefinition: string | undefined;
  /** Deployments that were still rolling out when this one replaced them (ECS: ACTIVE, rollout not completed). */
  supersedes: string[];
}

/** What a deployment's smoke test came to. */
export type SmokeTestOutcome = 'passed' | 'not_configured' | 'skipped';

/** A Lambda deployment that finished. */
export interface LambdaRelease {
  target: 'lambda';
  functionName: string;
  alias: string | undefined;
  /** The version the alias pointed to before (or `$LATEST` without an alias). */
  fromVersion: string;
  /** The version the alias points to now (or `$LATEST`). */
  toVersion: string;
  smokeTest: SmokeTestOutcome;
  /** Why nothing moved, or that the alias moved back. */
  note?: 'already_published' | 'already_on_version' | 'rolled_back';
  /** For an image update: the image Lambda resolved, and the digests when the tag moved on since the push. */
  image?: { configured: string; resolved: string; movedOn?: { resolvedDigest: string; pushedDigest: string } };
}

/** Where a failed Lambda deployment got to, so people know what traffic sees now. */
export interface LambdaProgress {
  target: 'lambda';
  fromVersion: string | undefined;
  /** A version published for this deployment (or the one a promote or rollback was moving to). */
  toVersion: string | undefined;
  /** `$LATEST` already holds the change (it cannot be taken back without an alias). */
  latestChanged: boolean;
}
