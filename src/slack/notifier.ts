/**
 * Sending notifications. Sends start at once and run beside the deployment; {@link Notifier.flush}
 * waits for all of them before the handler returns (Lambda freezes the process afterwards).
 * A slow or failing Slack never fails a deployment and costs at most {@link SlackSendOptions.budgetMs}.
 */
import { SLACK_DEFAULTS } from '../constants.js';
import type { Log, MetricSink } from '../observability.js';
import { MetricName } from '../observability.js';
import type { Notification } from '../presenter.js';
import { buildSlackPayload, type SlackPayload } from './messages.js';
import { postJson } from './post.js';

export interface Notifier {
  notify(notification: Notification): void;
  /** Resolves when every notification has been delivered or given up. Never rejects. */
  flush(): Promise<void>;
}

export interface SlackSendOptions {
  /** Time allowed for one message, retries and `Retry-After` waits included. */
  budgetMs: number;
  /** Time allowed for one HTTP attempt. */
  attemptTimeoutMs: number;
  /** Pause before retrying a 5xx or network error. */
  retryDelayMs: number;
}

const DEFAULT_SLACK_SEND_OPTIONS: SlackSendOptions = { budgetMs: SLACK_DEFAULTS.budgetMs, attemptTimeoutMs: SLACK_DEFAULTS.attemptTimeoutMs, retryDelayMs: SLACK_DEFAULTS.retryDelayMs };

/** What a notifier needs besides the message: where it goes and who to tell about failures. */
export interface NotifierContext {
  environment: string;
  log: Log;
  metrics: MetricSink;
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
 * POSTs one payload, retrying 5xx, network errors and 429 (after `Retry-After`) while the budget
 * allows. Failure reasons carry the status or error code only: the URL is a secret.
 */
async function postWithinBudget(url: string, payload: SlackPayload, options: SlackSendOptions): Promise<SendOutcome> {
  const deadline = Date.now() + options.budgetMs;
  const body = JSON.stringify(payload);
  let reason = 'not sent';
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { ok: false, reason: `${reason}; gave up after ${attempt - 1} attempt(s)` };
    let waitMs = options.retryDelayMs;
    try {
      const response = await postJson(url, body, AbortSignal.timeout(Math.min(options.attemptTimeoutMs, remaining)));
      if (response.status >= 200 && response.status < 300) return { ok: true };
      reason = `HTTP ${response.status}`;
      if (response.status === 429) {
        waitMs = retryAfterMs(response.retryAfter) ?? options.retryDelayMs;
      } else if (response.status < 500) {
        return { ok: false, reason }; // 4xx other than 429: the payload or the webhook is wrong.
      }
    } catch (error) {
      const e = error as { name?: string; code?: string; cause?: { code?: string } };
      reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : `network error ${e.code ?? e.cause?.code ?? e.name ?? 'unknown'}`;
    }
    if (Date.now() + waitMs >= deadline) return { ok: false, reason: `${reason}; no time left to retry within ${options.budgetMs} ms` };
    await sleep(waitMs);
  }
}

/** Where the webhook URL comes from: a fixed value, or a (cached) secret read on first use. */
export type WebhookSource = () => Promise<string>;

async function send(webhook: WebhookSource, payload: SlackPayload, options: SlackSendOptions): Promise<SendOutcome> {
  let url: string;
  try {
    url = await webhook();
  } catch (error) {
    return { ok: false, reason: `webhook URL unavailable (${(error as Error).name})` };
  }
  return postWithinBudget(url, payload, options);
}

/** Sends notifications to a Slack incoming webhook (or any Slack-compatible receiver). */
export function createSlackNotifier(webhook: WebhookSource, context: NotifierContext, options: SlackSendOptions = DEFAULT_SLACK_SEND_OPTIONS): Notifier {
  const pending: Array<Promise<void>> = [];
  return {
    notify(notification) {
      const payload = buildSlackPayload(notification, context);
      pending.push(
        send(webhook, payload, options).then((outcome) => {
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
