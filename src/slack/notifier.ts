/**
 * Sending notifications. Sends start at once and run beside the deployment; {@link Notifier.flush}
 * waits for all of them before the handler returns (Lambda freezes the process afterwards).
 * A slow or failing Slack never fails a deployment: each message gets at most
 * {@link SlackSendOptions.maxAttempts} attempts, and the messages of one invocation share one
 * {@link SlackSendOptions.budgetMs} for their retries.
 */
import { SLACK_DEFAULTS } from '../constants.js';
import type { Log, MetricSink } from '../observability.js';
import { MetricName } from '../observability.js';
import type { Notification } from '../presenter.js';
import { buildSlackPayload, type SlackPayload } from './messages.js';
import { postJson } from './post.js';

export interface Notifier {
  notify(notification: Notification): void;
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

const DEFAULT_SLACK_SEND_OPTIONS: SlackSendOptions = {
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

type SendOutcome = { ok: true } | { ok: false; reason: string };

/** The budget the messages of one invocation share: no retry or wait ends after `deadline` (epoch ms). */
interface SharedBudget {
  deadline: number;
}

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
async function postWithinBudget(url: string, payload: SlackPayload, options: SlackSendOptions, budget: SharedBudget): Promise<SendOutcome> {
  const body = JSON.stringify(payload);
  for (let attempt = 1; ; attempt++) {
    // A retry never runs past the budget; a first attempt has its own timeout.
    const timeoutMs = attempt === 1 ? options.attemptTimeoutMs : Math.max(1, Math.min(options.attemptTimeoutMs, budget.deadline - Date.now()));
    let reason: string;
    let waitMs = options.retryDelayMs * 2 ** (attempt - 1);
    try {
      const response = await postJson(url, body, AbortSignal.timeout(timeoutMs));
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
    if (attempt >= options.maxAttempts) return { ok: false, reason: `${reason}; gave up after ${attempt} attempts` };
    if (Date.now() + waitMs >= budget.deadline) return { ok: false, reason: `${reason}; no time left to retry within the invocation's Slack budget (${options.budgetMs} ms)` };
    await sleep(waitMs);
  }
}

/** Where the webhook URL comes from: a fixed value, or a (cached) secret read on first use. */
export type WebhookSource = () => Promise<string>;

async function send(webhook: WebhookSource, payload: SlackPayload, options: SlackSendOptions, budget: SharedBudget): Promise<SendOutcome> {
  let url: string;
  try {
    url = await webhook();
  } catch (error) {
    return { ok: false, reason: `webhook URL unavailable (${(error as Error).name})` };
  }
  return postWithinBudget(url, payload, options, budget);
}

/**
 * Sends notifications to a Slack incoming webhook (or any Slack-compatible receiver). The notifier
 * lives as long as the container; an invocation's budget starts with its first message and ends
 * with {@link Notifier.flush}.
 */
export function createSlackNotifier(webhook: WebhookSource, context: NotifierContext, options: Partial<SlackSendOptions> = {}): Notifier {
  const settings: SlackSendOptions = { ...DEFAULT_SLACK_SEND_OPTIONS, ...options };
  const pending: Array<Promise<void>> = [];
  let budget: SharedBudget | undefined;
  return {
    notify(notification) {
      const payload = buildSlackPayload(notification, context);
      budget ??= { deadline: Date.now() + settings.budgetMs };
      pending.push(
        send(webhook, payload, settings, budget).then((outcome) => {
          if (outcome.ok) {
            context.log.debug('slack notification sent', { title: notification.title, service: notification.service });
            return;
          }
          context.metrics.count(MetricName.NotificationsFailed);
          context.log.warn('slack notification failed', { title: notification.title, service: notification.service, error: outcome.reason });
        }),
      );
    },
    async flush() {
      while (pending.length > 0) await Promise.all(pending.splice(0));
      budget = undefined;
    },
  };
}

/** Used when Slack is off or has no URL: notifications are logged at debug level only. */
export function createLogOnlyNotifier(log: Log): Notifier {
  return {
    notify: (notification) => log.debug('slack disabled; notification not sent', { title: notification.title, service: notification.service }),
    flush: async () => undefined,
  };
}
