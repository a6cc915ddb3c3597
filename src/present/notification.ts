/**
 * What a message is, whatever carries it: a {@link Notification} (severity, title, the resource it
 * is about, labelled facts, a console link, and the typed {@link NotificationEvent} it reports) and
 * a {@link ThreadUpdate} (a later step of a deployment, in the words each Slack mode needs). Every
 * family in src/present/ words its messages in these types; src/slack/messages.ts renders them as
 * Block Kit, src/channels/ as each other channel's payload, and the local run prints them.
 */
import type { NotificationEventType } from '../config/constants.js';
import type { TargetKind } from '../triggers/requests.js';

import type { Person } from '../triggers/requests.js';

export type Severity = 'info' | 'success' | 'warning' | 'error';

/**
 * A button that acts rather than links (Slack with a bot token only): a click posts to the
 * function's Function URL (src/interactions/), where `actionId` says what it does and `value` what to.
 */
export interface ActionButton {
  text: string;
  actionId: string;
  value: string;
  style?: 'primary' | 'danger';
  /** Slack asks for confirmation, in these words, before the click is sent. */
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

/**
 * People named in a message: Slack shows each as a mention (their name, and they are notified);
 * `note` follows the names ("at 2026-03-02 10:05 UTC").
 */
export interface Mention {
  label: string;
  people: Person[];
  note?: string;
}

/** A message independent of its medium. */
export interface Notification {
  severity: Severity;
  /** An emoji shortcode shown before the title instead of the severity's (a deployment's is a rocket; waiting is not one). */
  icon?: string;
  title: string;
  /** The AWS resource the message is about (ECS service, function), shown as "Service". */
  service?: string;
  /** Labelled facts shown in order (status, deployment id, task definition, reason, …). */
  facts: Array<[label: string, value: string]>;
  /** Link to the resource in the AWS console. */
  consoleUrl?: string;
  /**
   * The message is about what a dry run would have done (or a dry run's failed read), not about
   * something that happened: Slack marks it "[DRY RUN]". Real events (ECS's own, a deleted
   * parameter, a refused request) are never marked, dry run or not.
   */
  dryRun?: boolean;
  /** Which console the link opens ("Lambda"); unset means ECS. */
  consoleName?: string;
  /** People named, shown after the facts. */
  mentions?: Mention[];
  /** Buttons that act, before the console link. */
  buttons?: ActionButton[];
  /**
   * What the message reports, typed: what filters match and machines read (src/channels/). Every
   * family of src/present/ sets it; a message without one (a test's) reaches Slack only.
   */
  event?: NotificationEvent;
}

/** The event a notification reports: its type, and the deployment it is about, when it is about one. */
export interface NotificationEvent {
  type: NotificationEventType;
  deployment?: DeploymentSummary;
}

/** How a deployment ended, once it did. */
export type DeploymentOutcome = 'succeeded' | 'failed' | 'rolled_back' | 'rollback_failed' | 'superseded';

/**
 * A deployment as machines read it, in the shape the signed webhook publishes (snake_case,
 * docs/notifications.md): `null` where it is not known (yet).
 */
export interface DeploymentSummary {
  /**
   * The same for every message of one deployment (Google Chat and Chatbot thread by it): ECS's
   * deployment id (`ecs-svc/…`), `lambda:{function}:{event id}` for a Lambda deployment, or
   * `ecs:{service}:{event id}` for an ECS deployment that failed before ECS named it.
   */
  id: string | null;
  /** The service's name in the catalog. */
  service: string;
  target: TargetKind;
  /** What is deployed: the task definition (ARN) or the function version; null while unknown. */
  revision: string | null;
  previous_revision: string | null;
  /** What asked for it: one trigger, or each of a merged deployment's. */
  triggers: TriggerSummary[];
  /** Who made the changes or asked for the deployment, when AWS or the request says. */
  actors: string[];
  /** ISO 8601. */
  started_at: string | null;
  ended_at: string | null;
  outcome: DeploymentOutcome | null;
  /** Why it failed, was refused or rolled back (already redacted), most relevant first. */
  reasons: string[];
}

/** One trigger of a deployment, with the fields that identify it and its one line (`description`). */
export type TriggerSummary = { description: string } & (
  | { kind: 'ecr'; repository: string; tag: string; digest: string | null }
  | { kind: 'ssm'; parameter: string; operation: string; version: number | null }
  | { kind: 's3'; bucket: string; key: string; version_id: string | null; operation: string }
  | { kind: 'manual'; source: string; reason: string | null; requested_by: string | null }
);

export type Facts = Notification['facts'];

/** What a message about a dry run adds, in every channel. */
export const DRY_RUN_NOTE = 'Dry run: nothing was changed in AWS.';

/**
 * The title people read: a message about what a dry run would have done is marked "[DRY RUN]".
 *
 * @example
 * displayTitle({ ...started, dryRun: true }); // '[DRY RUN] Deployment would start: api'
 */
export function displayTitle(notification: Notification): string {
  return `${notification.dryRun === true ? '[DRY RUN] ' : ''}${notification.title}`;
}

/** The label of the console link: "Open in ECS console", "Open in Lambda console". */
export function consoleLabel(notification: Notification): string {
  return `Open in ${notification.consoleName ?? 'ECS'} console`;
}

/**
 * A later step of a deployment, in the words each Slack mode needs: with a bot token the
 * deployment's first message is replaced by `state` and `reply` goes into its thread; a webhook
 * cannot update or thread, so it posts `standalone`, which says both and names the deployment.
 */
export interface ThreadUpdate {
  /** The deployment as it stands now. */
  state: Notification;
  /** Details for its thread, when the step has any. */
  reply?: Notification;
  /** One message saying both. */
  standalone: Notification;
  /** A step that needs no message of its own: when the first message is not known, nothing is posted. */
  routine?: boolean;
}
