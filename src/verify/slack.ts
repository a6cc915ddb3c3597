/**
 * Slack: how the configuration reaches it (checked always; the webhook's SSM parameter is looked
 * up by name when live, never read), and with `--slack` one test message through the same notifier
 * the function uses. The webhook URL is a secret: no line names it, and a failed send is reported
 * by the notifier's own secret-free reason.
 */
import type { Config } from '../config.js';
import type { Log, LogFields, MetricSink } from '../observability.js';
import { createNotifier } from '../slack/setup.js';
import type { VerifyContext } from './context.js';
import { couldNotCheck } from './context.js';
import { describeParameters } from './parameters.js';
import { preflightNotification } from './report.js';
import { ok, problem, summarise, type CheckResult } from './result.js';

/** The description the Terraform module gives the webhook parameter it creates with a placeholder value (terraform/ssm.tf). */
const MODULE_PARAMETER_DESCRIPTION = 'Slack incoming-webhook URL of deploybridge';

/**
 * How notifications reach Slack, as configured; with a live context, the webhook's SSM parameter
 * exists (by name) and no longer holds the Terraform module's placeholder.
 *
 * @example
 * await checkSlackConfiguration(config, undefined); // offline: configuration only
 */
export async function checkSlackConfiguration(config: Config, ctx: VerifyContext | undefined): Promise<CheckResult> {
  if (!config.slackNotificationsEnabled) return ok('slack', { message: 'Slack notifications are off (ENABLE_SLACK_NOTIFICATIONS=false)' });
  if (config.slackWebhookUrl !== undefined) return ok('slack', { message: 'Slack webhook URL set in SLACK_WEBHOOK_URL (not shown: it is a secret)' });
  const parameter = config.slackWebhookSsmParameter;
  if (parameter === undefined) {
    return problem('slack', { message: 'Slack notifications are on, but neither SLACK_WEBHOOK_URL nor SLACK_WEBHOOK_SSM_PARAMETER is set: notifications only reach the debug log', fix: 'set SLACK_WEBHOOK_SSM_PARAMETER (or SLACK_WEBHOOK_URL), or ENABLE_SLACK_NOTIFICATIONS=false' });
  }
  if (ctx === undefined) return ok('slack', { message: `Slack webhook read at run time from the SSM parameter ${parameter} (--live checks that it exists)` });
  const found = await describeParameters(ctx, [parameter]);
  if (!(found instanceof Map)) return couldNotCheck('slack', undefined, `the SSM parameter ${parameter}`, 'ssm:DescribeParameters', found);
  const metadata = found.get(parameter);
  const putCommand = `aws ssm put-parameter --overwrite --type SecureString --name ${parameter} --value "$WEBHOOK_URL"`;
  if (metadata === undefined) return problem('slack', { message: `the Slack webhook's SSM parameter ${parameter} does not exist: no notification can be sent`, fix: putCommand.replace('--overwrite ', '') });
  if (metadata.Version === 1 && metadata.Description?.startsWith(MODULE_PARAMETER_DESCRIPTION) === true) {
    return problem('slack', { message: `the Slack webhook's SSM parameter ${parameter} still holds the placeholder the Terraform module created (version 1)`, fix: putCommand });
  }
  if (metadata.Type !== 'SecureString') return problem('slack', { message: `the Slack webhook's SSM parameter ${parameter} is a ${metadata.Type ?? '?'}, not a SecureString: the URL is stored unencrypted`, fix: `delete it and create it again as a SecureString (${putCommand.replace('--overwrite ', '')})` });
  return ok('slack', { message: `the Slack webhook's SSM parameter ${parameter} exists (SecureString, version ${metadata.Version ?? '?'}; value not read)` });
}

/**
 * Posts one test message ("deploybridge preflight for myproject/dev: N ok, M problems") with the
 * notifier the function uses, and reports whether Slack accepted it.
 *
 * @example
 * const line = await sendTestMessage(config, results);
 */
export async function sendTestMessage(config: Config, results: readonly CheckResult[]): Promise<CheckResult> {
  if (!config.slackNotificationsEnabled) return problem('slack', { message: 'test message not sent: Slack notifications are off', fix: 'set ENABLE_SLACK_NOTIFICATIONS=true to test Slack' });
  if (config.slackWebhookUrl === undefined && config.slackWebhookSsmParameter === undefined) {
    return problem('slack', { message: 'test message not sent: no webhook is configured', fix: 'set SLACK_WEBHOOK_SSM_PARAMETER (or SLACK_WEBHOOK_URL)' });
  }
  // The notifier never throws: a failed send is a warning log line with a reason that never contains the URL.
  const failures: string[] = [];
  const ignore = () => undefined;
  const failed = (_message: string, fields?: LogFields) => failures.push(typeof fields?.error === 'string' ? fields.error : 'unknown reason');
  const log: Log = { debug: ignore, info: ignore, warn: failed, error: failed };
  const metrics: MetricSink = { count: ignore };
  const notifier = createNotifier(config, log, metrics);
  notifier.notify(preflightNotification(config, summarise(results), results.filter((r) => r.status === 'problem')));
  await notifier.flush();
  if (failures.length > 0) {
    return problem('slack', { message: `test message not delivered: ${failures.join('; ')}`, fix: 'check the webhook URL (its value in SLACK_WEBHOOK_URL or the SSM parameter) and that Slack accepts it' });
  }
  return ok('slack', { message: 'test message delivered to Slack' });
}
