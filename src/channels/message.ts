/**
 * One notification as every channel besides Slack renders it ({@link ChannelMessage}: the words,
 * the typed event, an id and a time), and what the chat channels share: the facts people read
 * (Slack's), the severity as an emoji, and shortening a payload until it fits its channel's limit.
 */
import { CHANNEL_LIMITS } from '../config/constants.js';
import type { DeploymentSummary, Facts, Notification, NotificationEvent, Severity } from '../present/notification.js';
import { unverified } from '../present/triggerLines.js';

/** A notification on its way to the channels. */
export interface ChannelMessage {
  notification: Notification;
  event: NotificationEvent;
  /** Unique per notification, the same in every channel and every attempt (the webhook's and Chatbot's `id`). */
  id: string;
  /** ISO 8601: when deploybridge sent it. */
  time: string;
  project: string;
  environment: string;
}

/** The severity at a glance where a channel has no colour of its own (Google Chat, Chatbot). */
export const SEVERITY_EMOJI: Record<Severity, string> = { success: '✅', error: '❌', info: '🚀', warning: '⚠️' };

/** The labels under which Slack's facts already say who changed something or asked for a deployment. */
const ACTOR_LABELS: readonly string[] = ['Changed by', 'Requested by'];

/**
 * Who changed what, or asked for the deployment, for a card whose facts do not say it: the actors
 * AWS or the request named, or "unknown" (an ECR push event never names who pushed). Nothing for a
 * deployment deploybridge did not start: ECS's events do not say who started it.
 */
function actorFact(deployment: DeploymentSummary): [string, string] | undefined {
  const { triggers, actors } = deployment;
  if (triggers.length === 0) return undefined;
  const label = triggers.every((t) => t.kind === 'manual') ? 'Requested by' : 'Changed by';
  // A request's requested_by is written by whoever may put events on the bus: nothing authenticates it.
  if (actors.length > 0) return [label, (label === 'Requested by' ? actors.map(unverified) : actors).join(', ')];
  return [label, triggers.every((t) => t.kind === 'ecr') ? 'unknown (ECR does not say who pushed)' : 'unknown'];
}

/**
 * The facts a chat channel shows: Slack's (the environment, the service, then the message's own),
 * and, for a message about a deployment, who changed it or asked for it (after the trigger) and the
 * deployment's id when Slack's facts do not say them, so every card names its actor and deployment.
 *
 * @example
 * chatFacts(message); // [['Environment', 'dev'], ['Service', 'myproject_service_api_dev'], ['Trigger', …], ['Changed by', …], …]
 */
export function chatFacts(message: ChannelMessage): Facts {
  const { notification, event, environment } = message;
  const facts: Facts = [['Environment', environment]];
  if (notification.service) facts.push(['Service', notification.service]);
  facts.push(...notification.facts);
  const deployment = event.deployment;
  if (deployment === undefined) return facts;
  const actor = facts.some(([label]) => ACTOR_LABELS.includes(label)) ? undefined : actorFact(deployment);
  if (actor !== undefined) {
    const trigger = facts.findIndex(([label]) => label === 'Trigger');
    facts.splice(trigger === -1 ? facts.length : trigger + 1, 0, actor);
  }
  if (deployment.id != null && !facts.some(([label]) => label === 'Deployment ID')) facts.push(['Deployment ID', deployment.id]);
  return facts;
}

/** The size of a payload as sent: its JSON in UTF-8 bytes. */
export const byteSize = (payload: unknown) => Buffer.byteLength(JSON.stringify(payload), 'utf8');

/**
 * Renders a payload with its values cut to {@link CHANNEL_LIMITS.valueChars} characters, then to
 * half as many until `fits` says it does, down to {@link CHANNEL_LIMITS.minValueChars}: a long
 * reason or list shortens, the message still goes.
 *
 * @example
 * fitWithin((chars) => teamsCard(message, chars), (card) => byteSize(card) <= CHANNEL_LIMITS.teamsBytes);
 */
export function fitWithin<T>(render: (valueChars: number) => T, fits: (payload: T) => boolean): T {
  let chars: number = CHANNEL_LIMITS.valueChars;
  let payload = render(chars);
  while (!fits(payload) && chars > CHANNEL_LIMITS.minValueChars) {
    chars = Math.max(CHANNEL_LIMITS.minValueChars, Math.floor(chars / 2));
    payload = render(chars);
  }
  return payload;
}
