import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../src/local/run.js';
import { captureOutput } from '../helpers/logs.js';

async function run(...argv: string[]) {
  const printed: string[] = [];
  const code = await runLocal(argv, {}, (line) => printed.push(line));
  return { code, text: printed.join('\n') };
}

describe('npm start -- events/lambda-*.json (offline): the Lambda plan', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('the S3 artifact sample: reads described, writes listed in order, none made', async () => {
    const { code, text } = await run('events/lambda-s3-artifact-upload.json');
    expect(code).toBe(0);
    expect(text).toContain('AWS read (described, not performed): lambda:GetFunctionConfiguration {"FunctionName":"myproject_lambda_thumbnailer_dev"}');
    expect(text).toContain('AWS read (described, not performed): lambda:GetAlias {"FunctionName":"myproject_lambda_thumbnailer_dev","Name":"live"}');
    expect(text).toContain('deploy thumbnailer: Lambda myproject_lambda_thumbnailer_dev (alias live): update code from s3://myproject-artifacts/thumbnailer/lambda.zip');
    const calls = text.split('\n').filter((line) => /^ {6}(lambda:|wait:)/.test(line)).map((line) => line.trim().split(' ')[0]);
    expect(calls).toEqual(['lambda:UpdateFunctionCode', 'wait:', 'lambda:PublishVersion', 'lambda:Invoke', 'lambda:UpdateAlias']);
    expect(text).not.toContain('AWS write');
    expect(text).toContain('"text": "Open in Lambda console"');
  });

  it('the ECR sample reads the renderer function and plans an image update', async () => {
    const { text } = await run('events/lambda-ecr-push-renderer.json');
    expect(text).toContain('AWS read (described, not performed): lambda:GetFunction {"FunctionName":"myproject_lambda_renderer_dev"}');
    expect(text).toContain('update code to image 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_renderer:v2.3.0');
  });

  it.each([
    ['events/lambda-manual-release.json', 'publish $LATEST as it is and move the alias to it', ['lambda:PublishVersion', 'lambda:Invoke', 'lambda:UpdateAlias']],
    ['events/lambda-manual-version.json', 'move the alias to version 5', ['lambda:Invoke', 'lambda:UpdateAlias']],
    ['events/lambda-manual-rollback.json', 'move the alias back to the version before the last deploy', ['lambda:UpdateAlias']],
    ['events/put-events/lambda-manual-rollback.json', 'move the alias back', ['lambda:UpdateAlias']],
    ['events/lambda-ssm-parameter-update.json', 'set DEPLOYBRIDGE_CONFIG_REVISION=9547ef2d-3b7e-4057-b6cb-5fdf09ee7c90', ['lambda:UpdateFunctionConfiguration', 'wait:', 'lambda:PublishVersion', 'lambda:Invoke', 'lambda:UpdateAlias']],
  ])('%s plans: %s', async (file, change, calls) => {
    const { code, text } = await run(file);
    expect(code).toBe(0);
    expect(text).toContain(change);
    expect(text.split('\n').filter((line) => /^ {6}(lambda:|wait:)/.test(line)).map((line) => line.trim().split(' ')[0])).toEqual(calls);
    expect(text).not.toContain('AWS write');
  });

  it('the rollback sample moves the alias from the described version to the one its description records', async () => {
    const { text } = await run('events/lambda-manual-rollback.json');
    expect(text).toContain('"FunctionVersion":"6","Description":"deploybridge previous_version=7; rollback (manual deploy via action.production: p99 latency doubled after the release)"');
  });
});
