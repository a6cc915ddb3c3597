/**
 * The coalescing queue against the code: the rules of the routes the code merges in a batch
 * (src/deploy/batch/run.ts) send to the queue, the others invoke the function; the queue's settings are
 * those AWS requires of an SQS event source whose function reports batch item failures. Values
 * from the plans Terraform made (terraform.ts); `terraform test` pins them too
 * (terraform/tests/coalesce.tftest.hcl).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { awaitPlans, examplePlan, fixturePlan, REPO_ROOT, SKIPPED, terraformMissing, type Plan, type PlannedModule } from './terraform.js';

/** The routes src/deploy/batch/run.ts merges (MERGED_ROUTES). */
function mergedRoutes(): string[] {
  const text = readFileSync(join(REPO_ROOT, 'src/deploy/batch/run.ts'), 'utf8');
  const body = /const MERGED_ROUTES[^=]*= new Set\(\[([^\]]*)\]\)/.exec(text)?.[1];
  if (body === undefined) throw new Error('src/deploy/batch/run.ts: no MERGED_ROUTES');
  return [...body.matchAll(/'([a-z0-9]+)'/g)].map((m) => m[1] as string).sort();
}

/** The route of a rule (keys of aws_cloudwatch_event_rule.this: ecr, ecr-scan, ssm, s3-BUCKET, s3-cloudtrail-BUCKET, ecs, manual). */
const routeOfRule = (key: string) => (key.startsWith('s3-') ? 's3' : key === 'ecr-scan' ? 'ecr' : key);

let example: Plan;
let fixture: Plan;

beforeAll(async () => {
  if (terraformMissing) return;
  await awaitPlans();
  [example, fixture] = await Promise.all([examplePlan(), fixturePlan()]);
}, 300_000);

describe('the routes the code merges', () => {
  it('are the deploying triggers people do not wait on: ECR, SSM and S3', () => {
    expect(mergedRoutes()).toEqual(['ecr', 's3', 'ssm']);
  });
});

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'the coalescing queue as planned', () => {
  const modules = (): Array<[string, PlannedModule]> => [
    ['example', example.module('deploybridge')],
    ['bare', fixture.module('bare')],
  ];

  it('the rules of merged routes send to the queue; only the others may invoke the function', () => {
    for (const [name, m] of modules()) {
      const rules = Object.keys(m.instances('aws_cloudwatch_event_rule', 'this'));
      const direct = rules.filter((k) => !mergedRoutes().includes(routeOfRule(k))).sort();
      expect(Object.keys(m.instances('aws_lambda_permission', 'eventbridge')).sort(), name).toEqual(direct);
      expect(direct.length, name).toBeLessThan(rules.length);
    }
    // The example has every kind of rule: both kinds are exercised.
    expect(Object.keys(example.module('deploybridge').instances('aws_lambda_permission', 'eventbridge')).sort()).toEqual([
      'ecs',
      'ecs-hooks',
      'manual',
      'release-tasks',
    ]);
  });

  it('visibility timeout at least six times the function timeout (plus the window), as AWS asks of an SQS event source', () => {
    for (const [name, m] of modules()) {
      const timeout = m.one('aws_lambda_function', 'this').timeout as number;
      const queue = m.one('aws_sqs_queue', 'coalesce', 0);
      const mapping = m.one('aws_lambda_event_source_mapping', 'coalesce', 0);
      expect(queue.visibility_timeout_seconds as number, name).toBeGreaterThanOrEqual(
        6 * timeout + (mapping.maximum_batching_window_in_seconds as number),
      );
      expect((JSON.parse(queue.redrive_policy as string) as { maxReceiveCount: number }).maxReceiveCount, name).toBe(3);
      expect(queue.sqs_managed_sse_enabled, name).toBe(true);
    }
  });

  it('batches of 100 collected for coalesce_window_seconds (default 20), batch item failures reported, 2 batches at most at once', () => {
    const mapping = fixture.module('bare').one('aws_lambda_event_source_mapping', 'coalesce', 0);
    expect(mapping).toMatchObject({
      batch_size: 100,
      maximum_batching_window_in_seconds: 20,
      function_response_types: ['ReportBatchItemFailures'],
      scaling_config: [{ maximum_concurrency: 2 }],
    });
  });

  it('0: no queue, every rule may invoke the function', () => {
    const m = fixture.module('direct');
    expect(m.instances('aws_sqs_queue', 'coalesce')).toEqual({});
    expect(m.instances('aws_lambda_event_source_mapping', 'coalesce')).toEqual({});
    expect(Object.keys(m.instances('aws_lambda_permission', 'eventbridge')).sort()).toEqual(
      Object.keys(m.instances('aws_cloudwatch_event_rule', 'this')).sort(),
    );
  });
});
