import { describe, expect, it } from 'vitest';
import { errors } from '../../src/api/status';
import type { FieldError, ObjectMeta } from '../../src/registry/types';
import {
  field,
  formatValue,
  goStruct,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  validateImmutableField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../src/machinery/validation';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('name and label checks', () => {
  const cases: [string, (v: string) => string[], string, string[]][] = [
    ['subdomain', isDNS1123Subdomain, 'example.com', []],
    ['subdomain', isDNS1123Subdomain, 'a', []],
    ['subdomain', isDNS1123Subdomain, '0-a.b-1', []],
    ['subdomain', isDNS1123Subdomain, 'Example.com', [SUBDOMAIN]],
    ['subdomain', isDNS1123Subdomain, '-a', [SUBDOMAIN]],
    ['subdomain', isDNS1123Subdomain, 'a..b', [SUBDOMAIN]],
    ['subdomain', isDNS1123Subdomain, 'a_b', [SUBDOMAIN]],
    ['subdomain', isDNS1123Subdomain, '', [SUBDOMAIN]],
    ['subdomain', isDNS1123Subdomain, 'a'.repeat(253), []],
    ['subdomain', isDNS1123Subdomain, 'a'.repeat(254), ['must be no more than 253 characters']],
    ['subdomain', isDNS1123Subdomain, `${'a'.repeat(254)}-`, ['must be no more than 253 characters', SUBDOMAIN]],
    ['label', isDNS1123Label, 'my-name', []],
    ['label', isDNS1123Label, '123', []],
    ['label', isDNS1123Label, 'a.b', ['must not contain dots']],
    ['label', isDNS1123Label, 'A', [LABEL]],
    ['label', isDNS1123Label, 'a-', [LABEL]],
    ['label', isDNS1123Label, 'a'.repeat(63), []],
    ['label', isDNS1123Label, 'a'.repeat(64), ['must be no more than 63 characters']],
    ['label', isDNS1123Label, `${'a'.repeat(64)}.b`, ['must be no more than 63 characters', 'must not contain dots']],
    ['dns1035', isDNS1035Label, 'my-svc', []],
    ['dns1035', isDNS1035Label, '1abc', [DNS1035]],
    ['dns1035', isDNS1035Label, 'a.b', [DNS1035]],
    ['dns1035', isDNS1035Label, 'a'.repeat(64), ['must be no more than 63 characters']],
    ['qualified', isQualifiedName, 'app', []],
    ['qualified', isQualifiedName, 'App_1.x-Y', []],
    ['qualified', isQualifiedName, 'example.com/app', []],
    ['qualified', isQualifiedName, 'app.kubernetes.io/name', []],
    ['qualified', isQualifiedName, '-app', [NAME_PART]],
    ['qualified', isQualifiedName, 'a b', [NAME_PART]],
    ['qualified', isQualifiedName, '', ['name part must be non-empty', NAME_PART]],
    ['qualified', isQualifiedName, 'example.com/', ['name part must be non-empty', NAME_PART]],
    ['qualified', isQualifiedName, '/app', ['prefix part must be non-empty']],
    ['qualified', isQualifiedName, 'Example.com/app', [`prefix part ${SUBDOMAIN}`]],
    ['qualified', isQualifiedName, `${'a'.repeat(254)}/x`, ['prefix part must be no more than 253 bytes']],
    ['qualified', isQualifiedName, 'a'.repeat(63), []],
    ['qualified', isQualifiedName, 'a'.repeat(64), ['name part must be no more than 63 bytes']],
    [
      'qualified',
      isQualifiedName,
      'a/b/c',
      [
        "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    ],
    ['label value', isValidLabelValue, '', []],
    ['label value', isValidLabelValue, 'MyValue_1.x-y', []],
    ['label value', isValidLabelValue, 'a b', [LABEL_VALUE]],
    ['label value', isValidLabelValue, '-a', [LABEL_VALUE]],
    ['label value', isValidLabelValue, 'a/b', [LABEL_VALUE]],
    ['label value', isValidLabelValue, 'v'.repeat(63), []],
    ['label value', isValidLabelValue, 'v'.repeat(64), ['must be no more than 63 bytes']],
    ['label value', isValidLabelValue, 'é', [LABEL_VALUE]],
  ];
  it.each(cases)('%s %j', (_kind, fn, value, want) => {
    expect(fn(value)).toEqual(want);
  });
});

describe('field errors', () => {
  const p = 'spec.x';
  const cases: [string, FieldError, FieldError][] = [
    ['required', field.required(p), { type: 'FieldValueRequired', field: p, message: 'Required value' }],
    ['required with detail', field.required(p, 'must be set'), { type: 'FieldValueRequired', field: p, message: 'Required value: must be set' }],
    ['invalid string', field.invalid(p, 'Foo', 'bad'), { type: 'FieldValueInvalid', field: p, message: 'Invalid value: "Foo": bad' }],
    ['invalid int', field.invalid(p, 5, 'bad'), { type: 'FieldValueInvalid', field: p, message: 'Invalid value: 5: bad' }],
    ['invalid negative', field.invalid(p, -1, 'bad'), { type: 'FieldValueInvalid', field: p, message: 'Invalid value: -1: bad' }],
    ['invalid float', field.invalid(p, 1.5, 'bad'), { type: 'FieldValueInvalid', field: p, message: 'Invalid value: 1.5: bad' }],
    ['invalid bool', field.invalid(p, true, 'bad'), { type: 'FieldValueInvalid', field: p, message: 'Invalid value: true: bad' }],
    ['invalid null', field.invalid(p, null, 'bad'), { type: 'FieldValueInvalid', field: p, message: 'Invalid value: null: bad' }],
    ['invalid list', field.invalid(p, ['a', 'b'], 'bad'), { type: 'FieldValueInvalid', field: p, message: 'Invalid value: ["a","b"]: bad' }],
    [
      'invalid map (sorted keys, HTML escaped)',
      field.invalid(p, { b: 1, a: '<x>&' }, 'bad'),
      { type: 'FieldValueInvalid', field: p, message: 'Invalid value: {"a":"\\u003cx\\u003e\\u0026","b":1}: bad' },
    ],
    [
      'invalid struct (field order kept)',
      field.invalid(p, goStruct({ name: 'n', apiVersion: 'v1' }), 'bad'),
      { type: 'FieldValueInvalid', field: p, message: 'Invalid value: {"name":"n","apiVersion":"v1"}: bad' },
    ],
    ['invalid quoted', field.invalid(p, 'a"b\\\n\t', 'bad'), { type: 'FieldValueInvalid', field: p, message: 'Invalid value: "a\\"b\\\\\\n\\t": bad' }],
    ['invalid empty detail', field.invalid(p, 'x', ''), { type: 'FieldValueInvalid', field: p, message: 'Invalid value: "x"' }],
    [
      'not supported',
      field.notSupported(p, 'x', ['Always', 'Never']),
      { type: 'FieldValueNotSupported', field: p, message: 'Unsupported value: "x": supported values: "Always", "Never"' },
    ],
    ['not supported, no list', field.notSupported(p, 'x', []), { type: 'FieldValueNotSupported', field: p, message: 'Unsupported value: "x"' }],
    ['forbidden', field.forbidden(p, 'may not be set'), { type: 'FieldValueForbidden', field: p, message: 'Forbidden: may not be set' }],
    ['duplicate', field.duplicate(p, 'web'), { type: 'FieldValueDuplicate', field: p, message: 'Duplicate value: "web"' }],
    ['duplicate int', field.duplicate(p, 80), { type: 'FieldValueDuplicate', field: p, message: 'Duplicate value: 80' }],
    ['too long', field.tooLong(p, 'xxx', 10), { type: 'FieldValueTooLong', field: p, message: 'Too long: may not be more than 10 bytes' }],
    ['too long, 1', field.tooLong(p, 'xxx', 1), { type: 'FieldValueTooLong', field: p, message: 'Too long: may not be more than 1 byte' }],
    ['too long, unknown', field.tooLong(p, 'xxx', -1), { type: 'FieldValueTooLong', field: p, message: 'Too long: value is too long' }],
    ['too many', field.tooMany(p, 5, 3), { type: 'FieldValueTooMany', field: p, message: 'Too many: 5: must have at most 3 items' }],
    ['too many, 1', field.tooMany(p, 2, 1), { type: 'FieldValueTooMany', field: p, message: 'Too many: 2: must have at most 1 item' }],
    ['too many, count unknown', field.tooMany(p, -1, 3), { type: 'FieldValueTooMany', field: p, message: 'Too many: must have at most 3 items' }],
  ];
  it.each(cases)('%s', (_name, got, want) => {
    expect(got).toEqual(want);
  });

  it('feeds errors.invalid like kube-apiserver', () => {
    const e = errors.invalid('Pod', '', 'web', [field.required('spec.containers'), field.invalid('metadata.name', 'Web', 'bad')]);
    expect(e.status.message).toBe('Pod "web" is invalid: [spec.containers: Required value, metadata.name: Invalid value: "Web": bad]');
    expect(e.status.details?.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "Web": bad', field: 'metadata.name' },
    ]);
  });

  const values: [unknown, string][] = [
    ['s', '"s"'],
    ['', '""'],
    ['\u0001', '"\\x01"'],
    ['é', '"é"'],
    [0, '0'],
    [1e21, '1e+21'],
    [false, 'false'],
    [undefined, 'null'],
    [[], '[]'],
    [{}, '{}'],
    [{ a: undefined, b: [1, { d: 1, c: 2 }] }, '{"b":[1,{"c":2,"d":1}]}'],
  ];
  it.each(values)('formatValue(%j) → %s', (v, want) => {
    expect(formatValue(v)).toBe(want);
  });
});

type Case = [string, ObjectMeta | undefined, Parameters<typeof validateObjectMeta>[1], string[]];
const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${e.message}`);

describe('validateObjectMeta', () => {
  const ns = { namespaced: true };
  const cluster = { namespaced: false };
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1' };
  const cases: Case[] = [
    ['valid namespaced', { name: 'web', namespace: 'default' }, ns, []],
    ['valid cluster-scoped', { name: 'node-1' }, cluster, []],
    ['nothing', undefined, ns, ['metadata.name: Required value: name or generateName is required', 'metadata.namespace: Required value']],
    ['empty', {}, cluster, ['metadata.name: Required value: name or generateName is required']],
    ['namespace on a cluster-scoped type', { name: 'x', namespace: 'default' }, cluster, ['metadata.namespace: Forbidden: not allowed on this type']],
    ['invalid namespace', { name: 'x', namespace: 'Default' }, ns, [`metadata.namespace: Invalid value: "Default": ${LABEL}`]],
    ['invalid name', { name: 'Web', namespace: 'd' }, ns, [`metadata.name: Invalid value: "Web": ${SUBDOMAIN}`]],
    ['name too long', { name: 'a'.repeat(254), namespace: 'd' }, ns, [`metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`]],
    ['custom nameFn', { name: '1svc', namespace: 'd' }, { namespaced: true, nameFn: isDNS1035Label }, [`metadata.name: Invalid value: "1svc": ${DNS1035}`]],
    ['generateName with trailing dash', { generateName: 'web-', name: 'web-x7k2p', namespace: 'd' }, ns, []],
    ['generateName of one dash', { generateName: '-', name: 'abcde', namespace: 'd' }, ns, [`metadata.generateName: Invalid value: "-": ${SUBDOMAIN}`]],
    [
      'invalid generateName and generated name',
      { generateName: 'Web-', name: 'Web-x7k2p', namespace: 'd' },
      ns,
      [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN}`, `metadata.name: Invalid value: "Web-x7k2p": ${SUBDOMAIN}`],
    ],
    ['generateName only', { generateName: 'web-' }, cluster, ['metadata.name: Required value: name or generateName is required']],
    ['negative generation', { name: 'x', generation: -1 }, cluster, ['metadata.generation: Invalid value: -1: must be greater than or equal to 0']],
    [
      'invalid labels',
      { name: 'x', labels: { 'a b': 'c', ok: 'b c', fine: '' } },
      cluster,
      [`metadata.labels: Invalid value: "a b": ${NAME_PART}`, `metadata.labels: Invalid value: "b c": ${LABEL_VALUE}`],
    ],
    ['annotation keys are case-insensitive', { name: 'x', annotations: { 'Example.com/Foo': 'any value at all !' } }, cluster, []],
    ['invalid annotation key', { name: 'x', annotations: { 'a b': '' } }, cluster, [`metadata.annotations: Invalid value: "a b": ${NAME_PART}`]],
    ['annotations at the size limit', { name: 'x', annotations: { a: 'x'.repeat(262143) } }, cluster, []],
    ['annotations too large', { name: 'x', annotations: { a: 'x'.repeat(262144) } }, cluster, ['metadata.annotations: Too long: may not be more than 262144 bytes']],
    ['annotation size counts UTF-8 bytes', { name: 'x', annotations: { a: 'é'.repeat(131072) } }, cluster, ['metadata.annotations: Too long: may not be more than 262144 bytes']],
    ['standard and qualified finalizers', { name: 'x', finalizers: ['kubernetes', 'orphan', 'example.com/cleanup'] }, cluster, []],
    [
      'unqualified finalizer on a built-in type',
      { name: 'x', finalizers: ['ok/x', 'cleanup'] },
      cluster,
      ['metadata.finalizers[1]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified'],
    ],
    ['unqualified finalizer on a custom resource', { name: 'x', finalizers: ['cleanup'] }, { namespaced: false, builtinFinalizers: false }, []],
    [
      'invalid finalizer',
      { name: 'x', finalizers: ['a b'] },
      { namespaced: false, builtinFinalizers: false },
      [`metadata.finalizers: Invalid value: "a b": ${NAME_PART}`],
    ],
    [
      'orphan and foregroundDeletion',
      { name: 'x', finalizers: ['orphan', 'foregroundDeletion'] },
      cluster,
      ['metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set'],
    ],
    ['valid ownerReferences', { name: 'x', ownerReferences: [owner, { ...owner, apiVersion: 'v1', kind: 'Node' }] }, cluster, []],
    [
      'empty ownerReference',
      { name: 'x', ownerReferences: [{} as never] },
      cluster,
      [
        'metadata.ownerReferences[0].apiVersion: Required value: must not be empty',
        'metadata.ownerReferences[0].kind: Required value: must not be empty',
        'metadata.ownerReferences[0].name: Required value: must not be empty',
        'metadata.ownerReferences[0].uid: Required value: must not be empty',
      ],
    ],
    [
      'bad apiVersion',
      { name: 'x', ownerReferences: [owner, { ...owner, apiVersion: 'a/b/c' }, { ...owner, apiVersion: 'apps/' }] },
      cluster,
      [
        'metadata.ownerReferences[1].apiVersion: Invalid value: "a/b/c": must be <group>/<version> or <version>',
        'metadata.ownerReferences[2].apiVersion: Invalid value: "apps/": must be <group>/<version> or <version>',
      ],
    ],
    [
      'Event owner',
      { name: 'x', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }] },
      cluster,
      ['metadata.ownerReferences[0]: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}: /v1, Kind=Event is disallowed from being an owner'],
    ],
    [
      'two controllers',
      { name: 'x', ownerReferences: [{ ...owner, controller: true }, { ...owner, name: 'rs2', uid: 'u2', controller: true, blockOwnerDeletion: true }] },
      cluster,
      [
        'metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"u1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs2","uid":"u2","controller":true,"blockOwnerDeletion":true}]: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/rs and ReplicaSet/rs2',
      ],
    ],
  ];
  it.each(cases)('%s', (_name, meta, opts, want) => {
    expect(msgs(validateObjectMeta(meta, opts))).toEqual(want);
  });

  it('reports reasons for Status causes', () => {
    expect(validateObjectMeta({ name: 'x', namespace: 'y' }, { namespaced: false })).toEqual([
      { type: 'FieldValueForbidden', field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' },
    ]);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = {
    name: 'a',
    namespace: 'ns',
    uid: 'u1',
    resourceVersion: '5',
    generation: 2,
    creationTimestamp: '2024-01-01T00:00:00Z',
    labels: { app: 'web' },
    finalizers: ['example.com/f'],
  };
  const deleting: ObjectMeta = { ...old, deletionTimestamp: '2024-01-03T00:00:00Z', deletionGracePeriodSeconds: 30 };
  const cases: [string, ObjectMeta, ObjectMeta, string[]][] = [
    ['unchanged', { ...old }, old, []],
    ['labels and annotations may change', { ...old, labels: { app: 'api' }, annotations: { a: 'b' }, generateName: 'x-' }, old, []],
    ['name', { ...old, name: 'b' }, old, ['metadata.name: Invalid value: "b": field is immutable']],
    ['namespace', { ...old, namespace: 'other' }, old, ['metadata.namespace: Invalid value: "other": field is immutable']],
    ['uid', { ...old, uid: 'u2' }, old, ['metadata.uid: Invalid value: "u2": field is immutable']],
    [
      'creationTimestamp',
      { ...old, creationTimestamp: '2024-01-02T00:00:00Z' },
      old,
      ['metadata.creationTimestamp: Invalid value: "2024-01-02T00:00:00Z": field is immutable'],
    ],
    ['creationTimestamp removed', { ...old, creationTimestamp: undefined }, old, ['metadata.creationTimestamp: Invalid value: null: field is immutable']],
    ['resourceVersion missing', { ...old, resourceVersion: undefined }, old, ['metadata.resourceVersion: Invalid value: "": must be specified for an update']],
    ['generation decremented', { ...old, generation: 1 }, old, ['metadata.generation: Invalid value: 1: must not be decremented']],
    ['generation incremented', { ...old, generation: 3 }, old, []],
    [
      'negative generation',
      { ...old, generation: -1 },
      old,
      ['metadata.generation: Invalid value: -1: must be greater than or equal to 0', 'metadata.generation: Invalid value: -1: must not be decremented'],
    ],
    ['deletion fields kept', { ...deleting }, deleting, []],
    ['finalizers removed while deleting', { ...deleting, finalizers: [] }, deleting, []],
    [
      'finalizers added while deleting',
      { ...deleting, finalizers: ['example.com/f', 'example.com/z', 'example.com/b'] },
      deleting,
      ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b", "example.com/z"}'],
    ],
    ['finalizers added before deletion', { ...old, finalizers: ['example.com/f', 'example.com/g'] }, old, []],
    [
      'deletionTimestamp removed',
      { ...deleting, deletionTimestamp: undefined },
      deleting,
      ['metadata.deletionTimestamp: Invalid value: null: field is immutable'],
    ],
    [
      'deletionGracePeriodSeconds changed',
      { ...deleting, deletionGracePeriodSeconds: 0 },
      deleting,
      ['metadata.deletionGracePeriodSeconds: Invalid value: 0: field is immutable'],
    ],
    ['invalid labels', { ...old, labels: { app: 'a b' } }, old, [`metadata.labels: Invalid value: "a b": ${LABEL_VALUE}`]],
    [
      'unqualified finalizer',
      { ...old, finalizers: ['example.com/f', 'mine'] },
      old,
      ['metadata.finalizers[1]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified'],
    ],
    [
      'several at once',
      { ...old, name: 'b', uid: 'u9' },
      old,
      ['metadata.name: Invalid value: "b": field is immutable', 'metadata.uid: Invalid value: "u9": field is immutable'],
    ],
  ];
  it.each(cases)('%s', (_name, meta, prev, want) => {
    expect(msgs(validateObjectMetaUpdate(meta, prev))).toEqual(want);
  });

  it('can skip the built-in finalizer rule', () => {
    expect(validateObjectMetaUpdate({ ...old, finalizers: ['mine'] }, old, { builtinFinalizers: false })).toEqual([]);
  });
});

describe('validateImmutableField', () => {
  const cases: [unknown, unknown, string[]][] = [
    ['a', 'a', []],
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, []],
    [{ a: 1, x: undefined }, { a: 1 }, []],
    [[1, 2], [1, 2], []],
    ['b', 'a', ['spec.selector: Invalid value: "b": field is immutable']],
    [3, 2, ['spec.selector: Invalid value: 3: field is immutable']],
    [[2], [1], ['spec.selector: Invalid value: [2]: field is immutable']],
    [{ matchLabels: { app: 'b' } }, { matchLabels: { app: 'a' } }, ['spec.selector: Invalid value: {"matchLabels":{"app":"b"}}: field is immutable']],
    [null, { a: 1 }, ['spec.selector: Invalid value: null: field is immutable']],
    [{}, [], ['spec.selector: Invalid value: {}: field is immutable']],
  ];
  it.each(cases)('%j vs %j', (next, prev, want) => {
    expect(msgs(validateImmutableField(next, prev, 'spec.selector'))).toEqual(want);
  });
});
