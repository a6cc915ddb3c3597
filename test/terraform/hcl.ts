/**
 * A small Terraform evaluator for the tests of terraform/ (Terraform itself cannot be installed here).
 *
 * `@cdktf/hcl2json` turns the .tf files into JSON in which every expression is kept as HCL source
 * text ("${...}" templates). This file parses those expressions (the HCL native expression syntax:
 * literals, templates, references, operators, conditionals, function calls, tuple/object
 * constructors, for expressions, splats) and evaluates them the way Terraform would, for the
 * functions and resource attributes the module uses. A module is evaluated with concrete inputs
 * (e.g. the module block of terraform/examples/complete), so a test can read the values Terraform
 * would send to AWS: the Lambda environment, the rendered IAM policy documents, the event patterns.
 *
 * Anything it does not know (a function, a computed attribute, a construct) throws, so a change of
 * the module that the tests cannot follow fails loudly instead of being checked wrongly.
 */
import { parse } from '@cdktf/hcl2json';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Terraform value. Lazy objects stand for resources, data sources, modules and namespaces. */
export type Value = string | number | boolean | null | Value[] | ValueObject | LazyObject;
export interface ValueObject {
  [key: string]: Value;
}

/** An object whose attributes are computed on first access (resources, `var`, `local`, …). */
export class LazyObject {
  private readonly cache = new Map<string, Value>();

  constructor(
    readonly label: string,
    private readonly compute: (key: string) => Value,
  ) {}

  get(key: string): Value {
    if (!this.cache.has(key)) this.cache.set(key, this.compute(key));
    return this.cache.get(key) as Value;
  }
}

export class HclError extends Error {}

/* ------------------------------------------------------------------------------------------------
 * Expression syntax
 * ---------------------------------------------------------------------------------------------- */

type Traverser = { kind: 'attr'; name: string } | { kind: 'index'; key: Node };

export type Node =
  | { t: 'lit'; v: Value }
  | { t: 'template'; parts: Array<string | Node> }
  | { t: 'ref'; name: string }
  | { t: 'attr'; obj: Node; name: string }
  | { t: 'index'; obj: Node; key: Node }
  | { t: 'splat'; obj: Node; rest: Traverser[] }
  | { t: 'call'; name: string; args: Node[]; expand: boolean }
  | { t: 'tuple'; items: Node[] }
  | { t: 'object'; items: Array<{ key: Node; value: Node }> }
  | { t: 'for'; object: boolean; keyVar: string | undefined; valVar: string; coll: Node; keyExpr: Node | undefined; valExpr: Node; cond: Node | undefined; group: boolean }
  | { t: 'cond'; c: Node; a: Node; b: Node }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'un'; op: string; e: Node };

const BINARY_LEVELS: string[][] = [['||'], ['&&'], ['==', '!='], ['<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%']];
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

class Parser {
  i = 0;

  constructor(private readonly s: string) {}

  fail(message: string): never {
    throw new HclError(`${message} at ${this.i} in: ${this.s.length > 300 ? `${this.s.slice(0, 300)}…` : this.s}`);
  }

  ws(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else if (c === '#' || (c === '/' && this.s[this.i + 1] === '/')) {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      } else if (c === '/' && this.s[this.i + 1] === '*') {
        const end = this.s.indexOf('*/', this.i + 2);
        this.i = end === -1 ? this.s.length : end + 2;
      } else return;
    }
  }

  peek(text: string): boolean {
    this.ws();
    return this.s.startsWith(text, this.i);
  }

  eat(text: string): boolean {
    if (!this.peek(text)) return false;
    this.i += text.length;
    return true;
  }

  expect(text: string): void {
    if (!this.eat(text)) this.fail(`expected "${text}"`);
  }

  ident(): string | undefined {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.s.slice(this.i));
    if (!m) return undefined;
    this.i += m[0].length;
    return m[0];
  }

  /** True when the next word is `word` as a whole identifier. */
  keyword(word: string): boolean {
    this.ws();
    return this.s.startsWith(word, this.i) && !/[A-Za-z0-9_-]/.test(this.s[this.i + word.length] ?? '');
  }

  expr(): Node {
    const c = this.binary(0);
    if (this.peek('?')) {
      this.i++;
      const a = this.expr();
      this.expect(':');
      const b = this.expr();
      return { t: 'cond', c, a, b };
    }
    return c;
  }

  binary(level: number): Node {
    if (level === BINARY_LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      this.ws();
      // Two-character operators are listed first; no operator starts with "=" but "==", so
      // "=>" (for expressions) and "=" (object items) are never read as one.
      const op = (BINARY_LEVELS[level] as string[]).find((o) => this.s.startsWith(o, this.i));
      if (op === undefined) return left;
      this.i += op.length;
      left = { t: 'bin', op, l: left, r: this.binary(level + 1) };
    }
  }

  unary(): Node {
    if (this.peek('!') && this.s[this.i + 1] !== '=') {
      this.i++;
      return { t: 'un', op: '!', e: this.unary() };
    }
    if (this.peek('-') && !/[0-9]/.test(this.s[this.i + 1] ?? '')) {
      this.i++;
      return { t: 'un', op: '-', e: this.unary() };
    }
    return this.postfix(this.primary());
  }

  traverser(): Traverser | undefined {
    if (this.peek('.') && !this.s.startsWith('...', this.i)) {
      this.i++;
      if (this.peek('*')) this.fail('legacy splat .* is not supported');
      const number = /^[0-9]+/.exec(this.s.slice(this.i));
      if (number) {
        this.i += number[0].length;
        return { kind: 'index', key: { t: 'lit', v: Number(number[0]) } };
      }
      const name = this.ident();
      if (name === undefined) this.fail('expected an attribute name');
      return { kind: 'attr', name };
    }
    if (this.peek('[') && !this.s.slice(this.i + 1).trimStart().startsWith('*')) {
      this.i++;
      const key = this.expr();
      this.expect(']');
      return { kind: 'index', key };
    }
    return undefined;
  }

  postfix(node: Node): Node {
    for (;;) {
      if (this.peek('[') && this.s.slice(this.i + 1).trimStart().startsWith('*')) {
        this.i++;
        this.expect('*');
        this.expect(']');
        const rest: Traverser[] = [];
        for (let t = this.traverser(); t !== undefined; t = this.traverser()) rest.push(t);
        return { t: 'splat', obj: node, rest };
      }
      const t = this.traverser();
      if (t === undefined) return node;
      node = t.kind === 'attr' ? { t: 'attr', obj: node, name: t.name } : { t: 'index', obj: node, key: t.key };
    }
  }

  primary(): Node {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) this.fail('unexpected end of expression');
    if (c === '"') return this.quoted();
    if (c === '(') {
      this.i++;
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (c === '[') return this.tupleOrFor();
    if (c === '{') return this.objectOrFor();
    if (c === '<' && this.s[this.i + 1] === '<') this.fail('heredocs are not supported in expressions');
    const number = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i));
    if (number) {
      this.i += number[0].length;
      return { t: 'lit', v: Number(number[0]) };
    }
    const name = this.ident();
    if (name === undefined) this.fail(`unexpected "${c}"`);
    if (name === 'true' || name === 'false') return { t: 'lit', v: name === 'true' };
    if (name === 'null') return { t: 'lit', v: null };
    if (this.peek('(')) {
      this.i++;
      const args: Node[] = [];
      let expand = false;
      while (!this.eat(')')) {
        args.push(this.expr());
        if (this.eat('...')) expand = true;
        if (!this.eat(',')) {
          this.expect(')');
          break;
        }
      }
      return { t: 'call', name, args, expand };
    }
    return { t: 'ref', name };
  }

  forHeader(): { keyVar: string | undefined; valVar: string; coll: Node } {
    this.ident(); // "for"
    const first = this.ident();
    if (first === undefined) this.fail('expected a for variable');
    let keyVar: string | undefined;
    let valVar = first;
    if (this.eat(',')) {
      keyVar = first;
      const second = this.ident();
      if (second === undefined) this.fail('expected a for value variable');
      valVar = second;
    }
    if (this.ident() !== 'in') this.fail('expected "in"');
    const coll = this.expr();
    this.expect(':');
    return { keyVar, valVar, coll };
  }

  forCondition(): Node | undefined {
    if (!this.keyword('if')) return undefined;
    this.ident();
    return this.expr();
  }

  tupleOrFor(): Node {
    this.expect('[');
    if (this.keyword('for')) {
      const header = this.forHeader();
      const valExpr = this.expr();
      const cond = this.forCondition();
      this.expect(']');
      return { t: 'for', object: false, ...header, keyExpr: undefined, valExpr, cond, group: false };
    }
    const items: Node[] = [];
    while (!this.eat(']')) {
      items.push(this.expr());
      if (!this.eat(',')) {
        this.expect(']');
        break;
      }
    }
    return { t: 'tuple', items };
  }

  objectOrFor(): Node {
    this.expect('{');
    if (this.keyword('for')) {
      const header = this.forHeader();
      const keyExpr = this.expr();
      this.expect('=>');
      const valExpr = this.expr();
      const group = this.eat('...');
      const cond = this.forCondition();
      this.expect('}');
      return { t: 'for', object: true, ...header, keyExpr, valExpr, cond, group };
    }
    const items: Array<{ key: Node; value: Node }> = [];
    while (!this.eat('}')) {
      const start = this.i;
      const name = this.ident();
      let key: Node;
      if (name !== undefined && (this.peek(':') || (this.peek('=') && this.s[this.i + 1] !== '='))) {
        key = { t: 'lit', v: name };
      } else {
        this.i = start;
        key = this.expr();
      }
      if (!this.eat('=') && !this.eat(':')) this.fail('expected "=" in an object constructor');
      items.push({ key, value: this.expr() });
      this.eat(',');
    }
    return { t: 'object', items };
  }

  /** A quoted template: `"…${expr}…"`. */
  quoted(): Node {
    this.expect('"');
    return this.templateBody('"', true);
  }

  /** Template content up to `end` (or to the end of the text when `end` is empty). */
  templateBody(end: string, escapes: boolean): Node {
    const parts: Array<string | Node> = [];
    let text = '';
    for (;;) {
      if (end === '' ? this.i >= this.s.length : this.s.startsWith(end, this.i)) {
        this.i += end.length;
        break;
      }
      const c = this.s[this.i];
      if (c === undefined) this.fail('unterminated string');
      if (escapes && c === '\\') {
        const e = this.s[this.i + 1] ?? '';
        if (e === 'u' || e === 'U') {
          const len = e === 'u' ? 4 : 8;
          text += String.fromCodePoint(parseInt(this.s.slice(this.i + 2, this.i + 2 + len), 16));
          this.i += 2 + len;
        } else {
          if (!(e in ESCAPES)) this.fail(`unknown escape \\${e}`);
          text += ESCAPES[e];
          this.i += 2;
        }
      } else if ((c === '$' || c === '%') && this.s[this.i + 1] === c && this.s[this.i + 2] === '{') {
        text += `${c}{`;
        this.i += 3;
      } else if (c === '%' && this.s[this.i + 1] === '{') {
        this.fail('template directives %{…} are not supported');
      } else if (c === '$' && this.s[this.i + 1] === '{') {
        this.i += 2;
        if (this.s[this.i] === '~') this.fail('strip markers are not supported');
        if (text !== '') parts.push(text);
        text = '';
        parts.push(this.expr());
        this.ws();
        if (this.s[this.i] !== '}') this.fail('expected "}" closing an interpolation');
        this.i++;
      } else {
        text += c;
        this.i++;
      }
    }
    if (text !== '' || parts.length === 0) parts.push(text);
    return { t: 'template', parts };
  }
}

const parsed = new Map<string, Node>();

/** Parses one HCL expression (source text, as inside `${…}`). */
export function parseExpression(source: string): Node {
  const p = new Parser(source);
  const node = p.expr();
  p.ws();
  if (p.i !== source.length) p.fail('unexpected text after the expression');
  return node;
}

/**
 * Parses a string of hcl2json output: template text in which `${…}` are expressions. Literal
 * parts are taken as they are (hcl2json has already resolved their escapes).
 */
export function parseTemplateString(raw: string): Node {
  let node = parsed.get(raw);
  if (node === undefined) {
    node = new Parser(raw).templateBody('', false);
    parsed.set(raw, node);
  }
  return node;
}

/* ------------------------------------------------------------------------------------------------
 * Values and functions
 * ---------------------------------------------------------------------------------------------- */

export function isObject(v: Value | undefined): v is ValueObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof LazyObject);
}

function typeName(v: Value): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (v instanceof LazyObject) return `object (${v.label})`;
  return typeof v === 'object' ? 'object' : typeof v;
}

function str(v: Value, what = 'value'): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new HclError(`${what}: expected a string, got ${typeName(v)}`);
}

function num(v: Value, what = 'value'): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new HclError(`${what}: expected a number, got ${typeName(v)}`);
}

function bool(v: Value, what = 'value'): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new HclError(`${what}: expected a bool, got ${typeName(v)}`);
}

function list(v: Value, what = 'value'): Value[] {
  if (Array.isArray(v)) return v;
  throw new HclError(`${what}: expected a list, got ${typeName(v)}`);
}

function obj(v: Value, what = 'value'): ValueObject {
  if (isObject(v)) return v;
  throw new HclError(`${what}: expected a map or object, got ${typeName(v)}`);
}

/** Keys in Terraform's iteration order (lexicographic). */
function sortedKeys(o: ValueObject): string[] {
  return Object.keys(o).sort();
}

export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] as Value));
  if (isObject(a) && isObject(b)) {
    const ka = sortedKeys(a);
    const kb = sortedKeys(b);
    return deepEqual(ka, kb) && ka.every((k) => deepEqual(a[k] as Value, b[k] as Value));
  }
  return false;
}

function distinct(values: Value[]): Value[] {
  const out: Value[] = [];
  for (const v of values) if (!out.some((o) => deepEqual(o, v))) out.push(v);
  return out;
}

/** Terraform's jsonencode: object attributes in lexicographic order. */
export function jsonencode(v: Value): string {
  const plain = (x: Value): unknown => {
    if (x instanceof LazyObject) throw new HclError(`cannot encode ${x.label}`);
    if (Array.isArray(x)) return x.map(plain);
    if (isObject(x)) return Object.fromEntries(sortedKeys(x).map((k) => [k, plain(x[k] as Value)]));
    return x;
  };
  return JSON.stringify(plain(v));
}

function fromJson(x: unknown): Value {
  if (Array.isArray(x)) return x.map(fromJson);
  if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fromJson(v)]));
  return x as Value;
}

/** A Terraform regular expression (RE2) as a JavaScript one; the module only uses the common subset. */
function re(pattern: string, flags = ''): RegExp {
  return new RegExp(pattern, flags);
}

function regexMatches(pattern: string, s: string): Value[] {
  const r = re(pattern, 'g');
  return [...s.matchAll(r)].map((m) => (m.length > 1 ? m.slice(1).map((g) => g ?? null) : m[0]));
}

function hashOf(algorithm: string, data: string | Buffer, encoding: 'hex' | 'base64'): string {
  return createHash(algorithm).update(data).digest(encoding);
}

function format(spec: string, args: Value[]): string {
  let n = 0;
  return spec.replace(/%(%|s|d|q|v)/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    const a = args[n++] as Value;
    if (verb === 'd') return String(Math.trunc(num(a)));
    if (verb === 'q') return JSON.stringify(str(a));
    return str(a);
  });
}

type Fn = (args: Value[]) => Value;

const FUNCTIONS: Record<string, Fn> = {
  abs: ([a]) => Math.abs(num(a as Value)),
  alltrue: ([l]) => list(l as Value).every((v) => bool(v)),
  anytrue: ([l]) => list(l as Value).some((v) => bool(v)),
  ceil: ([a]) => Math.ceil(num(a as Value)),
  coalesce: (args) => {
    const found = args.find((a) => a !== null && a !== '');
    if (found === undefined) throw new HclError('coalesce: no non-null, non-empty argument');
    return found;
  },
  coalescelist: (args) => args.find((a) => Array.isArray(a) && a.length > 0) ?? [],
  compact: ([l]) => list(l as Value).filter((v) => v !== null && v !== ''),
  concat: (args) => args.flatMap((a) => list(a)),
  contains: ([l, v]) => list(l as Value).some((x) => deepEqual(x, v as Value)),
  distinct: ([l]) => distinct(list(l as Value)),
  endswith: ([s, suffix]) => str(s as Value).endsWith(str(suffix as Value)),
  filebase64sha256: ([p]) => {
    const path = str(p as Value);
    if (!existsSync(path)) throw new HclError(`filebase64sha256: ${path} does not exist (run npm run build)`);
    return hashOf('sha256', readFileSync(path), 'base64');
  },
  flatten: ([l]) => {
    const flat = (x: Value): Value[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
    return list(l as Value).flatMap(flat);
  },
  floor: ([a]) => Math.floor(num(a as Value)),
  format: ([spec, ...args]) => format(str(spec as Value), args),
  join: ([sep, l]) => list(l as Value).map((v) => str(v)).join(str(sep as Value)),
  jsondecode: ([s]) => fromJson(JSON.parse(str(s as Value))),
  jsonencode: ([v]) => jsonencode(v as Value),
  keys: ([o]) => sortedKeys(obj(o as Value)),
  length: ([v]) => {
    const x = v as Value;
    if (typeof x === 'string') return [...x].length;
    if (Array.isArray(x)) return x.length;
    return Object.keys(obj(x, 'length')).length;
  },
  lookup: ([o, k, d]) => {
    const m = obj(o as Value);
    const key = str(k as Value);
    if (key in m) return m[key] as Value;
    if (d === undefined) throw new HclError(`lookup: no key ${key}`);
    return d;
  },
  lower: ([s]) => str(s as Value).toLowerCase(),
  max: (args) => Math.max(...args.map((a) => num(a))),
  md5: ([s]) => hashOf('md5', str(s as Value), 'hex'),
  merge: (args) => Object.assign({}, ...args.filter((a) => a !== null).map((a) => obj(a, 'merge'))) as ValueObject,
  min: (args) => Math.min(...args.map((a) => num(a))),
  one: ([l]) => {
    const items = list(l as Value);
    if (items.length > 1) throw new HclError('one: more than one element');
    return items[0] ?? null;
  },
  regex: ([p, s]) => {
    const m = re(str(p as Value)).exec(str(s as Value));
    if (!m) throw new HclError('regex: no match');
    return m.length > 1 ? m.slice(1).map((g) => g ?? null) : m[0];
  },
  regexall: ([p, s]) => regexMatches(str(p as Value), str(s as Value)),
  replace: ([s, sub, rep]) => {
    const text = str(s as Value);
    const pattern = str(sub as Value);
    const replacement = str(rep as Value);
    if (pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/')) {
      return text.replace(re(pattern.slice(1, -1), 'g'), replacement.replace(/\$\{(\d+)\}/g, '$$$1'));
    }
    return text.split(pattern).join(replacement);
  },
  setsubtract: ([a, b]) => distinct(list(a as Value)).filter((x) => !list(b as Value).some((y) => deepEqual(x, y))),
  sha1: ([s]) => hashOf('sha1', str(s as Value), 'hex'),
  sha256: ([s]) => hashOf('sha256', str(s as Value), 'hex'),
  sort: ([l]) => list(l as Value).map((v) => str(v)).sort(),
  split: ([sep, s]) => str(s as Value).split(str(sep as Value)),
  startswith: ([s, prefix]) => str(s as Value).startsWith(str(prefix as Value)),
  substr: ([s, offset, length]) => {
    const chars = [...str(s as Value)];
    const start = num(offset as Value);
    const len = num(length as Value);
    return chars.slice(start, len < 0 ? undefined : start + len).join('');
  },
  sum: ([l]) => list(l as Value).reduce<number>((acc, v) => acc + num(v), 0),
  tobool: ([v]) => (v === null ? null : bool(v as Value)),
  tolist: ([v]) => list(v as Value),
  tomap: ([v]) => obj(v as Value),
  tonumber: ([v]) => (v === null ? null : num(v as Value)),
  toset: ([v]) => {
    const items = distinct(list(v as Value));
    return items.every((x) => typeof x === 'string') ? [...(items as string[])].sort() : items;
  },
  tostring: ([v]) => (v === null ? null : str(v as Value)),
  trimprefix: ([s, p]) => {
    const text = str(s as Value);
    const prefix = str(p as Value);
    return text.startsWith(prefix) ? text.slice(prefix.length) : text;
  },
  trimsuffix: ([s, p]) => {
    const text = str(s as Value);
    const suffix = str(p as Value);
    return suffix !== '' && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
  },
  upper: ([s]) => str(s as Value).toUpperCase(),
  values: ([o]) => {
    const m = obj(o as Value);
    return sortedKeys(m).map((k) => m[k] as Value);
  },
  zipmap: ([k, v]) => Object.fromEntries(list(k as Value).map((key, i) => [str(key), list(v as Value)[i] as Value])),
};

/* ------------------------------------------------------------------------------------------------
 * Evaluation
 * ---------------------------------------------------------------------------------------------- */

export type Resolver = (name: string) => Value;

export class Scope {
  constructor(
    private readonly root: Resolver,
    private readonly bindings: ReadonlyMap<string, Value> = new Map(),
  ) {}

  with(extra: Record<string, Value>): Scope {
    return new Scope(this.root, new Map([...this.bindings, ...Object.entries(extra)]));
  }

  lookup(name: string): Value {
    return this.bindings.has(name) ? (this.bindings.get(name) as Value) : this.root(name);
  }
}

function getAttr(v: Value, name: string): Value {
  if (v instanceof LazyObject) return v.get(name);
  const o = obj(v, `.${name}`);
  if (!(name in o)) throw new HclError(`unknown attribute "${name}" (has ${Object.keys(o).join(', ')})`);
  return o[name] as Value;
}

function getIndex(v: Value, key: Value): Value {
  if (Array.isArray(v)) {
    const i = num(key, 'index');
    if (i < 0 || i >= v.length) throw new HclError(`index ${i} out of range (length ${v.length})`);
    return v[i] as Value;
  }
  return getAttr(v, str(key, 'key'));
}

function traverse(v: Value, t: Traverser, scope: Scope): Value {
  return t.kind === 'attr' ? getAttr(v, t.name) : getIndex(v, evaluate(t.key, scope));
}

function templateValue(v: Value): string {
  if (v === null) throw new HclError('cannot interpolate null');
  return str(v, 'interpolation');
}

function binary(op: string, l: Value, r: Value): Value {
  switch (op) {
    case '==':
      return deepEqual(l, r);
    case '!=':
      return !deepEqual(l, r);
    case '&&':
      return bool(l, op) && bool(r, op);
    case '||':
      return bool(l, op) || bool(r, op);
    case '<':
      return num(l) < num(r);
    case '>':
      return num(l) > num(r);
    case '<=':
      return num(l) <= num(r);
    case '>=':
      return num(l) >= num(r);
    case '+':
      return num(l) + num(r);
    case '-':
      return num(l) - num(r);
    case '*':
      return num(l) * num(r);
    case '/':
      return num(l) / num(r);
    case '%':
      return num(l) % num(r);
    default:
      throw new HclError(`unknown operator ${op}`);
  }
}

/** Iteration of a for expression: (key, value) pairs in Terraform's order. */
function entriesOf(coll: Value): Array<[Value, Value]> {
  if (Array.isArray(coll)) return coll.map((v, i) => [i, v]);
  const o = obj(coll, 'for collection');
  return sortedKeys(o).map((k) => [k, o[k] as Value]);
}

export function evaluate(node: Node, scope: Scope): Value {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'template': {
      if (node.parts.length === 1 && typeof node.parts[0] !== 'string') return evaluate(node.parts[0] as Node, scope);
      return node.parts.map((p) => (typeof p === 'string' ? p : templateValue(evaluate(p, scope)))).join('');
    }
    case 'ref':
      return scope.lookup(node.name);
    case 'attr':
      return getAttr(evaluate(node.obj, scope), node.name);
    case 'index':
      return getIndex(evaluate(node.obj, scope), evaluate(node.key, scope));
    case 'splat': {
      const source = evaluate(node.obj, scope);
      const items = source === null ? [] : Array.isArray(source) ? source : [source];
      return items.map((item) => node.rest.reduce((v, t) => traverse(v, t, scope), item));
    }
    case 'call': {
      if (node.name === 'try' || node.name === 'can') {
        for (const arg of node.args) {
          try {
            const v = evaluate(arg, scope);
            return node.name === 'can' ? true : v;
          } catch (error) {
            if (!(error instanceof HclError) && !(error instanceof SyntaxError)) throw error;
          }
        }
        if (node.name === 'can') return false;
        throw new HclError('try: no argument could be evaluated');
      }
      if (node.name === 'sensitive' || node.name === 'nonsensitive') return evaluate(node.args[0] as Node, scope);
      const fn = FUNCTIONS[node.name];
      if (fn === undefined) throw new HclError(`function ${node.name}() is not supported by the test evaluator`);
      let args = node.args.map((a) => evaluate(a, scope));
      if (node.expand) args = [...args.slice(0, -1), ...list(args[args.length - 1] as Value, '...')];
      return fn(args);
    }
    case 'tuple':
      return node.items.map((i) => evaluate(i, scope));
    case 'object': {
      const out: ValueObject = {};
      for (const { key, value } of node.items) out[str(evaluate(key, scope), 'object key')] = evaluate(value, scope);
      return out;
    }
    case 'for': {
      const tupleOut: Value[] = [];
      const objectOut: Record<string, Value> = {};
      for (const [k, v] of entriesOf(evaluate(node.coll, scope))) {
        const inner = scope.with(node.keyVar === undefined ? { [node.valVar]: v } : { [node.keyVar]: k, [node.valVar]: v });
        if (node.cond !== undefined && !bool(evaluate(node.cond, inner), 'for condition')) continue;
        const value = evaluate(node.valExpr, inner);
        if (!node.object) {
          tupleOut.push(value);
          continue;
        }
        const key = str(evaluate(node.keyExpr as Node, inner), 'for key');
        if (node.group) objectOut[key] = [...((objectOut[key] as Value[] | undefined) ?? []), value];
        else if (key in objectOut) throw new HclError(`duplicate key "${key}" in a for expression (use ... to group)`);
        else objectOut[key] = value;
      }
      return node.object ? objectOut : tupleOut;
    }
    case 'cond':
      return bool(evaluate(node.c, scope), 'condition') ? evaluate(node.a, scope) : evaluate(node.b, scope);
    case 'bin':
      return binary(node.op, evaluate(node.l, scope), evaluate(node.r, scope));
    case 'un': {
      const v = evaluate(node.e, scope);
      return node.op === '!' ? !bool(v, '!') : -num(v, '-');
    }
  }
}

/** Raw hcl2json JSON (a string is a template; arrays and objects hold more of it). */
export type Raw = string | number | boolean | null | Raw[] | { [key: string]: Raw };

function isRawObject(raw: Raw | undefined): raw is { [key: string]: Raw } {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/**
 * Evaluates hcl2json JSON: strings as templates, `dynamic "x"` blocks expanded into `x`. Block
 * meta-arguments (count, for_each, lifecycle, depends_on, provider) are left out.
 */
export function evaluateRaw(raw: Raw, scope: Scope): Value {
  if (typeof raw === 'string') return evaluate(parseTemplateString(raw), scope);
  if (Array.isArray(raw)) return raw.map((r) => evaluateRaw(r, scope));
  if (!isRawObject(raw)) return raw;
  const out: ValueObject = {};
  for (const [key, value] of Object.entries(raw)) {
    if (['dynamic', 'count', 'for_each', 'lifecycle', 'depends_on', 'provider'].includes(key)) continue;
    out[key] = evaluateRaw(value, scope);
  }
  if (isRawObject(raw.dynamic)) {
    for (const [blockType, dynamics] of Object.entries(raw.dynamic)) {
      for (const dyn of dynamics as Raw[]) {
        if (!isRawObject(dyn)) throw new HclError('malformed dynamic block');
        const iterator = dyn.iterator === undefined ? blockType : str(evaluateRaw(dyn.iterator, scope));
        const content = (dyn.content as Raw[] | undefined)?.[0];
        if (content === undefined) throw new HclError(`dynamic "${blockType}" has no content`);
        const generated = entriesOf(evaluateRaw(dyn.for_each as Raw, scope)).map(([key, value]) => evaluateRaw(content, scope.with({ [iterator]: { key, value } })));
        out[blockType] = [...((out[blockType] as Value[] | undefined) ?? []), ...generated];
      }
    }
  }
  return out;
}

/* ------------------------------------------------------------------------------------------------
 * Types of input variables
 * ---------------------------------------------------------------------------------------------- */

type TfType =
  | { kind: 'string' | 'number' | 'bool' | 'any' }
  | { kind: 'list' | 'set' | 'map'; of: TfType }
  | { kind: 'object'; attrs: Record<string, { type: TfType; optional: boolean; default: Node | undefined }> }
  | { kind: 'tuple'; items: TfType[] };

function typeOf(node: Node): TfType {
  if (node.t === 'template' && node.parts.length === 1 && typeof node.parts[0] !== 'string') return typeOf(node.parts[0] as Node);
  if (node.t === 'ref' && ['string', 'number', 'bool', 'any'].includes(node.name)) return { kind: node.name as 'string' };
  if (node.t === 'call' && ['list', 'set', 'map'].includes(node.name)) return { kind: node.name as 'list', of: typeOf(node.args[0] as Node) };
  if (node.t === 'call' && node.name === 'tuple' && node.args[0]?.t === 'tuple') return { kind: 'tuple', items: node.args[0].items.map(typeOf) };
  if (node.t === 'call' && node.name === 'object' && node.args[0]?.t === 'object') {
    const attrs: Record<string, { type: TfType; optional: boolean; default: Node | undefined }> = {};
    for (const { key, value } of node.args[0].items) {
      const name = key.t === 'lit' ? String(key.v) : '';
      if (value.t === 'call' && value.name === 'optional') attrs[name] = { type: typeOf(value.args[0] as Node), optional: true, default: value.args[1] };
      else attrs[name] = { type: typeOf(value), optional: false, default: undefined };
    }
    return { kind: 'object', attrs };
  }
  throw new HclError(`unsupported type expression ${JSON.stringify(node)}`);
}

const NO_SCOPE = new Scope((name) => {
  throw new HclError(`no reference allowed here: ${name}`);
});

/** Converts a value to a variable's type like Terraform: optional attributes filled in. */
function convert(v: Value, type: TfType, path: string): Value {
  if (v === null) return null;
  switch (type.kind) {
    case 'any':
      return v;
    case 'string':
      return str(v, path);
    case 'number':
      return num(v, path);
    case 'bool':
      return bool(v, path);
    case 'list':
      return list(v, path).map((x, i) => convert(x, type.of, `${path}[${i}]`));
    case 'set': {
      const items = distinct(list(v, path).map((x, i) => convert(x, type.of, `${path}[${i}]`)));
      return items.every((x) => typeof x === 'string') ? [...(items as string[])].sort() : items;
    }
    case 'map': {
      const o = obj(v, path);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, convert(x, type.of, `${path}.${k}`)]));
    }
    case 'tuple':
      return list(v, path).map((x, i) => convert(x, type.items[i] as TfType, `${path}[${i}]`));
    case 'object': {
      const o = obj(v, path);
      // Terraform drops undeclared attributes silently; here they are an error, to catch typos.
      const unknown = Object.keys(o).filter((k) => !(k in type.attrs));
      if (unknown.length > 0) throw new HclError(`${path}: unknown attribute(s) ${unknown.join(', ')}`);
      const out: ValueObject = {};
      for (const [name, attr] of Object.entries(type.attrs)) {
        if (name in o && o[name] !== null) out[name] = convert(o[name] as Value, attr.type, `${path}.${name}`);
        else if (attr.optional) out[name] = attr.default === undefined ? null : convert(evaluate(attr.default, NO_SCOPE), attr.type, `${path}.${name}`);
        else throw new HclError(`${path}: attribute "${name}" is required`);
      }
      return out;
    }
  }
}

/* ------------------------------------------------------------------------------------------------
 * Modules
 * ---------------------------------------------------------------------------------------------- */

export type RawBlocks = Record<string, Raw[]>;

/** The .tf files of one directory, as hcl2json reads them. */
export interface ModuleSource {
  dir: string;
  files: Record<string, string>;
  variable: RawBlocks;
  output: RawBlocks;
  locals: Array<Record<string, Raw>>;
  resource: Record<string, RawBlocks>;
  data: Record<string, RawBlocks>;
  module: RawBlocks;
  provider: RawBlocks;
  terraform: Raw[];
}

export async function loadModuleSource(dir: string): Promise<ModuleSource> {
  const src: ModuleSource = { dir: resolve(dir), files: {}, variable: {}, output: {}, locals: [], resource: {}, data: {}, module: {}, provider: {}, terraform: [] };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    src.files[file] = text;
    const json = (await parse(file, text)) as Record<string, unknown>;
    for (const [section, content] of Object.entries(json)) {
      if (section === 'locals') src.locals.push(...(content as Array<Record<string, Raw>>));
      else if (section === 'terraform') src.terraform.push(...(content as Raw[]));
      else if (section === 'resource' || section === 'data') {
        for (const [type, blocks] of Object.entries(content as Record<string, RawBlocks>)) {
          const target = (src[section][type] ??= {});
          for (const [name, block] of Object.entries(blocks)) {
            if (name in target) throw new HclError(`${section}.${type}.${name} is declared twice`);
            target[name] = block;
          }
        }
      } else if (['variable', 'output', 'module', 'provider'].includes(section)) {
        const target = src[section as 'variable'];
        for (const [name, block] of Object.entries(content as RawBlocks)) {
          if (name in target && section !== 'provider') throw new HclError(`${section}.${name} is declared twice`);
          target[name] = block;
        }
      } else throw new HclError(`unexpected top-level block ${section} in ${file}`);
    }
  }
  return src;
}

/** Where the module runs: what the AWS data sources return. */
export interface AwsContext {
  region: string;
  accountId: string;
  partition: string;
}

function first(blocks: Raw[] | undefined, what: string): { [key: string]: Raw } {
  const block = blocks?.[0];
  if (!isRawObject(block)) throw new HclError(`${what} is not declared`);
  return block;
}

/** Computed attributes of the resource types the module and its example use. */
function computedAttribute(type: string, attr: string, self: LazyObject, aws: AwsContext): Value {
  const { region: r, accountId: a, partition: p } = aws;
  const s = (name: string) => str(self.get(name), `${type}.${name}`);
  const table: Record<string, () => Value> = {
    'aws_sqs_queue.arn': () => `arn:${p}:sqs:${r}:${a}:${s('name')}`,
    'aws_sqs_queue.url': () => `https://sqs.${r}.amazonaws.com/${a}/${s('name')}`,
    'aws_sqs_queue.id': () => `https://sqs.${r}.amazonaws.com/${a}/${s('name')}`,
    'aws_lambda_function.arn': () => `arn:${p}:lambda:${r}:${a}:function:${s('function_name')}`,
    'aws_lambda_function.qualified_arn': () => `arn:${p}:lambda:${r}:${a}:function:${s('function_name')}:$LATEST`,
    'aws_cloudwatch_event_rule.arn': () => `arn:${p}:events:${r}:${a}:rule/${s('name')}`,
    'aws_cloudwatch_event_rule.id': () => s('name'),
    'aws_cloudwatch_log_group.arn': () => `arn:${p}:logs:${r}:${a}:log-group:${s('name')}`,
    'aws_iam_role.arn': () => `arn:${p}:iam::${a}:role/${s('name')}`,
    'aws_iam_role.id': () => s('name'),
    'aws_ssm_parameter.arn': () => `arn:${p}:ssm:${r}:${a}:parameter/${s('name').replace(/^\//, '')}`,
    'aws_dynamodb_table.arn': () => `arn:${p}:dynamodb:${r}:${a}:table/${s('name')}`,
    'aws_sns_topic.arn': () => `arn:${p}:sns:${r}:${a}:${s('name')}`,
    'aws_cloudwatch_metric_alarm.arn': () => `arn:${p}:cloudwatch:${r}:${a}:alarm:${s('alarm_name')}`,
  };
  const compute = table[`${type}.${attr}`];
  if (compute === undefined) throw new HclError(`${self.label}.${attr}: not an argument, and not a computed attribute the test evaluator knows`);
  return compute();
}

/** One module evaluated with concrete inputs. */
export class ModuleInstance {
  readonly vars: Record<string, Value> = {};
  private readonly localRaw = new Map<string, Raw>();
  private readonly localValues = new Map<string, Value>();
  private readonly evaluating = new Set<string>();
  private readonly children = new Map<string, ModuleInstance>();
  readonly scope: Scope;

  constructor(
    readonly src: ModuleSource,
    inputs: Record<string, Value>,
    readonly aws: AwsContext,
    private readonly loadChild: (dir: string) => ModuleSource = () => {
      throw new HclError('child modules are not available');
    },
  ) {
    const unknown = Object.keys(inputs).filter((k) => !(k in src.variable));
    if (unknown.length > 0) throw new HclError(`unknown input(s): ${unknown.join(', ')}`);
    for (const [name, blocks] of Object.entries(src.variable)) {
      const block = first(blocks, `variable ${name}`);
      const type = block.type === undefined ? ({ kind: 'any' } as TfType) : typeOf(parseTemplateString(str(block.type as Value)));
      let value: Value;
      if (name in inputs) value = inputs[name] as Value;
      else if ('default' in block) value = evaluateRaw(block.default as Raw, NO_SCOPE);
      else throw new HclError(`input variable ${name} is required`);
      this.vars[name] = convert(value, type, `var.${name}`);
    }
    for (const locals of src.locals) {
      for (const [name, raw] of Object.entries(locals)) {
        if (this.localRaw.has(name)) throw new HclError(`local.${name} is declared twice`);
        this.localRaw.set(name, raw);
      }
    }
    this.scope = new Scope((name) => this.root(name));
  }

  /** Failed validation blocks: `var.name: error_message`. */
  validationErrors(): string[] {
    const errors: string[] = [];
    for (const [name, blocks] of Object.entries(this.src.variable)) {
      for (const validation of (first(blocks, name).validation as Raw[] | undefined) ?? []) {
        if (!isRawObject(validation)) continue;
        if (!bool(evaluateRaw(validation.condition as Raw, this.scope), `validation of ${name}`)) errors.push(`var.${name}: ${str(validation.error_message as Value)}`);
      }
    }
    return errors;
  }

  private root(name: string): Value {
    switch (name) {
      case 'var':
        return new LazyObject('var', (key) => {
          if (!(key in this.vars)) throw new HclError(`var.${key} is not declared`);
          return this.vars[key] as Value;
        });
      case 'local':
        return new LazyObject('local', (key) => this.local(key));
      case 'path':
        return { module: this.src.dir, root: this.src.dir, cwd: process.cwd() };
      case 'terraform':
        return { workspace: 'default' };
      case 'data':
        return new LazyObject('data', (type) => new LazyObject(`data.${type}`, (n) => this.instances('data', type, n)));
      case 'module':
        return new LazyObject('module', (n) => this.outputsOf(this.child(n)));
      default:
        if (!(name in this.src.resource)) throw new HclError(`unknown reference ${name}`);
        return new LazyObject(name, (n) => this.instances('resource', name, n));
    }
  }

  local(name: string): Value {
    if (this.localValues.has(name)) return this.localValues.get(name) as Value;
    const raw = this.localRaw.get(name);
    if (raw === undefined) throw new HclError(`local.${name} is not declared`);
    if (this.evaluating.has(`local.${name}`)) throw new HclError(`cycle through local.${name}`);
    this.evaluating.add(`local.${name}`);
    try {
      const value = evaluateRaw(raw, this.scope);
      this.localValues.set(name, value);
      return value;
    } finally {
      this.evaluating.delete(`local.${name}`);
    }
  }

  block(kind: 'resource' | 'data', type: string, name: string): { [key: string]: Raw } {
    return first(this.src[kind][type]?.[name], `${kind === 'data' ? 'data.' : ''}${type}.${name}`);
  }

  /** A resource or data source: one instance, a list (count) or an object (for_each). */
  instances(kind: 'resource' | 'data', type: string, name: string): Value {
    const block = this.block(kind, type, name);
    const label = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
    if (block.count !== undefined) {
      const n = num(evaluateRaw(block.count, this.scope), `${label}.count`);
      return Array.from({ length: n }, (_v, index) => this.instance(kind, type, block, `${label}[${index}]`, this.scope.with({ count: { index } })));
    }
    if (block.for_each !== undefined) {
      const each = evaluateRaw(block.for_each, this.scope);
      const entries: Array<[string, Value]> = Array.isArray(each) ? each.map((v) => [str(v, `${label}.for_each`), v]) : sortedKeys(obj(each)).map((k) => [k, (each as ValueObject)[k] as Value]);
      return Object.fromEntries(entries.map(([key, value]) => [key, this.instance(kind, type, block, `${label}["${key}"]`, this.scope.with({ each: { key, value } }))]));
    }
    return this.instance(kind, type, block, label, this.scope);
  }

  private instance(kind: 'resource' | 'data', type: string, block: { [key: string]: Raw }, label: string, scope: Scope): LazyObject {
    const self: LazyObject = new LazyObject(label, (attr) => {
      if (kind === 'data') return this.dataAttribute(type, attr, block, scope);
      if (attr in block && !['count', 'for_each', 'lifecycle', 'depends_on', 'provider'].includes(attr)) return evaluateRaw(block[attr] as Raw, scope);
      return computedAttribute(type, attr, self, this.aws);
    });
    return self;
  }

  private dataAttribute(type: string, attr: string, block: { [key: string]: Raw }, scope: Scope): Value {
    const known: Record<string, Value> = {
      'aws_caller_identity.account_id': this.aws.accountId,
      'aws_partition.partition': this.aws.partition,
      'aws_partition.dns_suffix': 'amazonaws.com',
      'aws_region.region': this.aws.region,
      'aws_region.name': this.aws.region,
    };
    const key = `${type}.${attr}`;
    if (key in known) return known[key] as Value;
    if (type === 'aws_iam_policy_document' && attr === 'json') return policyJson(evaluateRaw(block, scope));
    throw new HclError(`data.${key} is not known to the test evaluator`);
  }

  /** A data.aws_iam_policy_document evaluated: its statements with the block fields. */
  policyDocument(name: string): PolicyStatement[] {
    return statementsOf(evaluateRaw(this.block('data', 'aws_iam_policy_document', name), this.scope));
  }

  private child(name: string): ModuleInstance {
    let child = this.children.get(name);
    if (child === undefined) {
      const block = first(this.src.module[name], `module.${name}`);
      const dir = resolve(this.src.dir, str(evaluateRaw(block.source as Raw, NO_SCOPE)));
      const inputs: Record<string, Value> = {};
      for (const [key, raw] of Object.entries(block)) {
        if (!['source', 'version', 'providers', 'depends_on', 'count', 'for_each'].includes(key)) inputs[key] = evaluateRaw(raw, this.scope);
      }
      child = new ModuleInstance(this.loadChild(dir), inputs, this.aws, this.loadChild);
      this.children.set(name, child);
    }
    return child;
  }

  /** The instance of a module block of this (root) module. */
  module(name: string): ModuleInstance {
    return this.child(name);
  }

  output(name: string): Value {
    return evaluateRaw(first(this.src.output[name], `output ${name}`).value as Raw, this.scope);
  }

  private outputsOf(child: ModuleInstance): LazyObject {
    return new LazyObject(`module ${child.src.dir}`, (name) => child.output(name));
  }
}

export interface PolicyStatement {
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  principals: Array<{ type: string; identifiers: string[] }>;
  conditions: Array<{ test: string; variable: string; values: string[] }>;
}

function strings(v: Value | undefined): string[] {
  return v === undefined || v === null ? [] : list(v).map((x) => str(x));
}

export function statementsOf(doc: Value): PolicyStatement[] {
  const statements = (obj(doc).statement as Value[] | undefined) ?? [];
  return statements.map((s) => {
    const o = obj(s);
    return {
      sid: o.sid === undefined || o.sid === null ? undefined : str(o.sid),
      effect: o.effect === undefined || o.effect === null ? 'Allow' : (str(o.effect) as 'Allow'),
      actions: strings(o.actions),
      notActions: strings(o.not_actions),
      resources: strings(o.resources),
      notResources: strings(o.not_resources),
      principals: ((o.principals as Value[] | undefined) ?? []).map((p) => ({ type: str(obj(p).type as Value), identifiers: strings(obj(p).identifiers) })),
      conditions: ((o.condition as Value[] | undefined) ?? []).map((c) => ({ test: str(obj(c).test as Value), variable: str(obj(c).variable as Value), values: strings(obj(c).values) })),
    };
  });
}

function policyJson(doc: Value): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statementsOf(doc).map((s) => ({
      ...(s.sid === undefined ? {} : { Sid: s.sid }),
      Effect: s.effect,
      ...(s.actions.length > 0 ? { Action: s.actions } : {}),
      ...(s.resources.length > 0 ? { Resource: s.resources } : {}),
      ...(s.principals.length > 0 ? { Principal: Object.fromEntries(s.principals.map((p) => [p.type, p.identifiers])) } : {}),
      ...(s.conditions.length > 0 ? { Condition: Object.fromEntries(s.conditions.map((c) => [c.test, { [c.variable]: c.values }])) } : {}),
    })),
  });
}

/* ------------------------------------------------------------------------------------------------
 * Loading the module through its example
 * ---------------------------------------------------------------------------------------------- */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MODULE_DIR = join(REPO_ROOT, 'terraform');
export const EXAMPLE_DIR = join(MODULE_DIR, 'examples', 'complete');
/** The account the tests pretend to run in (adapted sample events use it too). */
export const TEST_ACCOUNT_ID = '123456789012';

export interface Loaded {
  module: ModuleSource;
  example: ModuleSource;
  /** The example root module; `.module('deploybridge')` is the module with the example's inputs. */
  root: ModuleInstance;
  aws: AwsContext;
  /** The module evaluated with other inputs (e.g. only the required ones). */
  instantiate(inputs: Record<string, Value>): ModuleInstance;
  /** The example's inputs to the module, evaluated. */
  exampleInputs(): Record<string, Value>;
}

let loading: Promise<Loaded> | undefined;

/** Loads terraform/ and terraform/examples/complete once per test file. */
export function loadTerraform(): Promise<Loaded> {
  loading ??= (async () => {
    const module = await loadModuleSource(MODULE_DIR);
    const example = await loadModuleSource(EXAMPLE_DIR);
    const provider = first(example.provider.aws, 'provider "aws" of the example');
    const aws: AwsContext = { region: str(evaluateRaw(provider.region as Raw, NO_SCOPE)), accountId: TEST_ACCOUNT_ID, partition: 'aws' };
    const loadChild = (dir: string) => {
      if (resolve(dir) !== module.dir) throw new HclError(`the example uses an unexpected module source ${dir}`);
      return module;
    };
    const root = new ModuleInstance(example, {}, aws, loadChild);
    const exampleInputs = () => {
      const block = first(example.module.deploybridge, 'module "deploybridge" of the example');
      return Object.fromEntries(Object.entries(block).filter(([k]) => k !== 'source').map(([k, raw]) => [k, evaluateRaw(raw, root.scope)]));
    };
    return { module, example, root, aws, instantiate: (inputs) => new ModuleInstance(module, inputs, aws, loadChild), exampleInputs };
  })();
  return loading;
}
