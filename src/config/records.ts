/**
 * The schemas the configuration's JSON variables share (SERVICE_CONFIG, LAMBDA_CONFIG,
 * RELEASE_CONFIG): a record keyed by service name, which refuses a `__proto__` key by name.
 */
import * as z from 'zod/mini';
import { lazySchema } from '../shared/schema.js';
import { SERVICE_NAME_RE } from './naming.js';

/**
 * A JSON object read as a record. A `__proto__` key is refused by name: zod leaves it out of the
 * record it builds (it cannot be an ordinary key of an object), so it would be dropped unseen.
 */
export function recordOf<V extends z.core.SomeType>(key: z.ZodMiniString, value: V) {
  const withoutProto = z
    .unknown()
    .check(
      z.refine(
        (input) => typeof input !== 'object' || input === null || !Object.hasOwn(input, '__proto__'),
        'key "__proto__" is not allowed',
      ),
    );
  return z.pipe(withoutProto, z.record(key, value));
}

/** What a name (project, env, service) may be made of, as the problems say it. */
export const NAME_CHARACTERS = 'letters, digits, "-" and "_" only (at most 64, starting with a letter or digit)';

/** A service name as a record key. */
export const serviceNameKeySchema = lazySchema(() => z.string().check(z.regex(SERVICE_NAME_RE, `service names use ${NAME_CHARACTERS}`)));
