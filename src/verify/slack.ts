/**
 * Slack: how the configuration reaches it (checked always; the SSM parameter of the webhook or bot
 * token is looked up by name when live, never read), and with `--slack` one test message through
 * the same notifier the function uses. The webhook URL and the token are secrets: no line names
 * them, and a failed send is reported by the notifier's own secret-free reason.
 */
import type { Config } from '../config/config.js';
import type { Log, LogFields, MetricSink } from '../shared/observability.js';
import { secretOf, secretSource } from '../shared/secrets.js';
import { createNotifier, slackRoute as notifierRoute } from '../slack/setup.js';
import { lookUpUser } from '../slack/users.js';
import type { VerifyContext } from './context.js';
import { couldNotCheck } from './context.js';
import { describeParameters } from './parameters.js';
import { preflightNotification } from './report.js';
import { ok, problem, summarise, type CheckResult } from './result.js';

/** The description the Terraform module gives the webhook parameter it creates with a placeholder value (terraform/ssm.tf). */
const MODULE_PARAMETER_DESCRIPTION = 'Slack incoming-webhook URL of deploybridge';

/** How the function reaches Slack (src/slack/setup.ts chooses): with a bot token (it wins over a webhook) or a webhook, each given as a value or as an SSM parameter. */
type SlackRoute =
  | { via: 'bot token'; variable: 'SLACK_BOT_TOKEN' | 'SLACK_BOT_TOKEN_SSM_PARAMETER'; parameter: string | undefined }
  | { via: 'webhook'; variable: 'SLACK_WEBHOOK_URL' | 'SLACK_WEBHOOK_SSM_PARAMETER'; parameter: string | undefined };

function slackRoute(config: Config): SlackRoute | undefined {
  const route = notifierRoute(config);
  if (route.via === 'off') return undefined;
  const parameter = 'parameter' in route.secret ? route.secret.parameter : undefined;
  if (route.via === 'bot token')
    return { via: 'bot token', variable: parameter === undefined ? 'SLACK_BOT_TOKEN' : 'SLACK_BOT_TOKEN_SSM_PARAMETER', parameter };
  return { via: 'webhook', variable: parameter === undefined ? 'SLACK_WEBHOOK_URL' : 'SLACK_WEBHOOK_SSM_PARAMETER', parameter };
}

/** "the bot token (channel C0123)", "the webhook". */
const describeRoute = (config: Config, route: SlackRoute) =>
  route.via === 'bot token' ? `the bot token (channel ${config.slackChannel ?? '?'})` : 'the webhook';

/**
 * How notifications reach Slack, as configured; with a live context, the SSM parameter holding
 * the secret exists (by name) and, for the webhook the Terraform module creates, no longer holds
 * its placeholder.
 *
 * @example
 * await checkSlackConfiguration(config, undefined); // offline: configuration only
 */
export async function checkSlackConfiguration(config: Config, ctx: VerifyContext | undefined): Promise<CheckResult> {
  if (!config.slackNotificationsEnabled) return ok('slack', { message: 'Slack notifications are off (ENABLE_SLACK_NOTIFICATIONS=false)' });
  const route = slackRoute(config);
  if (route === undefined) {
    return problem('slack', {
      message:
        'Slack notifications are on, but neither SLACK_WEBHOOK_URL nor SLACK_WEBHOOK_SSM_PARAMETER (nor a bot token) is set: notifications only reach the debug log',
      fix: 'set SLACK_WEBHOOK_SSM_PARAMETER (or SLACK_WEBHOOK_URL), or ENABLE_SLACK_NOTIFICATIONS=false',
    });
  }
  const secret = route.via === 'bot token' ? 'Slack bot token' : 'Slack webhook';
  const unused =
    route.via === 'bot token' && (config.slackWebhookUrl !== undefined || config.slackWebhookSsmParameter !== undefined)
      ? '; the webhook is not used while a bot token is set'
      : '';
  const where = route.via === 'bot token' ? ` posting to channel ${config.slackChannel ?? '?'}` : '';
  if (route.parameter === undefined)
    return ok('slack', {
      message: `${route.via === 'bot token' ? secret : 'Slack webhook URL'} set in ${route.variable}${where} (not shown: it is a secret)${unused}`,
    });
  const parameter = route.parameter;
  if (ctx === undefined)
    return ok('slack', {
      message: `${secret} read at run time from the SSM parameter ${parameter}${where} (--live checks that it exists)${unused}`,
    });
  const found = await describeParameters(ctx, [parameter]);
  if (!(found instanceof Map)) return couldNotCheck('slack', undefined, `the SSM parameter ${parameter}`, 'ssm:DescribeParameters', found);
  const metadata = found.get(parameter);
  const value = route.via === 'bot token' ? 'file://bot-token.txt' : '"$WEBHOOK_URL"';
  const putCommand = `aws ssm put-parameter --overwrite --type SecureString --name ${parameter} --value ${value}`;
  if (metadata === undefined)
    return problem('slack', {
      message: `the ${secret}'s SSM parameter ${parameter} does not exist: no notification can be sent`,
      fix: putCommand.replace('--overwrite ', ''),
    });
  if (route.via === 'webhook' && metadata.Version === 1 && metadata.Description?.startsWith(MODULE_PARAMETER_DESCRIPTION) === true) {
    return problem('slack', {
      message: `the ${secret}'s SSM parameter ${parameter} still holds the placeholder the Terraform module created (version 1)`,
      fix: putCommand,
    });
  }
  if (metadata.Type !== 'SecureString')
    return problem('slack', {
      message: `the ${secret}'s SSM parameter ${parameter} is a ${metadata.Type ?? '?'}, not a SecureString: the secret is stored unencrypted`,
      fix: `delete it and create it again as a SecureString (${putCommand.replace('--overwrite ', '')})`,
    });
  return ok('slack', {
    message: `the ${secret}'s SSM parameter ${parameter} exists (SecureString, version ${metadata.Version ?? '?'}; value not read)${where}${unused}`,
  });
}

/**
 * Posts one test message ("deploybridge preflight for myproject/dev: N ok, M problems") with the
 * notifier the function uses (bot token or webhook, as it would choose), and reports whether Slack
 * accepted it.
 *
 * @example
 * const line = await sendTestMessage(config, results);
 */
export async function sendTestMessage(config: Config, results: readonly CheckResult[]): Promise<CheckResult> {
  if (!config.slackNotificationsEnabled)
    return problem('slack', {
      message: 'test message not sent: Slack notifications are off',
      fix: 'set ENABLE_SLACK_NOTIFICATIONS=true to test Slack',
    });
  const route = slackRoute(config);
  if (route === undefined)
    return problem('slack', {
      message: 'test message not sent: no webhook is configured',
      fix: 'set SLACK_WEBHOOK_SSM_PARAMETER (or SLACK_WEBHOOK_URL)',
    });
  // The notifier never throws: a failed send is a warning log line with a reason that never contains the URL.
  const failures: string[] = [];
  const ignore = () => undefined;
  const failed = (_message: string, fields?: LogFields) =>
    failures.push(typeof fields?.error === 'string' ? fields.error : 'unknown reason');
  const log: Log = { debug: ignore, info: ignore, warn: failed, error: failed };
  const metrics: MetricSink = { count: ignore, ofDeployment: ignore, ofChannel: ignore, ofHookCheck: ignore };
  const notifier = createNotifier(config, log, metrics);
  notifier.notify(
    preflightNotification(
      config,
      summarise(results),
      results.filter((r) => r.status === 'problem'),
    ),
  );
  await notifier.flush();
  if (failures.length > 0) {
    const fix =
      route.via === 'bot token'
        ? `check the bot token (its value in ${route.variable}), that the app is in channel ${config.slackChannel ?? '?'} and has chat:write`
        : `check the webhook URL (its value in ${route.variable}) and that Slack accepts it`;
    return problem('slack', { message: `test message not delivered through ${describeRoute(config, route)}: ${failures.join('; ')}`, fix });
  }
  const approvals = config.approvers.length > 0 ? ': the bot can post approval requests there' : '';
  return ok('slack', { message: `test message delivered to Slack through ${describeRoute(config, route)}${approvals}` });
}

/**
 * Approvals, as configured: who approves, how long a request waits, where the signing secret comes
 * from; with a live context, that the signing secret's SSM parameter exists (by name) and is a
 * SecureString. Nothing when approvals are off.
 *
 * @example
 * await checkApprovalsConfiguration(config, undefined); // [ok('approvals', { message: 'approvals on: …' })]
 */
export async function checkApprovalsConfiguration(config: Config, ctx: VerifyContext | undefined): Promise<CheckResult[]> {
  if (config.approvers.length === 0) return [];
  const on = `approvals on: every deployment waits for one of ${config.approvers.join(', ')} to approve it in channel ${config.slackChannel ?? '?'}; a request expires after ${config.approvalExpiryMinutes} minutes`;
  const parameter = config.slackSigningSecretSsmParameter;
  if (parameter === undefined)
    return [ok('approvals', { message: `${on}; clicks verified with SLACK_SIGNING_SECRET (not shown: it is a secret)` })];
  if (ctx === undefined)
    return [
      ok('approvals', {
        message: `${on}; clicks verified with the signing secret of the SSM parameter ${parameter} (--live checks that it exists)`,
      }),
    ];
  const found = await describeParameters(ctx, [parameter]);
  if (!(found instanceof Map))
    return [couldNotCheck('approvals', undefined, `the SSM parameter ${parameter}`, 'ssm:DescribeParameters', found)];
  const putCommand = `aws ssm put-parameter --type SecureString --name ${parameter} --value "$SIGNING_SECRET" (Basic Information → App Credentials → Signing Secret of the Slack app)`;
  const metadata = found.get(parameter);
  if (metadata === undefined)
    return [
      problem('approvals', {
        message: `the signing secret's SSM parameter ${parameter} does not exist: every click would be refused`,
        fix: putCommand,
      }),
    ];
  if (metadata.Type !== 'SecureString')
    return [
      problem('approvals', {
        message: `the signing secret's SSM parameter ${parameter} is a ${metadata.Type ?? '?'}, not a SecureString: the secret is stored unencrypted`,
        fix: `delete it and create it again: ${putCommand}`,
      }),
    ];
  return [ok('approvals', { message: `${on}; the signing secret's SSM parameter ${parameter} exists (SecureString; value not read)` })];
}

/**
 * With `--slack` and approvers: every approver is a user of the workspace the bot token belongs to
 * (`users.info`), a person, not deactivated. Someone Slack does not know could never click.
 *
 * @example
 * await checkApprovers(config); // [ok('approvals', { message: 'approver U0123ABCDE is alice, a user of the workspace' })]
 */
export async function checkApprovers(config: Config): Promise<CheckResult[]> {
  if (config.approvers.length === 0) return [];
  const tokenSecret = secretOf(config.slackBotToken, config.slackBotTokenSsmParameter);
  if (tokenSecret === undefined) return [];
  let token: string;
  try {
    token = await secretSource(tokenSecret)();
  } catch (error) {
    return [
      problem('approvals', {
        message: `approvers not checked: the bot token could not be read (${(error as Error).name})`,
        fix: 'check the bot token parameter and that the preflight may read it (ssm:GetParameter)',
      }),
    ];
  }
  return Promise.all(
    config.approvers.map(async (id): Promise<CheckResult> => {
      let user: Awaited<ReturnType<typeof lookUpUser>>;
      try {
        user = await lookUpUser(config.slackApiUrl, token, id);
      } catch (error) {
        return problem('approvals', {
          message: `approver ${id} not checked: Slack could not be reached (${(error as Error).name})`,
          fix: 'check SLACK_API_URL and the network',
        });
      }
      if (!user.found) {
        const fix =
          user.error === 'user_not_found'
            ? `use the member id of the person (Slack: their profile → ⋯ → Copy member ID) in APPROVERS`
            : user.error === 'missing_scope'
              ? 'add the users:read scope to the Slack app (OAuth & Permissions) and reinstall it'
              : 'check the bot token and SLACK_API_URL';
        return problem('approvals', { message: `approver ${id} could not be found in the workspace: Slack error ${user.error}`, fix });
      }
      if (user.deleted)
        return problem('approvals', {
          message: `approver ${id} (${user.name}) is deactivated: they can no longer approve`,
          fix: 'remove them from APPROVERS',
        });
      if (user.bot)
        return problem('approvals', { message: `approver ${id} (${user.name}) is a bot, not a person`, fix: 'name people in APPROVERS' });
      return ok('approvals', { message: `approver ${id} is ${user.name}, a user of the workspace` });
    }),
  );
}
