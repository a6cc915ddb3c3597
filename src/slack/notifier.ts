/**
 * Sending notifications. Sends start at once and run beside the deployment; {@link Notifier.flush}
 * waits for all of them before the handler returns (Lambda freezes the process afterwards).
 * A slow or failing Slack never fails a deployment: each message gets at most
 * {@link SlackSendOptions.maxAttempts} attempts, and the messages of one invocation share one
 * {@link SlackSendOptions.budgetMs} for their retries ({@link InvocationBudget}).
 */
import { SLACK_DEFAULTS } from '../constants.js';
import type { Log, MetricSink } from '../observability.js';
import { MetricName } from '../observability.js';
import type { MessageRef } from '../plan.js';
import type { Notification, ThreadUpdate } from '../presenter.js';
import { buildSlackPayload, type SlackPayload } from './messages.js';
import { postJson } from './post.js';

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

export interface SlackSendOptions {
  /** Time the messages of one invocation share, from its first message: retries and `Retry-After` waits happen inside it. */
  budgetMs: number;
  /** Time allowed for one HTTP attempt. */
  attemptTimeoutMs: number;
  /** Pause before the first retry of a 5xx or network error; it doubles for the next. */
  retryDelayMs: number;
  /** Attempts per message, the first included. */
  maxAttempts: number;
}

export const DEFAULT_SLACK_SEND_OPTIONS: SlackSendOptions = {
  budgetMs: SLACK_DEFAULTS.budgetMs,
  attemptTimeoutMs: SLACK_DEFAULTS.attemptTimeoutMs,
  retryDelayMs: SLACK_DEFAULTS.retryDelayMs,
  maxAttempts: SLACK_DEFAULTS.maxAttempts,
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

  constructor(private readonly budgetMs: number) {}

  /** Epoch milliseconds by which retries must be over (starts the budget on first use). */
  deadline(): number {
    this.endsAt ??= Date.now() + this.budgetMs;
    return this.endsAt;
  }

  /** The invocation is over: the next message starts a new budget. */
  end(): void {
    this.endsAt = undefined;
  }
}

/**
 * Whether to retry after a failed attempt, and after how long: at most `maxAttempts` attempts, and
 * never a wait that ends past the shared deadline. The reason says why it gave up.
 */
export function nextTry(attempt: number, waitMs: number, deadline: number, options: SlackSendOptions): { retry: true } | { retry: false; why: string } {
  if (attempt >= options.maxAttempts) return { retry: false, why: `gave up after ${attempt} attempts` };
  if (Date.now() + waitMs >= deadline) return { retry: false, why: `no time left to retry within the invocation's Slack budget (${options.budgetMs} ms)` };
  return { retry: true };
}

/** Time allowed for an attempt: a first attempt has its own timeout; a retry never runs past the shared deadline. */
export function attemptTimeout(attempt: number, deadline: number, options: SlackSendOptions): number {
  return attempt === 1 ? options.attemptTimeoutMs : Math.max(1, Math.min(options.attemptTimeoutMs, deadline - Date.now()));
}

type SendOutcome = { ok: true } | { ok: false; reason: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds of a `Retry-After` header, as milliseconds; `undefined` if absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * POSTs one payload: at most `maxAttempts` attempts, retrying 5xx and network errors with backoff
 * and 429 after its `Retry-After`, only while the shared budget lasts. The first attempt is always
 * made. Failure reasons carry the status or error code only: the URL is a secret.
 */
async function postWithinBudget(url: string, payload: SlackPayload, options: SlackSendOptions, deadline: number): Promise<SendOutcome> {
  const body = JSON.stringify(payload);
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let waitMs = options.retryDelayMs * 2 ** (attempt - 1);
    try {
      const response = await postJson(url, body, AbortSignal.timeout(attemptTimeout(attempt, deadline, options)));
      if (response.status >= 200 && response.status < 300) return { ok: true };
      reason = `HTTP ${response.status}`;
      if (response.status === 429) {
        waitMs = retryAfterMs(response.retryAfter) ?? waitMs;
      } else if (response.status < 500) {
        return { ok: false, reason }; // 4xx other than 429: the payload or the webhook is wrong.
      }
    } catch (error) {
      const e = error as { name?: string; code?: string; cause?: { code?: string } };
      reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : `network error ${e.code ?? e.cause?.code ?? e.name ?? 'unknown'}`;
    }
    const next = nextTry(attempt, waitMs, deadline, options);
    if (!next.retry) return { ok: false, reason: `${reason}; ${next.why}` };
    await sleep(waitMs);
  }
}

/** Where the webhook URL comes from: a fixed value, or a (cached) secret read on first use. */
export type WebhookSource = () => Promise<string>;

async function send(webhook: WebhookSource, payload: SlackPayload, options: SlackSendOptions, deadline: number): Promise<SendOutcome> {
  let url: string;
  try {
    url = await webhook();
  } catch (error) {
    return { ok: false, reason: `webhook URL unavailable (${(error as Error).name})` };
  }
  return postWithinBudget(url, payload, options, deadline);
}

/**
 * Sends notifications to a Slack incoming webhook (or any Slack-compatible receiver). A webhook
 * can neither update a message nor say where it went: every step of a deployment is a message of
 * its own, which names the deployment.
 */
export function createSlackNotifier(webhook: WebhookSource, context: NotifierContext, options: Partial<SlackSendOptions> = {}): Notifier {
  const settings: SlackSendOptions = { ...DEFAULT_SLACK_SEND_OPTIONS, ...options };
  const budget = new InvocationBudget(settings.budgetMs);
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
  const skip = (notification: Notification) => log.debug('slack disabled; notification not sent', { title: notification.title, service: notification.service });
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
