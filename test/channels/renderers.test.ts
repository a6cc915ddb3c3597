/**
 * What each channel besides Slack receives for the messages of a deployment (started, succeeded,
 * failed, rolled back), against the vendors' published samples (test/fixtures/partner-payloads)
 * and limits: Teams' Adaptive Card version and ~28 KB, Google Chat's 32,000 bytes and 100
 * widgets, Chatbot's required fields and lengths, SNS's 256 KB; and the signed webhook's document
 * against its JSON Schema in docs/.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { buildGoogleChatPayload, threadedUrl } from '../../src/channels/googleChat.js';
import { byteSize } from '../../src/channels/message.js';
import { buildChatbotNotification } from '../../src/channels/sns.js';
import { buildTeamsPayload } from '../../src/channels/teams.js';
import { buildWebhookDocument } from '../../src/channels/webhook.js';
import { NOTIFICATION_EVENT_TYPES } from '../../src/config/constants.js';
import type { Notification } from '../../src/present/notification.js';
import { partnerSample } from '../helpers/fixtures.js';
import { channelMessage, DEPLOYMENT_ID, ECS_DEPLOYMENT, LAMBDA_SUCCEEDED } from '../helpers/notifications.js';

const CONSOLE =
  'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/myproject_cluster_dev/services/myproject_service_api_dev/deployments?region=us-east-1';
const steps = Object.entries(ECS_DEPLOYMENT) as Array<[keyof typeof ECS_DEPLOYMENT, Notification]>;

/** The keys of an object, sorted. */
const keys = (value: unknown) => Object.keys(value as object).sort();

/** A message no channel could carry as it is: many long facts, in characters of several bytes. */
const huge: Notification = {
  ...ECS_DEPLOYMENT.failed,
  facts: Array.from({ length: 120 }, (_, i) => [`Fact ${i}`, `Ünïcödé ✅ ${'x€'.repeat(3000)}`] as [string, string]),
};

describe('Microsoft Teams (Workflows webhook, Adaptive Card)', () => {
  const sample = partnerSample('teams/workflows-webhook-adaptive-card.json') as {
    attachments: Array<{ content: { $schema: string; type: string; version: string } }>;
  };

  it.each(steps)('%s: the request of the sample, one Adaptive Card of version 1.4 or later', (_step, notification) => {
    const payload = buildTeamsPayload(channelMessage(notification));
    expect(keys(payload)).toEqual(keys(sample));
    expect(payload.type).toBe('message');
    const [attachment] = payload.attachments;
    expect(keys(attachment)).toEqual(keys(sample.attachments[0]));
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment?.contentUrl).toBeNull();
    const card = attachment?.content;
    expect(card?.$schema).toBe(sample.attachments[0]?.content.$schema);
    expect(card?.type).toBe('AdaptiveCard');
    const [major, minor] = (card?.version ?? '').split('.').map(Number);
    expect((major ?? 0) * 100 + (minor ?? 0)).toBeGreaterThanOrEqual(104);
    expect(byteSize(payload)).toBeLessThanOrEqual(28_000);
  });

  it('the colour is the container style: accent started, good succeeded, attention failed and rolled back, warning for a warning', () => {
    const style = (n: Notification) => buildTeamsPayload(channelMessage(n)).attachments[0]?.content.body[0]?.style;
    expect(steps.map(([step, n]) => [step, style(n)])).toEqual([
      ['started', 'accent'],
      ['succeeded', 'good'],
      ['failed', 'attention'],
      ['rolledBack', 'attention'],
    ]);
    expect(style({ ...ECS_DEPLOYMENT.started, severity: 'warning' })).toBe('warning');
  });

  it('the title, a FactSet of environment, service, trigger, actor, revision and deployment id, and a button to the ECS console', () => {
    const card = buildTeamsPayload(channelMessage(ECS_DEPLOYMENT.failed)).attachments[0]?.content;
    const items = card?.body[0]?.items ?? [];
    expect(items[0]).toMatchObject({ type: 'TextBlock', text: 'Deployment failed: api', weight: 'Bolder' });
    const facts = items.find((i) => i.type === 'FactSet');
    expect(facts?.type === 'FactSet' ? facts.facts.map((f) => f.title) : []).toEqual([
      'Environment',
      'Service',
      'Status',
      'Trigger',
      'Changed by',
      'Task definition',
      'Deployment ID',
      'Why tasks failed',
    ]);
    const fact = (title: string) => (facts?.type === 'FactSet' ? facts.facts.find((f) => f.title === title)?.value : undefined);
    expect(fact('Changed by')).toBe('unknown (ECR does not say who pushed)');
    expect(fact('Task definition')).toBe('myproject_service_api_dev:41 → :42');
    expect(fact('Deployment ID')).toBe(DEPLOYMENT_ID);
    expect(card?.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open in ECS console', url: CONSOLE }]);
  });

  it("a Lambda deployment's card names its deployment, and opens the Lambda console", () => {
    const card = buildTeamsPayload(channelMessage(LAMBDA_SUCCEEDED)).attachments[0]?.content;
    const facts = card?.body[0]?.items.find((i) => i.type === 'FactSet');
    expect(facts?.type === 'FactSet' ? facts.facts.find((f) => f.title === 'Deployment ID')?.value : undefined).toBe(
      'lambda:myproject_lambda_thumbnailer_dev:evt-artifact-1',
    );
    expect(card?.actions?.[0]?.title).toBe('Open in Lambda console');
    // Slack's facts name who changed the artifact: the card says it once.
    const changedBy = facts?.type === 'FactSet' ? facts.facts.filter((f) => f.title === 'Changed by') : [];
    expect(changedBy).toEqual([{ title: 'Changed by', value: 'arn:aws:iam::123456789012:user/alice' }]);
  });

  it('a manual deploy names who asked for it; a deployment deploybridge did not start names no actor', () => {
    const manual = channelMessage(ECS_DEPLOYMENT.started);
    const deployment = manual.event.deployment;
    if (deployment === undefined) throw new Error('no deployment');
    const requested = {
      ...manual,
      event: {
        ...manual.event,
        deployment: {
          ...deployment,
          triggers: [{ kind: 'manual' as const, description: 'manual deploy via ci', source: 'ci', reason: null, requested_by: 'alice' }],
          actors: ['alice'],
        },
      },
    };
    const titles = (payload: ReturnType<typeof buildTeamsPayload>) => {
      const facts = payload.attachments[0]?.content.body[0]?.items.find((i) => i.type === 'FactSet');
      return facts?.type === 'FactSet' ? facts.facts.map((f) => [f.title, f.value]) : [];
    };
    expect(titles(buildTeamsPayload(requested))).toContainEqual(['Requested by', 'alice (unverified)']);
    const unrecorded = { ...manual, event: { ...manual.event, deployment: { ...deployment, triggers: [], actors: [] } } };
    expect(titles(buildTeamsPayload(unrecorded)).map(([title]) => title)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(Changed|Requested) by$/)]),
    );
  });

  it('a message too large for Teams is shortened value by value until it fits', () => {
    const payload = buildTeamsPayload(channelMessage(huge));
    expect(byteSize(payload)).toBeLessThanOrEqual(28_000);
    const facts = payload.attachments[0]?.content.body[0]?.items.find((i) => i.type === 'FactSet');
    expect(facts?.type === 'FactSet' ? facts.facts : []).toHaveLength(124); // environment, service, the 120 facts, who pushed, the deployment id
  });
});

describe('Google Chat (incoming webhook, cardsV2)', () => {
  const card = partnerSample('google-chat/card-message-cardsv2.json') as {
    cardsV2: Array<{ card: { header: object; sections: Array<{ widgets: Array<Record<string, unknown>> }> } }>;
  };
  const reply = partnerSample('google-chat/webhook-thread-reply-body.json') as { thread: object };

  it.each(steps)("%s: a card of the sample's shape, in the deployment's thread", (_step, notification) => {
    const payload = buildGoogleChatPayload(channelMessage(notification));
    expect(keys(payload.cardsV2[0])).toEqual(keys(card.cardsV2[0]));
    expect(keys(payload.cardsV2[0]?.card)).toEqual(['header', 'sections']);
    expect(keys(payload.cardsV2[0]?.card.header)).toEqual(expect.arrayContaining(['title', 'subtitle']));
    expect(keys(payload.thread)).toEqual(keys(reply.thread));
    expect(payload.thread).toEqual({ threadKey: DEPLOYMENT_ID });
    const widgets = payload.cardsV2[0]?.card.sections[0]?.widgets ?? [];
    // The widgets are of the kinds the sample uses (decoratedText, buttonList) and textParagraph.
    const sampleKinds = card.cardsV2[0]?.card.sections[0]?.widgets.flatMap(Object.keys) ?? [];
    for (const widget of widgets) expect([...sampleKinds, 'textParagraph']).toContain(Object.keys(widget)[0]);
    expect(byteSize(payload)).toBeLessThanOrEqual(32_000);
  });

  it('a header with the severity and the title, the facts, and a button to the console', () => {
    const payload = buildGoogleChatPayload(channelMessage(ECS_DEPLOYMENT.rolledBack));
    expect(payload.cardsV2[0]?.card.header).toEqual({
      title: '❌ Deployment rolled back: api',
      subtitle: 'deploybridge · myproject · dev',
    });
    const widgets = payload.cardsV2[0]?.card.sections[0]?.widgets ?? [];
    expect(widgets[0]).toEqual({ decoratedText: { topLabel: 'Environment', text: 'dev', wrapText: true } });
    expect(widgets.at(-1)).toEqual({ buttonList: { buttons: [{ text: 'Open in ECS console', onClick: { openLink: { url: CONSOLE } } }] } });
  });

  it('card text is HTML: what would be markup is escaped, and lines break with <br>', () => {
    const payload = buildGoogleChatPayload(
      channelMessage({ ...ECS_DEPLOYMENT.failed, facts: [['Reason', 'ServiceNotFoundException: <service> & co\nsecond line']] }),
    );
    const texts = (payload.cardsV2[0]?.card.sections[0]?.widgets ?? []).map((w) => ('decoratedText' in w ? w.decoratedText.text : ''));
    expect(texts).toContain('ServiceNotFoundException: &lt;service&gt; &amp; co<br>second line');
  });

  it('a message of a deployment asks Chat to reply in its thread (or start it); the URL keeps its key and token', () => {
    const url = 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t';
    const threaded = new URL(threadedUrl(url, channelMessage(ECS_DEPLOYMENT.started)));
    expect(Object.fromEntries(threaded.searchParams)).toEqual({
      key: 'k',
      token: 't',
      messageReplyOption: 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD',
    });
    const warning: Notification = {
      severity: 'warning',
      title: 'Env file deleted: s3://b/k',
      facts: [],
      event: { type: 'warning.env_file_deleted' },
    };
    expect(threadedUrl(url, channelMessage(warning))).toBe(url);
    expect(buildGoogleChatPayload(channelMessage(warning)).thread).toBeUndefined();
  });

  it('a message too large for Google Chat is shortened to 32,000 bytes and 100 widgets', () => {
    const payload = buildGoogleChatPayload(channelMessage(huge));
    expect(byteSize(payload)).toBeLessThanOrEqual(32_000);
    expect(payload.cardsV2[0]?.card.sections.flatMap((s) => s.widgets).length).toBeLessThanOrEqual(100);
  });
});

describe('signed webhook document', () => {
  const schema = JSON.parse(readFileSync('docs/webhook-v1.schema.json', 'utf8')) as Record<string, unknown> & {
    $defs: { eventType: { enum: string[] } };
  };
  /** The published schema, with no property beyond those it documents (it is lenient for receivers). */
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict);
    if (typeof node !== 'object' || node === null) return node;
    const object = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strict(v)]));
    return 'properties' in object ? { ...object, additionalProperties: false } : object;
  };
  const validator = z.fromJSONSchema(strict(schema) as Parameters<typeof z.fromJSONSchema>[0]);

  it('documents every event type the code has', () => {
    expect(schema.$defs.eventType.enum).toEqual([...NOTIFICATION_EVENT_TYPES]);
  });

  it.each([...steps, ['lambda succeeded', LAMBDA_SUCCEEDED] as const])(
    '%s: a document the JSON Schema in docs/ accepts',
    (_step, notification) => {
      const document = buildWebhookDocument(channelMessage(notification));
      const parsed = validator.safeParse(JSON.parse(JSON.stringify(document)));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    },
  );

  it('version "1", the type of each step, and the deployment as machines read it', () => {
    const documents = steps.map(([, n]) => buildWebhookDocument(channelMessage(n)));
    expect(documents.map((d) => [d.version, d.type, d.deployment?.outcome])).toEqual([
      ['1', 'deployment.started', null],
      ['1', 'deployment.succeeded', 'succeeded'],
      ['1', 'deployment.failed', 'failed'],
      ['1', 'deployment.rolled_back', 'rolled_back'],
    ]);
    expect(documents[3]).toMatchObject({
      id: '6f1d9a62-1c1b-4f5e-9a7e-2b0c1d2e3f40',
      time: '2026-12-07T10:06:07.000Z',
      project: 'myproject',
      env: 'dev',
      deployment: {
        id: DEPLOYMENT_ID,
        service: 'api',
        target: 'ecs',
        revision: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:42',
        previous_revision: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:41',
        triggers: [{ kind: 'ecr', repository: 'myproject_service_api', tag: 'v1.4.2' }],
        actors: [],
        started_at: '2026-12-07T10:00:00.000Z',
        ended_at: '2026-12-07T10:06:06.000Z',
        reasons: ['ECS deployment circuit breaker: tasks failed to start.'],
      },
    });
    expect(buildWebhookDocument(channelMessage(LAMBDA_SUCCEEDED)).deployment).toMatchObject({
      id: 'lambda:myproject_lambda_thumbnailer_dev:evt-artifact-1',
      target: 'lambda',
      revision: '13',
      previous_revision: '12',
      actors: ['arn:aws:iam::123456789012:user/alice'],
      started_at: '2026-12-07T11:00:00.000Z',
      ended_at: '2026-12-07T11:00:42.000Z',
    });
  });
});

describe('SNS for Amazon Q Developer in chat applications (custom notification)', () => {
  const complex = partnerSample('aws-chatbot/custom-notification-complex.json') as {
    content: object;
    metadata: object;
  };
  const minimal = partnerSample('aws-chatbot/custom-notification-minimal.json') as { version: string; source: string };

  it.each(steps)("%s: Chatbot's required fields and the complex sample's, threaded by the deployment", (_step, notification) => {
    const n = buildChatbotNotification(channelMessage(notification));
    expect([n.version, n.source]).toEqual([minimal.version, minimal.source]);
    expect(n.content.description.length).toBeGreaterThan(0);
    expect(n.content.textType).toBe('client-markdown');
    for (const key of keys(n.content)) expect(keys(complex.content)).toContain(key);
    for (const key of keys(n.metadata)) expect(keys(complex.metadata)).toContain(key);
    expect(n.metadata.threadId).toBe(DEPLOYMENT_ID);
    expect(n.metadata.eventType).toBe(notification.event?.type);
    expect(n.content.nextSteps).toEqual([`Open in ECS console: ${CONSOLE}`]);
  });

  it("the title, the facts as the chat client's markdown, a summary and the related resources", () => {
    const n = buildChatbotNotification(channelMessage(ECS_DEPLOYMENT.failed));
    expect(n.content.title).toBe('❌ Deployment failed: api');
    expect(n.content.description.split('\n').slice(0, 3)).toEqual([
      '*Environment*: dev',
      '*Service*: myproject_service_api_dev',
      '*Status*: failed: ECS deployment circuit breaker: tasks failed to start.',
    ]);
    expect(n.metadata.summary).toBe('Deployment failed: api');
    expect(n.metadata.relatedResources).toEqual([
      'myproject_service_api_dev',
      'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:42',
      DEPLOYMENT_ID,
    ]);
  });

  it("a notice's action is a next step", () => {
    const n = buildChatbotNotification(
      channelMessage({
        severity: 'warning',
        title: 'Env file deleted: s3://myproject-config-dev/api/.env',
        facts: [
          ['Used by', 'myproject_service_api_dev'],
          ['Action', 'not redeployed: new tasks of these services would fail to start until the file is restored'],
        ],
        event: { type: 'warning.env_file_deleted' },
      }),
    );
    expect(n.content.nextSteps).toEqual(['not redeployed: new tasks of these services would fail to start until the file is restored']);
    expect(n.content.description).not.toContain('Action');
    expect(n.metadata.threadId).toBeUndefined();
  });

  it("within Chatbot's lengths and SNS's 256 KB, however large the message", () => {
    const n = buildChatbotNotification(
      channelMessage({ ...huge, title: 'T'.repeat(400), facts: [...huge.facts, ['Action', 'a'.repeat(900)]] }),
    );
    expect(n.content.title.length).toBeLessThanOrEqual(250);
    expect(n.content.description.length).toBeLessThanOrEqual(8000);
    for (const step of n.content.nextSteps ?? []) expect(step.length).toBeLessThanOrEqual(350);
    for (const keyword of n.content.keywords) expect(keyword.length).toBeLessThanOrEqual(75);
    expect(byteSize(n)).toBeLessThanOrEqual(256 * 1024);
  });
});
