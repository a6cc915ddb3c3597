/**
 * A channel besides Slack ({@link Channel}): its name, what it hears, how it renders a message and
 * how it delivers one — at most `maxAttempts` attempts, retries only inside the invocation's
 * budget (src/shared/delivery.ts). Delivering never rejects: a failure is an outcome whose reason
 * names the status or the error, never a URL or a secret.
 */
import type { ChannelName, NotificationEventType } from '../config/constants.js';
import { postWithinBudget, webhookVerdict, type AttemptsOutcome, type DeliveryClock, type DeliveryOptions } from '../shared/delivery.js';
import { errorName } from '../shared/errors.js';
import { hears } from './filters.js';
import type { ChannelMessage } from './message.js';

/** Where a channel's URL or secret comes from: a fixed value, or a (cached) SSM SecureString read on first use. */
export type SecretSource = () => Promise<string>;

export interface Channel {
  /** The `channel` dimension of `NotificationsFailed`, and its log lines' `channel`. */
  name: Exclude<ChannelName, 'slack'>;
  /** Its name in sentences: "Teams", "Google Chat", "webhook", "SNS". */
  label: string;
  /** Whether it hears events of this type (its `…_EVENTS`). */
  hears: (type: NotificationEventType) => boolean;
  /** What it sends for a message (printed by the local run). */
  render: (message: ChannelMessage) => unknown;
  deliver: (message: ChannelMessage, options: DeliveryOptions, deadline: number) => Promise<AttemptsOutcome<undefined>>;
}

/** A secret a delivery needs could not be read: what it is, and the error's name only. */
class SecretUnavailableError extends Error {}

/** The name of the error at the root of a chain (Powertools wraps the SDK's AccessDeniedException in a GetParameterError). */
function rootName(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (cause === undefined || errorName(cause) === '') break;
    current = cause;
  }
  return errorName(current) || 'unknown error';
}

/**
 * Reads a channel's secret for one delivery; a failure names the secret (`what`) and the error at
 * its root, never its value.
 *
 * @example
 * const url = await readSecret(source, 'URL'); // throws "URL unavailable (AccessDeniedException)"
 */
export async function readSecret(source: SecretSource, what: string): Promise<string> {
  try {
    return await source();
  } catch (error) {
    throw new SecretUnavailableError(`${what} unavailable (${rootName(error)})`, { cause: error });
  }
}

/**
 * Runs one delivery; an error (a secret that cannot be read, a payload that cannot be built) is a
 * failure no retry mends, reported by its message (a {@link readSecret} failure) or its name only.
 */
export async function delivering(deliver: () => Promise<AttemptsOutcome<undefined>>): Promise<AttemptsOutcome<undefined>> {
  try {
    return await deliver();
  } catch (error) {
    const reason = error instanceof SecretUnavailableError ? error.message : `not sent (${errorName(error) || 'unknown error'})`;
    return { ok: false, reason, retryable: false };
  }
}

/** One POST of a message: where it goes, the body, and its headers. */
export interface HttpDelivery {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** How an HTTP channel renders and addresses a message. */
export interface HttpChannelSpec {
  name: Channel['name'];
  label: string;
  events: readonly string[];
  render: (message: ChannelMessage) => unknown;
  /** The request of one delivery, its secrets read (`clock`: the time a signature states). */
  request: (message: ChannelMessage, body: string, clock: DeliveryClock) => Promise<HttpDelivery>;
}

/**
 * A channel that POSTs JSON to a webhook: 2xx delivered; 5xx, network errors and timeouts retried,
 * and 429 after its `Retry-After`; any other status given up (the payload or the URL is wrong).
 *
 * @example
 * const teams = httpChannel({ name: 'teams', label: 'Teams', events: [], render: buildTeamsPayload, request: async (_m, body) => ({ url: await readSecret(url, 'URL'), body, headers: {} }) });
 */
export function httpChannel(spec: HttpChannelSpec): Channel {
  return {
    name: spec.name,
    label: spec.label,
    hears: (type) => hears(spec.events, type),
    render: spec.render,
    deliver: (message, options, deadline) =>
      delivering(async () => {
        const request = await spec.request(message, JSON.stringify(spec.render(message)), options.clock);
        return postWithinBudget({ ...request, channel: spec.label }, options, deadline, webhookVerdict);
      }),
  };
}
