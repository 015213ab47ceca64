/// <reference types="node" />
// Bad input never yields a 500 or a hang: each answer is a Status with the right code, and nothing
// already stored changes.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, uniqueName } from './kubectl';

const ns = uniqueName('bad');
const base = `/clusters/default/api/v1/namespaces/${ns}/configmaps`;

async function snapshot() {
  const r = await api(base);
  expect(r.status).toBe(200);
  return r.json().items.map((i: any) => ({ name: i.metadata.name, rv: i.metadata.resourceVersion, data: i.data }));
}

describe('bad input', () => {
  beforeAll(async () => {
    expect((await api('/clusters/default/api/v1/namespaces', { method: 'POST', body: { metadata: { name: ns } } })).status).toBe(201);
    expect((await api(base, { method: 'POST', body: { metadata: { name: 'keep' }, data: { a: '1' } } })).status).toBe(201);
  });

  const cases: { what: string; path?: string; method: string; body?: string | Buffer; headers?: Record<string, string>; token?: string | null; code: number; reason?: string }[] = [
    { what: 'malformed JSON', method: 'POST', body: '{"metadata": {"name": "x"', code: 400, reason: 'BadRequest' },
    { what: 'malformed YAML', method: 'POST', body: 'metadata: [name: x', headers: { 'content-type': 'application/yaml' }, code: 400, reason: 'BadRequest' },
    { what: 'a JSON array body', method: 'POST', body: '[1,2]', code: 400, reason: 'BadRequest' },
    { what: 'the wrong kind', method: 'POST', body: '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}', code: 400, reason: 'BadRequest' },
    { what: 'an invalid name', method: 'POST', body: '{"metadata":{"name":"Not_Valid"}}', code: 422, reason: 'Invalid' },
    { what: 'an invalid label', method: 'POST', body: '{"metadata":{"name":"x","labels":{"a b":"c"}}}', code: 422, reason: 'Invalid' },
    { what: 'a body over the limit', method: 'POST', body: Buffer.alloc(4 * 1024 * 1024, 'a'), code: 413, reason: 'RequestEntityTooLarge' },
    { what: 'an unsupported content type', method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' }, code: 415, reason: 'UnsupportedMediaType' },
    { what: 'a PUT with a mismatched name', path: `${base}/keep`, method: 'PUT', body: '{"metadata":{"name":"other"},"data":{"a":"2"}}', code: 400, reason: 'BadRequest' },
    { what: 'a PUT with a stale resourceVersion', path: `${base}/keep`, method: 'PUT', body: '{"metadata":{"name":"keep","resourceVersion":"1"},"data":{"a":"2"}}', code: 409, reason: 'Conflict' },
    { what: 'a malformed JSON patch', path: `${base}/keep`, method: 'PATCH', body: '{"op":"add"}', headers: { 'content-type': 'application/json-patch+json' }, code: 400 },
    { what: 'a failing JSON patch test', path: `${base}/keep`, method: 'PATCH', body: '[{"op":"test","path":"/data/a","value":"9"}]', headers: { 'content-type': 'application/json-patch+json' }, code: 422 },
    { what: 'an unknown resource', path: '/clusters/default/api/v1/namespaces/x/widgets', method: 'GET', code: 404, reason: 'NotFound' },
    { what: 'an unknown group', path: '/clusters/default/apis/nope.example.com/v1/things', method: 'GET', code: 404, reason: 'NotFound' },
    { what: 'a wrong verb', path: `${base}`, method: 'PUT', body: '{}', code: 405, reason: 'MethodNotAllowed' },
    { what: 'a missing token', method: 'GET', token: null, code: 401, reason: 'Unauthorized' },
    { what: 'a wrong token', method: 'GET', token: 'not-the-token', code: 401, reason: 'Unauthorized' },
    { what: 'a bad label selector', path: `${base}?labelSelector=a%20in%20(`, method: 'GET', code: 400, reason: 'BadRequest' },
    { what: 'a bad continue token', path: `${base}?limit=1&continue=garbage`, method: 'GET', code: 400, reason: 'BadRequest' },
  ];

  it('answers each malformed request with a Status of the right code, and stores nothing', async () => {
    const before = await snapshot();
    for (const c of cases) {
      const r = await api(c.path ?? base, {
        method: c.method,
        body: c.body,
        token: c.token,
        headers: { 'content-type': 'application/json', ...c.headers },
        timeoutMs: 10_000,
      });
      const body = r.json();
      expect({ what: c.what, code: r.status, kind: body.kind }).toEqual({ what: c.what, code: c.code, kind: 'Status' });
      expect(body.code).toBe(c.code);
      if (c.reason) expect({ what: c.what, reason: body.reason }).toEqual({ what: c.what, reason: c.reason });
    }
    expect(await snapshot()).toEqual(before);
  });
});
