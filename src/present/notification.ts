/**
 * What a message is, whatever carries it: a {@link Notification} (severity, title, the resource it
 * is about, labelled facts, a console link) and a {@link ThreadUpdate} (a later step of a deployment,
 * in the words each Slack mode needs). Every family in src/present/ words its messages in these
 * types; src/slack/messages.ts renders them as Block Kit and the local run prints them.
 */

export type Severity = 'info' | 'success' | 'warning' | 'error';

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
}

export type Facts = Notification['facts'];

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
