// The API server against its Durable Object store, inside workerd: CRUD, concurrency, finalizers,
// pagination over snapshots, and watches.
import { describe, expect, it } from 'vitest';
import { compactAll, configMap, k, openWatch } from './helpers';

const cms = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

async function namespace(name: string) {
  const r = await k('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  expect(r.status).toBe(201);
}

describe('sandbox bootstrap', () => {
  it('has the system namespaces and nodes', async () => {
    const ns = await k('GET', '/api/v1/namespaces');
    expect(ns.body.items.map((n: any) => n.metadata.name).sort()).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const nodes = await k('GET', '/api/v1/nodes');
    expect(nodes.body.items).toHaveLength(4);
    expect(nodes.body.items.filter((n: any) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels)).toHaveLength(1);
  });

  it('rejects a missing or wrong token with a 401 Status', async () => {
    const { exports } = await import('cloudflare:workers');
    const res = await exports.default.fetch(new Request('https://kubedo.test/clusters/default/api/v1/pods'));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const wrong = await exports.default.fetch(new Request('https://kubedo.test/clusters/default/api/v1/pods', { headers: { Authorization: 'Bearer nope' } }));
    expect(wrong.status).toBe(401);
  });
});

describe('create, get, update, delete', () => {
  it('assigns uid, creationTimestamp and an increasing resourceVersion', async () => {
    await namespace('crud');
    const a = await k('POST', cms('crud'), configMap('a', { x: '1' }));
    expect(a.status).toBe(201);
    expect(a.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const b = await k('POST', cms('crud'), configMap('b'));
    expect(Number(b.body.metadata.resourceVersion)).toBeGreaterThan(Number(a.body.metadata.resourceVersion));
    const dup = await k('POST', cms('crud'), configMap('a'));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "a" already exists' });
    const got = await k('GET', `${cms('crud')}/a`);
    expect(got.body.data).toEqual({ x: '1' });
  });

  it('rejects a stale resourceVersion with 409 Conflict and keeps the object', async () => {
    await namespace('occ');
    const a = await k('POST', cms('occ'), configMap('a', { v: '1' }));
    const upd = await k('PUT', `${cms('occ')}/a`, { ...a.body, data: { v: '2' } });
    expect(upd.status).toBe(200);
    const stale = await k('PUT', `${cms('occ')}/a`, { ...a.body, data: { v: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect((await k('GET', `${cms('occ')}/a`)).body.data).toEqual({ v: '2' });
  });

  it('generateName makes a unique name', async () => {
    await namespace('gen');
    const r = await k('POST', cms('gen'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'web-' } });
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
  });

  it('bumps generation only on spec changes', async () => {
    await namespace('gen2');
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    };
    const c = await k('POST', '/apis/apps/v1/namespaces/gen2/deployments', dep);
    expect(c.status).toBe(201);
    expect(c.body.metadata.generation).toBe(1);
    const label = await k('PATCH', '/apis/apps/v1/namespaces/gen2/deployments/web', { metadata: { labels: { a: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(label.body.metadata.generation).toBe(1);
    const scale = await k('PATCH', '/apis/apps/v1/namespaces/gen2/deployments/web', { spec: { replicas: 3 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(scale.body.metadata.generation).toBe(2);
    const st = await k('GET', '/apis/apps/v1/namespaces/gen2/deployments/web/scale');
    expect(st.body).toMatchObject({ kind: 'Scale', spec: { replicas: 3 } });
  });

  it('keeps an object with finalizers until they are removed', async () => {
    await namespace('fin');
    await k('POST', cms('fin'), { ...configMap('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const del = await k('DELETE', `${cms('fin')}/held`);
    expect(del.status).toBe(200);
    const held = await k('GET', `${cms('fin')}/held`);
    expect(held.body.metadata.deletionTimestamp).toBeTruthy();
    const rel = await k('PATCH', `${cms('fin')}/held`, [{ op: 'remove', path: '/metadata/finalizers' }], { 'Content-Type': 'application/json-patch+json' });
    expect(rel.status).toBe(200);
    expect((await k('GET', `${cms('fin')}/held`)).status).toBe(404);
  });

  it('dryRun=All persists nothing', async () => {
    await namespace('dry');
    const r = await k('POST', `${cms('dry')}?dryRun=All`, configMap('ghost'));
    expect(r.status).toBe(201);
    expect((await k('GET', `${cms('dry')}/ghost`)).status).toBe(404);
  });

  it('creating in a missing namespace is 404, in a terminating one 403', async () => {
    const missing = await k('POST', cms('nope'), configMap('a'));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('namespaces "nope" not found');
    await namespace('term');
    await k('POST', cms('term'), { ...configMap('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await k('DELETE', '/api/v1/namespaces/term');
    const forbidden = await k('POST', cms('term'), configMap('b'));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.reason).toBe('Forbidden');
    // Once the held object is released the namespace finishes terminating.
    await k('PATCH', `${cms('term')}/held`, { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
    await new Promise((r) => setTimeout(r, 50));
    expect((await k('GET', '/api/v1/namespaces/term')).status).toBe(404);
  });
});

describe('list', () => {
  it('filters by label and field selectors', async () => {
    await namespace('sel');
    await k('POST', cms('sel'), configMap('a', {}, { tier: 'web', env: 'prod' }));
    await k('POST', cms('sel'), configMap('b', {}, { tier: 'db', env: 'prod' }));
    await k('POST', cms('sel'), configMap('c', {}, { tier: 'web' }));
    const names = async (q: string) => (await k('GET', `${cms('sel')}?${q}`)).body.items.map((i: any) => i.metadata.name);
    expect(await names('labelSelector=tier%3Dweb')).toEqual(['a', 'c']);
    expect(await names('labelSelector=env%2Ctier!%3Ddb')).toEqual(['a']);
    expect(await names('labelSelector=tier%20in%20(db)')).toEqual(['b']);
    // Every namespace holds the kube-root-ca.crt ConfigMap (no labels), as on a real cluster.
    expect(await names('labelSelector=!env')).toEqual(['c', 'kube-root-ca.crt']);
    expect(await names('fieldSelector=metadata.name%3Db')).toEqual(['b']);
    const bad = await k('GET', `${cms('sel')}?fieldSelector=spec.nope%3Dx`);
    expect(bad.status).toBe(400);
  });

  it('paginates over a consistent snapshot and 410s an expired continue token', async () => {
    await namespace('page');
    for (const n of ['a', 'b', 'c', 'd', 'e']) await k('POST', cms('page'), configMap(n));
    const p1 = await k('GET', `${cms('page')}?limit=2`);
    expect(p1.body.items.map((i: any) => i.metadata.name)).toEqual(['a', 'b']);
    expect(p1.body.metadata.remainingItemCount).toBe(4); // c, d, e and kube-root-ca.crt
    // Changes after the first page must not show in later pages.
    await k('DELETE', `${cms('page')}/c`);
    await k('POST', cms('page'), configMap('cc'));
    await k('PUT', `${cms('page')}/d`, { ...configMap('d', { changed: 'yes' }) });
    const p2 = await k('GET', `${cms('page')}?limit=2&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    expect(p2.body.items.map((i: any) => i.metadata.name)).toEqual(['c', 'd']);
    expect(p2.body.items[1].data).toEqual({});
    const p3 = await k('GET', `${cms('page')}?limit=2&continue=${encodeURIComponent(p2.body.metadata.continue)}`);
    expect(p3.body.items.map((i: any) => i.metadata.name)).toEqual(['e', 'kube-root-ca.crt']);
    expect(p3.body.metadata.continue).toBeUndefined();
    // Compact everything: the old token can no longer be served.
    await compactAll();
    const gone = await k('GET', `${cms('page')}?limit=2&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    expect(gone.status).toBe(410);
    expect(gone.body.reason).toBe('Expired');
  });
});

describe('watch', () => {
  it('from RV=0 sends synthetic ADDED, then live changes', async () => {
    await namespace('w0');
    await k('POST', cms('w0'), configMap('pre'));
    const w = await openWatch(`${cms('w0')}?watch=true&resourceVersion=0`);
    await w.waitFor(2);
    await k('POST', cms('w0'), configMap('live'));
    const evs = await w.waitFor(3);
    await w.close();
    expect(evs.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'kube-root-ca.crt'],
      ['ADDED', 'pre'],
      ['ADDED', 'live'],
    ]);
  });

  it('from a list RV replays nothing and delivers later changes', async () => {
    await namespace('w1');
    await k('POST', cms('w1'), configMap('pre'));
    const list = await k('GET', cms('w1'));
    const w = await openWatch(`${cms('w1')}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
    await k('PUT', `${cms('w1')}/pre`, configMap('pre', { a: 'b' }));
    await k('DELETE', `${cms('w1')}/pre`);
    const evs = await w.waitFor(2);
    await w.close();
    expect(evs.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
  });

  it('an object leaving the label selection is DELETED', async () => {
    await namespace('w2');
    await k('POST', cms('w2'), configMap('x', {}, { app: 'a' }));
    const list = await k('GET', cms('w2'));
    const w = await openWatch(`${cms('w2')}?watch=true&labelSelector=app%3Da&resourceVersion=${list.body.metadata.resourceVersion}`);
    await k('PATCH', `${cms('w2')}/x`, { metadata: { labels: { app: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' });
    await k('PATCH', `${cms('w2')}/x`, { metadata: { labels: { app: 'a' } } }, { 'Content-Type': 'application/merge-patch+json' });
    const evs = await w.waitFor(2);
    await w.close();
    expect(evs.map((e) => [e.type, e.object.metadata.labels.app])).toEqual([
      ['DELETED', 'a'],
      ['ADDED', 'a'],
    ]);
  });

  it('sendInitialEvents ends the replay with the initial-events-end bookmark', async () => {
    await namespace('w3');
    await k('POST', cms('w3'), configMap('one'));
    const w = await openWatch(`${cms('w3')}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    const evs = await w.waitFor(3);
    await w.close();
    expect(evs[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'kube-root-ca.crt' } } });
    expect(evs[1]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'one' } } });
    expect(evs[2]).toMatchObject({ type: 'BOOKMARK', object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
  });

  it('a compacted resourceVersion gets an ERROR event with 410 Expired', async () => {
    await namespace('w4');
    await k('POST', cms('w4'), configMap('a'));
    await k('POST', cms('w4'), configMap('b'));
    await compactAll();
    const w = await openWatch(`${cms('w4')}?watch=true&resourceVersion=1`);
    const evs = await w.waitFor(1);
    await w.close();
    expect(evs[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('shows events as Table rows when kubectl asks for tables', async () => {
    await namespace('w5');
    const list = await k('GET', cms('w5'));
    const w = await openWatch(`${cms('w5')}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    await k('POST', cms('w5'), configMap('t', { a: '1', b: '2' }));
    const evs = await w.waitFor(1);
    await w.close();
    expect(evs[0].type).toBe('ADDED');
    expect(evs[0].object.kind).toBe('Table');
    expect(evs[0].object.rows[0].cells[0]).toBe('t');
  });

  it('sends bookmarks when allowed and ends at timeoutSeconds', async () => {
    await namespace('w6');
    const list = await k('GET', cms('w6'));
    const rv = list.body.metadata.resourceVersion;
    const w = await openWatch(`${cms('w6')}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${rv}`);
    const start = Date.now();
    while (!w.done && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(w.done).toBe(true);
    await w.close();
    expect(w.events.length).toBeGreaterThan(0);
    for (const e of w.events) {
      expect(e).toMatchObject({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1' } });
      expect(Number(e.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));
    }
  });

  it('sends no bookmarks unless asked', async () => {
    await namespace('w7');
    const w = await openWatch(`${cms('w7')}?watch=true&timeoutSeconds=1&resourceVersion=${(await k('GET', cms('w7'))).body.metadata.resourceVersion}`);
    const start = Date.now();
    while (!w.done && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    await w.close();
    expect(w.events).toEqual([]);
  });
});
