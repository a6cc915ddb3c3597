/**
 * Environment files as ECS reads them (`environmentFiles` of a container definition): one
 * `VARIABLE=VALUE` per line, lines starting with `#` are comments, blank lines are ignored. The
 * value is everything after the first `=`, taken literally (no quotes, no escapes).
 *
 * {@link EnvFile.parse} also reports what ECS would reject or silently mangle. The ECS agent (EC2)
 * and Fargate (a Docker env-file) disagree on several of these, so each is a problem here:
 * - a line that is neither blank, a comment, nor has an `=` (the EC2 agent drops it; Docker
 *   passes the host's variable of that name, i.e. nothing),
 * - an empty name (`=value`: dropped on EC2, refused by Docker),
 * - a name with whitespace, leading or trailing included (kept as is on EC2, refused by Docker),
 * - a name given twice (the last one wins, silently),
 * - a UTF-8 byte order mark (becomes part of the first name on EC2),
 * - Windows line endings (`\r\n`; a stray `\r` ends up in values wherever a line is not split
 *   the way ECS splits it).
 *
 * Values never leave this module: an {@link EnvFile} exposes the names, the problems and a
 * comparison with another version, never a value (they are private fields, which neither
 * `JSON.stringify` nor a logger can reach).
 */
import { ENV_FILE_LIMITS } from '../config/constants.js';
import type { ObjectVersionRef, S3Reads } from './reads/s3.js';

/** One thing ECS would reject or mangle, with the line (1-based) where it is. */
export type EnvFileProblem =
  | { kind: 'bom'; line: 1 }
  | { kind: 'crlf'; line: number }
  | { kind: 'no_equals'; line: number }
  | { kind: 'empty_name'; line: number }
  | { kind: 'name_with_whitespace'; line: number }
  /** `name` is shown: it is a well-formed name, not a value. */
  | { kind: 'duplicate_name'; line: number; name: string; firstLine: number }
  /** The object is larger than deploybridge reads: it was not parsed. */
  | { kind: 'too_large'; bytes: number; limit: number };

/** Variable names that differ between two versions of a file. */
export interface EnvFileDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

/** What changed in an env file, by variable name: values are never carried. */
export type EnvFileChange =
  | ({ kind: 'diff'; previousVersionId: string } & EnvFileDiff)
  /** The object has no earlier version: every variable is new. */
  | { kind: 'new_file'; added: string[] }
  /** Nothing to compare with: the bucket is not versioned, or the previous version could not be found or read. */
  | { kind: 'not_compared'; reason: 'unversioned' | 'previous_not_listed' | 'read_failed' };

const BOM = '\uFEFF';
const WHITESPACE = /\s/;

/**
 * A parsed environment file: its variable names (file order), its problems, and its values kept
 * private for comparisons.
 *
 * @example
 * const file = EnvFile.parse('# api\nDB_HOST=db.internal\nDB_HOST=other\n');
 * file.names;    // ['DB_HOST']
 * file.problems; // [{ kind: 'duplicate_name', line: 3, name: 'DB_HOST', firstLine: 2 }]
 * file.diff(EnvFile.parse('DB_HOST=db.internal\nDEBUG=1\n')); // { added: [], removed: ['DEBUG'], changed: ['DB_HOST'] }
 */
export class EnvFile {
  /** Name → value, the last definition winning (as ECS applies them). */
  readonly #values: Map<string, string>;

  private constructor(
    values: Map<string, string>,
    readonly problems: readonly EnvFileProblem[],
  ) {
    this.#values = values;
  }

  /** Parses the content of a file (bytes are decoded as UTF-8, a byte order mark kept so it is reported). */
  static parse(content: string | Uint8Array): EnvFile {
    const text = typeof content === 'string' ? content : new TextDecoder('utf-8', { ignoreBOM: true }).decode(content);
    const problems: EnvFileProblem[] = [];
    const values = new Map<string, string>();
    const firstLine = new Map<string, number>();
    let body = text;
    if (body.startsWith(BOM)) {
      problems.push({ kind: 'bom', line: 1 });
      body = body.slice(BOM.length);
    }
    const lines = body.split('\n');
    // A final newline ends the last line; it does not start an empty one.
    if (lines.at(-1) === '') lines.pop();
    lines.forEach((raw, index) => {
      const line = index + 1;
      let entry = raw;
      if (entry.endsWith('\r')) {
        problems.push({ kind: 'crlf', line });
        entry = entry.slice(0, -1);
      }
      if (entry.trim() === '' || entry.startsWith('#')) return;
      const equals = entry.indexOf('=');
      if (equals < 0) {
        problems.push({ kind: 'no_equals', line });
        return;
      }
      const name = entry.slice(0, equals);
      if (name === '') {
        problems.push({ kind: 'empty_name', line });
        return;
      }
      if (WHITESPACE.test(name)) {
        problems.push({ kind: 'name_with_whitespace', line });
        return;
      }
      const first = firstLine.get(name);
      if (first === undefined) firstLine.set(name, line);
      else problems.push({ kind: 'duplicate_name', line, name, firstLine: first });
      values.set(name, entry.slice(equals + 1));
    });
    return new EnvFile(values, problems);
  }

  /** A file that was not read because it is larger than `limit` bytes: invalid, with no variables. */
  static tooLarge(bytes: number, limit: number): EnvFile {
    return new EnvFile(new Map(), [{ kind: 'too_large', bytes, limit }]);
  }

  /** True when ECS would read the file exactly as written. */
  get valid(): boolean {
    return this.problems.length === 0;
  }

  /** The variable names, in the order of their first definition. */
  get names(): string[] {
    return [...this.#values.keys()];
  }

  /** What changed from `previous` to this file: names added, removed, and whose value changed. */
  diff(previous: EnvFile): EnvFileDiff {
    const before = previous.#values;
    const after = this.#values;
    return {
      added: [...after.keys()].filter((name) => !before.has(name)),
      removed: [...before.keys()].filter((name) => !after.has(name)),
      changed: [...after.keys()].filter((name) => before.has(name) && before.get(name) !== after.get(name)),
    };
  }
}

/** True when a diff lists nothing: the same variables with the same values. */
export function isEmptyDiff(diff: EnvFileDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length === 0;
}

/**
 * One version of an env file (the current one without `versionId`), parsed; a file over
 * `ENV_FILE_LIMITS.maxBytes` is not read and has one problem, `too_large`.
 *
 * @example
 * (await readEnvFile(s3, { bucket: 'myproject-config-dev', key: 'api/.env', versionId: undefined })).names; // ['APP_ENV', …]
 */
export async function readEnvFile(s3: S3Reads, ref: ObjectVersionRef): Promise<EnvFile> {
  const content = await s3.readObject(ref, ENV_FILE_LIMITS.maxBytes);
  return content.kind === 'read' ? EnvFile.parse(content.bytes) : EnvFile.tooLarge(content.bytes, ENV_FILE_LIMITS.maxBytes);
}
