/**
 * The configuration reference (docs/configuration.md) and the README's configuration table, against
 * the code and the module: every variable the function reads has a row with its default, every
 * fixed limit shown is the constant's value, every input the README shows has the module's default.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { moduleInterface } from '../../scripts/terraform-docs.mjs';
import * as constants from '../../src/config/constants.js';
import { envReads, lambdaSources } from '../terraform/source.js';

/** The rows of the first Markdown table after a heading: cells without their outer pipes. */
function table(text: string, heading: string): string[][] {
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const reference = readFileSync('docs/configuration.md', 'utf8');

describe('docs/configuration.md', () => {
  const rows = new Map(
    table(reference, '## Variables').map(([name = '', required = '', fallback = '', meaning = '']) => [
      name.replace(/`/g, ''),
      { required, fallback, meaning },
    ]),
  );
  const reads = envReads(lambdaSources());

  it('has one row for each variable the function reads, and no other', () => {
    expect(reads.size).toBeGreaterThan(25);
    expect([...rows.keys()].sort()).toEqual([...reads.keys()].sort());
  });

  it("shows each variable's default as the code has it (src/config/constants.ts), and which are required", () => {
    const defaults = constants.CONFIG_DEFAULTS as Record<string, string | number | boolean | readonly string[]>;
    for (const [name, read] of reads) {
      const row = rows.get(name);
      if (read.required) expect(row?.required, name).toBe('yes');
      else expect(row?.required, name).not.toBe('yes');
      const value = defaults[name];
      const env = value === undefined ? read.literalDefault : Array.isArray(value) ? value.join(',') : String(value);
      if (env === undefined) expect(row?.fallback, name).toMatch(/^(–|`\{\}`)$/);
      else if (env === '') expect(row?.fallback, name).toMatch(/^empty\b/);
      else expect(row?.fallback, name).toBe(`\`${env}\``);
    }
  });

  it('shows each fixed limit as the constant it names', () => {
    const limits = table(reference, '## Fixed limits');
    expect(limits.length).toBeGreaterThan(15);
    for (const [what = '', value = '', constant = ''] of limits) {
      const path = constant.replace(/`/g, '').split('.');
      const actual = path.reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key], constants);
      expect(typeof actual, `${constant} (${what})`).toBe('number');
      expect(Number((/^[\d,]+/.exec(value)?.[0] ?? '').replace(/,/g, '')), `${what}: ${constant}`).toBe(actual);
    }
  });
});

describe("the README's configuration table", () => {
  it('shows inputs of the module, each with its default', () => {
    const readme = readFileSync('README.md', 'utf8');
    const { inputs } = moduleInterface(readFileSync('terraform/variables.tf', 'utf8'), readFileSync('terraform/outputs.tf', 'utf8'));
    const rows = table(readme, '## Configuration');
    expect(rows.length).toBeGreaterThan(10);
    for (const [name = '', shown = ''] of rows) {
      const input = inputs.find((i) => `\`${i.name}\`` === name);
      expect(input, name).toBeDefined();
      expect(shown, name).toBe(input?.default === undefined ? 'required' : `\`${input.default}\``);
    }
  });
});
