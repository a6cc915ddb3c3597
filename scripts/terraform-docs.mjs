#!/usr/bin/env node
/**
 * Writes the inputs and outputs of the Terraform module into terraform/README.md, between the
 * markers below, from terraform/variables.tf and terraform/outputs.tf.
 *
 *   npm run docs:terraform              rewrite the generated part of terraform/README.md
 *   npm run docs:terraform -- --check   exit 1 if it is not what the .tf files say (CI runs this check
 *                                       through test/docs/terraform-readme.test.ts)
 *
 * Terraform has no command that prints a module's variables with their types (`terraform show
 * -json` gives defaults and descriptions, not types, and needs an initialised, planned root), so
 * the blocks are read here by a small HCL reader: it knows strings with escapes and templates,
 * heredocs, comments and nested blocks (validation), which is all variables.tf and outputs.tf
 * use. The test compares what it reads with what Terraform itself reads from a plan.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BEGIN =
  '<!-- BEGIN GENERATED: npm run docs:terraform writes this part from variables.tf and outputs.tf; do not edit it by hand -->';
export const END = '<!-- END GENERATED -->';
export const USAGE = 'usage: npm run docs:terraform [-- --check]';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULE_DIR = join(ROOT, 'terraform');
export const README = join(MODULE_DIR, 'README.md');

/* ------------------------------------------------------------------------------------------------
 * Reading HCL: blocks, attributes and the source text of each expression
 * ---------------------------------------------------------------------------------------------- */

class HclError extends Error {}

/**
 * Reads the blocks and attributes of an HCL body. Expressions are kept as their source text;
 * `expressionText` and `stringValue` turn them into what a reader sees.
 *
 * @example
 * parseHcl('variable "a" {\n  default = 1\n}\n').blocks[0]; // { type: 'variable', labels: ['a'], attributes: { default: '1' }, blocks: [] }
 */
export function parseHcl(text) {
  const reader = new Reader(text);
  const body = reader.body(false);
  return body;
}

class Reader {
  constructor(text) {
    this.text = text;
    this.i = 0;
  }

  fail(message) {
    const line = this.text.slice(0, this.i).split('\n').length;
    throw new HclError(`line ${line}: ${message}`);
  }

  /** Skips spaces, newlines and comments. */
  trivia() {
    const t = this.text;
    for (;;) {
      const c = t[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.i++;
      else if (c === '#' || (c === '/' && t[this.i + 1] === '/')) this.i = lineEnd(t, this.i);
      else if (c === '/' && t[this.i + 1] === '*') {
        const end = t.indexOf('*/', this.i + 2);
        if (end < 0) this.fail('unterminated comment');
        this.i = end + 2;
      } else return;
    }
  }

  /** Skips spaces and tabs only (an attribute's `=` and a block's labels are on its first line). */
  spaces() {
    while (this.text[this.i] === ' ' || this.text[this.i] === '\t') this.i++;
  }

  identifier() {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.i, this.i + 200));
    if (m === null) this.fail(`expected a name, found ${JSON.stringify(this.text.slice(this.i, this.i + 20))}`);
    this.i += m[0].length;
    return m[0];
  }

  /** A body: attributes and blocks, up to the `}` that closes it (or the end of the file). */
  body(nested) {
    const attributes = {};
    const blocks = [];
    for (;;) {
      this.trivia();
      if (this.i >= this.text.length) {
        if (nested) this.fail('unclosed block');
        return { attributes, blocks };
      }
      if (this.text[this.i] === '}') {
        if (!nested) this.fail('unexpected "}"');
        this.i++;
        return { attributes, blocks };
      }
      const name = this.identifier();
      this.spaces();
      if (this.text[this.i] === '=' && this.text[this.i + 1] !== '=') {
        this.i++;
        this.spaces();
        const start = this.i;
        this.expression();
        if (name in attributes) this.fail(`attribute ${name} set twice`);
        attributes[name] = this.text.slice(start, this.i).trim();
      } else {
        const labels = [];
        while (this.text[this.i] !== '{') {
          if (this.text[this.i] === '"') {
            const end = this.string();
            labels.push(stringValue(this.text.slice(this.i, end)));
            this.i = end;
          } else labels.push(this.identifier());
          this.spaces();
        }
        this.i++;
        blocks.push({ type: name, labels, ...this.body(true) });
      }
    }
  }

  /** Moves past one expression: up to a newline (or an unmatched `}`) outside brackets. */
  expression() {
    const t = this.text;
    let depth = 0;
    while (this.i < t.length) {
      const c = t[this.i];
      if (c === '"') this.i = this.string();
      else if (c === '<' && t[this.i + 1] === '<' && /^<<-?[A-Za-z_]/.test(t.slice(this.i, this.i + 4))) this.heredoc();
      else if (c === '#' || (c === '/' && t[this.i + 1] === '/')) {
        if (depth === 0) return;
        this.i = lineEnd(t, this.i);
      } else if (c === '/' && t[this.i + 1] === '*') {
        const end = t.indexOf('*/', this.i + 2);
        if (end < 0) this.fail('unterminated comment');
        this.i = end + 2;
      } else if (c === '(' || c === '[' || c === '{') {
        depth++;
        this.i++;
      } else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) return;
        depth--;
        this.i++;
      } else if (c === '\n' && depth === 0) return;
      else this.i++;
    }
    if (depth > 0) this.fail('unclosed bracket');
  }

  /** The end (exclusive) of the quoted string starting at this.i, templates `${…}` and `%{…}` included. */
  string() {
    const t = this.text;
    let i = this.i + 1;
    while (i < t.length) {
      const c = t[i];
      if (c === '\\') i += 2;
      else if (c === '"') return i + 1;
      else if ((c === '$' || c === '%') && t[i + 1] === c && t[i + 2] === '{')
        i += 3; // $${ and %%{ are escapes, not templates
      else if ((c === '$' || c === '%') && t[i + 1] === '{') i = this.template(i + 2);
      else if (c === '\n') this.fail('newline in a quoted string');
      else i++;
    }
    this.fail('unterminated string');
  }

  /** The end (exclusive) of a template's `${ … }` whose body starts at i. */
  template(i) {
    const t = this.text;
    let depth = 1;
    while (i < t.length) {
      const c = t[i];
      if (c === '"') {
        const saved = this.i;
        this.i = i;
        i = this.string();
        this.i = saved;
      } else if (c === '{') {
        depth++;
        i++;
      } else if (c === '}') {
        depth--;
        i++;
        if (depth === 0) return i;
      } else i++;
    }
    this.fail('unterminated template');
  }

  heredoc() {
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(this.text.slice(this.i, this.i + 200));
    if (m === null) this.fail('malformed heredoc');
    const marker = m[2];
    let i = this.i + m[0].length;
    for (;;) {
      const end = lineEnd(this.text, i);
      if (this.text.slice(i, end).trim() === marker) {
        this.i = end;
        return;
      }
      if (end >= this.text.length) this.fail(`heredoc ${marker} is not closed`);
      i = end + 1;
    }
  }
}

function lineEnd(text, i) {
  const end = text.indexOf('\n', i);
  return end < 0 ? text.length : end;
}

/**
 * The value of a string literal or heredoc, as Terraform reads it; anything else is returned as it
 * is written (a reference, a function call).
 *
 * @example
 * stringValue('"say \\"hi\\""'); // 'say "hi"'
 */
export function stringValue(expression) {
  const heredoc = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n([\s\S]*?)\n[ \t]*\2$/.exec(expression);
  if (heredoc !== null) {
    const lines = (heredoc[3] ?? '').split('\n');
    if (heredoc[1] !== '-') return lines.join('\n');
    const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)[0].length));
    return lines.map((l) => l.slice(indent)).join('\n');
  }
  if (!/^"[\s\S]*"$/.test(expression)) return expression;
  return expression.slice(1, -1).replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)|\$\$\{|%%\{/g, (all, escape) => {
    if (all === '$${') return '${';
    if (all === '%%{') return '%{';
    if (escape[0] === 'u' || escape[0] === 'U') return String.fromCodePoint(Number.parseInt(escape.slice(1), 16));
    return { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' }[escape] ?? all;
  });
}

/**
 * An expression on one line, as a reader would write it: comments dropped, lines joined (with a
 * comma where a newline separated two items), runs of spaces outside strings collapsed.
 *
 * @example
 * expressionText('object({\n    bucket = string\n    key    = string\n  })'); // 'object({ bucket = string, key = string })'
 */
export function expressionText(expression) {
  const lines = [];
  for (const raw of splitLines(expression)) {
    const line = collapseSpaces(stripComment(raw)).trim();
    if (line !== '') lines.push(line);
  }
  let text = '';
  for (const line of lines) {
    if (text === '') text = line;
    else if (/^[)\]}]/.test(line)) {
      // a closing bracket: the trailing comma before it goes, a brace keeps its space
      text = text.replace(/,$/, '');
      text += line.startsWith('}') && !text.endsWith('{') ? ` ${line}` : line;
    } else if (/[([]$/.test(text)) text += line;
    else if (/[{,]$/.test(text)) text += ` ${line}`;
    else text += `, ${line}`;
  }
  return text;
}

/** Lines of an expression, a heredoc kept whole. */
function splitLines(expression) {
  if (expression.startsWith('<<')) return [JSON.stringify(stringValue(expression))];
  return expression.split('\n');
}

/** The line without a trailing `#` or `//` comment (outside strings). */
function stripComment(line) {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '#' || (c === '/' && line[i + 1] === '/')) return line.slice(0, i);
  }
  return line;
}

function collapseSpaces(line) {
  let out = '';
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      out += c;
      if (c === '\\') out += line[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if ((c === ' ' || c === '\t') && (out.endsWith(' ') || out === '')) continue;
    else out += c === '\t' ? ' ' : c;
  }
  return out;
}

/**
 * What a validation's error message says to a reader: a quoted string (or heredoc) with each
 * interpolation shown as "…" (it names the value given, or a list worked out from it); `undefined`
 * for a message computed by an expression (a `join` of problems), which the description says in words.
 *
 * @example
 * messageText('"x must be at least 1, got ${var.x}"'); // 'x must be at least 1, got …'
 * messageText('join("\\n", local.problems)'); // undefined
 */
export function messageText(expression) {
  if (expression.startsWith('<<')) return stringValue(expression);
  if (!expression.startsWith('"')) return undefined;
  let out = '"';
  let i = 1;
  while (i < expression.length) {
    const c = expression[i];
    if (c === '\\') {
      out += expression.slice(i, i + 2);
      i += 2;
    } else if (c === '$' && expression[i + 1] === '$') {
      out += '$$';
      i += 2;
    } else if (c === '$' && expression[i + 1] === '{') {
      i = interpolationEnd(expression, i + 2);
      out += '…';
    } else if (c === '"') {
      return i === expression.length - 1 ? stringValue(`${out}"`) : undefined;
    } else {
      out += c;
      i += 1;
    }
  }
  return undefined;
}

/** The index after the `}` that closes an interpolation whose expression starts at `start`. */
function interpolationEnd(text, start) {
  let depth = 1;
  let i = start;
  while (i < text.length && depth > 0) {
    const c = text[i];
    if (c === '"') {
      // A string inside the interpolation: its own escapes and interpolations.
      i += 1;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i += 2;
        else if (text[i] === '$' && text[i + 1] === '{') i = interpolationEnd(text, i + 2);
        else i += 1;
      }
      i += 1;
      continue;
    }
    if (c === '{') depth += 1;
    if (c === '}') depth -= 1;
    i += 1;
  }
  return i;
}

/* ------------------------------------------------------------------------------------------------
 * The module's interface
 * ---------------------------------------------------------------------------------------------- */

/**
 * The module's inputs (in the order of variables.tf) and outputs (in the order of outputs.tf).
 *
 * @example
 * const { inputs } = moduleInterface(readFileSync('terraform/variables.tf', 'utf8'), readFileSync('terraform/outputs.tf', 'utf8'));
 * inputs[0]; // { name: 'project_name', type: 'string', default: undefined, description: 'PROJECT_NAME: …', sensitive: false, validations: ['project_name must use …'] }
 */
export function moduleInterface(variablesTf, outputsTf) {
  const blocks = (text, type, file) => {
    let body;
    try {
      body = parseHcl(text);
    } catch (error) {
      throw new Error(`${file}: ${error.message}`, { cause: error });
    }
    return body.blocks.filter((b) => b.type === type);
  };
  const inputs = blocks(variablesTf, 'variable', 'variables.tf').map((b) => ({
    name: b.labels[0],
    type: b.attributes.type === undefined ? 'any' : expressionText(b.attributes.type),
    default: b.attributes.default === undefined ? undefined : expressionText(b.attributes.default),
    description: b.attributes.description === undefined ? '' : stringValue(b.attributes.description),
    sensitive: b.attributes.sensitive === 'true',
    validations: b.blocks
      .filter((v) => v.type === 'validation' && v.attributes.error_message !== undefined)
      .flatMap((v) => messageText(v.attributes.error_message) ?? []),
  }));
  const outputs = blocks(outputsTf, 'output', 'outputs.tf').map((b) => ({
    name: b.labels[0],
    description: b.attributes.description === undefined ? '' : stringValue(b.attributes.description),
    sensitive: b.attributes.sensitive === 'true',
  }));
  return { inputs, outputs };
}

/** Text for a Markdown table cell: pipes escaped, `<` and `>` shown as such outside code spans, one line. */
function cell(text) {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('')
    .replace(/\|/g, '\\|');
}

/** A value in a code span, whatever backticks it holds. */
function code(text) {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/\|/g, '\\|')}${fence}`;
}

/** A description cell; a sensitive input or output says so, and an input what its validations require. */
function described({ description, sensitive, validations = [] }) {
  // Messages without a closing stop are set apart with "; ".
  const joined = validations.map((v, i) => (i === 0 ? '' : /[.!?]$/.test(validations[i - 1] ?? '') ? ' ' : '; ') + cell(v)).join('');
  const checked = validations.length === 0 ? '' : `<br>Validation: ${joined}`;
  return [cell(description), sensitive ? '(sensitive)' : ''].filter((part) => part !== '').join(' ') + checked;
}

/** The generated part of terraform/README.md, markers included. */
export function renderInterface({ inputs, outputs }) {
  const lines = [
    BEGIN,
    '',
    '### Inputs',
    '',
    `${inputs.length} inputs; only ${inputs
      .filter((v) => v.default === undefined)
      .map((v) => code(v.name))
      .join(' and ')} are required.`,
    '',
    '| Name | Type | Default | Description |',
    '|---|---|---|---|',
    ...inputs.map(
      (v) => `| ${code(v.name)} | ${code(v.type)} | ${v.default === undefined ? 'required' : code(v.default)} | ${described(v)} |`,
    ),
    '',
    '### Outputs',
    '',
    '| Name | Description |',
    '|---|---|',
    ...outputs.map((o) => `| ${code(o.name)} | ${described(o)} |`),
    '',
    END,
  ];
  return lines.join('\n');
}

/**
 * terraform/README.md with its generated part replaced by what the .tf files say.
 *
 * @example
 * const current = renderReadme(readme, variablesTf, outputsTf) === readme;
 */
export function renderReadme(readme, variablesTf, outputsTf) {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin)
    throw new Error(`terraform/README.md has no generated part: add the lines\n${BEGIN}\n${END}\nwhere it goes`);
  return readme.slice(0, begin) + renderInterface(moduleInterface(variablesTf, outputsTf)) + readme.slice(end + END.length);
}

/** What `npm run docs:terraform` compares: the README as it is, and as the .tf files would have it. */
export function terraformReadme() {
  const current = readFileSync(README, 'utf8');
  const expected = renderReadme(
    current,
    readFileSync(join(MODULE_DIR, 'variables.tf'), 'utf8'),
    readFileSync(join(MODULE_DIR, 'outputs.tf'), 'utf8'),
  );
  return { current, expected };
}

function main(args) {
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  let readme;
  try {
    readme = terraformReadme();
  } catch (error) {
    console.error(`docs:terraform: ${error.message}`);
    return 1;
  }
  if (args.includes('--check')) {
    if (readme.current === readme.expected) {
      console.log('terraform/README.md lists every input and output of variables.tf and outputs.tf');
      return 0;
    }
    console.error('terraform/README.md is stale: run `npm run docs:terraform` and commit the result');
    return 1;
  }
  if (readme.current === readme.expected) console.log('terraform/README.md is already current');
  else {
    writeFileSync(README, readme.expected);
    console.log('terraform/README.md: inputs and outputs rewritten from variables.tf and outputs.tf');
  }
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
