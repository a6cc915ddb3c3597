/**
 * A plan is what one event asks for: deployments to make, services skipped (with why), and
 * notifications to send. Handlers build plans; the deployer carries them out.
 */
import type { SmokeTest } from './config.js';
import type { EcsNames } from './naming.js';

/** The routes an event can take; also the `trigger` metric dimension. */
export type RouteName = 'ecr' | 'ssm' | 's3' | 'ecs' | 'manual';

/** What caused a deployment, with the detail people need to recognise it. */
export type Trigger =
  | { kind: 'ecr'; repository: string; tag: string; digest: string | undefined }
  | { kind: 'ssm'; parameter: string; operation: string }
  | { kind: 's3'; bucket: string; key: string; versionId: string | undefined; operation: string }
  | { kind: 'manual'; source: string; reason: string | undefined; account: string | undefined };

/** Redeploy one ECS service with a task definition (a bare family means its latest ACTIVE revision). */
export interface EcsDeployment {
  target: 'ecs';
  service: string;
  ecs: EcsNames;
  taskDefinition: string;
  trigger: Trigger;
}

/** The Lambda function a service deploys to, resolved from `LAMBDA_CONFIG` and `LAMBDA_FUNCTION_PATTERN`. */
export interface LambdaFunctionTarget {
  functionName: string;
  /** With an alias every deploy publishes a version and moves the alias (blue/green); without one, `$LATEST` is updated in place. */
  alias: string | undefined;
  smokeTest: SmokeTest | undefined;
}

/** What a Lambda deployment changes before it publishes (or, for `version` and `rollback`, instead of publishing). */
export type LambdaChange =
  /** `UpdateFunctionCode` with the image the function is configured with, so the pushed tag is resolved again. */
  | { kind: 'image'; imageUri: string; pushedDigest: string | undefined }
  /** `UpdateFunctionCode` from an S3 zip. */
  | { kind: 'zip'; bucket: string; key: string; versionId: string | undefined }
  /** `UpdateFunctionConfiguration` setting `DEPLOYBRIDGE_CONFIG_REVISION`, which starts fresh execution environments. */
  | { kind: 'config_revision'; revision: string }
  /** No change: publish what `$LATEST` already holds and move the alias to it. */
  | { kind: 'release' }
  /** No change: move the alias to a version that is already published. */
  | { kind: 'version'; version: string }
  /** No change: move the alias back to the version recorded in its description. */
  | { kind: 'rollback' };

/** Deploy one Lambda function: change it (or not), publish, smoke-test, move the alias. */
export interface LambdaDeployment {
  target: 'lambda';
  service: string;
  lambda: LambdaFunctionTarget;
  change: LambdaChange;
  trigger: Trigger;
}

export type DeploymentRequest = EcsDeployment | LambdaDeployment;

/** A service this event concerns that is deliberately not deployed. */
export interface Skip {
  service: string;
  reason: string;
  fields?: Record<string, unknown>;
}

export type Severity = 'info' | 'success' | 'warning' | 'error';

/** A notification independent of its medium; Slack rendering lives in `slack/messages.ts`. */
export interface Notification {
  severity: Severity;
  title: string;
  service?: string;
  /** Labelled facts shown in order (status, deployment id, task definition, reason, …). */
  facts: Array<[label: string, value: string]>;
  /** Link to the service in the AWS console. */
  consoleUrl?: string;
  /** Which console the link opens ("Lambda"); unset means ECS. */
  consoleName?: string;
}

export interface Plan {
  route: RouteName;
  eventId: string;
  deployments: DeploymentRequest[];
  skipped: Skip[];
  notifications: Notification[];
  /** Set when the event is not for us (another project, an event type we do not act on). */
  ignored?: { reason: string; level: 'debug' | 'info' };
}

export function emptyPlan(route: RouteName, eventId: string): Plan {
  return { route, eventId, deployments: [], skipped: [], notifications: [] };
}

export function ignoredPlan(route: RouteName, eventId: string, reason: string, level: 'debug' | 'info' = 'info'): Plan {
  return { ...emptyPlan(route, eventId), ignored: { reason, level } };
}

/** One line a human recognises: what triggered the deployment. */
export function describeTrigger(trigger: Trigger): string {
  switch (trigger.kind) {
    case 'ecr':
      return `ECR push ${trigger.repository}:${trigger.tag}${trigger.digest ? ` (${trigger.digest})` : ''}`;
    case 'ssm':
      return `SSM parameter ${trigger.parameter} (${trigger.operation})`;
    case 's3':
      return `S3 object s3://${trigger.bucket}/${trigger.key} (${trigger.operation}${trigger.versionId ? `, version ${trigger.versionId}` : ''})`;
    case 'manual':
      return `manual deploy via ${trigger.source}${trigger.reason ? `: ${trigger.reason}` : ''}`;
  }
}
