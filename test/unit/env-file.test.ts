import { describe, expect, it } from 'vitest';
import { EnvFile, isEmptyDiff } from '../../src/triggers/envFile.js';
import { describeEnvFileProblems } from '../../src/present/envFiles.js';
import { ENV_FILE_SECRETS } from '../helpers/suiteOutput.js';

const [SECRET_A, SECRET_B] = ENV_FILE_SECRETS as [string, string];

describe('EnvFile.parse: the way ECS reads an environment file', () => {
  it('reads VARIABLE=VALUE lines; # comments and blank lines are ignored; the value is everything after the first "="', () => {
    const file = EnvFile.parse(`# database\n\nDB_HOST=db.internal\n   \nDB_URL=postgres://u:p@h/db?sslmode=require\nEMPTY=\n#OFF=1\n`);
    expect(file.valid).toBe(true);
    expect(file.problems).toEqual([]);
    expect(file.names).toEqual(['DB_HOST', 'DB_URL', 'EMPTY']);
    // "=" inside the value is part of it: only the name before the first "=" matters.
    expect(file.diff(EnvFile.parse('DB_HOST=db.internal\nDB_URL=postgres://u:p@h/db?sslmode=disable\nEMPTY=\n'))).toEqual({
      added: [],
      removed: [],
      changed: ['DB_URL'],
    });
  });

  it('a file without a final newline, and an empty file, are valid', () => {
    expect(EnvFile.parse('A=1\nB=2').names).toEqual(['A', 'B']);
    expect(EnvFile.parse('')).toMatchObject({ valid: true, names: [], problems: [] });
  });

  it.each([
    ['a line without "="', 'A=1\nJUST_A_NAME\n', [{ kind: 'no_equals', line: 2 }]],
    ['an indented comment (not a comment for ECS on EC2)', 'A=1\n  # note\n', [{ kind: 'no_equals', line: 2 }]],
    ['an empty name', '=value\nA=1\n', [{ kind: 'empty_name', line: 1 }]],
    ['a name with a space', 'DB HOST=x\n', [{ kind: 'name_with_whitespace', line: 1 }]],
    ['"export NAME="', 'export A=1\n', [{ kind: 'name_with_whitespace', line: 1 }]],
    ['a leading space', ' A=1\n', [{ kind: 'name_with_whitespace', line: 1 }]],
    ['a space before "="', 'A =1\n', [{ kind: 'name_with_whitespace', line: 1 }]],
    ['a tab in the name', 'A\tB=1\n', [{ kind: 'name_with_whitespace', line: 1 }]],
    ['a duplicate name', 'A=1\nB=2\nA=3\n', [{ kind: 'duplicate_name', line: 3, name: 'A', firstLine: 1 }]],
    ['a UTF-8 byte order mark', '\uFEFFA=1\n', [{ kind: 'bom', line: 1 }]],
    [
      'Windows line endings',
      'A=1\r\nB=2\r\n# c\r\n',
      [
        { kind: 'crlf', line: 1 },
        { kind: 'crlf', line: 2 },
        { kind: 'crlf', line: 3 },
      ],
    ],
  ])('reports %s with its line', (_what, text, problems) => {
    const file = EnvFile.parse(text);
    expect(file.problems).toEqual(problems);
    expect(file.valid).toBe(false);
  });

  it('a UTF-8 byte order mark in bytes is reported too (it is not swallowed by decoding)', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('A=1\n')]);
    const file = EnvFile.parse(bytes);
    expect(file.problems).toEqual([{ kind: 'bom', line: 1 }]);
    expect(file.names).toEqual(['A']);
  });

  it('Windows line endings do not leak a \\r into the comparison of values', () => {
    const crlf = EnvFile.parse('A=1\r\n');
    expect(crlf.diff(EnvFile.parse('A=1\n'))).toEqual({ added: [], removed: [], changed: [] });
  });

  it('a duplicate keeps the last value, as ECS applies it', () => {
    expect(EnvFile.parse('A=1\nA=2\n').diff(EnvFile.parse('A=2\n')).changed).toEqual([]);
    expect(EnvFile.parse('A=1\nA=2\n').diff(EnvFile.parse('A=1\n')).changed).toEqual(['A']);
  });

  it('a file too large to read is invalid and has no variables', () => {
    const file = EnvFile.tooLarge(2_000_000, 1_048_576);
    expect(file).toMatchObject({ valid: false, names: [], problems: [{ kind: 'too_large', bytes: 2_000_000, limit: 1_048_576 }] });
  });
});

describe('EnvFile.diff: names added, removed and changed', () => {
  it('lists names only, in file order', () => {
    const before = EnvFile.parse(`A=1\nB=${SECRET_A}\nGONE=x\n`);
    const after = EnvFile.parse(`NEW=y\nA=1\nB=${SECRET_B}\n`);
    const diff = after.diff(before);
    expect(diff).toEqual({ added: ['NEW'], removed: ['GONE'], changed: ['B'] });
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('the same variables with the same values, in another order or with other comments, is no change', () => {
    const diff = EnvFile.parse('# v2\nB=2\n\nA=1\n').diff(EnvFile.parse('A=1\nB=2\n'));
    expect(isEmptyDiff(diff)).toBe(true);
  });

  it('a value changed to or from empty is a change', () => {
    expect(EnvFile.parse('A=\n').diff(EnvFile.parse('A=1\n')).changed).toEqual(['A']);
  });
});

describe('values never leave the parser', () => {
  it('JSON, the enumerable properties and the problems carry no value', () => {
    const file = EnvFile.parse(`DB_PASSWORD=${SECRET_A}\nDB PASSWORD=${SECRET_B}\nDB_PASSWORD=${SECRET_B}\n`);
    const seen = [
      JSON.stringify(file),
      JSON.stringify(Object.entries(file)),
      JSON.stringify(file.problems),
      JSON.stringify(file.names),
      describeEnvFileProblems(file.problems).join('\n'),
    ].join('\n');
    for (const secret of ENV_FILE_SECRETS) expect(seen).not.toContain(secret);
    expect(file.problems).toEqual([
      { kind: 'name_with_whitespace', line: 2 },
      { kind: 'duplicate_name', line: 3, name: 'DB_PASSWORD', firstLine: 1 },
    ]);
  });
});

describe('describeEnvFileProblems: the words people read', () => {
  it('one line per kind with its line numbers (runs as ranges), one per duplicate, names but no raw lines', () => {
    const file = EnvFile.parse(`\uFEFFA=1\r\nB C=2\r\nD\r\nE\r\nF\r\n=3\r\nA=4\r\nH\r\n`);
    expect(describeEnvFileProblems(file.problems)).toEqual([
      'line 1: starts with a UTF-8 byte order mark (ECS on EC2 makes it part of the first name); save the file as UTF-8 without BOM',
      'lines 1–8: Windows line endings (CRLF); save the file with LF line endings',
      'lines 3–5, 8: no "=" (neither VARIABLE=VALUE nor a comment; a comment starts with # in the first column)',
      'line 6: no name before "="',
      'line 2: the name contains whitespace (spaces around or inside the name before "=")',
      'line 7: A is set again (first on line 1; ECS keeps the last one)',
    ]);
  });

  it('a long list of lines is cut', () => {
    const text = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? `V${i}=1` : 'BROKEN')).join('\n');
    expect(describeEnvFileProblems(EnvFile.parse(text).problems)[0]).toBe(
      'lines 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, … (8 more): no "=" (neither VARIABLE=VALUE nor a comment; a comment starts with # in the first column)',
    );
  });

  it('a file too large says its size and the limit', () => {
    expect(describeEnvFileProblems(EnvFile.tooLarge(2_500_000, 1_048_576).problems)).toEqual([
      'the file is 2.5 MB, larger than the 1 MiB deploybridge reads: not checked',
    ]);
  });
});
