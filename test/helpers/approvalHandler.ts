/**
 * The Lambda entry point with approvals on, as deployed: each test a cold start on a fresh
 * deployments table (dynalite on 127.0.0.1), Slack's Web API and response URLs on 127.0.0.1, ECS,
 * ECR and Lambda's hand-off mocked (aws-sdk-client-mock), the clock fixed at {@link APPROVALS_NOW}.
 * Shared by the approval tests so that each states only what it adds.
 */
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand, type UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import { BASE_ENV, lambdaContext, serviceUpdated, taskDefinition } from './app.js';
import { startDynamoDb } from './dynalite.js';
import { adapt } from './fixtures.js';
import { captureOutput } from './logs.js';
import { startSlackApi, TEST_BOT_TOKEN, type ApiCall } from './slackApi.js';
import { signedClick, TEST_SIGNING_SECRET } from './slackInteractions.js';

export const APPROVALS_NOW = new Date('2026-03-02T10:00:00Z');
export const API_FAMILY = 'myproject_service_api_dev';
export const API_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api';
const FUNCTION = 'myproject-deploybridge-dev';

type Block = { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<Record<string, unknown>> };
/** The documented ECR push sample for this project's api repository, at {@link APPROVALS_NOW}. */
export function apiPush(tag: string, id: string, digest?: string) {
  return adapt(
    'ecr/image-action-push-success.json',
    { 'repository-name': 'myproject_service_api', 'image-tag': tag, ...(digest === undefined ? {} : { 'image-digest': digest }) },
    { id, time: APPROVALS_NOW.toISOString() },
  );
}

export const blocksOf = (call: ApiCall | undefined) => (call?.body.attachments?.[0]?.blocks ?? []) as Block[];
/** A message's title, without its icon. */
export const titleOf = (call: ApiCall | undefined) =>
  blocksOf(call)
    .find((b) => b.type === 'header')
    ?.text?.text.replace(/^:[a-z_]+: /, '');
/** The texts of a message's fields. */
export const fieldsOf = (call: ApiCall | undefined) => blocksOf(call).flatMap((b) => (b.fields ?? []).map((f) => f.text));
/** The buttons that act (deploybridge's own, not the console link). */
export const buttonsOf = (call: ApiCall | undefined) =>
  (blocksOf(call).find((b) => b.type === 'actions')?.elements ?? []).filter((b) => String(b.action_id).startsWith('deploybridge.'));
/** The approval id an approval request's buttons carry. */
export const approvalIdOf = (call: ApiCall | undefined) => buttonsOf(call)[0]?.value as string;

/** What a test of the handler with approvals works with; renewed before each test. */
export interface ApprovalParts {
  api: Awaited<ReturnType<typeof startSlackApi>>;
  output: ReturnType<typeof captureOutput>;
  ecs: AwsClientStub<ECSClient>;
  ecr: AwsClientStub<ECRClient>;
  lambda: AwsClientStub<LambdaClient>;
  /** The events the Function URL handed off (Lambda `Invoke`, `Event`), in order. */
  handOffs: unknown[];
}

/**
 * Registers the hooks of a suite of the handler with approvals (call it inside `describe`) and
 * returns what its tests use. The api's task definition is revision 43 running `v1.4.3`.
 *
 * @example
 * const handler = approvalHandler({ tablePrefix: 'deployments', env: { APPROVERS: 'U0APPROVER' } });
 * const invoke = await handler.coldStart();
 */
export function approvalHandler(options: { tablePrefix: string; env: Record<string, string> }) {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let parts: ApprovalParts;
  let tables = 0;

  beforeAll(async () => {
    db = await startDynamoDb('unused');
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: APPROVALS_NOW });
    parts = {
      api: await startSlackApi(),
      output: captureOutput(),
      ecs: mockClient(ECSClient),
      ecr: mockClient(ECRClient),
      lambda: mockClient(LambdaClient),
      handOffs: [],
    };
    const { ecs, ecr, lambda, handOffs } = parts;
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      handOffs.push(JSON.parse(new TextDecoder().decode(input.Payload)));
      return { StatusCode: 202 };
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(API_FAMILY, 43, [`${API_IMAGE}:v1.4.3`]));
    ecs.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => serviceUpdated(input.taskDefinition ?? 'unknown'));
    ecr.on(DescribeImagesCommand).callsFake((input: { imageIds?: Array<{ imageDigest?: string; imageTag?: string }> }) => ({
      imageDetails: [{ imageDigest: input.imageIds?.[0]?.imageDigest ?? `sha256:${'0'.repeat(64)}`, imageTags: ['v1.4.3'] }],
    }));
  });
  afterEach(async () => {
    parts.output.restore();
    parts.ecs.restore();
    parts.ecr.restore();
    parts.lambda.restore();
    vi.useRealTimers();
    vi.unstubAllEnvs();
    await parts.api.close();
  });

  const responseUrl = () => `${new URL(parts.api.apiUrl).origin}/actions/T0/1/response`;

  return {
    /** This test's parts (valid inside a test or a later `beforeEach`). */
    parts: () => parts,
    responseUrl,
    /** The approval requests posted in the channel (the top-level messages with buttons). */
    requests: () => parts.api.calls.filter((c) => c.method === 'chat.postMessage' && buttonsOf(c).length > 0),

    /** The entry point, loaded afresh with approvals on a fresh deployments table (a cold start). */
    coldStart: async (env: Record<string, string> = {}) => {
      const tableName = `${options.tablePrefix}-${++tables}`;
      await db.createTable(tableName);
      const variables = {
        ...BASE_ENV,
        SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
        SLACK_CHANNEL: 'C0DEPLOYS',
        SLACK_API_URL: parts.api.apiUrl,
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        DEPLOYMENTS_TABLE: tableName,
        AWS_LAMBDA_FUNCTION_NAME: FUNCTION,
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        ...options.env,
        ...env,
      };
      for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
      vi.resetModules();
      const { handler } = await import('../../src/index.js');
      return async (event: unknown) => handler(event, lambdaContext());
    },

    /**
     * A click as Slack sends it: to the Function URL (answered 200), then the hand-off the Function
     * URL made, as Lambda's asynchronous invocation delivers it. Resolves with what that came to.
     */
    click: async (
      invoke: (event: unknown) => Promise<unknown>,
      value: string,
      action = 'approve',
      user = { id: 'U0APPROVER', name: 'alice' },
    ) => {
      const { handOffs } = parts;
      const before = handOffs.length;
      const answer = (await invoke(signedClick({ actionId: `deploybridge.${action}`, value, user, responseUrl: responseUrl() }))) as {
        statusCode: number;
      };
      expect(answer.statusCode).toBe(200);
      const handOff = handOffs[before];
      expect(handOff).toBeDefined();
      return { handOff, result: await invoke(handOff) };
    },
  };
}
