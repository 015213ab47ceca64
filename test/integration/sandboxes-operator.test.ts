// An operator-mode deployment (vitest.config.ts project `integration-operator`: KUBEDO_SANDBOX_CREATION
// = operator, KUBEDO_OPERATOR_TOKEN set, small object and byte limits) through the Worker itself:
// only the operator creates; a sandbox at its object or byte limit refuses growth with the documented
// 403, keeps nothing half-written, and can always be cleaned up.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const ORIGIN = 'https://kubedo.test';
const OPERATOR = 'op-secret';

async function req(method: string, path: string, token: string | null, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = contentType;
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

async function create(name: string): Promise<{ id: string; token: string }> {
  const r = await req('POST', '/v1/sandboxes', OPERATOR, { name, workerNodes: 1 });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  // kube-system's start-up a hundred times faster, so that the sandbox is quiet while we count.
  const cm = { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } };
  expect((await req('POST', `/clusters/${r.body.id}/api/v1/namespaces/kube-system/configmaps`, r.body.token, cm)).status).toBe(201);
  const stub = env.CLUSTER.get(env.CLUSTER.idFromName(r.body.id));
  for (let i = 0; i < 40; i++) {
    await runDurableObjectAlarm(stub);
    await new Promise((res) => setTimeout(res, 25));
  }
  return r.body;
}

const cm = (name: string, data: Record<string, string> = {}) => ({ metadata: { name, labels: { fill: 'yes' } }, data });

describe('operator mode through the Worker', () => {
  it('only the operator (or the bootstrap token) creates; its kubeconfig works; owners see theirs', async () => {
    expect((await req('POST', '/v1/sandboxes', null, {})).status).toBe(401);
    expect((await req('POST', '/v1/sandboxes', 'not-a-token', {})).status).toBe(401);
    const made = await req('POST', '/v1/sandboxes', OPERATOR, { name: 'op-one', workerNodes: 1 });
    expect(made.status).toBe(201);
    const denied = await req('POST', '/v1/sandboxes', made.body.token, {});
    expect([denied.status, denied.body.reason, denied.body.message]).toEqual([403, 'Forbidden', 'sandboxes is forbidden: only the operator may create sandboxes']);
    const nodes = await req('GET', `/clusters/${made.body.id}/api/v1/nodes`, made.body.token);
    expect(nodes.body.items.map((n: any) => n.metadata.name)).toEqual(['op-one-control-plane', 'op-one-worker']);
    const viaBootstrap = await req('POST', '/v1/sandboxes', 'test-token', { name: 'op-two', workerNodes: 1 });
    expect(viaBootstrap.status).toBe(201);
    // The operator is not capped or rate-limited and sees all of its sandboxes; the sandbox token sees its owner's.
    expect((await req('GET', '/v1/sandboxes', OPERATOR)).body.items.map((s: any) => s.name)).toEqual(expect.arrayContaining(['op-one', 'op-two']));
    expect((await req('GET', `/v1/sandboxes/${made.body.id}`, made.body.token)).status).toBe(200);
    for (const sb of [made.body, viaBootstrap.body]) expect((await req('DELETE', `/v1/sandboxes/${sb.id}`, OPERATOR)).status).toBe(200);
    expect((await req('GET', `/clusters/${made.body.id}/api/v1/nodes`, made.body.token)).status).toBe(401);
  });
});

describe('object and byte limits', () => {
  it('at KUBEDO_SANDBOX_MAX_OBJECTS a create is refused with 403, nothing is half-written, updates and deletes pass', async () => {
    const sb = await create('full');
    const ns = `/clusters/${sb.id}/api/v1/namespaces/default/configmaps`;
    let refused: { status: number; body: any } | undefined;
    let made = 0;
    for (let i = 0; i < 1000 && !refused; i++) {
      const r = await req('POST', ns, sb.token, cm(`cm-${i}`));
      if (r.status === 201) made++;
      else refused = r;
    }
    expect(made).toBeGreaterThan(100);
    expect(refused!.status).toBe(403);
    expect(refused!.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, details: { name: `cm-${made}`, kind: 'configmaps' } });
    expect(refused!.body.message).toBe(`configmaps "cm-${made}" is forbidden: exceeded sandbox quota: requested: objects=1, used: objects=1000, limited: objects=1000`);
    // Nothing of the refused create was stored; every accepted one was.
    expect((await req('GET', `${ns}/cm-${made}`, sb.token)).status).toBe(404);
    expect((await req('GET', `${ns}?labelSelector=fill%3Dyes`, sb.token)).body.items).toHaveLength(made);
    // Still full: other kinds are refused too.
    const secret = await req('POST', `/clusters/${sb.id}/api/v1/namespaces/default/secrets`, sb.token, { metadata: { name: 's' } });
    expect([secret.status, secret.body.reason]).toEqual([403, 'Forbidden']);
    // Updates do not add objects; deletes free room.
    expect((await req('PATCH', `${ns}/cm-1`, sb.token, { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json')).status).toBe(200);
    expect((await req('DELETE', `${ns}/cm-0`, sb.token)).status).toBe(200);
    expect((await req('POST', ns, sb.token, cm('again'))).status).toBe(201);
    expect((await req('POST', ns, sb.token, cm('one-too-many'))).status).toBe(403);
    // Deleting the whole sandbox is always possible.
    expect((await req('DELETE', `/v1/sandboxes/${sb.id}`, OPERATOR)).status).toBe(200);
  });

  it('at KUBEDO_SANDBOX_MAX_BYTES growing writes are refused with 403, shrinking ones and deletes pass', async () => {
    const sb = await create('heavy');
    const ns = `/clusters/${sb.id}/api/v1/namespaces/default/configmaps`;
    const big = 'x'.repeat(256 * 1024);
    let refused: { status: number; body: any } | undefined;
    let made = 0;
    for (let i = 0; i < 40 && !refused; i++) {
      const r = await req('POST', ns, sb.token, cm(`big-${i}`, { blob: big }));
      if (r.status === 201) made++;
      else refused = r;
    }
    expect(made).toBeGreaterThan(5);
    expect(refused!.status).toBe(403);
    expect(refused!.body.reason).toBe('Forbidden');
    const m = /^configmaps "big-(\d+)" is forbidden: exceeded sandbox quota: requested: bytes=(\d+), used: bytes=(\d+), limited: bytes=4194304$/.exec(refused!.body.message);
    expect(m, refused!.body.message).not.toBeNull();
    expect(Number(m![1])).toBe(made);
    expect(Number(m![2])).toBeGreaterThan(256 * 1024);
    expect(Number(m![2]) + Number(m![3])).toBeGreaterThan(4194304);
    expect(Number(m![3])).toBeLessThanOrEqual(4194304);
    expect((await req('GET', `${ns}/big-${made}`, sb.token)).status).toBe(404);
    // A growing update is refused and leaves the object as it was.
    const before = (await req('GET', `${ns}/big-0`, sb.token)).body;
    const grow = await req('PATCH', `${ns}/big-0`, sb.token, { data: { more: big } }, 'application/merge-patch+json');
    expect([grow.status, grow.body.reason]).toEqual([403, 'Forbidden']);
    const after = (await req('GET', `${ns}/big-0`, sb.token)).body;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(Object.keys(after.data)).toEqual(['blob']);
    // Shrinking is allowed at the limit, and so are deletes; then there is room again.
    expect((await req('PATCH', `${ns}/big-1`, sb.token, { data: { blob: 'small' } }, 'application/merge-patch+json')).status).toBe(200);
    expect((await req('DELETE', `${ns}/big-2`, sb.token)).status).toBe(200);
    expect((await req('POST', ns, sb.token, cm('fits', { blob: big }))).status).toBe(201);
    expect((await req('DELETE', `/v1/sandboxes/${sb.id}`, OPERATOR)).status).toBe(200);
  });
});
