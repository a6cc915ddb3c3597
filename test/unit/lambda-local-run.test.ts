import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../src/local/run.js';
import { captureOutput } from '../helpers/logs.js';

async function run(...argv: string[]) {
  const printed: string[] = [];
  const code = await runLocal(argv, {}, (line) => printed.push(line));
  return { code, text: printed.join('\n') };
}

/** The calls the plan lists under "the calls it would make, in order:", each as its first word. */
function plannedCalls(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.endsWith('the calls it would make, in order:'));
  const calls: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('      ')) break;
    calls.push(line.trim().split(' ')[0] ?? '');
  }
  return calls;
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
    expect(text).toContain(
      '  assumed: lambda:GetFunctionConfiguration FunctionName=myproject_lambda_thumbnailer_dev → $LATEST exists, is Active and LastUpdateStatus is Successful',
    );
    expect(text).toContain(
      '  assumed: lambda:GetAlias FunctionName=myproject_lambda_thumbnailer_dev Name=live → alias live points to version 7 and records previous_version=6',
    );
    expect(text).toContain(
      '  thumbnailer → Lambda myproject_lambda_thumbnailer_dev (alias live): would update code from s3://myproject-artifacts/thumbnailer/lambda.zip',
    );
    expect(text).toContain('    from version 7; the calls it would make, in order:');
    expect(plannedCalls(text)).toEqual([
      'lambda:UpdateFunctionCode',
      'wait:',
      'lambda:PublishVersion',
      'lambda:Invoke',
      'lambda:UpdateAlias',
    ]);
    expect(text).not.toContain('write (described');
    expect(text).toContain(
      '    [Open in Lambda console] https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions/myproject_lambda_thumbnailer_dev?tab=versions',
    );
  });

  it('the ECR sample reads the renderer function and plans an image update', async () => {
    const { text } = await run('events/lambda-ecr-push-renderer.json');
    expect(text).toContain(
      '  assumed: lambda:GetFunction FunctionName=myproject_lambda_renderer_dev → an image function configured with 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_renderer:v2.3.0',
    );
    expect(text).toContain('update code to image 123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_renderer:v2.3.0');
  });

  it('an ECR push for the zip function (LAMBDA_CONFIG gives it an artifact): GetFunction says Zip, so nothing is updated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybridge-zip-'));
    try {
      const event = JSON.parse(readFileSync('events/lambda-ecr-push-renderer.json', 'utf8')) as { detail: Record<string, unknown> };
      event.detail['repository-name'] = 'myproject_service_thumbnailer';
      const file = join(dir, 'zip-push.json');
      writeFileSync(file, JSON.stringify(event));
      const { code, text } = await run(file);
      expect(code).toBe(0);
      expect(text).toContain('  assumed: lambda:GetFunction FunctionName=myproject_lambda_thumbnailer_dev → a zip function');
      expect(text).toContain('  skip thumbnailer: myproject_lambda_thumbnailer_dev is a zip function; an image push does not deploy it');
      expect(text).not.toContain('update code to image');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [
      'events/lambda-manual-release.json',
      'publish $LATEST as it is and move the alias to it',
      ['lambda:PublishVersion', 'lambda:Invoke', 'lambda:UpdateAlias'],
    ],
    ['events/lambda-manual-version.json', 'move the alias to version 5', ['lambda:Invoke', 'lambda:UpdateAlias']],
    ['events/lambda-manual-rollback.json', 'move the alias back to the version before the last deploy', ['lambda:UpdateAlias']],
    ['events/put-events/lambda-manual-rollback.json', 'move the alias back', ['lambda:UpdateAlias']],
    [
      'events/lambda-ssm-parameter-update.json',
      'set DEPLOYBRIDGE_CONFIG_REVISION=9547ef2d-3b7e-4057-b6cb-5fdf09ee7c90',
      ['lambda:UpdateFunctionConfiguration', 'wait:', 'lambda:PublishVersion', 'lambda:Invoke', 'lambda:UpdateAlias'],
    ],
  ])('%s plans: %s', async (file, change, calls) => {
    const { code, text } = await run(file);
    expect(code).toBe(0);
    expect(text).toContain(change);
    expect(plannedCalls(text)).toEqual(calls);
    expect(text).not.toContain('write (described');
  });

  it('the rollback sample moves the alias from the described version to the one its description records', async () => {
    const { text } = await run('events/lambda-manual-rollback.json');
    expect(text).toContain(
      '"FunctionVersion":"6","Description":"deploybridge previous_version=7; rollback (manual deploy via action.production: p99 latency doubled after the release)"',
    );
  });
});
