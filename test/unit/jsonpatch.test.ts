import { describe, expect, it } from 'vitest';
import { StatusError } from '../../src/api/status';
import { applyJsonPatch, JsonPatchError, MAX_JSON_PATCH_OPERATIONS } from '../../src/machinery/jsonpatch';

function thrown(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('applyJsonPatch: operations that apply', () => {
  const cases: [string, unknown, unknown, unknown][] = [
    // RFC 6902 appendix A.
    ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { foo: 'bar', baz: 'qux' }],
    ['A.2 add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['A.5 replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    [
      'A.6 move a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    ],
    ['A.7 move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], {
      foo: ['all', 'cows', 'eat', 'grass'],
    }],
    [
      'A.8 test a value',
      { baz: 'qux', foo: ['a', 2, 'c'] },
      [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
      ],
      { baz: 'qux', foo: ['a', 2, 'c'] },
    ],
    ['A.10 add a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], {
      foo: 'bar',
      child: { grandchild: {} },
    }],
    ['A.11 ignore unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
    ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    ['A.16 add an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
    // Pointer escaping.
    ['~1 is a slash', { metadata: { labels: {} } }, [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' }], {
      metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
    }],
    ['~0 is a tilde', { 'a~b': 1 }, [{ op: 'replace', path: '/a~0b', value: 2 }], { 'a~b': 2 }],
    ['empty key', { '': 1 }, [{ op: 'replace', path: '/', value: 2 }], { '': 2 }],
    // Arrays.
    ['append with -', { a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }], { a: [1, 2] }],
    ['insert at the end index', { a: [1] }, [{ op: 'add', path: '/a/1', value: 2 }], { a: [1, 2] }],
    ['insert at 0', { a: [1] }, [{ op: 'add', path: '/a/0', value: 0 }], { a: [0, 1] }],
    ['negative index add (json-patch v4)', { a: [1, 2] }, [{ op: 'add', path: '/a/-1', value: 9 }], { a: [1, 2, 9] }],
    ['negative index remove', { a: [1, 2, 3] }, [{ op: 'remove', path: '/a/-1' }], { a: [1, 2] }],
    ['negative index replace', { a: [1, 2, 3] }, [{ op: 'replace', path: '/a/-3', value: 0 }], { a: [0, 2, 3] }],
    ['array at the root', [1, 2], [{ op: 'add', path: '/0', value: 0 }], [0, 1, 2]],
    ['leading zeros are an index', { a: [1, 2] }, [{ op: 'remove', path: '/a/01' }], { a: [1] }],
    // Values.
    ['add without value adds null', { a: 1 }, [{ op: 'add', path: '/b' }], { a: 1, b: null }],
    ['add replaces an existing member', { a: 1 }, [{ op: 'add', path: '/a', value: { x: 1 } }], { a: { x: 1 } }],
    ['replace the whole document', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
    ['replace a missing member adds it (json-patch v4)', { a: 1 }, [{ op: 'replace', path: '/b', value: 2 }], { a: 1, b: 2 }],
    ['copy', { a: { x: [1] } }, [{ op: 'copy', from: '/a', path: '/b' }], { a: { x: [1] }, b: { x: [1] } }],
    ['copy a missing member copies null (json-patch v4)', { a: 1 }, [{ op: 'copy', from: '/nope', path: '/b' }], { a: 1, b: null }],
    ['move to the same place', { a: 1 }, [{ op: 'move', from: '/a', path: '/a' }], { a: 1 }],
    ['test null against a missing member', { a: 1 }, [{ op: 'test', path: '/b', value: null }], { a: 1 }],
    ['test without value against a null member', { a: null }, [{ op: 'test', path: '/a' }], { a: null }],
    ['test deep equality, key order ignored', { a: { x: 1, y: [1, { z: true }] } }, [{ op: 'test', path: '/a', value: { y: [1, { z: true }], x: 1 } }], {
      a: { x: 1, y: [1, { z: true }] },
    }],
    ['test the whole document', { a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }], { a: 1 }],
    ['operations run in order', { a: [] }, [
      { op: 'add', path: '/a/-', value: 1 },
      { op: 'add', path: '/a/-', value: 2 },
      { op: 'move', from: '/a/0', path: '/a/-' },
      { op: 'test', path: '/a', value: [2, 1] },
    ], { a: [2, 1] }],
    ['null patch is a no-op', { a: 1 }, null, { a: 1 }],
    ['empty patch is a no-op', { a: 1 }, [], { a: 1 }],
    ['text before the first slash is ignored (json-patch v4)', { a: 1 }, [{ op: 'add', path: 'x/b', value: 2 }], { a: 1, b: 2 }],
  ];
  it.each(cases)('%s', (_name, doc, ops, want) => {
    const before = JSON.stringify(doc);
    const opsBefore = JSON.stringify(ops);
    expect(applyJsonPatch(doc, ops)).toEqual(want);
    expect(JSON.stringify(doc)).toBe(before);
    expect(JSON.stringify(ops)).toBe(opsBefore);
  });

  it('treats "__proto__" as an ordinary member', () => {
    const out = applyJsonPatch(JSON.parse('{"a":{}}'), JSON.parse('[{"op":"add","path":"/a/__proto__","value":{"polluted":true}}]')) as {
      a: Record<string, unknown>;
    };
    expect(Object.keys(out.a)).toEqual(['__proto__']);
    expect((out.a as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('does not alias values from the patch into the result', () => {
    const value = { deep: { x: 1 } };
    const out = applyJsonPatch({}, [{ op: 'add', path: '/v', value }]) as { v: { deep: { x: number } } };
    out.v.deep.x = 2;
    expect(value.deep.x).toBe(1);
  });
});

describe('applyJsonPatch: operations that fail → 422 Invalid', () => {
  const cases: [string, unknown, unknown, RegExp][] = [
    ['A.9 failed test', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], /test failed/],
    ['A.12 add to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], /missing path/],
    ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], /test failed/],
    ['remove a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }], /nonexistent key/],
    ['remove past the end', { a: [1] }, [{ op: 'remove', path: '/a/1' }], /invalid index/],
    ['add past the end', { a: [1] }, [{ op: 'add', path: '/a/3', value: 1 }], /invalid index/],
    ['add at a too negative index', { a: [1] }, [{ op: 'add', path: '/a/-3', value: 1 }], /invalid index/],
    ['add at a non-numeric index', { a: [1] }, [{ op: 'add', path: '/a/x', value: 1 }], /proper array index/],
    ['replace past the end', { a: [1] }, [{ op: 'replace', path: '/a/1', value: 1 }], /invalid index/],
    ['replace the root with a scalar', { a: 1 }, [{ op: 'replace', path: '', value: 1 }], /object or array/],
    ['add at the root', { a: 1 }, [{ op: 'add', path: '', value: {} }], /missing path/],
    ['remove the root', { a: 1 }, [{ op: 'remove', path: '' }], /missing path/],
    ['path without slash', { a: 1 }, [{ op: 'remove', path: 'a' }], /missing path/],
    ['through a scalar', { a: 'str' }, [{ op: 'add', path: '/a/b', value: 1 }], /missing path/],
    ['through null', { a: null }, [{ op: 'add', path: '/a/b', value: 1 }], /missing path/],
    ['move a missing member', { a: 1 }, [{ op: 'move', from: '/b', path: '/c' }], /nonexistent key/],
    ['move into its own child', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b' }], /missing destination path/],
    ['copy to a missing parent', { a: 1 }, [{ op: 'copy', from: '/a', path: '/x/y' }], /missing destination path/],
    ['test a present member against null', { a: 1 }, [{ op: 'test', path: '/a', value: null }], /test failed/],
    ['test a present member without value', { a: 1 }, [{ op: 'test', path: '/a' }], /test failed/],
    ['test an array against an object', { a: [] }, [{ op: 'test', path: '/a', value: {} }], /test failed/],
    ['test a missing index', { a: [] }, [{ op: 'test', path: '/a/0', value: 1 }], /invalid index/],
    ['unknown op', { a: 1 }, [{ op: 'merge', path: '/a', value: 1 }], /Unexpected kind: merge/],
    ['missing op', { a: 1 }, [{ path: '/a', value: 1 }], /Unexpected kind: unknown/],
    ['null operation', { a: 1 }, [null], /Unexpected kind: unknown/],
    ['missing path', { a: 1 }, [{ op: 'add', value: 1 }], /missing path field/],
    ['missing from', { a: 1 }, [{ op: 'move', path: '/b' }], /missing from field/],
    ['an earlier failure stops the patch', { a: 1 }, [
      { op: 'replace', path: '/a', value: 2 },
      { op: 'test', path: '/a', value: 1 },
    ], /test failed/],
  ];
  it.each(cases)('%s', (_name, doc, ops, detail) => {
    const before = JSON.stringify(doc);
    const e = thrown(() => applyJsonPatch(doc, ops));
    expect(e).toBeInstanceOf(JsonPatchError);
    expect(e.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    });
    expect((e as JsonPatchError).detail).toMatch(detail);
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('applyJsonPatch: malformed patch documents → 400', () => {
  const cases: [string, unknown, number, string][] = [
    ['an object', { op: 'add' }, 400, 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp'],
    ['a string', 'add', 400, 'error decoding patch: json: cannot unmarshal string into Go value of type []handlers.jsonPatchOp'],
    ['a number', 1, 400, 'error decoding patch: json: cannot unmarshal number into Go value of type []handlers.jsonPatchOp'],
    ['an element that is not an object', ['add'], 400, 'error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp'],
    ['an element that is an array', [[]], 400, 'error decoding patch: json: cannot unmarshal array into Go value of type handlers.jsonPatchOp'],
    [
      'a non-string op',
      [{ op: 1, path: '/a' }],
      400,
      'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string',
    ],
    [
      'a non-string path',
      [{ op: 'remove', path: ['a'] }],
      400,
      'error decoding patch: json: cannot unmarshal array into Go struct field jsonPatchOp.path of type string',
    ],
    [
      'too many operations',
      Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/a', value: 1 })),
      413,
      'The allowed maximum operations in a JSON patch is 10000, got 10001',
    ],
  ];
  it.each(cases)('%s', (_name, ops, code, message) => {
    const e = thrown(() => applyJsonPatch({ a: 1 }, ops));
    expect(e).not.toBeInstanceOf(JsonPatchError);
    expect(e.status.code).toBe(code);
    expect(e.status.message).toBe(message);
  });
});
