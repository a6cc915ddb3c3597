/**
 * SSM parameters a task definition passes to its containers (`secrets[].valueFrom`): each exists,
 * found by name with `DescribeParameters` — values are never read. A parameter under another
 * service's path is reported too: a change to it redeploys that service, not this one.
 */
import type { CatalogService } from '../config/catalog.js';
import { paginateDescribeParameters, type ParameterMetadata } from '../aws/ssmMetadata.js';
import { awsFailure, type AwsFailure } from './clients.js';
import { couldNotCheck, type VerifyContext } from './context.js';
import { ok, problem, warning, type CheckResult } from './result.js';
import { serviceParameterPrefixes } from '../config/naming.js';
import { plural } from '../shared/text.js';

/** DescribeParameters takes at most 50 names per filter. */
const NAMES_PER_CALL = 50;

/**
 * The metadata of the parameters that exist among `names` (by name; values are not read), or the
 * AWS failure that prevented the lookup.
 *
 * @example
 * const found = await describeParameters(ctx, ['/dev/myproject/api/DATABASE_URL']);
 */
export async function describeParameters(
  ctx: VerifyContext,
  names: readonly string[],
): Promise<Map<string, ParameterMetadata> | AwsFailure> {
  const found = new Map<string, ParameterMetadata>();
  try {
    for (let start = 0; start < names.length; start += NAMES_PER_CALL) {
      const batch = names.slice(start, start + NAMES_PER_CALL);
      const pages = paginateDescribeParameters(
        { client: ctx.clients.ssm },
        { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: batch }] },
      );
      for await (const page of pages)
        for (const parameter of page.Parameters ?? []) if (parameter.Name !== undefined) found.set(parameter.Name, parameter);
    }
  } catch (error) {
    return awsFailure(error);
  }
  return found;
}

/** The parameter name of a `valueFrom` (a name or an SSM parameter ARN); `undefined` for Secrets Manager. */
function parameterName(valueFrom: string): string | undefined {
  if (!valueFrom.startsWith('arn:')) return valueFrom;
  const marker = valueFrom.indexOf(':parameter/');
  if (marker === -1) return undefined;
  const path = valueFrom.slice(marker + ':parameter'.length);
  // The ARN of a name without a hierarchy ("DB") is …:parameter/DB; of "/dev/x/DB", …:parameter/dev/x/DB.
  return path.indexOf('/', 1) === -1 ? path.slice(1) : path;
}

/**
 * The SSM parameters a service's task definitions reference: one `ok` line when all exist, one
 * `problem` per missing parameter, one `warning` per parameter under another service's path.
 *
 * @example
 * await checkParameters(ctx, service, ['/dev/myproject/api/DATABASE_URL'], 'myproject_service_api_dev:42');
 */
export async function checkParameters(
  ctx: VerifyContext,
  owner: CatalogService,
  valueFroms: readonly string[],
  subject: string,
): Promise<CheckResult[]> {
  const service = owner.name;
  const names = [...new Set(valueFroms.flatMap((v) => parameterName(v) ?? []))];
  if (names.length === 0) return [];
  const found = await describeParameters(ctx, names);
  if (!(found instanceof Map))
    return [couldNotCheck('parameters', service, `the SSM parameters of ${subject}`, 'ssm:DescribeParameters', found)];
  const results: CheckResult[] = [];
  const missing = names.filter((name) => !found.has(name));
  for (const name of missing) {
    results.push(
      problem('parameters', {
        service,
        message: `${subject} references SSM parameter ${name}, which does not exist: new tasks cannot start`,
        fix: `create it (aws ssm put-parameter --name ${name} --type SecureString --value …), or remove it from the task definition`,
      }),
    );
  }
  const prefixes = serviceParameterPrefixes(ctx.config.catalog.naming, service);
  let own = 0;
  for (const name of names) {
    const concerns = ctx.config.catalog.forParameter(name)?.service;
    if (concerns?.name === service) own++;
    else if (concerns !== undefined) {
      results.push(
        warning('parameters', {
          service,
          message: `${subject} references ${name}, under the path of ${concerns.name}: a change to it redeploys ${concerns.name}, not ${service}`,
          fix: `keep ${service}'s parameters under ${prefixes.join(' or ')}`,
        }),
      );
    }
  }
  if (missing.length === 0) {
    const elsewhereCount = names.length - own;
    const where =
      elsewhereCount === 0
        ? `all under ${prefixes.join(' or ')}`
        : `${own} under ${prefixes.join(' or ')}, ${elsewhereCount} elsewhere (a change to those does not redeploy ${service})`;
    results.unshift(
      ok('parameters', { service, message: `the ${plural(names.length, 'SSM parameter')} ${subject} references exist (${where})` }),
    );
  }
  return results;
}
