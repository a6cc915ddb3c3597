/**
 * The Lambda handler itself answers ECS's lifecycle hook invocation, also when the configuration
 * is invalid: ECS gets `FAILED`, never an exception (an exception would roll back without a reason).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../helpers/app.js';
import { awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';

describe('the handler, invoked as a lifecycle hook', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    vi.resetModules();
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.unstubAllEnvs();
  });

  it('with an invalid configuration answers FAILED with the problems logged and ConfigInvalid counted', async () => {
    vi.stubEnv('PROJECT_NAME', '');
    vi.stubEnv('PROJECT_ENV', 'dev');
    vi.stubEnv('SERVICE_CONFIG', '{}');
    const { handler } = await import('../../src/entry/handler.js');
    const answer = await handler(awsSample('ecs/lifecycle-hook-invocation-post-test-traffic-shift.json'), lambdaContext());
    expect(answer).toEqual({ hookStatus: 'FAILED' });
    const [line] = output.logs();
    expect(line).toMatchObject({ level: 'error', fields: { problems: ['PROJECT_NAME is required'] } });
    expect(line?.message).toMatch(/^lifecycle hook failed: .*PROJECT_NAME is required/);
    expect(
      output
        .metrics()
        .flatMap(
          (m) =>
            (m._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics[0]?.Metrics.map(
              (x) => x.Name,
            ) ?? [],
        ),
    ).toEqual(['ConfigInvalid']);
  });

  it('with a valid configuration answers through the App (an unknown service: FAILED)', async () => {
    vi.stubEnv('PROJECT_NAME', 'myproject');
    vi.stubEnv('PROJECT_ENV', 'dev');
    vi.stubEnv('SERVICE_CONFIG', '{}');
    const { handler } = await import('../../src/entry/handler.js');
    const answer = await handler(awsSample('ecs/lifecycle-hook-invocation-post-test-traffic-shift.json'), lambdaContext());
    expect(answer).toEqual({ hookStatus: 'FAILED' });
    expect(output.logs().map((l) => l.level)).toEqual(['warn', 'info']);
  });
});
