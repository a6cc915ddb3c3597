/**
 * The channels besides Slack: how the configuration reaches each (checked always; with `--live`,
 * the SSM parameters holding their URLs and secret are looked up by name, never read), and
 * `--notify`: one test message to every channel the configuration has — Slack (as `--slack`), and
 * Teams, Google Chat, the signed webhook and SNS, each through the very channel the function uses,
 * whatever its `…_EVENTS` — with one result per channel. URLs and secrets are never printed: a
 * failure is reported by the channel's own reason (a status, an error's name).
 */
import { channelRoutes, createChannel, type ChannelRoute } from '../channels/setup.js';
import type { ChannelMessage } from '../channels/message.js';
import type { Config } from '../config/config.js';
import { DEFAULT_DELIVERY_OPTIONS, InvocationBudget } from '../shared/delivery.js';
import type { Secret } from '../shared/secrets.js';
import { couldNotCheck, type VerifyContext } from './context.js';
import { describeParameters } from './parameters.js';
import { preflightNotification } from './report.js';
import { ok, problem, summarise, type CheckResult } from './result.js';
import { sendTestMessage } from './slack.js';

/** The secrets of a channel, each with the variable a value would be set in. */
function secretsOf(route: ChannelRoute): Array<[Secret, string]> {
  switch (route.name) {
    case 'teams':
      return [[route.url, 'TEAMS_WEBHOOK_URL']];
    case 'google_chat':
      return [[route.url, 'GOOGLE_CHAT_WEBHOOK_URL']];
    case 'webhook':
      return [
        [route.url, 'WEBHOOK_URL'],
        [route.secret, 'WEBHOOK_SECRET'],
      ];
    case 'sns':
      return [];
  }
}

/** "TEAMS_EVENTS: deployment.failed", or "everything Slack hears". */
const hearing = (route: ChannelRoute) => (route.events.length === 0 ? 'everything Slack hears' : `only ${route.events.join(', ')}`);

/**
 * How each channel besides Slack is configured; with a live context, each SSM parameter holding a
 * URL or the signing secret exists (by name, value not read) and is a SecureString.
 *
 * @example
 * results.push(...(await checkChannels(config, ctx)));
 */
export async function checkChannels(config: Config, ctx: VerifyContext | undefined): Promise<CheckResult[]> {
  const routes = channelRoutes(config);
  const parameters = routes.flatMap((route) => secretsOf(route).flatMap(([secret]) => ('parameter' in secret ? [secret.parameter] : [])));
  const found = ctx === undefined || parameters.length === 0 ? undefined : await describeParameters(ctx, parameters);
  return routes.map((route): CheckResult => {
    const label = createChannel(route).label;
    const missing: string[] = [];
    const notSecure: string[] = [];
    for (const [secret] of secretsOf(route)) {
      if (!('parameter' in secret) || found === undefined) continue;
      if (!(found instanceof Map))
        return couldNotCheck('notify', undefined, `the SSM parameter ${secret.parameter}`, 'ssm:DescribeParameters', found);
      const metadata = found.get(secret.parameter);
      if (metadata === undefined) missing.push(secret.parameter);
      else if (metadata.Type !== 'SecureString') notSecure.push(secret.parameter);
    }
    if (missing.length > 0)
      return problem('notify', {
        message: `${label}: the SSM parameter ${missing.join(' and ')} does not exist: no notification reaches ${label}`,
        fix: `aws ssm put-parameter --type SecureString --name ${missing[0]} --value file://value.txt`,
      });
    if (notSecure.length > 0)
      return problem('notify', {
        message: `${label}: the SSM parameter ${notSecure.join(' and ')} is not a SecureString: the secret is stored unencrypted`,
        fix: 'delete it and create it again as a SecureString',
      });
    const from = secretsOf(route)
      .map(([secret, variable]) =>
        'parameter' in secret ? `the SSM parameter ${secret.parameter}` : `${variable} (not shown: it is a secret)`,
      )
      .join(' and ');
    const where =
      route.name === 'sns' ? `topic ${route.topicArn}` : `${from}${found === undefined ? '' : ' (exists, SecureString; value not read)'}`;
    return ok('notify', { message: `${label} (${route.name}) hears ${hearing(route)}, through ${where}` });
  });
}

/** Where a channel's URL or topic is configured, for the fix of a failed test message. */
function configuredIn(route: ChannelRoute): string {
  const where = (secret: Secret, variable: string) => ('parameter' in secret ? `the SSM parameter ${secret.parameter}` : variable);
  switch (route.name) {
    case 'teams':
      return `the Workflows webhook URL in ${where(route.url, 'TEAMS_WEBHOOK_URL')}`;
    case 'google_chat':
      return `the webhook URL in ${where(route.url, 'GOOGLE_CHAT_WEBHOOK_URL')}`;
    case 'webhook':
      return `the URL in ${where(route.url, 'WEBHOOK_URL')} and the secret in ${where(route.secret, 'WEBHOOK_SECRET')} (the receiver checks the signature with it)`;
    case 'sns':
      return `the topic ${route.topicArn} (sns:Publish allowed to you, a Chatbot channel subscribed to it)`;
  }
}

/**
 * Sends the test message ("deploybridge preflight for myproject/dev: N ok, M problems") to every
 * configured channel, side by side, and reports each answer.
 *
 * @example
 * results.push(...(await sendTestNotifications(config, results)));
 */
export async function sendTestNotifications(config: Config, results: readonly CheckResult[]): Promise<CheckResult[]> {
  const routes = channelRoutes(config);
  const slackOn = config.slackNotificationsEnabled;
  if (routes.length === 0 && !slackOn)
    return [
      problem('notify', {
        message: 'no test message sent: no channel is configured (Slack is off, and no Teams, Google Chat, webhook or SNS topic is set)',
        fix: 'configure a channel (docs/notifications.md), or ENABLE_SLACK_NOTIFICATIONS=true with a webhook or bot token',
      }),
    ];
  const notification = preflightNotification(
    config,
    summarise(results),
    results.filter((r) => r.status === 'problem'),
  );
  const message: ChannelMessage = {
    notification,
    event: { type: 'preflight.test' },
    id: `preflight-${Date.now()}`,
    time: new Date().toISOString(),
    project: config.projectName,
    environment: config.projectEnv,
  };
  const deadline = new InvocationBudget(DEFAULT_DELIVERY_OPTIONS.budgetMs).deadline();
  const others = routes.map(async (route): Promise<CheckResult> => {
    const channel = createChannel(route);
    const outcome = await channel.deliver(message, DEFAULT_DELIVERY_OPTIONS, deadline);
    if (outcome.ok) return ok('notify', { message: `test message delivered to ${channel.label} (${channel.name})` });
    return problem('notify', {
      message: `test message not delivered to ${channel.label} (${channel.name}): ${outcome.reason}`,
      fix: `check ${configuredIn(route)}`,
    });
  });
  return Promise.all([...(slackOn ? [sendTestMessage(config, results)] : []), ...others]);
}
