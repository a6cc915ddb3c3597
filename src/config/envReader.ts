/**
 * Reading the environment for ./config.ts: a reader that collects every problem instead of
 * stopping at the first, so that `loadConfig` reports them all at once. Each kind of variable
 * (list, boolean, number, one of, JSON against a schema, naming pattern) is read one way, and a
 * variable with a default takes it from ./constants.ts.
 */
import type * as z from 'zod/mini';
import { CONFIG_DEFAULTS, type DefaultedVariable } from './constants.js';

/** The environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/**
 * A schema problem in words. zod/mini ships no messages (every default one is "Invalid input"), so
 * the common cases are spelled out here; messages written in the schemas are kept as they are.
 */
function explainIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'record' ? 'an object' : issue.expected}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
    case 'invalid_key':
      return issue.issues.map((inner) => inner.message).join('; ');
    default:
      return issue.message;
  }
}

/** The variables whose default is of type `T`. */
type VariableOf<T> = { [K in DefaultedVariable]: (typeof CONFIG_DEFAULTS)[K] extends T ? K : never }[DefaultedVariable];

/**
 * Collects problems while reading variables, so that all of them are reported at once. A variable
 * with a default takes it from {@link CONFIG_DEFAULTS}.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /**
   * A comma-separated list. Set but empty means an empty list (unlike other variables, where empty
   * means unset), so a default list can be switched off.
   */
  list(name: VariableOf<readonly string[]>, item?: { re: RegExp; what: string }): string[] {
    const value = this.env[name];
    if (value === undefined) return [...CONFIG_DEFAULTS[name]];
    const items = value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    const bad = item === undefined ? [] : items.filter((part) => !item.re.test(part));
    if (bad.length > 0) this.problems.push(`${name} must list ${item?.what}, got ${bad.map((b) => `"${b}"`).join(', ')}`);
    return items;
  }

  required(name: string): string {
    const value = this.raw(name);
    if (value === undefined) this.problems.push(`${name} is required`);
    return value ?? '';
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  string(name: VariableOf<string>): string {
    return this.raw(name) ?? CONFIG_DEFAULTS[name];
  }

  boolean(name: VariableOf<boolean>): boolean {
    const fallback = CONFIG_DEFAULTS[name];
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (TRUE_WORDS.has(value)) return true;
    if (FALSE_WORDS.has(value)) return false;
    this.problems.push(`${name} must be one of true/false/1/0/yes/no, got "${value}"`);
    return fallback;
  }

  nonNegativeInteger(name: VariableOf<number>): number {
    const fallback = CONFIG_DEFAULTS[name];
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) {
      this.problems.push(`${name} must be a non-negative whole number, got "${value}"`);
      return fallback;
    }
    return Number(value);
  }

  positiveInteger(name: VariableOf<number>): number {
    const value = this.nonNegativeInteger(name);
    if (value === 0) this.problems.push(`${name} must be at least 1`);
    return value;
  }

  oneOf<T extends string>(name: VariableOf<string>, allowed: readonly T[]): T {
    const fallback = CONFIG_DEFAULTS[name] as string as T;
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
    return fallback;
  }

  /** Parses a JSON variable against a schema, built only when the variable is set; `undefined` when absent or invalid. */
  json<T>(name: string, schema: () => z.ZodMiniType<T>): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      this.problems.push(`${name} is not valid JSON (${(error as Error).message})`);
      return undefined;
    }
    const result = schema().safeParse(parsed);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const where = issue.path.length > 0 ? `${name}.${issue.path.join('.')}` : name;
      this.problems.push(`${where}: ${explainIssue(issue)}`);
    }
    return undefined;
  }

  /** Checks that a naming pattern only uses the known placeholders (what it renders is checked in ./config.ts). */
  pattern(name: VariableOf<string>): string {
    const value = this.string(name);
    const unknown = [...value.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).filter((p) => p !== 'project' && p !== 'env' && p !== 'name');
    if (unknown.length > 0) {
      this.problems.push(`${name} uses unknown placeholder(s) ${unknown.map((p) => `{${p}}`).join(', ')}; use {project}, {env}, {name}`);
    }
    return value;
  }
}
