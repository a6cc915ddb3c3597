/**
 * A Slack click in the local run: a Function URL request of the input, signed at the time of the
 * run with the configured signing secret (as Slack signs it), answered as the Function URL answers
 * it, and its hand-off carried out as the asynchronous invocation carries it out: verified again,
 * decided on the deployments table, an approved request deployed by the App; a pause's Continue or
 * Roll back taken to ECS (described, not made).
 */
import type { Context } from 'aws-lambda';
import { approvalRules } from '../approvals/buttons.js';
import { createDecisionActor } from '../approvals/decide.js';
import type { Config } from '../config/config.js';
import type { App } from '../entry/app.js';
import type { DeploymentJournal } from '../following/journal.js';
import { answerFunctionUrl } from '../interactions/click.js';
import { carryOutHandOff } from '../interactions/carryOut.js';
import type { ButtonRules, ClickActors, HandOff } from '../interactions/contract.js';
import { readFunctionUrlRequest } from '../interactions/http.js';
import { rolloutRules } from '../interactions/rollout.js';
import type { ECSClient } from '../aws/ecs.js';
import { rolloutButtonsActor } from '../entry/rollouts.js';
import type { Log, MetricSink } from '../shared/observability.js';
import { parseInteraction } from '../slack/interactions.js';
import type { Notifier } from '../slack/notifier.js';
import { slackSignature } from '../slack/signature.js';
import type { DescribedCall } from './describedCalls.js';
import type { RawEvent } from './input.js';

export interface LocalClickParts {
  config: Config;
  app: App;
  journal: DeploymentJournal | undefined;
  notifier: Notifier;
  log: Log;
  metrics: MetricSink;
  context: Context | undefined;
  ecs: () => Promise<ECSClient>;
  /** The AWS calls described since the last take (offline); live, none. */
  takeCalls: () => DescribedCall[];
}

/** `  described write (not made): ecs:ContinueServiceDeployment serviceDeploymentArn=… hookId=… action=CONTINUE`, values in full. */
function writeLine(call: DescribedCall): string {
  const input = Object.entries(call.input).map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `  described write (not made): ${call.service}:${call.command} ${input.join(' ')}`;
}

/**
 * When the request says Slack sent it (`requestContext.timeEpoch`), else now. A pause's timeout is
 * the event's, on the sample's timeline: its click is decided at the time the sample gives it.
 */
function sentAt(event: RawEvent): number {
  const context = event.requestContext;
  const epoch = typeof context === 'object' && context !== null ? (context as { timeEpoch?: unknown }).timeEpoch : undefined;
  return typeof epoch === 'number' && Number.isFinite(epoch) ? epoch : Date.now();
}

/** The request with Slack's two signing headers, signed now with `secret`. */
function signed(event: RawEvent, secret: string): RawEvent {
  const body = readFunctionUrlRequest(event, Number.POSITIVE_INFINITY).body ?? '';
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = typeof event.headers === 'object' && event.headers !== null ? event.headers : {};
  return {
    ...event,
    headers: { ...headers, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': slackSignature(secret, timestamp, body) },
  };
}

/** `Approve (deploybridge.approve) by U0APPROVER on request 1a2b…`: the click, as the lines name it. */
function describeClick(event: RawEvent): string {
  const payload = parseInteraction(readFunctionUrlRequest(event, Number.POSITIVE_INFINITY).body ?? '');
  if (payload.kind !== 'click') return 'a Slack interaction that is not a button click';
  const { click } = payload;
  return `a click on ${click.actionId} by ${click.user.id}${click.user.name === undefined ? '' : ` (${click.user.name})`} for ${click.value ?? '(no value)'}`;
}

/**
 * Handles one click of the input; resolves with the lines that say what became of it. What it
 * posts in Slack goes to `notifier`, as the function's would.
 *
 * @example
 * await runLocalClick(event, parts);
 * // ['Slack: a click on deploybridge.approve by U0APPROVER (alice) for 9c1f…, signed now with the signing secret',
 * //  '  the Function URL answered 200: handed off to an asynchronous invocation', '  the asynchronous invocation: carried out']
 */
export async function runLocalClick(event: RawEvent, parts: LocalClickParts): Promise<string[]> {
  const { config, app, journal, notifier, log, metrics, context } = parts;
  const secret = config.slackSigningSecret;
  const lines = [`Slack: ${describeClick(event)}, signed now with the signing secret`];
  if (secret === undefined)
    return [...lines.slice(0, 1), '  not handled: the local run signs clicks with SLACK_SIGNING_SECRET, which is not set'];
  const told: string[] = [];
  const handOffs: HandOff[] = [];
  const approvals = approvalRules(config.approvers);
  const rollouts = rolloutRules(config.approvers);
  const rules: ButtonRules = (actionId) => approvals(actionId) ?? rollouts(actionId);
  const answer = await answerFunctionUrl(signed(event, secret), {
    rules,
    secret: async () => secret,
    handOff: async (handOff) => {
      handOffs.push(handOff);
    },
    reply: async (_url, text) => {
      told.push(text);
      return true;
    },
    repliesTo: () => true,
    log,
    metrics,
  });
  lines.push(`  the Function URL answered ${answer.statusCode}${handOffs.length > 0 ? ': handed off to an asynchronous invocation' : ''}`);
  for (const handOff of handOffs) {
    if (journal === undefined) {
      lines.push('  the asynchronous invocation: not carried out (no deployments table)');
      continue;
    }
    const reply = async (_click: unknown, text: string) => {
      told.push(text);
    };
    // As the function chooses them: the rollout buttons' actor, else the approvals'.
    const actors: ClickActors = async (actionId) =>
      rollouts(actionId) === undefined
        ? createDecisionActor({
            config,
            journal,
            notifier,
            log,
            metrics,
            deploy: (approval) => app.carryOutApproved(approval, context),
            reply,
          })
        : rolloutButtonsActor({ journal, notifier, log, ecs: parts.ecs, reply, now: () => sentAt(event) });
    const result = await carryOutHandOff(handOff, { rules, actors, secret: async () => secret, log, metrics });
    lines.push(`  the asynchronous invocation: ${result.status === 'carried out' ? 'carried out' : `refused (${result.reason})`}`);
    // A pause's decision is the one call it makes in AWS: said here, in full. (An approved
    // deployment's calls are the deployment's, which its messages say.)
    const writes = parts.takeCalls().filter((call) => call.kind === 'write');
    if (result.status === 'carried out' && rollouts(result.action) !== undefined) lines.push(...writes.map(writeLine));
  }
  for (const text of told) lines.push(`  told only the one who clicked: "${text}"`);
  return lines;
}
