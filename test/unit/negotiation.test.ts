import { describe, expect, it } from 'vitest';
import { decodeBody, negotiate } from '../../src/api/negotiation';
import { StatusError } from '../../src/api/status';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('negotiate', () => {
  it.each([
    ['application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', { table: true, yaml: false, unacceptable: false }],
    ['application/json', { table: false, yaml: false, unacceptable: false }],
    ['', { table: false, yaml: false, unacceptable: false }],
    ['*/*', { table: false, yaml: false, unacceptable: false }],
    ['application/yaml', { table: false, yaml: true, unacceptable: false }],
    ['application/vnd.kubernetes.protobuf,application/json', { table: false, yaml: false, unacceptable: false }],
    ['application/vnd.kubernetes.protobuf', { table: false, yaml: false, unacceptable: true }],
    ['application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json', { table: false, yaml: false, unacceptable: false }],
  ])('%s', (accept, want) => {
    expect(negotiate(accept)).toEqual(want);
  });
});

describe('decodeBody', () => {
  it('parses JSON and YAML', () => {
    expect(decodeBody(bytes('{"a":1}'), 'application/json', false)).toEqual({ a: 1 });
    expect(decodeBody(bytes('a: 1\nb: [x]\n'), 'application/yaml', false)).toEqual({ a: 1, b: ['x'] });
  });
  it.each([
    ['{"a":', 'application/json', 400],
    ['a: [1', 'application/yaml', 400],
    ['a: 1\n---\nb: 2\n', 'application/yaml', 400],
    ['x', 'text/plain', 415],
  ])('%j as %s is a %i Status', (text, ct, code) => {
    try {
      decodeBody(bytes(text), ct, false);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StatusError);
      expect((e as StatusError).code).toBe(code);
    }
  });
});
