/**
 * Sending notifications. Sends start at once and run beside the deployment; {@link Notifier.flush}
 * waits for all of them before the handler returns (Lambda freezes the process afterwards).
 * A slow or failing Slack never fails a deployment: each message gets at most
 * {@link SlackSendOptions.maxAttempts} attempts, and the messages of one invocation share one
 * {@link SlackSendOptions.budgetMs} for their retries ({@link InvocationBudget}).
 */
import { maskValue } from '../shared/redact.js';
import type { Log, MetricSink } from '../shared/observability.js';
import { MetricName } from '../shared/observability.js';
import type { MessageRef } from '../following/journal.js';
import type { DeploymentRequest } from '../triggers/requests.js';
import type { Notification, ThreadUpdate } from '../present/notification.js';
import { buildSlackPayload, type SlackPayload } from './messages.js';
import {
  DEFAULT_DELIVERY_OPTIONS,
  InvocationBudget,
  postWithinBudget,
  webhookVerdict,
  type AttemptsOutcome,
  type DeliveryOptions,
} from '../shared/delivery.js';

export interface Notifier {
  /** A message of its own. */
  notify(notification: Notification): void;
  /**
   * The first message of a deployment. Resolves (never rejects) with where it was posted when the
   * transport can say (a bot token); a webhook cannot, and resolves undefined.
   */
  open(notification: Notification): Promise<MessageRef | undefined>;
  /**
   * A later step of a deployment whose first message is `message`: with a bot token that message
   * is updated and details go into its thread; a webhook posts `update.standalone`. Resolves with
   * the deployment's message afterwards (a bot token starts one when none was known).
   */
  follow(message: MessageRef | undefined, update: ThreadUpdate): Promise<MessageRef | undefined>;
  /**
   * A message in the thread of `thread`, leaving that message as it is (a bot token only); resolves
   * with where it was posted. A transport without threads has none: see {@link replyInThread}.
   */
  reply?(thread: MessageRef, notification: Notification): Promise<MessageRef | undefined>;
  /** Resolves when every notification has been delivered or given up. Never rejects. Ends the invocation's budget. */
  flush(): Promise<void>;
}

/**
 * Sends a message of its own, with the info log line that names it (`notification: <title>`).
 *
 * @example
 * notifyLogged(notifier, log, noticeMessage(notice), event.id);
 */
export function notifyLogged(notifier: Notifier, log: Log, message: Notification, eventId: string): void {
  log.info(`notification: ${message.title}`, { service: message.service, event_id: eventId, severity: message.severity });
  notifier.notify(message);
}

/**
 * A notifier whose every notification is masked ({@link maskValue}: every text of it, whatever the
 * channel renders) before `notifier` has it: wrapped around the notifier of every channel (a
 * fan-out included), it is the one place messages are masked.
 *
 * @example
 * maskedNotifier(notifier).notify({ severity: 'error', title: 'Deployment failed: api', facts: [['Reason', 'https://u:pw@registry']] });
 */
export function maskedNotifier(notifier: Notifier): Notifier {
  const masked: Notifier = {
    notify: (notification) => notifier.notify(maskValue(notification)),
    open: (notification) => notifier.open(maskValue(notification)),
    follow: (message, update) => notifier.follow(message, maskValue(update)),
    flush: () => notifier.flush(),
  };
  if (notifier.reply !== undefined) masked.reply = (thread, notification) => replyInThread(notifier, thread, maskValue(notification));
  return masked;
}

/**
 * A message in a deployment's thread when the transport threads and the thread is known, else a
 * message of its own. Resolves with where it was posted, when the transport says.
 *
 * @example
 * await replyInThread(notifier, deployment.message, pauseMessages.awaiting(pause, approvers, actions));
 */
export function replyInThread(
  notifier: Notifier,
  thread: MessageRef | undefined,
  notification: Notification,
): Promise<MessageRef | undefined> {
  return thread !== undefined && notifier.reply !== undefined ? notifier.reply(thread, notification) : notifier.open(notification);
}

/** How a Slack notifier sends: the attempts and budget every channel has ({@link DeliveryOptions}). */
export type SlackSendOptions = DeliveryOptions;

/** Slack's attempts and budget: every channel's ({@link DEFAULT_DELIVERY_OPTIONS}). */
export const DEFAULT_SLACK_SEND_OPTIONS: SlackSendOptions = DEFAULT_DELIVERY_OPTIONS;

/** What a notifier needs besides the message: where it goes and who to tell about failures. */
export interface NotifierContext {
  environment: string;
  log: Log;
  metrics: MetricSink;
}

/** Where the webhook URL comes from: a fixed value, or a (cached) secret read on first use. */
export type WebhookSource = () => Promise<string>;

/**
 * POSTs one payload to the webhook within the shared budget ({@link postWithinBudget}). Failure
 * reasons carry the status or error code only: the URL is a secret.
 */
async function send(
  webhook: WebhookSource,
  payload: SlackPayload,
  options: SlackSendOptions,
  deadline: number,
): Promise<AttemptsOutcome<undefined>> {
  let url: string;
  try {
    url = await webhook();
  } catch (error) {
    return { ok: false, reason: `webhook URL unavailable (${(error as Error).name})`, retryable: false };
  }
  return postWithinBudget({ url, body: JSON.stringify(payload), headers: {}, channel: 'Slack' }, options, deadline, webhookVerdict);
}

/**
 * Sends notifications to a Slack incoming webhook (or any Slack-compatible receiver). A webhook
 * can neither update a message nor say where it went: every step of a deployment is a message of
 * its own, which names the deployment.
 */
export function createSlackNotifier(webhook: WebhookSource, context: NotifierContext, options: Partial<SlackSendOptions> = {}): Notifier {
  const settings: SlackSendOptions = { ...DEFAULT_SLACK_SEND_OPTIONS, ...options };
  const budget = new InvocationBudget(settings.budgetMs, settings.clock);
  const pending: Array<Promise<void>> = [];
  const deliver = (notification: Notification): Promise<undefined> => {
    const payload = buildSlackPayload(notification, context);
    const sent = send(webhook, payload, settings, budget.deadline()).then((outcome) => {
      if (outcome.ok) {
        context.log.debug('slack notification sent', { title: notification.title, service: notification.service });
        return;
      }
      context.metrics.count(MetricName.NotificationsFailed);
      context.log.warn('slack notification failed', { title: notification.title, service: notification.service, error: outcome.reason });
    });
    pending.push(sent);
    return sent.then(() => undefined);
  };
  return {
    notify(notification) {
      void deliver(notification);
    },
    open: deliver,
    follow: (_message, update) => deliver(update.standalone),
    async flush() {
      while (pending.length > 0) await Promise.all(pending.splice(0));
      budget.end();
    },
  };
}

/** Used when Slack is off or has no URL: notifications are logged at debug level only. */
export function createLogOnlyNotifier(log: Log): Notifier {
  const skip = (notification: Notification) =>
    log.debug('slack disabled; notification not sent', { title: notification.title, service: notification.service });
  return {
    notify: skip,
    open: async (notification) => {
      skip(notification);
      return undefined;
    },
    follow: async (_message, update) => {
      skip(update.standalone);
      return undefined;
    },
    flush: async () => undefined,
  };
}

/**
 * The first message of a deployment: a message of its own, or, once an approver approved it, the
 * approval request's message updated (the request becomes the deployment's message).
 *
 * @example
 * await openDeployment(notifier, request, deploymentMessages.started(request, identity, rollout)); // { channel, ts }
 */
export function openDeployment(
  notifier: Notifier,
  request: Pick<DeploymentRequest, 'approval'>,
  notification: Notification,
): Promise<MessageRef | undefined> {
  const asked = request.approval?.message;
  return asked === undefined ? notifier.open(notification) : notifier.follow(asked, { state: notification, standalone: notification });
}
