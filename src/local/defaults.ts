/**
 * The embedded configuration of the offline tools: the conventions the sample events in `events/`
 * follow. `npm start` takes what is not set from it; `npm run verify` checks it when nothing is set.
 */
import { LocalInputError } from './input.js';

/** The account deploybridge is assumed to run in offline (the samples' account), unless AWS_ACCOUNT_ID names another. */
export const LOCAL_ACCOUNT = '123456789012';

/** The embedded default configuration: variable → value. */
export const LOCAL_DEFAULTS: Record<string, string> = {
  PROJECT_NAME: 'myproject',
  PROJECT_ENV: 'dev',
  SERVICE_CONFIG: JSON.stringify({
    api: [
      { bucket: 'myproject-config-dev', key: 'api/.env' },
      { bucket: 'myproject-config-dev', key: 'shared/.env' },
    ],
    worker: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
    backend: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
  }),
  // Two Lambda targets: a zip function deployed from an S3 artifact, and an image function.
  LAMBDA_CONFIG: JSON.stringify({
    thumbnailer: {
      alias: 'live',
      artifact: { bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' },
      smoke_test: { payload: { ping: true }, expect: { statusCode: 200 } },
    },
    renderer: {
      alias: 'live',
      smoke_test: { payload: { ping: true }, expect: { statusCode: 200 } },
    },
  }),
  // The scan gate, so the scan samples (events/ecr-*scan*.json) show it at work.
  ECR_SCAN_GATE: 'HIGH',
};

/**
 * What approvals stand on, offline: the approver of the click samples (events/approval-sequence.json,
 * events/ecs-pause-continue-sequence.json),
 * a bot (nothing is sent offline: the token is a stand-in), the channel, the signing secret the
 * local run signs clicks with, and the deployments table (in memory offline).
 */
export const LOCAL_APPROVAL_DEFAULTS: Record<string, string> = {
  APPROVERS: 'U0APPROVER',
  SLACK_BOT_TOKEN: 'xoxb-local-run-stand-in',
  SLACK_CHANNEL: 'C0DEPLOYS',
  SLACK_SIGNING_SECRET: 'local-run-signing-secret',
  DEPLOYMENTS_TABLE: 'myproject-deploybridge-dev-deployments',
};

/**
 * The checks of the lifecycle hook samples (events/ecs-hook-*.json): the api service's alarms, read
 * at every call (the described CloudWatch answers say what state each is in).
 */
export const LOCAL_ROLLOUT_DEFAULTS: Record<string, string> = {
  ROLLOUT_CONFIG: JSON.stringify({ api: { alarms: ['myproject-api-5xx', 'myproject-api-p99-latency'] } }),
};

/**
 * The environment with every embedded default that is not set, and the names of those it took.
 * With `approvals` (the input holds a click, or APPROVERS is set), what approvals stand on too;
 * APPROVERS itself only when the input holds a click. With `hooks` (the input holds a lifecycle
 * hook invocation), the rollout checks too.
 *
 * @example
 * withLocalDefaults({ PROJECT_ENV: 'prod' }); // { env: { PROJECT_ENV: 'prod', PROJECT_NAME: 'myproject', … }, defaulted: ['PROJECT_NAME', …] }
 */
export function withLocalDefaults(
  env: Record<string, string | undefined>,
  { clicks = false, hooks = false }: { clicks?: boolean; hooks?: boolean } = {},
): {
  env: Record<string, string | undefined>;
  defaulted: string[];
} {
  const approvals = clicks || (env.APPROVERS ?? '') !== '';
  const defaults = {
    ...LOCAL_DEFAULTS,
    ...(approvals ? LOCAL_APPROVAL_DEFAULTS : {}),
    ...(hooks ? LOCAL_ROLLOUT_DEFAULTS : {}),
  };
  const defaulted = Object.keys(defaults).filter((name) => env[name] === undefined);
  return { env: { ...env, ...Object.fromEntries(defaulted.map((name) => [name, defaults[name]])) }, defaulted };
}

/**
 * The account deploybridge is assumed to run in offline: AWS_ACCOUNT_ID when set (the SDK's name
 * for the account of the credentials), else {@link LOCAL_ACCOUNT}; never an event's. Throws a
 * {@link LocalInputError} when AWS_ACCOUNT_ID is not an account id.
 *
 * @example
 * localAccount({}); // { account: '123456789012', configured: false }
 */
export function localAccount(env: Record<string, string | undefined>): { account: string; configured: boolean } {
  const value = env.AWS_ACCOUNT_ID?.trim();
  if (value === undefined || value === '') return { account: LOCAL_ACCOUNT, configured: false };
  if (!/^\d{12}$/.test(value))
    throw new LocalInputError(
      `AWS_ACCOUNT_ID must be a 12-digit AWS account id (the account deploybridge is assumed to run in), got ${JSON.stringify(value.slice(0, 40))}`,
    );
  return { account: value, configured: true };
}
