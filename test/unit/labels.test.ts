import { describe, expect, it } from 'vitest';
import { StatusError } from '../../src/api/status';
import {
  formatLabelSelector,
  isNothing,
  labelSelectorFromObject,
  matchesLabels,
  NOTHING,
  parseLabelSelector,
  type Requirement,
} from '../../src/machinery/labels';

const KEY_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const r = (key: string, operator: Requirement['operator'], values: string[] = []): Requirement => ({ key, operator, values });

function thrown(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('parseLabelSelector', () => {
  const ok: [string, Requirement[]][] = [
    ['', []],
    ['   ', []],
    ['x=a', [r('x', '=', ['a'])]],
    ['x==a', [r('x', '==', ['a'])]],
    ['x!=a', [r('x', '!=', ['a'])]],
    ['x in (a,b)', [r('x', 'in', ['a', 'b'])]],
    ['x notin (b,a)', [r('x', 'notin', ['a', 'b'])]],
    ['x in (a, b , a)', [r('x', 'in', ['a', 'b'])]],
    ['x', [r('x', 'exists')]],
    ['!x', [r('x', '!')]],
    ['! x', [r('x', '!')]],
    ['x>1', [r('x', 'gt', ['1'])]],
    ['x<10', [r('x', 'lt', ['10'])]],
    [' x = a , y ', [r('x', '=', ['a']), r('y', 'exists')]],
    ['z,a=b', [r('a', '=', ['b']), r('z', 'exists')]],
    ['x in (a,,b)', [r('x', 'in', ['', 'a', 'b'])]],
    ['x in (,a)', [r('x', 'in', ['', 'a'])]],
    ['x in (a,)', [r('x', 'in', ['', 'a'])]],
    ['x in ()', [r('x', 'in', [''])]],
    ['x=', [r('x', '=', [''])]],
    ['x=,y', [r('x', '=', ['']), r('y', 'exists')]],
    ['in in (in)', [r('in', 'in', ['in'])]],
    ['x=notin', [r('x', '=', ['notin'])]],
    ['x=a,x!=b', [r('x', '=', ['a']), r('x', '!=', ['b'])]],
    ['example.com/app=web', [r('example.com/app', '=', ['web'])]],
    ['app.kubernetes.io/name in (nginx),tier notin (db,cache),!canary', [
      r('app.kubernetes.io/name', 'in', ['nginx']),
      r('canary', '!'),
      r('tier', 'notin', ['cache', 'db']),
    ]],
    ['x=A-b_c.9', [r('x', '=', ['A-b_c.9'])]],
    ['x\tin\t(a)', [r('x', 'in', ['a'])]],
  ];
  it.each(ok)('parses %j', (text, want) => {
    expect(parseLabelSelector(text)).toEqual(want);
  });

  const bad: [string, string][] = [
    ['x in', "unable to parse requirement: found '' expected: '('"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x in (a,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['x y', "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"],
    ['x=(a)', "unable to parse requirement: found '(', expected: identifier"],
    ['x<>1', "unable to parse requirement: found '>', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['!=a', "found '!=', expected: !, identifier, or 'end of string'"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    [',', "found ',', expected: !, identifier, or 'end of string'"],
    ['x,', "found '', expected: identifier after ','"],
    ['x,,y', "found ',', expected: identifier after ','"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x>a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x<', `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x<-10', `unable to parse requirement: values[0][x]: Invalid value: "-10": ${VALUE_MSG}`],
    ['a$=b', `unable to parse requirement: <nil>: Invalid value: "a$": ${KEY_MSG}`],
    ['-a', `unable to parse requirement: <nil>: Invalid value: "-a": ${KEY_MSG}`],
    ['/a', `unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty`],
    [
      'a/b/c',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      `${'k'.repeat(64)}`,
      `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 bytes`,
    ],
    ['x=a$', `unable to parse requirement: values[0][x]: Invalid value: "a$": ${VALUE_MSG}`],
    [
      'x in (b$,a$)',
      `unable to parse requirement: [values[0][x]: Invalid value: "a$": ${VALUE_MSG}, values[1][x]: Invalid value: "b$": ${VALUE_MSG}]`,
    ],
    [`x=${'v'.repeat(64)}`, `unable to parse requirement: values[0][x]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`],
  ];
  it.each(bad)('rejects %j', (text, message) => {
    const e = thrown(() => parseLabelSelector(text));
    expect(e.status.code).toBe(400);
    expect(e.status.reason).toBe('BadRequest');
    expect(e.status.message).toBe(message);
  });
});

describe('matchesLabels', () => {
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', undefined, true],
    ['', { a: 'b' }, true],
    ['x=a', { x: 'a' }, true],
    ['x==a', { x: 'a', y: 'b' }, true],
    ['x=a', { x: 'b' }, false],
    ['x=a', {}, false],
    ['x=a', undefined, false],
    ['x=', { x: '' }, true],
    ['x=', {}, false],
    ['x!=a', {}, true],
    ['x!=a', undefined, true],
    ['x!=a', { x: 'a' }, false],
    ['x!=a', { x: 'b' }, true],
    ['x in (a,b)', { x: 'b' }, true],
    ['x in (a,b)', { x: 'c' }, false],
    ['x in (a,b)', {}, false],
    ['x notin (a)', {}, true],
    ['x notin (a)', { x: 'a' }, false],
    ['x notin (a)', { x: 'c' }, true],
    ['x', { x: '' }, true],
    ['x', { y: 'x' }, false],
    ['!x', { x: '' }, false],
    ['!x', {}, true],
    ['!x', undefined, true],
    ['x>5', { x: '6' }, true],
    ['x>5', { x: '5' }, false],
    ['x>5', { x: 'abc' }, false],
    ['x>5', {}, false],
    ['x<5', { x: '-1' }, true],
    ['x<5', { x: '5' }, false],
    ['x>9007199254740993', { x: '9007199254740994' }, true],
    ['x=a,y=b', { x: 'a', y: 'b' }, true],
    ['x=a,y=b', { x: 'a' }, false],
    ['x=a,!y', { x: 'a', y: '' }, false],
    ['toString', {}, false],
    ['!constructor', {}, true],
  ];
  it.each(cases)('%j on %j → %s', (sel, labels, want) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(want);
  });
});

describe('labelSelectorFromObject', () => {
  type Sel = Parameters<typeof labelSelectorFromObject>[0];
  const ok: [string, Sel, Requirement[]][] = [
    ['empty selector', {}, []],
    ['empty lists', { matchLabels: {}, matchExpressions: [] }, []],
    ['matchLabels sorted', { matchLabels: { b: '2', a: '1' } }, [r('a', '=', ['1']), r('b', '=', ['2'])]],
    [
      'expressions',
      {
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'api'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'app', operator: 'Exists' },
          { key: 'canary', operator: 'DoesNotExist', values: [] },
        ],
      },
      [r('app', 'exists'), r('canary', '!'), r('env', 'notin', ['dev']), r('tier', 'in', ['web', 'api'])],
    ],
    [
      'both',
      { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['x', 'y'] }] },
      [r('app', '=', ['x']), r('app', 'in', ['x', 'y'])],
    ],
  ];
  it.each(ok)('%s', (_name, sel, want) => {
    expect(labelSelectorFromObject(sel)).toEqual(want);
  });

  it.each([undefined, null])('a missing selector (%s) selects nothing', (sel) => {
    const reqs = labelSelectorFromObject(sel);
    expect(reqs).toBe(NOTHING);
    expect(isNothing(reqs)).toBe(true);
    expect(matchesLabels(reqs, {})).toBe(false);
    expect(matchesLabels(reqs, { '': '' })).toBe(false);
    expect(matchesLabels(reqs, { a: 'b' })).toBe(false);
  });

  const bad: [string, Sel, string][] = [
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Foo' }] }, '"Foo" is not a valid label selector operator'],
    ['lower-case operator', { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] }, '"in" is not a valid label selector operator'],
    [
      'In without values',
      { matchExpressions: [{ key: 'a', operator: 'In' }] },
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    ],
    ['bad key', { matchLabels: { 'a b': 'c' } }, `key: Invalid value: "a b": ${KEY_MSG}`],
    ['bad value', { matchLabels: { a: 'b c' } }, `values[0][a]: Invalid value: "b c": ${VALUE_MSG}`],
    [
      'bad key and value',
      { matchExpressions: [{ key: '', operator: 'NotIn', values: ['-'] }] },
      `[key: Invalid value: "": name part must be non-empty; ${KEY_MSG}, values[0][]: Invalid value: "-": ${VALUE_MSG}]`,
    ],
  ];
  it.each(bad)('rejects %s', (_name, sel, message) => {
    const e = thrown(() => labelSelectorFromObject(sel));
    expect(e.status.code).toBe(400);
    expect(e.status.message).toBe(message);
  });

  it('matches like the parsed selector', () => {
    const reqs = labelSelectorFromObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] });
    expect(matchesLabels(reqs, { app: 'web' })).toBe(true);
    expect(matchesLabels(reqs, { app: 'web', tier: 'db' })).toBe(false);
    expect(matchesLabels(reqs, { app: 'api' })).toBe(false);
  });
});

describe('formatLabelSelector', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['x=a', 'x=a'],
    ['x==a', 'x==a'],
    ['x!=a', 'x!=a'],
    ['x in (b,a)', 'x in (a,b)'],
    ['x notin (a)', 'x notin (a)'],
    ['x, !y', 'x,!y'],
    ['x>1,y<2', 'x>1,y<2'],
  ];
  it.each(cases)('%j → %j', (text, want) => {
    expect(formatLabelSelector(parseLabelSelector(text))).toBe(want);
  });
});
