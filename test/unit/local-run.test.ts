import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../src/local/run.js';
import { captureOutput } from '../helpers/logs.js';

const samples = readdirSync('events').filter((f) => f.endsWith('.json'));

async function run(...argv: string[]) {
  const printed: string[] = [];
  const code = await runLocal(argv, {}, (line) => printed.push(line));
  return { code, text: printed.join('\n') };
}

describe('npm start -- events/<file>.json (offline)', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it.each(samples)('%s prints a plan with the embedded defaults', async (file) => {
    const { code, text } = await run(`events/${file}`);
    expect(code).toBe(0);
    expect(text).toMatch(file.endsWith('-sequence.json') ? /offline \(no AWS calls; a sequence of \d+ events, writes described\): project=myproject env=dev/ : /offline \(no AWS calls; dry run\): project=myproject env=dev/);
    expect(text).toMatch(/Plan/);
  });

  it('the ECR sample describes the read and plans the redeploy of api', async () => {
    const { text } = await run('events/ecr-push-api.json');
    expect(text).toContain('AWS read (described, not performed): ecs:DescribeTaskDefinition {"taskDefinition":"myproject_service_api_dev"}');
    expect(text).toContain('deploy api: UpdateService cluster=myproject_cluster_dev service=myproject_service_api_dev');
    expect(text).toContain('Slack message (not sent)');
    expect(output.logs().map((l) => l.message)).toContain('dry run: deployment not started');
  });

  it('the env-file sample plans every service that uses it', async () => {
    const { text } = await run('events/s3-env-file-created.json');
    for (const service of ['api', 'worker', 'backend']) expect(text).toContain(`deploy ${service}: UpdateService`);
  });

  it('the env-file samples: a change is read and compared, an invalid file and a re-upload deploy nothing', async () => {
    const changed = await run('events/s3-env-file-changed.json');
    expect(changed.text).toContain('AWS read (described, not performed): s3:GetObject {"Bucket":"myproject-config-dev","Key":"api/.env","VersionId":"UIORUnfnDLGx2uOvCR8tUJgdPKF1mZ4e"}');
    expect(changed.text).toContain('AWS read (described, not performed): s3:ListObjectVersions {"Bucket":"myproject-config-dev","Prefix":"api/.env"}');
    expect(changed.text).toContain('added FEATURE_SEARCH; removed LEGACY_API; changed LOG_LEVEL (since version Zq9rWAT0HjcxRu2A.7ybI1fZJbV0Gx3L)');
    expect(changed.text).toContain('deploy api: UpdateService');

    const invalid = await run('events/s3-env-file-invalid.json');
    expect(invalid.text).toContain('notify (warning): Env file invalid: s3://myproject-config-dev/api/.env');
    expect(invalid.text).toContain('line 6: APP_ENV is set again (first on line 2; ECS keeps the last one)');
    expect(invalid.text).not.toContain('deploy api');

    const reupload = await run('events/s3-env-file-reupload.json');
    expect(reupload.text).toContain('Plan: nothing to deploy (ignored: env file s3://myproject-config-dev/api/.env has the same variables and values as version Zq9rWAT0HjcxRu2A.7ybI1fZJbV0Gx3L; nothing to redeploy)');
  });

  it('the scan-gate samples: a push waits for its scan, the scan completion deploys or refuses', async () => {
    const pushed = await run('events/ecr-push-scan-gated.json');
    expect(pushed.text).toContain('AWS read (described, not performed): ecr:DescribeImages');
    expect(pushed.text).toContain('notify (info): Waiting for the image scan: api');
    expect(pushed.text).not.toContain('deploy api');
    expect((await run('events/ecr-scan-passed-api.json')).text).toContain('deploy api: UpdateService');
    const refused = await run('events/ecr-scan-refused-api.json');
    expect(refused.text).toContain('AWS read (described, not performed): ecr:DescribeImageScanFindings');
    expect(refused.text).toContain('notify (error): Image refused by the scan gate: api');
  });

  it('the parameter sample says who changed it, from a described DescribeParameters', async () => {
    const { text } = await run('events/ssm-parameter-update.json');
    expect(text).toContain('AWS read (described, not performed): ssm:DescribeParameters');
    expect(text).toContain('arn:aws:iam::123456789012:user/alice (version 7)');
  });

  it('accepts a put-events entries file', async () => {
    const { code, text } = await run('events/put-events/manual-deploy.json');
    expect(code).toBe(0);
    expect(text).toContain('deploy api: UpdateService cluster=myproject_cluster_dev service=myproject_service_api_dev taskDefinition=myproject_service_api_dev');
  });

  it('prints usage without a file', async () => {
    expect(await run()).toMatchObject({ code: 2, text: 'usage: npm start -- events/<file>.json [--live]' });
  });
});
