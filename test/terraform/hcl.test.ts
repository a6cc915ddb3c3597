/** The HCL evaluator used by the Terraform tests, on the constructs the module relies on. */
import { describe, expect, it } from 'vitest';
import { evaluate, HclError, parseExpression, parseTemplateString, Scope, type Value } from './hcl.js';

const scope = new Scope((name) => {
  const roots: Record<string, Value> = {
    var: { name: 'api', flag: true, n: 600, list: ['b', 'a', 'b'], map: { z: 1, a: 2 }, objs: [{ bucket: 'b1', key: 'k1' }, { bucket: 'b1', key: 'k2' }, { bucket: 'b2', key: 'k1' }], nothing: null },
  };
  if (!(name in roots)) throw new HclError(`unknown ${name}`);
  return roots[name] as Value;
});
const ev = (source: string) => evaluate(parseExpression(source), scope);

describe('HCL evaluator', () => {
  it.each<[string, Value]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['var.n + 60 >= 660 && !false', true],
    ['var.flag ? "yes" : "no"', 'yes'],
    ['var.nothing == null ? [] : [var.nothing.x]', []],
    ['"${var.name}-${var.n}"', 'api-600'],
    ['"a ${replace(var.name, "a", "{x}")} b"', 'a {x}pi b'],
    ['"$${literal}"', '${literal}'],
    ['[for x in var.list : upper(x) if x != "a"]', ['B', 'B']],
    ['{ for k, v in var.map : k => v * 10 }', { a: 20, z: 10 }],
    ['{ for o in var.objs : o.bucket => o.key... }', { b1: ['k1', 'k2'], b2: ['k1'] }],
    ['keys(var.map)', ['a', 'z']],
    ['var.objs[*].key', ['k1', 'k2', 'k1']],
    ['var.objs[1].key', 'k2'],
    ['distinct(var.list)', ['b', 'a']],
    ['toset(var.list)', ['a', 'b']],
    ['jsonencode({ b = [1, true, null], a = "x" })', '{"a":"x","b":[1,true,null]}'],
    ['replace("{project}_service_{name}_{env}", "/[-_./]\\\\{name\\\\}/", "")', '{project}_service_{env}'],
    ['length(regexall("\\\\{[^}]*\\\\}", "{a}-{b}"))', 2],
    ['can(regex("^[0-9]+$", "12a"))', false],
    ['try(var.nothing.x, "fallback")', 'fallback'],
    ['coalesce(null, "", "x")', 'x'],
    ['merge({ a = 1 }, null, { b = 2 })', { a: 1, b: 2 }],
    ['flatten([[1], [2, [3]]])', [1, 2, 3]],
    ['min(900, 600 + 60)', 660],
    ['substr(sha1("bucket"), 0, 8)', '827b8276'],
    ['{ "detail-type" = ["x"], source = [{ prefix = "a" }] }', { 'detail-type': ['x'], source: [{ prefix: 'a' }] }],
  ])('%s', (source, expected) => {
    expect(ev(source)).toEqual(expected);
  });

  it('a top-level hcl2json string is a template; a single interpolation keeps its type', () => {
    expect(evaluate(parseTemplateString('${var.map}'), scope)).toEqual({ z: 1, a: 2 });
    expect(evaluate(parseTemplateString('prefix-${var.name}'), scope)).toBe('prefix-api');
    expect(evaluate(parseTemplateString('literal {name} stays'), scope)).toBe('literal {name} stays');
  });

  it('fails loudly on what it does not know', () => {
    expect(() => ev('unknownfn(1)')).toThrow(/not supported/);
    expect(() => ev('var.missing')).toThrow(HclError);
    expect(() => ev('"a${var.nothing}"')).toThrow(/null/);
    expect(() => ev('{ for o in var.objs : o.bucket => o.key }')).toThrow(/duplicate key/);
  });
});
