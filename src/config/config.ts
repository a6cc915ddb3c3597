/**
 * Configuration: read once from the environment, validated, and passed in.
 *
 * Every problem is collected so a broken deployment of deploybridge is fixed in one go:
 * {@link loadConfig} throws a single {@link ConfigError} whose message lists them all. How each
 * kind of variable is read is ./envReader.ts's; what the variables mean together is here. Beside
 * it in src/config/: defaults and limits (./constants.ts), the naming rules (./naming.ts), the
 * catalog of services (./catalog.ts), the channels besides Slack (./channels.ts), the checks of
 * the ECS lifecycle hook (./rollout.ts) and image references (./images.ts).
 */
import * as z from 'zod/mini';
import { lazySchema } from '../shared/schema.js';
import { Catalog, type LambdaTargetConfig, type S3ObjectRef } from './catalog.js';
import {
  INTERACTION_LIMITS,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  LOG_LEVELS,
  SCAN_GATE_LEVELS,
  type LogLevel,
  type ScanGateLevel,
} from './constants.js';
import { EnvReader, type Env } from './envReader.js';
import { ConfigError } from '../shared/errors.js';
import { readChannels, type ChannelsConfig } from './channels.js';
import { renderPattern, SERVICE_NAME_RE } from './naming.js';
import { NAME_CHARACTERS, recordOf, serviceNameKeySchema } from './records.js';
import { readRelease, type ReleaseOrder } from './release.js';
import { readRolloutConfig, type RolloutConfig } from './rollout.js';

export interface FeatureFlags {
  ecr: boolean;
  ssm: boolean;
  s3: boolean;
  manual: boolean;
}

export interface Config {
  projectName: string;
  projectEnv: string;
  region: string;
  logLevel: LogLevel;
  clusterNamePattern: string;
  serviceNamePattern: string;
  taskFamilyPattern: string;
  /** `{name}` of the backend service; empty means "drop `{name}` from the patterns". */
  backendServiceName: string;
  slackWebhookUrl: string | undefined;
  /** Name of an SSM SecureString holding the webhook URL, read at run time instead of `slackWebhookUrl`. */
  slackWebhookSsmParameter: string | undefined;
  slackNotificationsEnabled: boolean;
  /** A Slack bot token: one message per deployment, updated as it goes, details in its thread. Wins over the webhook. */
  slackBotToken: string | undefined;
  /** Name of an SSM SecureString holding the bot token, read at run time instead of `slackBotToken`. */
  slackBotTokenSsmParameter: string | undefined;
  /** The channel the bot posts to (an id such as `C0123456789`). */
  slackChannel: string | undefined;
  /** Base URL of Slack's Web API (or a Slack-compatible server). */
  slackApiUrl: string;
  /** Teams, Google Chat, the signed webhook and SNS: every channel besides Slack. */
  channels: ChannelsConfig;
  /** `SERVICE_CONFIG` as configured: service name → the env files it reads. Ask {@link Config.catalog} what it means. */
  serviceConfig: Record<string, S3ObjectRef[]>;
  /** `LAMBDA_CONFIG` as configured: service name → its Lambda function. Ask {@link Config.catalog} what it means. */
  lambdaConfig: Record<string, LambdaTargetConfig>;
  lambdaFunctionPattern: string;
  /** Every service of the project, built from the naming rules, `SERVICE_CONFIG` and `LAMBDA_CONFIG`. */
  catalog: Catalog;
  /** `ROLLOUT_CONFIG`: the checks of the ECS lifecycle hook, by canonical service name (src/rollout/). */
  rollout: RolloutConfig;
  deploymentTimeoutSeconds: number;
  maxDeploymentRetries: number;
  dryRun: boolean;
  features: FeatureFlags;
  /** DynamoDB table that makes each (event id, target) deploy at most once; off when unset. */
  idempotencyTable: string | undefined;
  idempotencyTtlSeconds: number;
  /** DynamoDB table where the deployments deploybridge starts are recorded and followed; stateless when unset. */
  deploymentsTable: string | undefined;
  /** AWS accounts whose manual deploys are accepted; empty means any account. */
  manualDeployAccounts: string[];
  /**
   * A manual request must name its `env` and `project`: every deployment listening on the bus would
   * act on one that names none. Off (one env on the bus): such a request is this deployment's.
   */
  manualDeployRequireScope: boolean;
  /** Envs whose manual deploys must come from `action.production`. */
  protectedEnvs: string[];
  /** The lowest scan-finding severity that stops an image from deploying; `undefined`: no gate. */
  ecrScanGate: ScanGateLevel | undefined;
  /** `RELEASE_CONFIG`: tasks run before services deploy, and services that wait for others; off when unset. */
  release: ReleaseOrder | undefined;
  /** Slack user ids who may approve a deployment; when any is set, every deployment waits for one of them. */
  approvers: string[];
  /** The Slack app's signing secret: every request to the Function URL is verified with it. */
  slackSigningSecret: string | undefined;
  /** Name of an SSM SecureString holding the signing secret, read at run time instead of `slackSigningSecret`. */
  slackSigningSecretSsmParameter: string | undefined;
  /** How long an approval request waits before it expires. */
  approvalExpiryMinutes: number;
  /** The function's own name (`AWS_LAMBDA_FUNCTION_NAME`, set by Lambda): a click is handed off to an asynchronous invocation of it. */
  functionName: string | undefined;
}

/**
 * S3's naming rules for general purpose buckets: a name that breaks one is a typo (`My_Bucket`),
 * and every read of the bucket would fail on it.
 */
function isBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !['xn--', 'sthree-', 'amzn-s3-demo-'].some((prefix) => name.startsWith(prefix)) &&
    !['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].some((suffix) => name.endsWith(suffix))
  );
}

/**
 * An object key an env file or an artifact can have: S3's limit of 1024 bytes, and none of what
 * only a mistake gives (a leading "/" names another object than the one meant, a trailing one a
 * folder, a control character nothing anyone typed).
 */
function isObjectKey(key: string): boolean {
  return key !== '' && new TextEncoder().encode(key).length <= 1024 && !/\p{Cc}/u.test(key) && !key.startsWith('/') && !key.endsWith('/');
}

/** Strict: a misspelt field ("Key", "version") is a problem, not silently ignored. */
const s3ObjectRefSchema = lazySchema(() =>
  z.strictObject({
    bucket: z
      .string()
      .check(
        z.refine(
          isBucketName,
          'bucket must be an S3 bucket name (3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit; no "..", no IP address, no reserved prefix or suffix)',
        ),
      ),
    key: z
      .string()
      .check(z.refine(isObjectKey, 'key must be an S3 object key (1-1024 bytes, no control characters, not starting or ending with "/")')),
  }),
);

const serviceConfigSchema = lazySchema(() => recordOf(serviceNameKeySchema(), z.array(s3ObjectRefSchema())));

/** A function name, or its ARN without a qualifier (the alias and version are configured apart). */
const FUNCTION_NAME_RE = /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/;
/** Lambda's alias rule: letters, digits, "-" and "_", not only digits (that would be a version). */
const ALIAS_RE = /^(?!\d+$)[A-Za-z0-9_-]{1,128}$/;

const lambdaConfigSchema = lazySchema(() =>
  recordOf(
    serviceNameKeySchema(),
    // Strict: a misspelt field ("functionName", "smoketest") is a problem, not silently ignored.
    z.strictObject({
      function_name: z.optional(
        z
          .string()
          .check(
            z.regex(
              FUNCTION_NAME_RE,
              'function_name must be a function name (letters, digits, "-", "_", at most 64) or its unqualified ARN',
            ),
          ),
      ),
      alias: z.optional(z.string().check(z.regex(ALIAS_RE, 'alias must use letters, digits, "-" and "_", and not be a version number'))),
      artifact: z.optional(s3ObjectRefSchema()),
      smoke_test: z.optional(
        z.strictObject({
          payload: z.optional(z.unknown()),
          expect: z.optional(recordOf(z.string(), z.unknown())),
        }),
      ),
    }),
  ),
);

/** The naming patterns, and what AWS accepts as the names they render. */
type PatternVariable = 'CLUSTER_NAME_PATTERN' | 'SERVICE_NAME_PATTERN' | 'TASK_FAMILY_PATTERN' | 'LAMBDA_FUNCTION_PATTERN';

const ECS_NAME = { re: /^[A-Za-z0-9_-]{1,255}$/, allowed: 'letters, digits, "-" and "_", at most 255' };
const PATTERN_RULES: Record<PatternVariable, { what: string; re: RegExp; allowed: string; perService: boolean }> = {
  CLUSTER_NAME_PATTERN: { what: 'an ECS cluster name', ...ECS_NAME, perService: false },
  SERVICE_NAME_PATTERN: { what: 'an ECS service name', ...ECS_NAME, perService: true },
  TASK_FAMILY_PATTERN: { what: 'a task definition family', ...ECS_NAME, perService: true },
  LAMBDA_FUNCTION_PATTERN: {
    what: 'a function name',
    re: /^[A-Za-z0-9_-]{1,64}$/,
    allowed: 'letters, digits, "-" and "_", at most 64',
    perService: true,
  },
};

/** A service name a pattern is tried with. */
const SAMPLE_SERVICE = 'api';

/**
 * Adds the problems of what the naming patterns render: a pattern each service needs its own name
 * from must contain `{name}` (without it every service is one ECS service), and the names rendered
 * for a service and for the backend must be names AWS accepts. Patterns with unknown placeholders,
 * and an invalid project, env or backend name, are reported on their own and not tried.
 */
function checkRenderedNames(
  read: EnvReader,
  settings: Pick<
    Config,
    | 'projectName'
    | 'projectEnv'
    | 'backendServiceName'
    | 'clusterNamePattern'
    | 'serviceNamePattern'
    | 'taskFamilyPattern'
    | 'lambdaFunctionPattern'
  >,
): void {
  if (![settings.projectName, settings.projectEnv].every((part) => SERVICE_NAME_RE.test(part))) return;
  if (settings.backendServiceName !== '' && !SERVICE_NAME_RE.test(settings.backendServiceName)) return;
  const patterns: Record<PatternVariable, string> = {
    CLUSTER_NAME_PATTERN: settings.clusterNamePattern,
    SERVICE_NAME_PATTERN: settings.serviceNamePattern,
    TASK_FAMILY_PATTERN: settings.taskFamilyPattern,
    LAMBDA_FUNCTION_PATTERN: settings.lambdaFunctionPattern,
  };
  const render = (pattern: string, name: string) =>
    renderPattern(pattern, { project: settings.projectName, env: settings.projectEnv, name });
  for (const [variable, pattern] of Object.entries(patterns) as Array<[PatternVariable, string]>) {
    if (/\{(?!project\}|env\}|name\})[^}]*\}/.test(pattern)) continue;
    const rule = PATTERN_RULES[variable];
    if (rule.perService && !pattern.includes('{name}')) {
      read.problems.push(`${variable} must contain {name}: without it every service renders the same name ("${render(pattern, '')}")`);
    }
    const refused = [SAMPLE_SERVICE, settings.backendServiceName].map((name) => render(pattern, name)).find((name) => !rule.re.test(name));
    if (refused !== undefined)
      read.problems.push(`${variable} renders "${refused}", which AWS does not accept as ${rule.what} (${rule.allowed})`);
  }
}

/** Reads `ECR_SCAN_GATE`: CRITICAL, HIGH or MEDIUM (any case); empty is off. */
function readScanGate(read: EnvReader): ScanGateLevel | undefined {
  const value = read.string('ECR_SCAN_GATE').toUpperCase();
  if (value === '') return undefined;
  if ((SCAN_GATE_LEVELS as readonly string[]).includes(value)) return value as ScanGateLevel;
  read.problems.push(`ECR_SCAN_GATE must be one of ${SCAN_GATE_LEVELS.join(', ')} (or empty: no gate), got "${value}"`);
  return undefined;
}

/** A Slack user id: `U…`, or `W…` for an Enterprise Grid user. */
const SLACK_USER_RE = /^[UW][A-Z0-9]{2,20}$/;

/** The approval settings read from `APPROVERS`, the signing secret and `APPROVAL_EXPIRY_MINUTES`. */
type ApprovalSettings = Pick<
  Config,
  'approvers' | 'slackSigningSecret' | 'slackSigningSecretSsmParameter' | 'approvalExpiryMinutes' | 'functionName'
>;

/**
 * Reads the approval settings. With approvers, what approvals stand on must be configured too: the
 * bot token and channel (the request is one message, updated as it is decided), the signing
 * secret (every click is verified with it) and the deployments table (the request waits there).
 */
function readApprovals(
  read: EnvReader,
  slack: Pick<Config, 'slackNotificationsEnabled' | 'slackBotToken' | 'slackBotTokenSsmParameter' | 'slackChannel' | 'deploymentsTable'>,
): ApprovalSettings {
  const approvers = read.list('APPROVERS', { re: SLACK_USER_RE, what: 'Slack user ids (U… or W…)' });
  const slackSigningSecret = read.optional('SLACK_SIGNING_SECRET');
  if (slackSigningSecret !== undefined && !/^[\x21-\x7e]+$/.test(slackSigningSecret)) {
    read.problems.push('SLACK_SIGNING_SECRET must be a secret without spaces'); // never echo a secret
  }
  const slackSigningSecretSsmParameter = read.optional('SLACK_SIGNING_SECRET_SSM_PARAMETER');
  if (slackSigningSecret !== undefined && slackSigningSecretSsmParameter !== undefined) {
    read.problems.push('set either SLACK_SIGNING_SECRET or SLACK_SIGNING_SECRET_SSM_PARAMETER, not both');
  }
  const approvalExpiryMinutes = read.positiveInteger('APPROVAL_EXPIRY_MINUTES');
  if (approvalExpiryMinutes > INTERACTION_LIMITS.maxExpiryMinutes) {
    read.problems.push(
      `APPROVAL_EXPIRY_MINUTES must be at most ${INTERACTION_LIMITS.maxExpiryMinutes} (7 days), got ${approvalExpiryMinutes}`,
    );
  }
  if (approvers.length > 0) {
    if (!slack.slackNotificationsEnabled) read.problems.push('APPROVERS needs Slack: ENABLE_SLACK_NOTIFICATIONS is false');
    if (slack.slackBotToken === undefined && slack.slackBotTokenSsmParameter === undefined) {
      read.problems.push('APPROVERS needs a Slack bot token');
      // With a token, its own rule already asks for the channel.
      if (slack.slackChannel === undefined) read.problems.push('APPROVERS needs SLACK_CHANNEL (the channel approvals are asked in)');
    }
    if (slackSigningSecret === undefined && slackSigningSecretSsmParameter === undefined) {
      read.problems.push("APPROVERS needs the Slack app's signing secret");
    }
    if (slack.deploymentsTable === undefined)
      read.problems.push('APPROVERS needs the deployments table (DEPLOYMENTS_TABLE), where approval requests wait');
  }
  return {
    approvers,
    slackSigningSecret,
    slackSigningSecretSsmParameter,
    approvalExpiryMinutes,
    functionName: read.optional('AWS_LAMBDA_FUNCTION_NAME'),
  };
}

/** Reads `LAMBDA_CONFIG` (snake_case fields, validated) into camelCase entries. */
function readLambdaConfig(read: EnvReader): Record<string, LambdaTargetConfig> {
  const parsed = read.json('LAMBDA_CONFIG', lambdaConfigSchema) ?? {};
  return Object.fromEntries(
    Object.entries(parsed).map(([service, entry]) => [
      service,
      {
        functionName: entry.function_name,
        alias: entry.alias,
        artifact: entry.artifact,
        smokeTest:
          entry.smoke_test === undefined ? undefined : { payload: entry.smoke_test.payload ?? {}, expect: entry.smoke_test.expect },
      },
    ]),
  );
}

/**
 * Builds the catalog and adds its problems: ambiguous service names, and function names that
 * `LAMBDA_FUNCTION_PATTERN` renders but Lambda would refuse.
 */
function buildCatalog(read: EnvReader, config: Omit<Config, 'catalog' | 'release' | 'rollout'>): Catalog {
  const { catalog, problems } = Catalog.build(config, config.serviceConfig, config.lambdaConfig);
  read.problems.push(...problems);
  for (const service of catalog.configured()) {
    if (service.kind !== 'lambda' || FUNCTION_NAME_RE.test(service.lambda.functionName)) continue;
    read.problems.push(
      `LAMBDA_CONFIG.${service.name}: LAMBDA_FUNCTION_PATTERN renders "${service.lambda.functionName}", which is not a valid function name; set function_name`,
    );
  }
  return catalog;
}

/**
 * Reads and validates the configuration from environment variables.
 *
 * @throws ConfigError listing every problem found, one per line.
 */
export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const projectName = read.required('PROJECT_NAME');
  const projectEnv = read.required('PROJECT_ENV');
  for (const [name, value] of [
    ['PROJECT_NAME', projectName],
    ['PROJECT_ENV', projectEnv],
  ] as const) {
    if (value !== '' && !SERVICE_NAME_RE.test(value)) {
      read.problems.push(`${name} must use ${NAME_CHARACTERS}, got "${value}"`);
    }
  }
  const backendServiceName = read.string('BACKEND_SERVICE_NAME');
  if (backendServiceName !== '' && !SERVICE_NAME_RE.test(backendServiceName)) {
    read.problems.push(`BACKEND_SERVICE_NAME must use ${NAME_CHARACTERS}, got "${backendServiceName}"`);
  }
  const slackWebhookUrl = read.optional('SLACK_WEBHOOK_URL');
  if (slackWebhookUrl !== undefined && !/^https?:\/\/[^\s]+$/i.test(slackWebhookUrl)) {
    // The value itself is a secret: never echo it.
    read.problems.push('SLACK_WEBHOOK_URL must be an http(s) URL');
  }
  const slackWebhookSsmParameter = read.optional('SLACK_WEBHOOK_SSM_PARAMETER');
  if (slackWebhookUrl !== undefined && slackWebhookSsmParameter !== undefined) {
    read.problems.push('set either SLACK_WEBHOOK_URL or SLACK_WEBHOOK_SSM_PARAMETER, not both');
  }
  const slackBotToken = read.optional('SLACK_BOT_TOKEN');
  if (slackBotToken !== undefined && !/^[\x21-\x7e]+$/.test(slackBotToken)) {
    read.problems.push('SLACK_BOT_TOKEN must be a token without spaces'); // never echo a secret
  }
  const slackBotTokenSsmParameter = read.optional('SLACK_BOT_TOKEN_SSM_PARAMETER');
  if (slackBotToken !== undefined && slackBotTokenSsmParameter !== undefined) {
    read.problems.push('set either SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_SSM_PARAMETER, not both');
  }
  const slackChannel = read.optional('SLACK_CHANNEL');
  if ((slackBotToken !== undefined || slackBotTokenSsmParameter !== undefined) && slackChannel === undefined) {
    read.problems.push('SLACK_CHANNEL (the channel id the bot posts to) is required with a Slack bot token');
  }
  if (slackChannel !== undefined && !/^[\x21-\x7e]{1,80}$/.test(slackChannel)) {
    read.problems.push(`SLACK_CHANNEL must be a channel id such as C0123456789, got ${JSON.stringify(slackChannel.slice(0, 80))}`);
  }
  const slackApiUrl = read.string('SLACK_API_URL').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/i.test(slackApiUrl)) {
    read.problems.push(`SLACK_API_URL must be an http(s) URL, got ${JSON.stringify(slackApiUrl.slice(0, 200))}`);
  }
  const channels = readChannels(read);
  const features: FeatureFlags = {
    ecr: read.boolean('ENABLE_ECR_MONITORING'),
    ssm: read.boolean('ENABLE_SSM_MONITORING'),
    s3: read.boolean('ENABLE_S3_MONITORING'),
    manual: read.boolean('ENABLE_MANUAL_DEPLOY'),
  };
  const serviceConfigRaw = read.optional('SERVICE_CONFIG');
  if (features.s3 && serviceConfigRaw === undefined) {
    read.problems.push(
      'SERVICE_CONFIG is required while ENABLE_S3_MONITORING is on: service name → [{"bucket", "key"}], {} when no service reads an env file from S3',
    );
  }
  const deploymentsTable = read.optional('DEPLOYMENTS_TABLE');
  const slackNotificationsEnabled = read.boolean('ENABLE_SLACK_NOTIFICATIONS');
  const settings: Omit<Config, 'catalog' | 'release' | 'rollout'> = {
    projectName,
    projectEnv,
    region: read.string('AWS_REGION'),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS),
    clusterNamePattern: read.pattern('CLUSTER_NAME_PATTERN'),
    serviceNamePattern: read.pattern('SERVICE_NAME_PATTERN'),
    taskFamilyPattern: read.pattern('TASK_FAMILY_PATTERN'),
    backendServiceName,
    slackWebhookUrl,
    slackWebhookSsmParameter,
    slackNotificationsEnabled,
    slackBotToken,
    slackBotTokenSsmParameter,
    slackChannel,
    slackApiUrl,
    channels,
    serviceConfig: read.json('SERVICE_CONFIG', serviceConfigSchema) ?? {},
    lambdaConfig: readLambdaConfig(read),
    lambdaFunctionPattern: read.pattern('LAMBDA_FUNCTION_PATTERN'),
    deploymentTimeoutSeconds: read.positiveInteger('DEPLOYMENT_TIMEOUT_SECONDS'),
    maxDeploymentRetries: read.nonNegativeInteger('MAX_DEPLOYMENT_RETRIES'),
    dryRun: read.boolean('DRY_RUN'),
    features,
    idempotencyTable: read.optional('IDEMPOTENCY_TABLE'),
    idempotencyTtlSeconds: read.positiveInteger('IDEMPOTENCY_TTL_SECONDS'),
    deploymentsTable,
    manualDeployAccounts: read.list('MANUAL_DEPLOY_ACCOUNTS', { re: /^\d{12}$/, what: '12-digit AWS account ids' }),
    manualDeployRequireScope: read.boolean('MANUAL_DEPLOY_REQUIRE_SCOPE'),
    protectedEnvs: read.list('PROTECTED_ENVS'),
    ecrScanGate: readScanGate(read),
    ...readApprovals(read, { slackNotificationsEnabled, slackBotToken, slackBotTokenSsmParameter, slackChannel, deploymentsTable }),
  };
  checkRenderedNames(read, settings);
  if (settings.deploymentTimeoutSeconds > LAMBDA_MAX_TIMEOUT_SECONDS) {
    // One invocation runs a deployment: it cannot take longer than Lambda lets an invocation run.
    read.problems.push(
      `DEPLOYMENT_TIMEOUT_SECONDS must be at most ${LAMBDA_MAX_TIMEOUT_SECONDS} (Lambda's longest timeout), got ${settings.deploymentTimeoutSeconds}`,
    );
  }
  const catalog = buildCatalog(read, settings);
  const release = readRelease(read, catalog, settings.deploymentsTable);
  const rollout = readRolloutConfig(read, catalog);
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return { ...settings, catalog, release, rollout };
}
