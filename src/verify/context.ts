/**
 * What every live check works with, and the one way a check reports an AWS answer it did not expect.
 */
import type { Config } from '../config/config.js';
import { isAccessDenied, type AwsFailure, type VerifyClients } from './clients.js';
import { problem, type CheckName, type CheckResult } from './result.js';

export interface VerifyContext {
  config: Config;
  clients: VerifyClients;
  /**
   * The account of the cluster, once read: an image in another account's registry is pushed
   * there, and that push never reaches this deploybridge.
   */
  account: string | undefined;
}

/** The account in an ARN (`arn:aws:ecs:REGION:ACCOUNT:…`). */
export const accountOf = (arn: string | undefined): string | undefined => arn?.split(':')[4] || undefined;

/**
 * A problem line for a read that failed for a reason the check does not handle itself: access
 * denied (say which permission), or another AWS error (quote it).
 *
 * @example
 * couldNotCheck('ecs-service', 'api', 'ECS service myproject_service_api_dev', 'ecs:DescribeServices', failure);
 */
export function couldNotCheck(
  check: CheckName,
  service: string | undefined,
  what: string,
  action: string,
  failure: AwsFailure,
): CheckResult {
  const denied = isAccessDenied(failure);
  return problem(check, {
    ...(service === undefined ? {} : { service }),
    message: `could not check ${what}: ${failure.name}: ${failure.message}`,
    fix: denied
      ? `allow ${action} for the identity running the preflight (docs/preflight.md, "IAM for the preflight")`
      : 'run it again; if it persists, check the resource in the console',
  });
}
