/**
 * The receiver docs/notifications.md shows, run as written against real deliveries of the signed
 * webhook: it accepts what deploybridge signs with the shared secret, and refuses a delivery
 * signed with another secret, a body changed on the way, and an old timestamp.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebhookChannel } from '../../src/channels/webhook.js';
import { SYSTEM_CLOCK } from '../../src/shared/delivery.js';
import { createLogOnlyNotifier } from '../../src/slack/notifier.js';
import { createLogger } from '../../src/shared/observability.js';
import { fanOut, SIGNING_SECRET } from '../helpers/channels.js';
import { captureOutput } from '../helpers/logs.js';
import { ECS_DEPLOYMENT } from '../helpers/notifications.js';
import { startReceiver } from '../helpers/receiver.js';

interface Receiver {
  verified(secret: string, headers: IncomingHttpHeaders, body: string, now?: number): boolean;
  server: Server;
}

/** The JavaScript block under "#### A receiver" in docs/notifications.md. */
function documentedReceiver(): string {
  const page = readFileSync('docs/notifications.md', 'utf8');
  const section = page.slice(page.indexOf('#### A receiver'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error('docs/notifications.md: no receiver under "#### A receiver"');
  return code;
}

const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'debug' });
let dir: string;
let receiver: Receiver;
let url: string;
let output: ReturnType<typeof captureOutput>;
const previousSecret = process.env.WEBHOOK_SECRET;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'receiver-'));
  writeFileSync(join(dir, 'receiver.mjs'), documentedReceiver());
  receiver = (await import(pathToFileURL(join(dir, 'receiver.mjs')).href)) as Receiver;
  process.env.WEBHOOK_SECRET = SIGNING_SECRET;
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
  if (previousSecret === undefined) delete process.env.WEBHOOK_SECRET;
  else process.env.WEBHOOK_SECRET = previousSecret;
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

/** Sends one notification through the webhook channel, signed with `secret`, on the system's clock (the receiver reads it). */
async function deliver(secret: string) {
  const { notifier, metrics } = fanOut(
    createLogOnlyNotifier(log),
    [
      createWebhookChannel(
        async () => url,
        async () => secret,
        [],
      ),
    ],
    {
      clock: SYSTEM_CLOCK,
    },
  );
  notifier.notify(ECS_DEPLOYMENT.failed);
  await notifier.flush();
  return metrics;
}

describe('the documented receiver', () => {
  it('is about 20 lines', () => {
    expect(documentedReceiver().trim().split('\n').length).toBeLessThanOrEqual(23);
  });

  it('accepts a delivery signed with the shared secret (204): the webhook counts it delivered', async () => {
    const printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const metrics = await deliver(SIGNING_SECRET);
      expect(metrics.counts).toEqual({});
      expect(printed.mock.calls).toEqual([['deployment.failed', 'api', 'Deployment failed: api']]);
    } finally {
      printed.mockRestore();
    }
  });

  it('refuses a delivery signed with another secret (401): the webhook reports it, once, without retrying', async () => {
    const metrics = await deliver('whsec-another-secret-0000');
    expect(metrics.ofChannels).toEqual([{ name: 'NotificationsFailed', channel: 'webhook', value: 1 }]);
    expect(output.logs().find((l) => l.message === 'webhook notification failed')?.fields.error).toBe('HTTP 401');
  });

  it('refuses a changed body and an old timestamp', async () => {
    const capture = await startReceiver();
    try {
      const { notifier } = fanOut(
        createLogOnlyNotifier(log),
        [
          createWebhookChannel(
            async () => capture.baseUrl,
            async () => SIGNING_SECRET,
            [],
          ),
        ],
        {
          clock: SYSTEM_CLOCK,
        },
      );
      notifier.notify(ECS_DEPLOYMENT.failed);
      await notifier.flush();
      const [delivery] = capture.received;
      if (delivery === undefined) throw new Error('nothing delivered');
      const timestamp = Number(delivery.headers['x-deploybridge-timestamp']) * 1000;
      expect(receiver.verified(SIGNING_SECRET, delivery.headers, delivery.raw, timestamp)).toBe(true);
      expect(receiver.verified('whsec-another-secret-0000', delivery.headers, delivery.raw, timestamp)).toBe(false);
      expect(receiver.verified(SIGNING_SECRET, delivery.headers, delivery.raw.replace('"failed"', '"succeeded"'), timestamp)).toBe(false);
      expect(receiver.verified(SIGNING_SECRET, delivery.headers, delivery.raw, timestamp + 301_000)).toBe(false);
    } finally {
      await capture.close();
    }
  });
});
