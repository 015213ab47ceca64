import { describe, expect, it } from 'vitest';
import { StatusError } from '../../src/api/status';
import { applyMergePatch, createMergePatch } from '../../src/machinery/mergepatch';

function thrown(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('applyMergePatch', () => {
  const cases: [string, unknown, unknown, unknown][] = [
    // RFC 7386 appendix A (object patches).
    ['replace a member', { a: 'b' }, { a: 'c' }, { a: 'c' }],
    ['add a member', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    ['null deletes', { a: 'b' }, { a: null }, {}],
    ['null deletes one of two', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    ['array replaces scalar', { a: ['b'] }, { a: 'c' }, { a: 'c' }],
    ['scalar replaces array', { a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    ['nested merge with delete', { a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    ['arrays replace, not merge', { a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    ['object replaces scalar, nulls pruned', { e: null }, { a: 1, e: null }, { a: 1 }],
    ['object into a missing member, nulls pruned', {}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ['object into a scalar member, nulls pruned', { a: 'x' }, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
    ['null member replaced by object', { a: null }, { a: { b: 1 } }, { a: { b: 1 } }],
    ['delete a missing member', { a: 1 }, { b: null }, { a: 1 }],
    ['empty patch', { a: 1 }, {}, { a: 1 }],
    // Kubernetes-shaped.
    [
      'labels: add, change, remove',
      { metadata: { name: 'x', labels: { app: 'web', tier: 'fe', old: '1' } }, spec: { replicas: 1 } },
      { metadata: { labels: { tier: 'be', old: null, new: 'y' } }, spec: { replicas: 3 } },
      { metadata: { name: 'x', labels: { app: 'web', tier: 'be', new: 'y' } }, spec: { replicas: 3 } },
    ],
    [
      'containers list replaced whole',
      { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } },
      { spec: { containers: [{ name: 'a', image: 'z' }] } },
      { spec: { containers: [{ name: 'a', image: 'z' }] } },
    ],
    // json-patch v4: an array value is pruned of nulls inside its objects only when it lands on a non-object.
    ['array into missing member: object members pruned, null elements kept', {}, { a: [{ x: null, y: 1 }, null] }, { a: [{ y: 1 }, null] }],
    ['array over an object member is kept as is', { a: {} }, { a: [{ x: null }] }, { a: [{ x: null }] }],
    // Non-object targets and patches.
    ['object patch on a non-object target', [1, 2], { a: 1, b: null }, { a: 1 }],
    ['object patch on null', null, { a: { b: null } }, { a: {} }],
    ['array patch replaces', { a: 1 }, [1, { b: null }, null], [1, {}, null]],
  ];
  it.each(cases)('%s', (_name, target, patch, want) => {
    const tb = JSON.stringify(target);
    const pb = JSON.stringify(patch);
    expect(applyMergePatch(target, patch)).toEqual(want);
    expect(JSON.stringify(target)).toBe(tb);
    expect(JSON.stringify(patch)).toBe(pb);
  });

  it('treats "__proto__" as an ordinary member', () => {
    const out = applyMergePatch({ a: 1 }, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['a', '__proto__']);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('does not alias patch values into the result', () => {
    const patch = { a: { deep: [1] }, b: [{ x: 1 }] };
    const out = applyMergePatch({ a: 'x' }, patch) as { a: { deep: number[] }; b: { x: number }[] };
    out.a.deep.push(2);
    out.b[0].x = 2;
    expect(patch).toEqual({ a: { deep: [1] }, b: [{ x: 1 }] });
  });

  it('does not alias target values into the result', () => {
    const target = { keep: { deep: [1] }, change: { x: 1 } };
    const out = applyMergePatch(target, { change: { y: 2 } }) as { keep: { deep: number[] } };
    out.keep.deep.push(2);
    expect(target).toEqual({ keep: { deep: [1] }, change: { x: 1 } });
  });

  const bad: [string, unknown][] = [
    ['null', null],
    ['a string', 'x'],
    ['a number', 1],
    ['a boolean', true],
  ];
  it.each(bad)('a %s patch is a 400 Invalid JSON Patch', (_name, patch) => {
    const e = thrown(() => applyMergePatch({ a: 1 }, patch));
    expect(e.status.code).toBe(400);
    expect(e.status.reason).toBe('BadRequest');
    expect(e.status.message).toBe('Invalid JSON Patch');
  });
});

describe('createMergePatch', () => {
  const cases: [string, unknown, unknown, unknown][] = [
    ['identical', { a: 1, b: { c: [1] } }, { a: 1, b: { c: [1] } }, {}],
    ['changed scalar', { a: 1 }, { a: 2 }, { a: 2 }],
    ['added member', { a: 1 }, { a: 1, b: 2 }, { b: 2 }],
    ['removed member', { a: 1, b: 2 }, { a: 1 }, { b: null }],
    ['nested change', { a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } }, { a: { c: 3 } }],
    ['nested removal', { a: { b: 1, c: 2 } }, { a: { b: 1 } }, { a: { c: null } }],
    ['changed array sent whole', { a: [1, 2] }, { a: [1, 3] }, { a: [1, 3] }],
    ['same array omitted', { a: [{ x: 1 }] }, { a: [{ x: 1 }] }, {}],
    ['type change', { a: { b: 1 } }, { a: 'x' }, { a: 'x' }],
    ['object to array', { a: { b: 1 } }, { a: [] }, { a: [] }],
    ['null to value', { a: null }, { a: 1 }, { a: 1 }],
    ['value to null', { a: 1 }, { a: null }, { a: null }],
    ['both null', { a: null }, { a: null }, {}],
    ['non-object modified', { a: 1 }, [1], [1]],
  ];
  it.each(cases)('%s', (_name, original, modified, want) => {
    expect(createMergePatch(original, modified)).toEqual(want);
  });

  const roundTrips: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['labels', { metadata: { labels: { a: '1', b: '2' } } }, { metadata: { labels: { a: '1', c: '3' } } }],
    ['spec', { spec: { replicas: 1, template: { x: [1] } }, status: {} }, { spec: { replicas: 5, template: { x: [2] } } }],
    ['deep', { a: { b: { c: { d: 1 } } } }, { a: { b: { c: { e: 2 } } } }],
  ];
  it.each(roundTrips)('apply(original, create(original, modified)) = modified: %s', (_name, original, modified) => {
    expect(applyMergePatch(original, createMergePatch(original, modified))).toEqual(modified);
  });
});
