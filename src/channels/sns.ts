/**
 * SNS for Amazon Q Developer in chat applications (formerly AWS Chatbot): each notification is
 * published to `SNS_TOPIC_ARN` as a custom notification (version "1.0", source "custom", content
 * in the chat client's markdown, `metadata.threadId` the deployment's id), so Chatbot renders it in
 * Slack or Teams and threads a deployment's messages, with no webhook in this function. Within
 * Chatbot's limits (title 250 characters, description 8,000, each next step 350, each keyword 75)
 * and SNS's 256 KB.
 *
 * The SNS client is loaded on the first publish only: no route that does not publish loads it.
 */
import { CHANNEL_LIMITS, type NotificationEventType } from '../config/constants.js';
import { consoleLabel, displayTitle, DRY_RUN_NOTE } from '../present/notification.js';
import { attemptWithinBudget, type Verdict } from '../shared/delivery.js';
import { errorName, isRetryableAwsError } from '../shared/errors.js';
import { truncate } from '../shared/text.js';
import { delivering, type Channel } from './channel.js';
import { hears } from './filters.js';
import { byteSize, chatFacts, fitWithin, SEVERITY_EMOJI, type ChannelMessage } from './message.js';

/** A custom notification, as Amazon Q Developer in chat applications reads it from an SNS message. */
export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps?: string[];
    keywords: string[];
  };
  metadata: {
    /** The deployment's id: Chatbot threads its messages. */
    threadId?: string;
    summary: string;
    eventType: NotificationEventType;
    relatedResources: string[];
    additionalContext: Record<string, string>;
  };
}

function chatbotNotification(message: ChannelMessage, chars: number): ChatbotNotification {
  const { notification, event } = message;
  const facts = chatFacts(message);
  // What to do next: the notice's action, and the console.
  const action = facts.find(([label]) => label === 'Action')?.[1];
  const nextSteps = [
    ...(action === undefined ? [] : [action]),
    ...(notification.consoleUrl ? [`${consoleLabel(notification)}: ${notification.consoleUrl}`] : []),
  ].map((step) => truncate(step, CHANNEL_LIMITS.chatbotNextStep));
  const lines = facts.filter(([label]) => label !== 'Action').map(([label, value]) => `*${label}*: ${truncate(value, chars)}`);
  if (notification.dryRun === true) lines.push(`_${DRY_RUN_NOTE}_`);
  const deployment = event.deployment;
  const related = [notification.service, deployment?.revision, deployment?.id].filter((r): r is string => typeof r === 'string');
  const title = displayTitle(notification);
  return {
    version: '1.0',
    source: 'custom',
    id: message.id,
    content: {
      textType: 'client-markdown',
      title: truncate(`${SEVERITY_EMOJI[notification.severity]} ${title}`, CHANNEL_LIMITS.chatbotTitle),
      description: lines.join('\n'),
      ...(nextSteps.length === 0 ? {} : { nextSteps }),
      keywords: [message.project, message.environment, notification.severity].map((k) => truncate(k, CHANNEL_LIMITS.chatbotKeyword)),
    },
    metadata: {
      ...(deployment?.id == null ? {} : { threadId: deployment.id }),
      summary: truncate(title, CHANNEL_LIMITS.chatbotTitle),
      eventType: event.type,
      relatedResources: [...new Set(related)],
      additionalContext: { project: message.project, environment: message.environment, severity: notification.severity },
    },
  };
}

/**
 * The custom notification of a message, its values shortened until the description fits
 * Chatbot's 8,000 characters and the message SNS's 256 KB.
 *
 * @example
 * buildChatbotNotification(message).metadata.threadId; // 'ecs-svc/1234567890123456789'
 */
export function buildChatbotNotification(message: ChannelMessage): ChatbotNotification {
  const fitted = fitWithin(
    (chars) => chatbotNotification(message, chars),
    (n) => n.content.description.length <= CHANNEL_LIMITS.chatbotDescription && byteSize(n) <= CHANNEL_LIMITS.snsBytes,
  );
  // Facts beyond what even the shortest values leave room for are cut off.
  return {
    ...fitted,
    content: { ...fitted.content, description: truncate(fitted.content.description, CHANNEL_LIMITS.chatbotDescription) },
  };
}

/** The region of a topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME): SNS publishes to a topic in its own region. */
function regionOf(topicArn: string): string {
  return topicArn.split(':')[3] ?? '';
}

/** What one publish came to: an AWS error's name and status only (a throttle or a 5xx is retried). */
function publishVerdict(error: unknown): Verdict<undefined> {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const reason = `${errorName(error) || 'error'}${status === undefined ? '' : ` (HTTP ${status})`}`;
  return isRetryableAwsError(error) ? { kind: 'retry', reason } : { kind: 'give up', reason };
}

/**
 * The SNS channel (`SNS_TOPIC_ARN`, `SNS_EVENTS`): publishes with its own attempts (the SDK client
 * makes one attempt per call), inside the invocation's budget like every channel.
 *
 * @example
 * const sns = createSnsChannel('arn:aws:sns:eu-west-1:123456789012:deploys', []);
 */
export function createSnsChannel(topicArn: string, events: readonly string[]): Channel {
  let loaded: Promise<{ publish(body: string, signal: AbortSignal): Promise<unknown> }> | undefined;
  const publisher = () =>
    (loaded ??= import('../aws/sns.js').then(({ PublishCommand, SNSClient }) => {
      const client = new SNSClient({ region: regionOf(topicArn), maxAttempts: 1 });
      return {
        publish: (body: string, signal: AbortSignal) =>
          client.send(new PublishCommand({ TopicArn: topicArn, Message: body }), { abortSignal: signal }),
      };
    }));
  return {
    name: 'sns',
    label: 'SNS',
    hears: (type) => hears(events, type),
    render: buildChatbotNotification,
    deliver: (message, options, deadline) =>
      delivering(async () => {
        const body = JSON.stringify(buildChatbotNotification(message));
        const sns = await publisher();
        return attemptWithinBudget(
          async (signal): Promise<Verdict<undefined>> => {
            try {
              await sns.publish(body, signal);
              return { kind: 'delivered', value: undefined };
            } catch (error) {
              // Aborted at the attempt's timeout: the attempts say "timed out".
              if (signal.aborted) throw error;
              return publishVerdict(error);
            }
          },
          options,
          deadline,
          'SNS',
        );
      }),
  };
}
