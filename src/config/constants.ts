/**
 * Defaults and limits, in one place. Configuration defaults are the contract the README and the
 * Terraform module repeat; the limits are AWS's or Slack's own.
 */

/** What `LOG_LEVEL` may be. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Defaults of the configuration variables, by variable name: the contract the README's
 * Configuration table and the Terraform module's inputs repeat.
 */
export const CONFIG_DEFAULTS = {
  AWS_REGION: 'us-east-1',
  LOG_LEVEL: 'info',
  CLUSTER_NAME_PATTERN: '{project}_cluster_{env}',
  SERVICE_NAME_PATTERN: '{project}_service_{name}_{env}',
  TASK_FAMILY_PATTERN: '{project}_service_{name}_{env}',
  LAMBDA_FUNCTION_PATTERN: '{project}_lambda_{name}_{env}',
  BACKEND_SERVICE_NAME: '',
  ENABLE_SLACK_NOTIFICATIONS: true,
  ENABLE_ECR_MONITORING: true,
  ENABLE_SSM_MONITORING: true,
  ENABLE_S3_MONITORING: true,
  ENABLE_MANUAL_DEPLOY: true,
  DEPLOYMENT_TIMEOUT_SECONDS: 600,
  MAX_DEPLOYMENT_RETRIES: 2,
  DRY_RUN: false,
  IDEMPOTENCY_TTL_SECONDS: 3600,
  SLACK_API_URL: 'https://slack.com/api',
  MANUAL_DEPLOY_ACCOUNTS: [],
  MANUAL_DEPLOY_REQUIRE_SCOPE: true,
  PROTECTED_ENVS: ['prod', 'production'],
  ECR_SCAN_GATE: '',
} as const satisfies Record<string, string | number | boolean | readonly string[]>;

/** A variable with a default. */
export type DefaultedVariable = keyof typeof CONFIG_DEFAULTS;

/** The deployer's pacing: backoff doubles from the base (5 s, 10 s, 20 s, …). */
export const DEPLOYER_DEFAULTS = {
  backoffBaseMs: 5000,
  /** Deployments of one plan in flight at once. */
  concurrency: 10,
  /** Retries of one call that met a conflict (Lambda: an update in progress), inside the deadline. */
  conflictRetries: 4,
  /**
   * Kept free at the end of an invocation: no deployment runs into it, so there is time to record
   * outcomes (idempotency table, logs) and deliver Slack messages (their budget is 5 s) before
   * Lambda ends the invocation.
   */
  invocationMarginMs: 10_000,
  /** A deployment is not started with less time than this left: it could not make even one AWS call. */
  minimumStartMs: 1000,
} as const;

/** Slack delivery: what messages may cost an invocation. */
export const SLACK_DEFAULTS = {
  /**
   * The budget the messages of one invocation share, from its first message: retries and
   * `Retry-After` waits happen inside it; after it, a message gets its first attempt only. A dead
   * webhook cannot hold the invocation, however many messages it sends.
   */
  budgetMs: 5000,
  /** Time allowed for one HTTP attempt. */
  attemptTimeoutMs: 3000,
  /** Pause before the first retry of a 5xx or network error; it doubles for the next. */
  retryDelayMs: 250,
  /** Attempts per message, the first included. */
  maxAttempts: 3,
  /** A webhook read from SSM is cached this long, so a rotated secret is picked up without a cold start. */
  webhookMaxAgeSeconds: 300,
} as const;

/** Following deployments: the deployments table and the reads that say why tasks failed. */
export const FOLLOW_DEFAULTS = {
  /** Records of the deployments table expire after 14 days. */
  recordTtlSeconds: 14 * 24 * 3600,
  /** Event ids kept per record, so a redelivered event changes nothing. */
  eventsKept: 20,
  /** Writes that lost a race with another invocation are read and applied again this many times. */
  writeAttempts: 5,
  /** Time allowed for the reads that say why tasks failed; the notification goes out without them after that. */
  evidenceBudgetMs: 3000,
  /** Stopped tasks listed and described per failure. */
  stoppedTasksRead: 20,
  /** Distinct failure reasons shown. */
  reasonsShown: 3,
} as const;

/**
 * Claims (src/following/claims.ts): a deployment that finds its service claimed by one being started
 * in another invocation reads the claim again until that one started, with waits from `pollMs`
 * doubling up to `maxPollMs`, for at most `waitMs`; after that its events come back later.
 * Starting an ECS rollout is one `UpdateService` call and a few writes of the table: seconds.
 */
export const CLAIM_DEFAULTS = {
  pollMs: 250,
  maxPollMs: 2000,
  waitMs: 15_000,
} as const;

/** Slack rejects a section field over 2000 characters and a header over 150; a section holds 10 fields. */
export const SLACK_LIMITS = { field: 1900, header: 150, fieldsPerSection: 10 } as const;

/** Lambda target pacing and limits. */
export const LAMBDA_DEFAULTS = {
  /** Waiters poll with a backoff between these delays (seconds); the SDK's defaults (1 s to 5 min) are too coarse for a bounded deploy. */
  waiterMinDelaySeconds: 1,
  waiterMaxDelaySeconds: 10,
  /** How much of a smoke-test response people see. */
  smokeResponseLimit: 500,
  /** Lambda's limit for version and alias descriptions. */
  descriptionLimit: 256,
  /** Environment values shorter than this are not masked in smoke responses: "1" or "true" would mask half of any text and hide nothing. */
  minMaskedSecretLength: 6,
} as const;

/** The environment variable a configuration change sets on a function, so new execution environments start. */
export const CONFIG_REVISION_VARIABLE = 'DEPLOYBRIDGE_CONFIG_REVISION';

/** Reading env files from S3 (validated and compared with their previous version before a restart). */
export const ENV_FILE_LIMITS = {
  /** An env file is read up to this size (1 MiB); a larger one is reported as a problem, not read. */
  maxBytes: 1024 * 1024,
  /** `ListObjectVersions` pages (up to 1,000 versions each) searched for the version before the event's. */
  versionPages: 5,
} as const;

/** Severities of ECR scan findings, most severe first (basic scanning, then Inspector's UNTRIAGED). */
export const FINDING_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED', 'UNTRIAGED'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** What `ECR_SCAN_GATE` may be: the lowest severity that stops a deployment. */
export const SCAN_GATE_LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM'] as const;
export type ScanGateLevel = (typeof SCAN_GATE_LEVELS)[number];

/** ECR images: how much of a scan is shown, and when a scan is not the one of a push. */
export const ECR_SCAN_LIMITS = {
  /** Findings listed when the gate refuses an image. */
  topFindings: 5,
  /** `DescribeImageScanFindings` pages (up to 1,000 findings each) read to pick the most severe. */
  findingPages: 3,
  /** A scan that completes this long after the push is a rescan: it does not deploy. */
  rescanAfterHours: 24,
} as const;

/** Lambda's longest timeout: no deployment can take longer than the invocation that runs it. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** A value quoted from an event in a log line or a reason is cut to this many characters. */
export const EXCERPT_LIMIT = 200;

/** SQS batches (events delivered through the coalescing queue): merged per target, then deployed. */
export const BATCH_LIMITS = {
  /** Names a merged deployment lists (parameters, objects) before "+N more". */
  namesListed: 10,
  /** Events of one batch planned at once (each plan makes its reads: task definition, image, env file). */
  planningConcurrency: 10,
} as const;
