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

  it('accepts a put-events entries file', async () => {
    const { code, text } = await run('events/put-events/manual-deploy.json');
    expect(code).toBe(0);
    expect(text).toContain('deploy api: UpdateService cluster=myproject_cluster_dev service=myproject_service_api_dev taskDefinition=myproject_service_api_dev');
  });

  it('prints usage without a file', async () => {
    expect(await run()).toMatchObject({ code: 2, text: 'usage: npm start -- events/<file>.json [--live]' });
  });
});
