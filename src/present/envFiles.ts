/**
 * The words for env files: what is wrong with one (one line per kind of problem, line numbers
 * listed) and what changed in one (variables added, removed, changed). Names only: a value or a raw
 * line of an env file never reaches a message or a log.
 */
import type { EnvFileChange, EnvFileProblem } from '../triggers/envFile.js';
import { formatSize, lineList, nameList } from './format.js';

/**
 * The problems of an env file, one line per kind (line numbers listed) or per duplicate name.
 * Names a problem quotes are well-formed names, never values or raw lines.
 *
 * @example
 * describeEnvFileProblems([{ kind: 'no_equals', line: 3 }, { kind: 'duplicate_name', line: 7, name: 'DB_HOST', firstLine: 2 }]);
 * // ['line 3: no "=" (neither VARIABLE=VALUE nor a comment; a comment starts with # in the first column)',
 * //  'line 7: DB_HOST is set again (first on line 2; ECS keeps the last one)']
 */
export function describeEnvFileProblems(problems: readonly EnvFileProblem[]): string[] {
  const linesOf = (kind: EnvFileProblem['kind']) => problems.flatMap((p) => (p.kind === kind && 'line' in p ? [p.line] : []));
  const at = (lines: number[]) => `line${lines.length === 1 ? '' : 's'} ${lineList(lines)}`;
  const out: string[] = [];
  for (const p of problems) {
    if (p.kind === 'too_large')
      out.push(
        `the file is ${formatSize(p.bytes)}, larger than the ${+(p.limit / 1048576).toFixed(2)} MiB deploybridge reads: not checked`,
      );
  }
  if (linesOf('bom').length > 0)
    out.push(
      'line 1: starts with a UTF-8 byte order mark (ECS on EC2 makes it part of the first name); save the file as UTF-8 without BOM',
    );
  const grouped: Array<[EnvFileProblem['kind'], string]> = [
    ['crlf', 'Windows line endings (CRLF); save the file with LF line endings'],
    ['no_equals', 'no "=" (neither VARIABLE=VALUE nor a comment; a comment starts with # in the first column)'],
    ['empty_name', 'no name before "="'],
    ['name_with_whitespace', 'the name contains whitespace (spaces around or inside the name before "=")'],
  ];
  for (const [kind, what] of grouped) {
    const lines = linesOf(kind);
    if (lines.length > 0) out.push(`${at(lines)}: ${what}`);
  }
  for (const p of problems) {
    if (p.kind === 'duplicate_name')
      out.push(`line ${p.line}: ${p.name} is set again (first on line ${p.firstLine}; ECS keeps the last one)`);
  }
  return out;
}

/** What changed in an env file, for people: names only. */
export function describeEnvFileChange(change: EnvFileChange): string {
  switch (change.kind) {
    case 'diff': {
      const parts = [
        change.added.length > 0 ? `added ${nameList(change.added)}` : '',
        change.removed.length > 0 ? `removed ${nameList(change.removed)}` : '',
        change.changed.length > 0 ? `changed ${nameList(change.changed)}` : '',
      ].filter((part) => part !== '');
      return `${parts.join('; ')} (since version ${change.previousVersionId})`;
    }
    case 'new_file':
      return change.added.length === 0 ? 'new file, no variables' : `new file: added ${nameList(change.added)}`;
    case 'not_compared':
      return {
        unversioned: 'not listed: the bucket is not versioned, so there is no previous version to compare with',
        previous_not_listed: "not listed: the previous version could not be found among the object's versions",
        read_failed: 'not listed: the previous version could not be read',
      }[change.reason];
  }
}
