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
  APPROVERS: [],
  APPROVAL_EXPIRY_MINUTES: 1440,
  // What each channel besides Slack hears (`…_EVENTS`): empty means everything Slack hears.
  TEAMS_EVENTS: [],
  GOOGLE_CHAT_EVENTS: [],
  WEBHOOK_EVENTS: [],
  SNS_EVENTS: [],
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

/** Delivering notifications (Slack and every other channel): what messages may cost an invocation. */
export const NOTIFICATION_DEFAULTS = {
  /**
   * The budget the messages of one invocation share, from its first message: retries and
   * `Retry-After` waits happen inside it; after it, a message gets its first attempt only. A dead
   * webhook cannot hold the invocation, however many messages it sends. Each channel spends it on
   * its own, side by side: one that is slow never delays another.
   */
  budgetMs: 5000,
  /** Time allowed for one HTTP attempt. */
  attemptTimeoutMs: 3000,
  /** Pause before the first retry of a 5xx or network error; it doubles for the next. */
  retryDelayMs: 250,
  /** Attempts per message, the first included. */
  maxAttempts: 3,
  /** A webhook URL or secret read from SSM is cached this long, so a rotated secret is picked up without a cold start. */
  secretMaxAgeSeconds: 300,
} as const;

/**
 * The types of the notification events every channel renders (src/present/notification.ts): what a
 * `…_EVENTS` filter names, the signed webhook's `type` and Chatbot's `eventType`. A filter may also
 * name a family with `.*` (`deployment.*`, `release.*`, `warning.*`) or everything with `*`.
 */
export const NOTIFICATION_EVENT_TYPES = [
  'deployment.requested',
  'deployment.started',
  'deployment.progressing',
  'deployment.impaired',
  'deployment.rolling_back',
  'deployment.succeeded',
  'deployment.failed',
  'deployment.rolled_back',
  'deployment.superseded',
  'deployment.check_failed',
  'release.requested',
  'release.started',
  'release.progressing',
  'release.succeeded',
  'release.failed',
  'request.refused',
  'warning.parameter_deleted',
  'warning.env_file_deleted',
  'warning.env_file_invalid',
  'warning.artifact_deleted',
  'warning.deployments_not_started',
  'preflight.test',
] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/** Where notifications go: Slack and the channels besides it; the `channel` dimension of `NotificationsFailed`. */
export const CHANNEL_NAMES = ['slack', 'teams', 'google_chat', 'webhook', 'sns'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/**
 * What each channel accepts, as its vendor publishes it: Teams Workflows webhooks refuse a message
 * over about 28 KB ("Request Entity too large"); a Google Chat message is at most 32,000 bytes and a
 * card shows at most 100 widgets; an SNS message is at most 256 KB; Amazon Q Developer in chat
 * applications (AWS Chatbot) takes a title of at most 250 characters, a description of at most
 * 8,000 and next steps of at most 350 each. A payload that would be larger is shortened, value by
 * value, until it fits.
 */
export const CHANNEL_LIMITS = {
  teamsBytes: 28_000,
  /** Adaptive Card schema version of the Teams card: 1.4 renders in every Teams client (1.5 is Teams' latest). */
  adaptiveCardVersion: '1.4',
  googleChatBytes: 32_000,
  googleChatWidgets: 100,
  snsBytes: 256 * 1024,
  chatbotTitle: 250,
  chatbotDescription: 8000,
  chatbotNextStep: 350,
  chatbotKeyword: 75,
  /** A value in a card or document before any shortening: longer ones are cut (Slack cuts at 1,900). */
  valueChars: 1900,
  /** A value is never cut shorter than this, however large the rest of the payload. */
  minValueChars: 60,
  /** A title is cut to this many characters (Slack's header limit is 150). */
  titleChars: 150,
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

/**
 * What the `startedBy` of every task a release runs (RELEASE_CONFIG) starts with; the Terraform rule
 * for task events matches it. The whole is `deploybridge/{release id}/{step}`, within ECS's 36 characters.
 */
export const RELEASE_STARTED_BY_PREFIX = 'deploybridge/';

/**
 * Approvals in Slack: what the Function URL accepts from Slack, and how long it may take to answer.
 * Slack shows the person who clicked an error unless the request is answered within 3 seconds.
 */
export const INTERACTION_LIMITS = {
  /** A request whose `X-Slack-Request-Timestamp` is further than this from now is refused (Slack's replay window). */
  replayWindowSeconds: 300,
  /** A larger request body is refused before it is read (a button click is a few kilobytes). */
  maxBodyBytes: 128 * 1024,
  /**
   * From a request's arrival, how long the signing secret and the hand-off are waited for, so that
   * Slack (3 s, network included) hears back in time however slow AWS is.
   */
  answerWithinMs: 2000,
  /**
   * Time allowed for an ephemeral reply to the person who clicked (not an approver; a click not
   * passed on); after `answerWithinMs`, half of it: the answer leaves within 2.5 s at the latest.
   */
  replyTimeoutMs: 1000,
  /** The longest `APPROVAL_EXPIRY_MINUTES` (7 days): a revision pinned longer ago is not what anyone reviewed today. */
  maxExpiryMinutes: 10_080,
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

/** The rollout checks of `ROLLOUT_CONFIG` (src/rollout/): defaults of its fields and the limits a value is refused beyond. */
export const ROLLOUT_DEFAULTS = {
  expectStatus: 200,
  smokeTimeoutSeconds: 5,
  /** A smoke URL slower than this is a failure whatever it says: the hook answers within one invocation. */
  maxSmokeTimeoutSeconds: 60,
  /** The bake's `callBackDelay` when `callback_delay_seconds` is not set. */
  bakeCallbackDelaySeconds: 60,
  maxCallbackDelaySeconds: 900,
  /** A day: a longer bake is taken for a typo. */
  maxBakeMinutes: 1440,
  /** DescribeAlarms takes at most 100 alarm names. */
  maxAlarms: 100,
  /** How long to wait before calling again when a check could not settle (CloudWatch throttled or slow). */
  unsettledCallbackDelaySeconds: 30,
  /** Kept free at the end of the invocation to answer ECS. */
  answerMarginMs: 1500,
  /** What is read of a smoke URL's body; the rest is not downloaded. */
  maxSmokeBodyBytes: 65_536,
  /** The body's first characters a failed smoke check reports. */
  smokeBodyExcerpt: 200,
  /** Redirects followed on the same host (scheme and port included). */
  maxSmokeRedirects: 5,
} as const;
