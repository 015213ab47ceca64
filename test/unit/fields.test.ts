import { describe, expect, it } from 'vitest';
import { StatusError } from '../../src/api/status';
import {
  escapeFieldValue,
  formatFieldSelector,
  matchesFields,
  parseFieldSelector,
  unescapeFieldValue,
  type FieldRequirement,
} from '../../src/machinery/fields';

const f = (field: string, operator: FieldRequirement['operator'], value: string): FieldRequirement => ({ field, operator, value });

function thrown(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('parseFieldSelector', () => {
  const ok: [string, FieldRequirement[]][] = [
    ['', []],
    [',', []],
    ['metadata.name=foo', [f('metadata.name', '=', 'foo')]],
    ['metadata.name==foo', [f('metadata.name', '==', 'foo')]],
    ['metadata.name!=foo', [f('metadata.name', '!=', 'foo')]],
    ['spec.nodeName=', [f('spec.nodeName', '=', '')]],
    ['=x', [f('', '=', 'x')]],
    // Terms are sorted as strings, like fields.ParseSelector does.
    ['status.phase!=Running,spec.nodeName=node-1', [f('spec.nodeName', '=', 'node-1'), f('status.phase', '!=', 'Running')]],
    ['a=b,,c=d', [f('a', '=', 'b'), f('c', '=', 'd')]],
    // No trimming: whitespace belongs to the field name and value.
    [' a = b ', [f(' a ', '=', ' b ')]],
    // The first operator wins; `!=` is tried before `==` and `=` at each position.
    ['a!=b', [f('a', '!=', 'b')]],
    ['a==b', [f('a', '==', 'b')]],
    ['a=\\=b', [f('a', '=', '=b')]],
    ['a==\\=b', [f('a', '==', '=b')]],
    // Escapes.
    ['a=b\\,c', [f('a', '=', 'b,c')]],
    ['a=b\\\\c', [f('a', '=', 'b\\c')]],
    ['a=b\\=c,d=e', [f('a', '=', 'b=c'), f('d', '=', 'e')]],
    ['involvedObject.name=web-0,involvedObject.kind=Pod', [f('involvedObject.kind', '=', 'Pod'), f('involvedObject.name', '=', 'web-0')]],
  ];
  it.each(ok)('parses %j', (text, want) => {
    expect(parseFieldSelector(text)).toEqual(want);
  });

  const bad: [string, string][] = [
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b,foo', "invalid selector: 'a=b,foo'; can't understand 'foo'"],
    ['a!b', "invalid selector: 'a!b'; can't understand 'a!b'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=b\\n', 'invalid field selector: invalid escape sequence: \\n'],
    ['a=\\,\\x', 'invalid field selector: invalid escape sequence: \\x'],
  ];
  it.each(bad)('rejects %j', (text, message) => {
    const e = thrown(() => parseFieldSelector(text));
    expect(e.status.code).toBe(400);
    expect(e.status.reason).toBe('BadRequest');
    expect(e.status.message).toBe(message);
  });
});

describe('escape and unescape', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['a,b', 'a\\,b'],
    ['a=b', 'a\\=b'],
    ['a\\b', 'a\\\\b'],
    ['=,\\', '\\=\\,\\\\'],
    ['', ''],
  ];
  it.each(cases)('%j ↔ %j', (raw, escaped) => {
    expect(escapeFieldValue(raw)).toBe(escaped);
    expect(unescapeFieldValue(escaped)).toBe(raw);
  });

  it('round-trips through parse and format', () => {
    const reqs = [f('a', '=', 'x,y=z\\'), f('b', '!=', '')];
    expect(parseFieldSelector(formatFieldSelector(reqs))).toEqual(reqs);
  });
});

describe('matchesFields', () => {
  const obj: Record<string, string> = { 'metadata.name': 'web-0', 'metadata.namespace': 'default', 'spec.nodeName': '' };
  const get = (k: string) => obj[k];
  const cases: [string, boolean][] = [
    ['', true],
    ['metadata.name=web-0', true],
    ['metadata.name==web-0', true],
    ['metadata.name=web-1', false],
    ['metadata.name!=web-1', true],
    ['metadata.name!=web-0', false],
    ['metadata.name=web-0,metadata.namespace=default', true],
    ['metadata.name=web-0,metadata.namespace=kube-system', false],
    // Unknown and empty fields read as "".
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
    ['status.podIP=', true],
    ['status.podIP!=10.0.0.1', true],
  ];
  it.each(cases)('%j → %s', (sel, want) => {
    expect(matchesFields(parseFieldSelector(sel), get)).toBe(want);
  });
});
