import { describe, expect, it } from 'vitest';
import { evalJsonPath, findJsonPathResults, formatGoFloat, parseJsonPath, printerCell } from '../../src/machinery/jsonpath';

const obj = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: {
    name: 'w1',
    creationTimestamp: '2024-01-01T00:00:00Z',
    labels: { app: 'web', 'app.kubernetes.io/name': 'widget' },
  },
  spec: {
    replicas: 3,
    ratio: 0.5,
    paused: false,
    nothing: null,
    selector: { matchLabels: { app: 'web' } },
    containers: [
      { name: 'a', image: 'nginx', ports: [{ port: 80 }, { port: 443 }] },
      { name: 'b', image: 'redis', ports: [{ port: 6379 }], ready: true },
      { name: 'c', image: 'busybox' },
    ],
  },
  status: {
    conditions: [
      { type: 'Available', status: 'False' },
      { type: 'Ready', status: 'True', message: 'all good' },
    ],
  },
};

describe('evalJsonPath', () => {
  const cases: [string, unknown[]][] = [
    ['.spec.replicas', [3]],
    ['.metadata.name', ['w1']],
    ['.metadata.labels.app', ['web']],
    ['.metadata.labels.app\\.kubernetes\\.io/name', ['widget']],
    ["['spec']['replicas']", [3]],
    ['$.spec.replicas', [3]],
    ['.spec.selector', [{ matchLabels: { app: 'web' } }]],
    ['.spec.nothing', [null]],
    ['.spec.nothing.deeper', []],
    ['.spec.missing', []],
    ['.spec.missing.deeper', []],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['.status.conditions[?(@.type == "Ready")].message', ['all good']],
    [".status.conditions[?(@.type=='Available')].status", ['False']],
    ['.status.conditions[?(@.type!="Ready")].type', ['Available']],
    ['.status.conditions[?(@.type=="Missing")].status', []],
    ['.status.conditions[?(@.message)].type', ['Ready']],
    ['.spec.containers[?(@.ready==true)].name', ['b']],
    ['.spec.containers[*].ports[?(@.port>100)].port', [443, 6379]],
    ['.spec.containers[*].name', ['a', 'b', 'c']],
    ['.spec.containers[0].image', ['nginx']],
    ['.spec.containers[-1].name', ['c']],
    ['.spec.containers[1:].name', ['b', 'c']],
    ['.spec.containers[0:3:2].name', ['a', 'c']],
    ['.spec.containers[0,2].name', ['a', 'c']],
    ['.spec.containers[0:0].name', []],
    ['.spec.containers[*].ports[*].port', [80, 443, 6379]],
    ['.spec.selector.*', [{ app: 'web' }]],
    ['.spec.containers..port', [80, 443, 6379]],
    // errors make the whole expression yield nothing (the table convertor prints a null cell)
    ['.spec.containers[5].name', []],
    ['.spec.replicas[0]', []],
    ['.status.conditions[?(@.type==1)].status', []],
    ['.spec.selector[?(@.app=="web")]', []],
    ['.spec.nothing[?(@.x=="y")]', []],
    ['.spec[', []],
  ];
  it.each(cases)('%s', (expr, want) => {
    expect(evalJsonPath(expr, obj)).toEqual(want);
  });

  it('reports errors through findJsonPathResults', () => {
    expect(() => findJsonPathResults('.spec.containers[5].name', obj)).toThrow('array index out of bounds: index 5, length 3');
    expect(() => findJsonPathResults('.spec.replicas[0]', obj)).toThrow('int64 is not array or slice');
    expect(() => findJsonPathResults('.status.conditions[?(@.type==1)].status', obj)).toThrow('incompatible types for comparison');
  });

  const syntax: [string, string][] = [
    ['.spec[', 'unterminated array'],
    ['.spec.x[?(@.a=="b"]', 'unterminated filter'],
    ['{.spec}', "unrecognized character in action: U+007B '{'"],
    ['.spec[a]', 'invalid array index a'],
    ['....x', 'invalid multiple recursive descent'],
  ];
  it.each(syntax)('parseJsonPath(%s) fails', (expr, msg) => {
    expect(() => parseJsonPath(expr)).toThrow(msg);
  });

  it('parses what printer columns use', () => {
    for (const e of ['.spec.replicas', '.status.conditions[?(@.type=="Ready")].status', '.metadata.labels.app', '.items[*]']) {
      expect(() => parseJsonPath(e)).not.toThrow();
    }
  });
});

describe('printerCell', () => {
  const now = Date.parse('2024-01-01T01:00:00Z');
  const cases: [string, unknown[], string, number | undefined, unknown][] = [
    ['no result', [], 'string', undefined, null],
    ['no result (integer)', [], 'integer', undefined, null],
    ['integer', [3], 'integer', undefined, 3],
    ['integer truncates a float', [2.7], 'integer', undefined, 2],
    ['integer given a string', ['3'], 'integer', undefined, null],
    ['number', [0.5], 'number', undefined, 0.5],
    ['number given an integer', [2], 'number', undefined, 2],
    ['boolean', [false], 'boolean', undefined, false],
    ['boolean given a string', ['true'], 'boolean', undefined, null],
    ['string', ['True'], 'string', undefined, 'True'],
    ['string of an integer', [3], 'string', undefined, '3'],
    ['string of a float', [1.5], 'string', undefined, '1.5'],
    ['string of a large float', [1000000.5], 'string', undefined, '1.0000005e+06'],
    ['string of a boolean', [true], 'string', undefined, 'true'],
    ['string of null', [null], 'string', undefined, '<no value>'],
    ['string of a map (JSON, sorted keys)', [{ b: 1, a: '<x>' }], 'string', undefined, '{"a":"\\u003cx\\u003e","b":1}'],
    ['string of a list', [['a', 1]], 'string', undefined, '["a",1]'],
    ['null for a typed column', [null], 'integer', undefined, null],
    ['first result only', ['a', 'b'], 'string', undefined, 'a'],
    ['date without now: the timestamp', ['2024-01-01T00:00:00Z'], 'date', undefined, '2024-01-01T00:00:00Z'],
    ['date with now: the age', ['2024-01-01T00:00:00Z'], 'date', now, '60m'],
    ['date, empty', [''], 'date', now, '<unknown>'],
    ['date, malformed', ['yesterday'], 'date', now, '<invalid>'],
    ['date given a number', [5], 'date', now, null],
    ['unknown column type', ['x'], 'object', undefined, null],
  ];
  it.each(cases)('%s', (_name, values, type, at, want) => {
    expect(printerCell(values, type, '', at)).toEqual(want);
  });

  it('renders a CRD column end to end', () => {
    const ready = evalJsonPath('.status.conditions[?(@.type=="Ready")].status', obj);
    expect(printerCell(ready, 'string')).toBe('True');
    expect(printerCell(evalJsonPath('.spec.replicas', obj), 'integer')).toBe(3);
    expect(printerCell(evalJsonPath('.status.missing', obj), 'string')).toBeNull();
    expect(printerCell(evalJsonPath('.metadata.creationTimestamp', obj), 'date', '', now)).toBe('60m');
  });
});

describe('formatGoFloat', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1.5, '1.5'],
    [10, '10'],
    [999999, '999999'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-7, '-2.5e-07'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
  ];
  it.each(cases)('%s', (v, want) => {
    expect(formatGoFloat(v)).toBe(want);
  });
});
