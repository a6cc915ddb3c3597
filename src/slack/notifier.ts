/**
 * Sending notifications. Sends start at once and run beside the deployment; {@link Notifier.flush}
 * waits for all of them before the handler returns (Lambda freezes the process afterwards).
 * A slow or failing Slack never fails a deployment: each message gets at most
 * {@link SlackSendOptions.maxAttempts} attempts, and the messages of one invocation share one
 * {@link SlackSendOptions.budgetMs} for their retries ({@link InvocationBudget}).
 */
import { SLACK_DEFAULTS } from '../config/constants.js';
import { maskValue } from '../shared/redact.js';
import type { Log, MetricSink } from '../shared/observability.js';
import { MetricName } from '../shared/observability.js';
import type { MessageRef } from '../following/journal.js';
import type { Notification, ThreadUpdate } from '../present/notification.js';
import { buildSlackPayload, type SlackPayload } from './messages.js';
import {
  postWithinBudget,
  retryAfterMs,
  SYSTEM_CLOCK,
  type AttemptsOutcome,
  type SlackClock,
  type SlackSendOptions,
  type Verdict,
} from './attempts.js';
import type { PostResponse } from './post.js';

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
  return {
    notify: (notification) => notifier.notify(maskValue(notification)),
    open: (notification) => notifier.open(maskValue(notification)),
    follow: (message, update) => notifier.follow(message, maskValue(update)),
    flush: () => notifier.flush(),
  };
}

export type { SlackSendOptions } from './attempts.js';

export const DEFAULT_SLACK_SEND_OPTIONS: SlackSendOptions = {
  budgetMs: SLACK_DEFAULTS.budgetMs,
  attemptTimeoutMs: SLACK_DEFAULTS.attemptTimeoutMs,
  retryDelayMs: SLACK_DEFAULTS.retryDelayMs,
  maxAttempts: SLACK_DEFAULTS.maxAttempts,
  clock: SYSTEM_CLOCK,
};

/** What a notifier needs besides the message: where it goes and who to tell about failures. */
export interface NotifierContext {
  environment: string;
  log: Log;
  metrics: MetricSink;
}

/**
 * The budget the messages of one invocation share: it starts with the invocation's first message
 * and ends with `flush`. No retry or `Retry-After` wait ends after its deadline, so a dead Slack
 * cannot hold the invocation however many messages it sends.
 *
 * @example
 * const budget = new InvocationBudget(5000);
 * const deadline = budget.deadline(); // now + 5 s, the same for every message until budget.end()
 */
export class InvocationBudget {
  private endsAt: number | undefined;

  constructor(
    private readonly budgetMs: number,
    private readonly clock: SlackClock = SYSTEM_CLOCK,
  ) {}

  /** Epoch milliseconds by which retries must be over (starts the budget on first use). */
  deadline(): number {
    this.endsAt ??= this.clock.now() + this.budgetMs;
    return this.endsAt;
  }

  /** The invocation is over: the next message starts a new budget. */
  end(): void {
    this.endsAt = undefined;
  }
}

/**
 * What a webhook's answer means: 2xx delivered; 5xx, and 429 after its `Retry-After`, worth a retry;
 * any other status a payload or webhook that is wrong. Reasons carry the status only: the URL is a secret.
 */
function webhookVerdict(response: PostResponse): Verdict<undefined> {
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered', value: undefined };
  const reason = `HTTP ${response.status}`;
  if (response.status === 429) return { kind: 'retry', reason, retryAfterMs: retryAfterMs(response.retryAfter) };
  if (response.status < 500) return { kind: 'give up', reason }; // 4xx other than 429: the payload or the webhook is wrong.
  return { kind: 'retry', reason };
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
  return postWithinBudget(url, JSON.stringify(payload), {}, options, deadline, webhookVerdict);
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
