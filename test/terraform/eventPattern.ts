/**
 * EventBridge event-pattern matching, for the operators the module's rules use, following
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html:
 *
 * - a pattern is an object; every field it names must match (fields it does not name are ignored);
 * - a nested object matches the event's nested object field by field;
 * - an array lists alternatives: the field matches when its value (or, for an array value, any of
 *   its elements) matches one of them;
 * - an alternative is an exact value (string, number, boolean, null) or an operator object:
 *   `{ "prefix": "…" }`, `{ "anything-but": value | [values] | { "prefix": "…" } }`,
 *   `{ "exists": true | false }`.
 *
 * Any other operator throws, so a rule that starts using one fails its tests until it is added.
 * Patterns are also checked for the shape EventBridge accepts (leaves must be non-empty arrays).
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type EventPattern = { [key: string]: Json };

function isPlainObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SUPPORTED_OPERATORS = new Set(['prefix', 'anything-but', 'exists']);

/** Throws unless `pattern` has the shape EventBridge accepts, with only supported operators. */
export function validatePattern(pattern: Json, path = '$'): void {
  if (!isPlainObject(pattern)) throw new Error(`${path}: a pattern must be an object`);
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new Error(`${path}: an empty pattern matches nothing useful`);
  for (const key of keys) {
    const value = pattern[key] as Json;
    const where = `${path}.${key}`;
    if (key.startsWith('$')) throw new Error(`${where}: ${key} is not supported by this matcher`);
    if (isPlainObject(value)) {
      validatePattern(value, where);
      continue;
    }
    if (!Array.isArray(value)) throw new Error(`${where}: a leaf must be an array of values, got ${JSON.stringify(value)}`);
    if (value.length === 0) throw new Error(`${where}: an empty array matches nothing`);
    for (const alternative of value) {
      if (Array.isArray(alternative)) throw new Error(`${where}: nested arrays are not allowed`);
      if (!isPlainObject(alternative)) continue;
      const ops = Object.keys(alternative);
      if (ops.length !== 1 || !SUPPORTED_OPERATORS.has(ops[0] as string))
        throw new Error(`${where}: unsupported operator ${JSON.stringify(alternative)}`);
      const [op] = ops as [string];
      const arg = alternative[op] as Json;
      if (op === 'prefix' && (typeof arg !== 'string' || arg === '')) throw new Error(`${where}: prefix needs a non-empty string`);
      if (op === 'exists' && typeof arg !== 'boolean') throw new Error(`${where}: exists needs true or false`);
      if (
        op === 'anything-but' &&
        !(
          typeof arg === 'string' ||
          typeof arg === 'number' ||
          (Array.isArray(arg) && arg.length > 0) ||
          (isPlainObject(arg) && typeof arg.prefix === 'string')
        )
      ) {
        throw new Error(`${where}: anything-but needs a value, a non-empty list or { prefix }`);
      }
    }
  }
}

/** Does one (non-array) event value match one alternative? `present` is false for a missing field. */
function matchesAlternative(alternative: Json, value: Json | undefined, present: boolean): boolean {
  if (!isPlainObject(alternative)) return present && value === alternative;
  const [op] = Object.keys(alternative) as [string];
  const arg = alternative[op] as Json;
  switch (op) {
    case 'exists':
      return arg === present;
    case 'prefix':
      return present && typeof value === 'string' && value.startsWith(arg as string);
    case 'anything-but': {
      if (!present || isPlainObject(value ?? null)) return false;
      if (isPlainObject(arg)) return typeof value === 'string' && !value.startsWith(arg.prefix as string);
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.some((e) => e === value);
    }
    default:
      throw new Error(`unsupported operator ${op}`);
  }
}

/** Does a field (maybe missing, maybe an array) match the alternatives of a leaf? */
function matchesLeaf(alternatives: Json[], value: Json | undefined, present: boolean): boolean {
  if (present && Array.isArray(value)) {
    // An array field matches when any element does; `exists` looks at the field itself.
    return alternatives.some((alt) =>
      isPlainObject(alt) && 'exists' in alt ? alt.exists === true : value.some((element) => matchesAlternative(alt, element, true)),
    );
  }
  return alternatives.some((alt) => matchesAlternative(alt, value, present));
}

/** Does `event` match `pattern`? */
export function matches(pattern: EventPattern, event: Json): boolean {
  validatePattern(pattern);
  return matchesObject(pattern, event);
}

function matchesObject(pattern: { [key: string]: Json }, event: Json | undefined): boolean {
  const fields = isPlainObject(event ?? null) ? (event as { [key: string]: Json }) : {};
  return Object.entries(pattern).every(([key, sub]) => {
    const present = Object.prototype.hasOwnProperty.call(fields, key);
    const value = fields[key];
    if (isPlainObject(sub)) return present && isPlainObject(value) && matchesObject(sub, value);
    return matchesLeaf(sub as Json[], value, present);
  });
}
