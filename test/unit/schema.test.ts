import { describe, expect, it } from 'vitest';
import {
  applyDefaults,
  compilePattern,
  prune,
  pruneWithUnknownFields,
  unknownFieldPaths,
  validateStructural,
  validateValue,
} from '../../src/machinery/schema';
import { fieldErrorString } from '../../src/machinery/validation';

type J = Record<string, unknown>;

const messages = (errs: { field: string; message: string; type: string }[]) => errs.map((e) => fieldErrorString(e));

/** A CR schema whose spec has the given properties. */
const specSchema = (props: J, extra: J = {}): J => ({
  type: 'object',
  properties: { spec: { type: 'object', properties: props, ...extra } },
});

describe('validateValue', () => {
  const cases: [string, J, unknown, string[]][] = [
    ['valid object', specSchema({ replicas: { type: 'integer' } }), { spec: { replicas: 3 } }, []],
    [
      'integer given a string',
      specSchema({ replicas: { type: 'integer' } }),
      { spec: { replicas: 'string' } },
      ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'],
    ],
    [
      'string given a number',
      specSchema({ name: { type: 'string' } }),
      { spec: { name: 5 } },
      ['spec.name: Invalid value: "integer": spec.name in body must be of type string: "integer"'],
    ],
    [
      'object given an array',
      specSchema({ o: { type: 'object' } }),
      { spec: { o: [] } },
      ['spec.o: Invalid value: "array": spec.o in body must be of type object: "array"'],
    ],
    [
      'integer given a fraction',
      specSchema({ n: { type: 'integer' } }),
      { spec: { n: 1.5 } },
      [
        'spec.n: Invalid value: "number": spec.n in body must be of type integer: "number"',
        '<nil>: Invalid value: "": Checked value must be of type integer (default format) in spec.n',
      ],
    ],
    ['number accepts an integer', specSchema({ n: { type: 'number' } }), { spec: { n: 2 } }, []],
    [
      'null for a non-nullable field',
      specSchema({ o: { type: 'object' } }),
      { spec: { o: null } },
      ['spec.o: Invalid value: "null": spec.o in body must be of type object: "null"'],
    ],
    ['null for a nullable field', specSchema({ o: { type: 'object', nullable: true } }), { spec: { o: null } }, []],
    [
      'enum',
      specSchema({ size: { type: 'string', enum: ['small', 'large'] } }),
      { spec: { size: 'huge' } },
      ['spec.size: Unsupported value: "huge": supported values: "small", "large"'],
    ],
    [
      'enum of integers, wrong type',
      specSchema({ n: { type: 'integer', enum: [1, 2] } }),
      { spec: { n: 'x' } },
      [
        'spec.n: Invalid value: "string": spec.n in body must be of type integer: "string"',
        'spec.n: Unsupported value: "x": supported values: "1", "2"',
      ],
    ],
    [
      'enum of strings given a boolean',
      specSchema({ s: { type: 'string', enum: ['a', 'b'] } }),
      { spec: { s: true } },
      [
        'spec.s: Invalid value: "boolean": spec.s in body must be of type string: "boolean"',
        'spec.s: Unsupported value: true: supported values: "a", "b"',
      ],
    ],
    [
      'pattern',
      specSchema({ name: { type: 'string', pattern: '^[a-z]+$' } }),
      { spec: { name: 'x1' } },
      ["spec.name: Invalid value: \"x1\": spec.name in body should match '^[a-z]+$'"],
    ],
    [
      'invalid pattern',
      specSchema({ name: { type: 'string', pattern: '+' } }),
      { spec: { name: 'foo' } },
      ["spec.name: Invalid value: \"foo\": spec.name in body should match '+, but pattern is invalid: error parsing regexp: missing argument to repetition operator: `+`'"],
    ],
    [
      'maximum',
      specSchema({ count: { type: 'integer', maximum: 10 } }),
      { spec: { count: 11 } },
      ['spec.count: Invalid value: 11: spec.count in body should be less than or equal to 10'],
    ],
    [
      'exclusive maximum',
      specSchema({ count: { type: 'integer', maximum: 10, exclusiveMaximum: true } }),
      { spec: { count: 10 } },
      ['spec.count: Invalid value: 10: spec.count in body should be less than 10'],
    ],
    [
      'minimum',
      specSchema({ count: { type: 'integer', minimum: 1 } }),
      { spec: { count: 0 } },
      ['spec.count: Invalid value: 0: spec.count in body should be greater than or equal to 1'],
    ],
    [
      'exclusive minimum on a number',
      specSchema({ ratio: { type: 'number', minimum: 0.5, exclusiveMinimum: true } }),
      { spec: { ratio: 0.25 } },
      ['spec.ratio: Invalid value: 0.25: spec.ratio in body should be greater than 0.5'],
    ],
    [
      'maximum printed as Go prints a float64',
      specSchema({ ratio: { type: 'number', maximum: 1000000 } }),
      { spec: { ratio: 1000000.5 } },
      ['spec.ratio: Invalid value: 1.0000005e+06: spec.ratio in body should be less than or equal to 1e+06'],
    ],
    [
      'multipleOf',
      specSchema({ n: { type: 'integer', multipleOf: 5 } }),
      { spec: { n: 7 } },
      ['spec.n: Invalid value: 7: spec.n in body should be a multiple of 5'],
    ],
    [
      'maxLength',
      specSchema({ s: { type: 'string', maxLength: 2 } }),
      { spec: { s: 'abc' } },
      ['spec.s: Too long: may not be more than 2 bytes'],
    ],
    [
      'minLength',
      specSchema({ s: { type: 'string', minLength: 3 } }),
      { spec: { s: 'ab' } },
      ['spec.s: Invalid value: "ab": spec.s in body should be at least 3 chars long'],
    ],
    [
      'maxItems',
      specSchema({ l: { type: 'array', items: { type: 'string' }, maxItems: 2 } }),
      { spec: { l: ['a', 'b', 'c'] } },
      ['spec.l: Too many: 3: must have at most 2 items'],
    ],
    [
      'minItems',
      specSchema({ l: { type: 'array', items: { type: 'string' }, minItems: 2 } }),
      { spec: { l: ['a'] } },
      ['spec.l: Invalid value: 1: spec.l in body should have at least 2 items'],
    ],
    [
      'uniqueItems',
      specSchema({ l: { type: 'array', items: { type: 'string' }, uniqueItems: true } }),
      { spec: { l: ['a', 'a'] } },
      ['spec.l: Invalid value: "": spec.l in body shouldn\'t contain duplicates'],
    ],
    [
      'maxProperties',
      specSchema({ m: { type: 'object', maxProperties: 2 } }),
      { spec: { m: { a: true, b: true, c: true } } },
      ['spec.m: Too many: 3: must have at most 2 items'],
    ],
    [
      'minProperties',
      specSchema({ m: { type: 'object', minProperties: 1 } }),
      { spec: { m: {} } },
      ['spec.m: Invalid value: 0: spec.m in body should have at least 1 properties'],
    ],
    [
      'required',
      specSchema({ foo: { type: 'string' } }, { required: ['foo'] }),
      { spec: {} },
      ['spec.foo: Required value'],
    ],
    ['required at the root', { type: 'object', required: ['spec'], properties: { spec: { type: 'object' } } }, {}, ['spec: Required value']],
    [
      'items are validated with their index',
      specSchema({ l: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer', maximum: 65535 } } } } }),
      { spec: { l: [{ port: 80 }, { port: 70000 }] } },
      ['spec.l[1].port: Invalid value: 70000: spec.l[1].port in body should be less than or equal to 65535'],
    ],
    [
      'additionalProperties schema',
      specSchema({ m: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } } }),
      { spec: { m: { a: 1, b: -1 } } },
      ['spec.m.b: Invalid value: -1: spec.m.b in body should be greater than or equal to 0'],
    ],
    [
      'additionalProperties false',
      specSchema({ m: { type: 'object', additionalProperties: false } }),
      { spec: { m: { y: 1 } } },
      ['spec.m: Invalid value: "y": spec.m.y in body is a forbidden property'],
    ],
    [
      'int-or-string accepts both',
      specSchema({ port: { 'x-kubernetes-int-or-string': true } }),
      { spec: { port: 'http' } },
      [],
    ],
    [
      'int-or-string given a boolean',
      specSchema({ port: { 'x-kubernetes-int-or-string': true } }),
      { spec: { port: true } },
      ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"'],
    ],
    [
      'int-or-string with the anyOf controller-gen writes',
      specSchema({ port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } }),
      { spec: { port: true } },
      [
        'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
        '<nil>: Invalid value: "": "spec.port" must validate at least one schema (anyOf)',
        'spec.port: Invalid value: "boolean": spec.port in body must be of type integer: "boolean"',
      ],
    ],
    [
      'int-or-string with anyOf given a fraction',
      specSchema({ port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } }),
      { spec: { port: 1.2 } },
      [
        'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
        '<nil>: Invalid value: "": "spec.port" must validate at least one schema (anyOf)',
        'spec.port: Invalid value: "number": spec.port in body must be of type integer: "number"',
        '<nil>: Invalid value: "": Checked value must be of type integer (default format) in spec.port',
      ],
    ],
    [
      'allOf',
      specSchema({ s: { type: 'string', allOf: [{ pattern: '^a' }, { maxLength: 3 }] } }),
      { spec: { s: 'abcd' } },
      ['spec.s: Too long: may not be more than 3 bytes', '<nil>: Invalid value: "": "spec.s" must validate all the schemas (allOf)'],
    ],
    [
      'oneOf with two matches',
      specSchema({ s: { type: 'string', oneOf: [{ pattern: '^a' }, { pattern: 'b$' }] } }),
      { spec: { s: 'ab' } },
      ['<nil>: Invalid value: "": "spec.s" must validate one and only one schema (oneOf). Found 2 valid alternatives'],
    ],
    [
      'not',
      specSchema({ s: { type: 'string', not: { pattern: '^x' } } }),
      { spec: { s: 'xy' } },
      ['<nil>: Invalid value: "": "spec.s" must not validate the schema (not)'],
    ],
    [
      'int32 overflow',
      specSchema({ n: { type: 'integer', format: 'int32' } }),
      { spec: { n: 2147483648 } },
      ['<nil>: Invalid value: "": Checked value must be of type integer with format int32 in spec.n'],
    ],
    [
      'int64 overflow',
      specSchema({ n: { type: 'integer', format: 'int64' } }),
      { spec: { n: 1e20 } },
      [
        'spec.n: Invalid value: "float64": spec.n in body must be of type int64: "float64"',
        '<nil>: Invalid value: "": Checked value must be of type integer with format int64 in spec.n',
      ],
    ],
    [
      'float overflow',
      specSchema({ n: { type: 'number', format: 'float' } }),
      { spec: { n: 3.5e38 } },
      ['<nil>: Invalid value: "": Checked value must be of type number with format float in spec.n'],
    ],
    [
      'date-time format',
      specSchema({ when: { type: 'string', format: 'date-time' } }),
      { spec: { when: '2024-13-01T00:00:00Z' } },
      ['spec.when: Invalid value: "2024-13-01T00:00:00Z": spec.when in body must be of type date-time: "2024-13-01T00:00:00Z"'],
    ],
    ['date-time format, valid', specSchema({ when: { type: 'string', format: 'date-time' } }), { spec: { when: '2024-02-29T10:00:00.5+01:00' } }, []],
    [
      'date format',
      specSchema({ day: { type: 'string', format: 'date' } }),
      { spec: { day: '2023-02-29' } },
      ['spec.day: Invalid value: "2023-02-29": spec.day in body must be of type date: "2023-02-29"'],
    ],
    [
      'k8s-short-name format',
      specSchema({ n: { type: 'string', format: 'k8s-short-name' } }),
      { spec: { n: 'a-' } },
      ['spec.n: Invalid value: "a-": spec.n in body must be of type k8s-short-name: "a-"'],
    ],
    [
      'ipv4 format',
      specSchema({ ip: { type: 'string', format: 'ipv4' } }),
      { spec: { ip: '10.0.0.256' } },
      ['spec.ip: Invalid value: "10.0.0.256": spec.ip in body must be of type ipv4: "10.0.0.256"'],
    ],
    ['unknown formats are ignored', specSchema({ s: { type: 'string', format: 'fancy' } }), { spec: { s: 'anything' } }, []],
    [
      'list-type set',
      specSchema({ l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' } }),
      { spec: { l: ['a', 'b', 'a', 'a'] } },
      ['spec.l[2]: Duplicate value: "a"'],
    ],
    [
      'list-type map with one key',
      specSchema({
        l: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, v: { type: 'integer' } } },
        },
      }),
      { spec: { l: [{ name: 'a', v: 1 }, { name: 'b' }, { name: 'a', v: 2 }] } },
      ['spec.l[2]: Duplicate value: {"name":"a"}'],
    ],
    [
      'list-type map with two keys',
      specSchema({
        l: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
        },
      }),
      { spec: { l: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }] } },
      ['spec.l[2]: Duplicate value: {"port":80,"protocol":"TCP"}'],
    ],
    [
      'list-type map given a scalar item',
      specSchema({
        l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { 'x-kubernetes-preserve-unknown-fields': true } },
      }),
      { spec: { l: [{ name: 'a' }, 'x'] } },
      ['spec.l[1]: Invalid value: "x": must be an object for an array of list-type map'],
    ],
    [
      'embedded resource',
      specSchema({
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
      }),
      { spec: { template: { kind: 'my_kind', metadata: { name: 'a/b' } } } },
      [
        'spec.template.apiVersion: Required value',
        'spec.template.kind: Invalid value: "my_kind": may have mixed case, but should otherwise match: ' +
          "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
      ],
    ],
  ];
  it.each(cases)('%s', (_name, schema, obj, want) => {
    expect(messages(validateValue(obj, schema))).toEqual(want);
  });

  it('prefixes paths with root', () => {
    const status = { type: 'object', minProperties: 2, properties: { replicas: { type: 'integer' } } };
    expect(messages(validateValue({ replicas: 'x' }, status, 'status'))).toEqual([
      'status: Invalid value: 1:  in body should have at least 2 properties',
      'status.replicas: Invalid value: "string": replicas in body must be of type integer: "string"',
    ]);
  });

  it('reports field error types as kube-apiserver does', () => {
    const schema = specSchema({ a: { type: 'integer' }, b: { type: 'string', enum: ['x'] }, c: { type: 'string', maxLength: 1 } }, { required: ['d'] });
    expect(validateValue({ spec: { a: 'x', b: 'y', c: 'zz' } }, schema).map((e) => [e.field, e.type])).toEqual([
      ['spec.a', 'FieldValueTypeInvalid'],
      ['spec.b', 'FieldValueNotSupported'],
      ['spec.c', 'FieldValueTooLong'],
      ['spec.d', 'FieldValueRequired'],
    ]);
  });
});

describe('validateStructural', () => {
  const P = 'spec.versions[0].schema.openAPIV3Schema';
  const cases: [string, J, string[]][] = [
    [
      'a typical controller-gen schema',
      {
        description: 'Widget is the Schema for the widgets API',
        type: 'object',
        properties: {
          apiVersion: { type: 'string', description: 'APIVersion' },
          kind: { type: 'string' },
          metadata: { type: 'object' },
          spec: {
            type: 'object',
            required: ['size'],
            properties: {
              size: { type: 'string', enum: ['small', 'large'], default: 'small' },
              replicas: { type: 'integer', format: 'int32', minimum: 0, default: 1 },
              port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
              labels: { type: 'object', additionalProperties: { type: 'string' } },
              template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
              ports: {
                type: 'array',
                'x-kubernetes-list-type': 'map',
                'x-kubernetes-list-map-keys': ['name'],
                items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
              },
              tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
              raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
          status: {
            type: 'object',
            properties: {
              conditions: {
                type: 'array',
                items: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'string' } } },
              },
            },
          },
        },
      },
      [],
    ],
    [
      'type missing on an object field',
      { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } },
      [`${P}.properties[spec].type: Required value: must not be empty for specified object fields`],
    ],
    [
      'type missing on array items',
      { type: 'object', properties: { l: { type: 'array', items: {} } } },
      [`${P}.properties[l].items.type: Required value: must not be empty for specified array items`],
    ],
    ['type missing at the root', { properties: { a: { type: 'string' } } }, [`${P}.type: Required value: must not be empty at the root`]],
    ['root must be an object', { type: 'array', items: { type: 'string' } }, [`${P}.type: Invalid value: "array": must be object at the root`]],
    [
      'array without items',
      { type: 'object', properties: { l: { type: 'array' } } },
      [`${P}.properties[l].items: Required value: must be specified`],
    ],
    [
      'additionalProperties at the root',
      { type: 'object', additionalProperties: { type: 'string' } },
      [`${P}.additionalProperties: Forbidden: must not be used at the root`],
    ],
    [
      'additionalProperties together with properties',
      { type: 'object', properties: { m: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } } } },
      [`${P}.properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`],
    ],
    [
      'metadata restricted beyond name',
      { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string' }, labels: { type: 'object' } } } } },
      [`${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`],
    ],
    [
      'metadata with name and generateName only',
      { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 }, generateName: { type: 'string' } } } } },
      [],
    ],
    [
      'metadata must be an object',
      { type: 'object', properties: { metadata: { type: 'string' } } },
      [`${P}.properties[metadata].type: Invalid value: "string": must be object`],
    ],
    [
      'kind must be a string',
      { type: 'object', properties: { kind: { type: 'integer' } } },
      [`${P}.properties[kind].type: Invalid value: "integer": must be string`],
    ],
    [
      'value validations must not carry types',
      { type: 'object', properties: { a: { type: 'string', anyOf: [{ type: 'string', description: 'x' }, { pattern: 'b' }] } } },
      [
        `${P}.properties[a].anyOf[0].description: Forbidden: must be empty to be structural`,
        `${P}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`,
      ],
    ],
    [
      'value validations must have a structural counterpart',
      { type: 'object', properties: { a: { type: 'string' } }, allOf: [{ properties: { b: { pattern: 'x' } } }] },
      [`${P}.properties[b]: Required value: because it is defined in ${P}.allOf[0].properties[b]`],
    ],
    [
      'metadata in a nested value validation',
      { type: 'object', properties: { a: { type: 'object' } }, anyOf: [{ properties: { metadata: { required: ['name'] } } }] },
      [
        `${P}.anyOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`,
        `${P}.properties[metadata]: Required value: because it is defined in ${P}.anyOf[0].properties[metadata]`,
      ],
    ],
    [
      'embedded resource must be an object with properties',
      { type: 'object', properties: { e: { type: 'string', 'x-kubernetes-embedded-resource': true } } },
      [
        `${P}.properties[e].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
        `${P}.properties[e].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
      ],
    ],
    [
      'int-or-string with preserve-unknown-fields',
      { type: 'object', properties: { p: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true } } },
      [`${P}.properties[p].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`],
    ],
    [
      'invalid pattern',
      { type: 'object', properties: { s: { type: 'string', pattern: '(abc' } } },
      [`${P}.properties[s].pattern: Invalid value: "(abc": must be a valid regular expression, but isn't: error parsing regexp: missing closing ): \`(abc\``],
    ],
    [
      'defaults must validate',
      { type: 'object', properties: { n: { type: 'integer', default: 'x' }, s: { type: 'string', pattern: '^a', default: 'b' } } },
      [
        `${P}.properties[n].default: Invalid value: "string":  in body must be of type integer: "string"`,
        `${P}.properties[s].default: Invalid value: "b":  in body should match '^a'`,
      ],
    ],
    [
      'defaults must be pruned',
      {
        type: 'object',
        properties: {
          a: { type: 'object', properties: { foo: { type: 'string' } }, default: { foo: 'abc', bar: 42 } },
          b: { type: 'object', properties: { foo: { type: 'string' } }, default: { foo: 'abc' } },
          c: { type: 'object', properties: { foo: { type: 'string' } }, default: { foo: 42 } },
          e: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            properties: { keep: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, default: { any: 1 } } },
          },
        },
      },
      [
        `${P}.properties[a].default: Invalid value: {"bar":42,"foo":"abc"}: must not have unknown fields`,
        `${P}.properties[c].default.foo: Invalid value: "integer": foo in body must be of type string: "integer"`,
      ],
    ],
    [
      'no defaults in metadata',
      { type: 'object', properties: { metadata: { type: 'object', default: { name: 'x' } } } },
      [`${P}.properties[metadata].default: Forbidden: must not be set in top-level metadata`],
    ],
    [
      'no defaults in nested value validations',
      { type: 'object', properties: { a: { type: 'string', not: { default: 'x' } } } },
      [`${P}.properties[a].not.default: Forbidden: must be undefined to be structural`],
    ],
    [
      'uniqueItems is forbidden',
      { type: 'object', properties: { l: { type: 'array', items: { type: 'string' }, uniqueItems: true } } },
      [`${P}.properties[l].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`],
    ],
    [
      'unsupported type',
      { type: 'object', properties: { a: { type: 'float' } } },
      [`${P}.properties[a].type: Unsupported value: "float": supported values: "array", "boolean", "integer", "number", "object", "string"`],
    ],
    [
      'type null',
      { type: 'object', properties: { a: { type: 'null' } } },
      [
        `${P}.properties[a].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
        `${P}.properties[a].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
      ],
    ],
    [
      'preserve-unknown-fields false',
      { type: 'object', 'x-kubernetes-preserve-unknown-fields': false, properties: { a: { type: 'string' } } },
      [`${P}.x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`],
    ],
    ['nullable root', { type: 'object', nullable: true }, [`${P}.nullable: Forbidden: nullable cannot be true at the root`]],
    [
      'list-type map without keys',
      { type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { k: { type: 'string' } } } } } },
      [`${P}.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`],
    ],
    [
      'list-map-keys must be required or defaulted',
      {
        type: 'object',
        properties: {
          l: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['k', 'missing'],
            items: { type: 'object', properties: { k: { type: 'string' } } },
          },
        },
      },
      [
        `${P}.properties[l].x-kubernetes-list-map-keys: Invalid value: ["k","missing"]: entries must all be names of item properties`,
        `${P}.properties[l].items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
      ],
    ],
    [
      'list-map-keys without list-type',
      { type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', required: ['k'], properties: { k: { type: 'string' } } } } } },
      [`${P}.properties[l].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`],
    ],
    [
      'list-type on a non-array',
      { type: 'object', properties: { s: { type: 'string', 'x-kubernetes-list-type': 'set' } } },
      [`${P}.properties[s].type: Invalid value: "string": must be array if x-kubernetes-list-type is specified`],
    ],
    [
      'unknown list-type',
      { type: 'object', properties: { l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' } } },
      [`${P}.properties[l].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`],
    ],
    [
      '$ref is not supported',
      { type: 'object', properties: { a: { type: 'string', $ref: '#/definitions/x' } } },
      [`${P}.properties[a].$ref: Forbidden: $ref is not supported`],
    ],
  ];
  it.each(cases)('%s', (_name, schema, want) => {
    expect(messages(validateStructural(schema, P))).toEqual(want);
  });

  it('restricts the root when the status subresource is enabled', () => {
    const schema = { type: 'object', properties: { spec: { type: 'object' } }, anyOf: [{ required: ['spec'] }] };
    expect(messages(validateStructural(schema, P, { statusSubresource: true }))).toEqual([
      `${P}: Invalid value: {"anyOf":[{"required":["spec"]}],"properties":{"spec":{"type":"object"}},"type":"object"}: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled`,
    ]);
    expect(validateStructural({ type: 'object', properties: { spec: { type: 'object' } } }, P, { statusSubresource: true })).toEqual([]);
  });

  it('defaults the path to openAPIV3Schema and ignores non-objects', () => {
    expect(messages(validateStructural({}))).toEqual(['openAPIV3Schema.type: Required value: must not be empty at the root']);
    expect(validateStructural(undefined)).toEqual([]);
  });
});

describe('prune and unknownFieldPaths', () => {
  const schema = specSchema({
    replicas: { type: 'integer' },
    list: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    nested: { type: 'object', additionalProperties: { type: 'object', properties: { a: { type: 'string' } } } },
    raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: { type: 'object', properties: { x: { type: 'string' } } } } },
    template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { y: { type: 'string' } } } } },
    opt: { type: 'string', nullable: true },
    req: { type: 'string' },
    dflt: { type: 'string', default: 'd' },
  });

  const cases: [string, J, J, string[]][] = [
    [
      'unknown spec fields',
      { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a' }, spec: { replicas: 1, foo: 2, bar: { baz: 1 } } },
      { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a' }, spec: { replicas: 1 } },
      ['spec.bar', 'spec.foo'],
    ],
    ['unknown top-level fields', { kind: 'K', status: { a: 1 }, extra: true }, { kind: 'K' }, ['extra', 'status']],
    [
      'list items',
      { spec: { list: [{ name: 'a' }, { name: 'b', x: 1 }] } },
      { spec: { list: [{ name: 'a' }, { name: 'b' }] } },
      ['spec.list[1].x'],
    ],
    [
      'additionalProperties keep their keys',
      { spec: { labels: { a: 'b' }, nested: { k: { a: 'x', b: 'y' } } } },
      { spec: { labels: { a: 'b' }, nested: { k: { a: 'x' } } } },
      ['spec.nested.k.b'],
    ],
    [
      'x-kubernetes-preserve-unknown-fields keeps unknown fields but prunes known subtrees',
      { spec: { raw: { anything: { deep: 1 }, typed: { x: 'a', y: 'b' } } } },
      { spec: { raw: { anything: { deep: 1 }, typed: { x: 'a' } } } },
      ['spec.raw.typed.y'],
    ],
    [
      'metadata is reduced to ObjectMeta',
      { metadata: { name: 'a', labels: {}, bogus: 1, creationTimestamp: '2024-05-01T10:00:00.123+02:00', generation: 0, ownerReferences: [{ name: 'o', extra: 1 }] } },
      { metadata: { name: 'a', creationTimestamp: '2024-05-01T08:00:00Z', ownerReferences: [{ apiVersion: '', kind: '', name: 'o', uid: '' }] } },
      ['metadata.bogus', 'metadata.ownerReferences[0].extra'],
    ],
    [
      'embedded resources keep apiVersion, kind and ObjectMeta',
      { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, spec: { y: 'a', z: 'b' }, other: 1 } } },
      { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { y: 'a' } } } },
      ['spec.template.other', 'spec.template.spec.z', 'spec.template.metadata.bogus'],
    ],
    [
      'nulls: non-nullable without default dropped, nullable and defaulted kept',
      { spec: { req: null, opt: null, dflt: null } },
      { spec: { opt: null, dflt: null } },
      [],
    ],
  ];
  it.each(cases)('%s', (_name, obj, want, paths) => {
    const copy = structuredClone(obj);
    expect(prune(obj, schema)).toEqual(want);
    expect(unknownFieldPaths(obj, schema)).toEqual(paths);
    expect(obj).toEqual(copy); // not mutated
  });

  it('keeps everything under a preserve-unknown-fields root', () => {
    const s = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const obj = { kind: 'K', spec: { a: 1 }, status: {} };
    expect(pruneWithUnknownFields(obj, s)).toEqual({ object: obj, unknownFields: [] });
  });

  it('prunes everything but the envelope without a schema', () => {
    expect(prune({ apiVersion: 'a/v1', kind: 'K', metadata: {}, spec: {} }, undefined)).toEqual({ apiVersion: 'a/v1', kind: 'K', metadata: {} });
  });
});

describe('applyDefaults', () => {
  const schema = specSchema({
    size: { type: 'string', default: 'small' },
    replicas: { type: 'integer', default: 1 },
    opt: { type: 'string', nullable: true, default: 'o' },
    strategy: {
      type: 'object',
      default: {},
      properties: { type: { type: 'string', default: 'Rolling' }, maxSurge: { 'x-kubernetes-int-or-string': true, default: '25%' } },
    },
    ports: {
      type: 'array',
      items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } },
    },
    env: { type: 'object', additionalProperties: { type: 'string', default: 'unset' } },
    plain: { type: 'string' },
  });
  const cases: [string, J, J][] = [
    [
      'absent fields get defaults, nested defaults apply inside defaulted objects',
      { spec: {} },
      { spec: { size: 'small', replicas: 1, opt: 'o', strategy: { type: 'Rolling', maxSurge: '25%' } } },
    ],
    [
      'present values are kept',
      { spec: { size: 'large', replicas: 0, strategy: { type: 'Recreate' } } },
      { spec: { size: 'large', replicas: 0, opt: 'o', strategy: { type: 'Recreate', maxSurge: '25%' } } },
    ],
    [
      'null replaced by the default unless nullable; nulls without default dropped',
      { spec: { size: null, opt: null, plain: null } },
      { spec: { size: 'small', replicas: 1, opt: null, strategy: { type: 'Rolling', maxSurge: '25%' } } },
    ],
    [
      'items and additionalProperties',
      { spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }], env: { A: null, B: 'b' } } },
      {
        spec: {
          size: 'small',
          replicas: 1,
          opt: 'o',
          strategy: { type: 'Rolling', maxSurge: '25%' },
          ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
          env: { A: 'unset', B: 'b' },
        },
      },
    ],
    ['no spec: nothing to default', { kind: 'K' }, { kind: 'K' }],
  ];
  it.each(cases)('%s', (_name, obj, want) => {
    const copy = structuredClone(obj);
    expect(applyDefaults(obj, schema)).toEqual(want);
    expect(obj).toEqual(copy);
  });

  it('copies defaults (no shared references)', () => {
    const a = applyDefaults({ spec: {} }, schema) as { spec: { strategy: J } };
    a.spec.strategy.type = 'changed';
    expect((applyDefaults({ spec: {} }, schema) as { spec: { strategy: J } }).spec.strategy.type).toBe('Rolling');
  });
});

describe('compilePattern (RE2 syntax)', () => {
  const cases: [string, string, boolean | string][] = [
    ['^[a-z]+$', 'abc', true],
    ['^[a-z]+$', 'aBc', false],
    ['(?i)^abc$', 'ABC', true],
    ['^[[:alpha:]]+\\z', 'abc', true],
    ['^(?P<x>a)b$', 'ab', true],
    ['(?=a)', 'a', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
    ['(a)\\1', 'aa', 'error parsing regexp: invalid escape sequence: `\\1`'],
    ['[a-', 'a', 'error parsing regexp: missing closing ]: `[a-`'],
  ];
  it.each(cases)('%s on %s', (pattern, input, want) => {
    const c = compilePattern(pattern);
    if (typeof want === 'string') expect(c.error).toBe(want);
    else expect(c.re!.test(input)).toBe(want);
  });
});
