/**
 * Env files of `SERVICE_CONFIG`: each exists. One line per file, naming every service that reads it.
 */
import type { CatalogService, S3ObjectRef } from '../catalog.js';
import { mapWithConcurrency } from '../concurrency.js';
import { couldNotCheck, type VerifyContext } from './context.js';
import { deniedFix, headObject, s3Uri } from './objects.js';
import { ok, problem, type CheckResult } from './result.js';

/** S3 requests in flight at once. */
const CONCURRENCY = 4;

/**
 * One line per env file the services read.
 *
 * @example
 * await checkEnvFiles(ctx, config.catalog.configured());
 */
export async function checkEnvFiles(ctx: VerifyContext, services: readonly CatalogService[]): Promise<CheckResult[]> {
  const files = new Map<string, { ref: S3ObjectRef; users: CatalogService[] }>();
  for (const service of services) {
    for (const ref of service.envFiles) {
      const entry = files.get(s3Uri(ref)) ?? { ref, users: [] };
      entry.users.push(service);
      files.set(s3Uri(ref), entry);
    }
  }
  return mapWithConcurrency([...files.values()], CONCURRENCY, async ({ ref, users }) => {
    const uri = s3Uri(ref);
    const names = users.map((s) => s.name);
    const scope = users.length === 1 ? { service: names[0] as string } : {};
    const usedBy = users.length === 1 ? `env file ${uri}` : `env file ${uri} (read by ${names.join(', ')})`;
    const head = await headObject(ctx, ref);
    switch (head.state) {
      case 'exists':
        return ok('env-file', { ...scope, message: `${usedBy} exists${head.bytes === undefined ? '' : ` (${head.bytes} bytes)`}` });
      case 'missing':
        return problem('env-file', { ...scope, message: `${usedBy} does not exist`, fix: `upload it, or correct its bucket and key in SERVICE_CONFIG` });
      case 'denied':
        return problem('env-file', { ...scope, message: `${usedBy}: access denied (${head.failure.name})`, fix: deniedFix(ref) });
      case 'failed':
        return couldNotCheck('env-file', scope.service, usedBy, 's3:GetObject', head.failure);
    }
  });
}
