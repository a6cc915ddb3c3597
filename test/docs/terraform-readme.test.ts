/**
 * terraform/README.md lists every input and output of the module as variables.tf and outputs.tf
 * declare them: `npm run docs:terraform` writes that part, and this test fails when it is stale.
 * The reader of the .tf files is checked here on the shapes the module uses (validation blocks,
 * multi-line types and defaults, escapes, templates, heredocs, comments); test/terraform compares
 * its reading with Terraform's own.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BEGIN,
  END,
  expressionText,
  messageText,
  moduleInterface,
  parseHcl,
  renderReadme,
  stringValue,
  terraformReadme,
} from '../../scripts/terraform-docs.mjs';

describe('terraform/README.md', () => {
  it('is current: its inputs and outputs are what variables.tf and outputs.tf say (npm run docs:terraform)', () => {
    const { current, expected } = terraformReadme();
    expect(current.includes(BEGIN) && current.includes(END)).toBe(true);
    expect(current, 'terraform/README.md is stale: run `npm run docs:terraform`').toBe(expected);
  });

  it('has a row for every input and every output, with its type and default', () => {
    const readme = readFileSync('terraform/README.md', 'utf8');
    const { inputs, outputs } = moduleInterface(
      readFileSync('terraform/variables.tf', 'utf8'),
      readFileSync('terraform/outputs.tf', 'utf8'),
    );
    expect(inputs.length).toBeGreaterThan(50);
    expect(outputs.length).toBeGreaterThan(15);
    const rows = readme.slice(0, readme.indexOf('### Outputs')).split('\n');
    const outputRows = readme.slice(readme.indexOf('### Outputs')).split('\n');
    for (const input of inputs) {
      const row = rows.find((l) => l.startsWith(`| \`${input.name}\` |`));
      expect(row, input.name).toBeDefined();
      expect(row).toContain(`| \`${input.type}\` |`);
      expect(row).toContain(input.default === undefined ? '| required |' : `| \`${input.default}\` |`);
    }
    for (const output of outputs) expect(outputRows.filter((l) => l.startsWith(`| \`${output.name}\` |`))).toHaveLength(1);
  });
});

describe('the reader of variables.tf and outputs.tf', () => {
  const variables = `
# A comment with { braces } and "quotes"
variable "service_config" {
  description = "SERVICE_CONFIG: a => b, \\"quoted\\", \${var.x} and $\${literal}." // trailing comment
  type = map(list(object({
    bucket = string # the bucket
    key    = string
  })))
  default = {
    api = [
      { bucket = "b", key = "k" },
    ]
  }

  validation {
    condition     = alltrue([for k, v in var.service_config : can(regex("^[a-z]{1,3}$", k))])
    error_message = "keys must match ^[a-z]{1,3}$ (see \\"{name}\\")."
  }

  validation {
    condition     = var.service_config != null
    error_message = "required"
  }
}

/* a block comment
variable "commented_out" {}
*/
variable "required_one" {
  type = string
  description = <<-EOT
    First line.
      Indented second line.
    EOT
}

variable "untyped" {
  default = ["a", "b"]
  sensitive = true
}
`;
  const outputs = `
output "url" {
  description = "The \`url\` | with a pipe and <version>."
  value       = "https://\${aws_lb.this.dns_name}/{x}"
}
`;

  it('reads blocks, labels and attributes, nested validation blocks included', () => {
    const { blocks } = parseHcl(variables);
    expect(blocks.map((b) => `${b.type} ${b.labels.join(' ')}`)).toEqual([
      'variable service_config',
      'variable required_one',
      'variable untyped',
    ]);
    expect(blocks[0]?.blocks.map((b) => b.type)).toEqual(['validation', 'validation']);
    expect(Object.keys(blocks[0]?.attributes ?? {})).toEqual(['description', 'type', 'default']);
  });

  it('shows multi-line types and defaults on one line, and decodes descriptions', () => {
    const { inputs } = moduleInterface(variables, outputs);
    expect(inputs).toEqual([
      {
        name: 'service_config',
        type: 'map(list(object({ bucket = string, key = string })))',
        default: '{ api = [{ bucket = "b", key = "k" }] }',
        description: 'SERVICE_CONFIG: a => b, "quoted", ${var.x} and ${literal}.',
        sensitive: false,
        validations: ['keys must match ^[a-z]{1,3}$ (see "{name}").', 'required'],
      },
      {
        name: 'required_one',
        type: 'string',
        default: undefined,
        description: 'First line.\n  Indented second line.',
        sensitive: false,
        validations: [],
      },
      { name: 'untyped', type: 'any', default: '["a", "b"]', description: '', sensitive: true, validations: [] },
    ]);
  });

  it('writes table cells a reader sees as written: pipes escaped, <…> shown, code kept', () => {
    const readme = `# x\n\n${BEGIN}\n${END}\n`;
    const rendered = renderReadme(readme, variables, outputs);
    expect(rendered).toContain('| `url` | The `url` \\| with a pipe and &lt;version&gt;. |');
    expect(rendered).toContain(
      '| SERVICE_CONFIG: a =&gt; b, "quoted", ${var.x} and ${literal}.<br>Validation: keys must match ^[a-z]{1,3}$ (see "{name}"). required |',
    );
    expect(rendered).toContain('| `untyped` | `any` | `["a", "b"]` | (sensitive) |');
    expect(rendered).toContain('| `required_one` | `string` | required | First line. Indented second line. |');
    expect(rendered.startsWith('# x\n\n<!-- BEGIN GENERATED')).toBe(true);
    expect(() => renderReadme('# no markers\n', variables, outputs)).toThrow(/no generated part/);
  });

  it('says where a file cannot be read', () => {
    expect(() => moduleInterface('variable "a" {\n  default = [1, 2\n', '')).toThrow(/^variables\.tf: line \d+: unclosed/);
    expect(() => moduleInterface('', 'output "a" {\n  value = "x\n}\n')).toThrow(/^outputs\.tf: line 2: newline in a quoted string/);
  });

  it('shows a validation message as a reader reads it: interpolations as "…", a computed list of problems not at all', () => {
    expect(messageText('"x must be at least 1, got ${var.x}"')).toBe('x must be at least 1, got …');
    expect(messageText('"p renders \\"${try([for n in ["a", "b"] : n if !can(regex("^{x}$", n))][0], "")}\\", refused"')).toBe(
      'p renders "…", refused',
    );
    expect(messageText('"a" == "b" ? "x" : "y"')).toBeUndefined();
    expect(messageText('join("\\n", local.problems)')).toBeUndefined();
  });

  it('keeps strings as written when it joins lines, and unquotes only literals', () => {
    expect(expressionText('[\n  "a  b", # two spaces kept\n  "c"\n]')).toBe('["a  b", "c"]');
    expect(stringValue('"\\u00e9t\\u00e9"')).toBe('été');
    expect(stringValue('var.other')).toBe('var.other');
  });
});
