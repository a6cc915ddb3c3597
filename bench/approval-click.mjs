/**
 * `npm run bench:click [-- options]`: how long the Function URL takes to answer Slack a click on
 * Approve while every AWS answer takes 5 s (Slack shows the approver an error after 3 s). The
 * figure docs/approvals.md states, measured on this machine in real time.
 *
 *   --runs N       fresh processes per variant (default 5)
 *   --delay MS     how long AWS takes to answer each call (default 5000)
 *   --no-build     measure dist/ as it is (default: run build.mjs first)
 *
 * Method. Each sample is a fresh `node` process that imports the bundle (dist/index.mjs) and
 * invokes its handler, as the Lambda runtime would, with two signed clicks in turn (a Function URL
 * event, payload format 2.0, signed with the configured secret at the current time): the first on
 * a cold container, the second warm. AWS is bench/stub.mjs on 127.0.0.1 (AWS_ENDPOINT_URL), every
 * answer delayed; the hand-off (Lambda Invoke, InvocationType Event) is one of those answers. Two
 * variants: the signing secret as a value, and in SSM (whose GetParameter is delayed too: the cold
 * click cannot be verified in time and is answered 503, the warm one 200 once the secret arrived).
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './lib.mjs';
import { fd3Result } from './sample.mjs';
import { startStub } from './stub.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'bench-signing-secret';
/** What the stub answers GetParameter with (its webhook URL): the secret a click from SSM is signed with. */
const ssmSecret = (stubUrl) => `${stubUrl}/services/T000/B000/SSMWEBHOOK`;

/** A signed click on Approve as the Function URL passes it on (payload format 2.0). */
function signedClick() {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0APPROVER', username: 'alice', name: 'alice' },
    actions: [{ action_id: 'deploybridge.approve', value: 'bench-approval', type: 'button' }],
    container: { channel_id: 'C0DEPLOYS', message_ts: '1717405200.000001' },
    response_url: 'https://hooks.slack.com/actions/T0/1/bench',
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const secret = process.env.BENCH_SIGNED_WITH ?? SECRET;
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/slack/interactions',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    requestContext: { requestId: 'bench', http: { method: 'POST', path: '/slack/interactions', sourceIp: '127.0.0.1' } },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

/** The child: imports the bundle, answers two clicks, reports each answer's status and time on fd 3. */
async function child(entry) {
  const context = () => ({
    functionName: 'myproject-deploybridge-dev',
    awsRequestId: 'bench',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:myproject-deploybridge-dev',
    getRemainingTimeInMillis: () => 30_000,
  });
  const started = performance.now();
  const { handler } = await import(pathToFileURL(entry).href);
  const answers = [];
  for (const warmth of ['cold', 'warm']) {
    const t0 = performance.now();
    const response = await handler(signedClick(), context());
    answers.push({ warmth, status: response.statusCode, ms: performance.now() - (warmth === 'cold' ? started : t0) });
    // The second click comes after the first's AWS answers arrived (the secret is then cached).
    if (warmth === 'cold') await new Promise((done) => setTimeout(done, Number(process.env.BENCH_DELAY_MS) + 500));
  }
  writeSync(3, JSON.stringify(answers));
  process.exit(0);
}

function sample(entry, env) {
  // The function's log lines (stdout and stderr) are not the bench's output.
  return fd3Result({ node: process.execPath, args: [fileURLToPath(import.meta.url), '--child', entry], env, stderr: 'ignore' });
}

async function main(argv) {
  const runs = Number(argv[argv.indexOf('--runs') + 1] ?? 5) || 5;
  const delayMs = argv.includes('--delay') ? Number(argv[argv.indexOf('--delay') + 1]) : 5000;
  if (!argv.includes('--no-build')) {
    await new Promise((done, fail) =>
      spawn(process.execPath, ['build.mjs'], { cwd: root, stdio: 'ignore' }).on('exit', (c) =>
        c === 0 ? done() : fail(new Error('build failed')),
      ),
    );
  }
  const stub = await startStub({ delayMs });
  const base = {
    PATH: process.env.PATH,
    PROJECT_NAME: 'myproject',
    PROJECT_ENV: 'dev',
    ENABLE_S3_MONITORING: 'false',
    APPROVERS: 'U0APPROVER',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_CHANNEL: 'C0DEPLOYS',
    DEPLOYMENTS_TABLE: 'myproject-deploybridge-dev-deployments',
    AWS_LAMBDA_FUNCTION_NAME: 'myproject-deploybridge-dev',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL: stub.url,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    BENCH_DELAY_MS: String(delayMs),
  };
  const variants = [
    ['signing secret as a value (SLACK_SIGNING_SECRET)', { SLACK_SIGNING_SECRET: SECRET }],
    [
      'signing secret in SSM (SLACK_SIGNING_SECRET_SSM_PARAMETER)',
      { SLACK_SIGNING_SECRET_SSM_PARAMETER: '/bench/signing-secret', BENCH_SIGNED_WITH: ssmSecret(stub.url) },
    ],
  ];
  const entry = join(root, 'dist', 'index.mjs');
  console.log(`Function URL answer to a click on Approve, every AWS answer taking ${delayMs} ms (${runs} fresh processes per variant)`);
  try {
    for (const [name, env] of variants) {
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await sample(entry, { ...base, ...env }));
      for (const warmth of ['cold', 'warm']) {
        const answers = samples.map((s) => s.find((a) => a.warmth === warmth));
        const statuses = [...new Set(answers.map((a) => a.status))].join('/');
        const ms = answers.map((a) => a.ms);
        console.log(
          `  ${name}, ${warmth === 'cold' ? 'cold (import included)' : 'warm'}: HTTP ${statuses} in ${Math.round(median(ms))} ms median, ${Math.round(Math.max(...ms))} ms max`,
        );
      }
    }
  } finally {
    await stub.close();
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await main(process.argv.slice(2));
