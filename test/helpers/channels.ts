/**
 * The channels besides Slack against receivers on 127.0.0.1: webhook URLs shaped like each
 * vendor's, with a secret part the suite-wide secret scan looks for (suiteOutput.ts), and a
 * fan-out notifier on virtual time.
 */
import type { Channel } from '../../src/channels/channel.js';
import { createFanOutNotifier } from '../../src/channels/notifier.js';
import type { DeliveryOptions } from '../../src/shared/delivery.js';
import { createLogger } from '../../src/shared/observability.js';
import type { Notifier } from '../../src/slack/notifier.js';
import { fakeMetrics } from './app.js';
import { virtualClock } from './virtualClock.js';

/** A Teams Workflows URL: signed by its `sig`, a secret. */
export const teamsUrl = (base: string) =>
  `${base}/workflows/4f2c/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=TEAMSSIG-SECRET789`;
/** A Google Chat webhook URL: its key and token are in the query. */
export const googleChatUrl = (base: string) => `${base}/v1/spaces/AAAA-deploys/messages?key=AIzaSy-test-key&token=CHATTOKEN-SECRET246`;
/** The signed webhook's URL, and the secret deliveries are signed with. */
export const webhookUrl = (base: string) => `${base}/hooks/HOOKPATH-SECRET135`;
export const SIGNING_SECRET = 'whsec-SIGNING-SECRET-8642';

/**
 * A fan-out over `slack` and `channels`, its channels on a virtual clock of their own (so a test
 * runs out their attempts without touching Slack's), with the production attempts and budget
 * unless `options` say otherwise; notification ids n-1, n-2, ….
 */
export function fanOut(slack: Notifier, channels: Channel[], options: Partial<DeliveryOptions> = {}) {
  const metrics = fakeMetrics();
  const clock = virtualClock(Date.UTC(2026, 11, 7, 10, 6, 7));
  const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'debug' });
  let ids = 0;
  const notifier = createFanOutNotifier(slack, channels, {
    project: 'myproject',
    environment: 'dev',
    log,
    metrics,
    options: { clock, ...options },
    newId: () => `n-${++ids}`,
  });
  return { notifier, metrics, clock, log };
}
