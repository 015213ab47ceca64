// The sandbox API with the registry in D1 and one Cluster DO per sandbox: create, list, get,
// kubeconfig, delete; tokens per sandbox; deletion and TTL expiry leave no storage behind; limits.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { sandboxApi } from '../../src/api/sandboxes';
import { BACKSTOP_MS, countSandboxes, sweepSandboxes } from '../../src/tenancy/sandboxes';
import { TOKEN } from './helpers';

const ORIGIN = 'https://kubedo.test';

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

async function req(method: string, path: string, token: string | null = TOKEN, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const h: Record<string, string> = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers: h };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    h['Content-Type'] ??= 'application/json';
  }
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, init));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // YAML or text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

async function create(body: object = {}, token: string | null = TOKEN) {
  const r = await req('POST', '/v1/sandboxes', token, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; name: string; server: string; token: string; kubeconfig: string; expiresAt: string | null };
}

function stubOf(id: string): DurableObjectStub {
  return env.CLUSTER.get(env.CLUSTER.idFromName(id)) as unknown as DurableObjectStub;
}

/** What is left in a sandbox DO's storage: its tables (besides SQLite's/workerd's own), KV keys and alarm. */
async function leftovers(id: string) {
  return runInDurableObject(stubOf(id), async (_instance: unknown, state: DurableObjectState) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
      .toArray()
      .map((r) => r.name),
    kv: [...state.storage.kv.list()].length,
    alarm: await state.storage.getAlarm(),
  }));
}

const EMPTY = { tables: [], kv: 0, alarm: null };

/** leftovers() once an alarm is armed: while kube-system's add-ons start, an alarm may be running (it re-arms when done). */
async function armedLeftovers(id: string) {
  let l = await leftovers(id);
  for (let i = 0; i < 100 && l.alarm === null; i++) {
    await new Promise((r) => setTimeout(r, 20));
    l = await leftovers(id);
  }
  return l;
}

describe('sandbox API', () => {
  it('creates, lists, gets, renders the kubeconfig of and deletes a sandbox', async () => {
    const sb = await create({ name: 'dev', workerNodes: 2, nodeCapacity: { cpu: '4', memory: '8Gi', pods: '50' }, proxyMode: 'ipvs' });
    expect(sb.id).toMatch(/^[a-z][a-z2-7]{25}$/);
    expect(sb).toMatchObject({ name: 'dev', server: `${ORIGIN}/clusters/${sb.id}`, expiresAt: null });
    expect(sb.token).toMatch(/^kdo_/);
    const kc = YAML.parse(sb.kubeconfig);
    expect(kc.clusters[0].cluster.server).toBe(sb.server);
    expect(kc.users[0].user.token).toBe(sb.token);
    expect(kc['current-context']).toBe('kubedo-dev');

    // The token is stored only as its hash.
    const row = await env.REGISTRY.prepare('SELECT * FROM sandboxes WHERE id = ?').bind(sb.id).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(sb.token);
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);

    const nodes = await req('GET', `/clusters/${sb.id}/api/v1/nodes`, sb.token);
    expect(nodes.status).toBe(200);
    expect(nodes.body.items.map((n: any) => n.metadata.name)).toEqual(['dev-control-plane', 'dev-worker', 'dev-worker2']);
    expect(nodes.body.items[1].status.capacity).toMatchObject({ cpu: '4', memory: '8Gi', pods: '50' });

    const list = await req('GET', '/v1/sandboxes');
    expect(list.body.items.map((s: any) => s.id)).toContain(sb.id);
    const one = await req('GET', `/v1/sandboxes/${sb.id}`);
    expect(one.body).toMatchObject({ id: sb.id, name: 'dev', controlPlaneNodes: 1, workerNodes: 2, proxyMode: 'ipvs', nodeCapacity: { cpu: '4', memory: '8Gi', pods: '50' } });
    expect(one.body.token).toBeUndefined();

    // Shown once: the kubeconfig carries the token only for a caller who presents it.
    const mine = await req('GET', `/v1/sandboxes/${sb.id}/kubeconfig`, sb.token);
    expect(mine.headers.get('Content-Type')).toBe('application/yaml');
    expect(YAML.parse(mine.body).users[0].user.token).toBe(sb.token);
    expect(YAML.parse((await req('GET', `/v1/sandboxes/${sb.id}/kubeconfig`)).body).users[0].user).toEqual({});

    expect((await req('POST', '/v1/sandboxes', TOKEN, { name: 'dev' })).status).toBe(409);

    const del = await req('DELETE', `/v1/sandboxes/${sb.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await req('GET', `/clusters/${sb.id}/api/v1/nodes`, sb.token)).status).toBe(401);
    expect((await req('GET', `/v1/sandboxes/${sb.id}`)).status).toBe(404);
    expect((await req('DELETE', `/v1/sandboxes/${sb.id}`)).status).toBe(404);
    expect(await env.REGISTRY.prepare('SELECT count(*) AS n FROM sandboxes WHERE id = ?').bind(sb.id).first('n')).toBe(0);
    expect(await leftovers(sb.id)).toEqual(EMPTY);
  });

  it('bad input gets Status errors', async () => {
    const cases: [unknown, number, string][] = [
      [{ workerNodes: 'three' }, 422, 'Invalid'],
      [{ workerNodes: 9 }, 422, 'Invalid'], // over KUBEDO_SANDBOX_MAX_NODES=6
      [{ bogus: true }, 400, 'BadRequest'],
      [{ proxyMode: 'userspace' }, 422, 'Invalid'],
    ];
    for (const [body, code, reason] of cases) {
      const r = await req('POST', '/v1/sandboxes', TOKEN, body);
      expect([r.status, r.body.kind, r.body.reason], JSON.stringify(body)).toEqual([code, 'Status', reason]);
    }
    const notJson = await exports.default.fetch(new Request(`${ORIGIN}/v1/sandboxes`, { method: 'POST', body: '{', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' } }));
    expect(notJson.status).toBe(400);
    expect((await req('PUT', '/v1/sandboxes/x', TOKEN, {})).status).toBe(405);
    expect((await req('POST', '/v1/sandboxes', TOKEN, { name: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await req('GET', '/v1/sandboxes', null)).status).toBe(401);
    expect((await req('GET', '/v1/sandboxes', 'not-a-token')).status).toBe(401);
  });

  it('each token reaches only its own sandbox; owners see only their own; unknown ids look like wrong tokens', async () => {
    // Anonymous creators (open mode) become new owners; their sandbox token identifies them.
    const a = await create({ name: 'a' }, null);
    const a2 = await create({ name: 'a2' }, a.token);
    const b = await create({ name: 'b' }, null);
    const ns = (sb: typeof a, token = sb.token) => req('GET', `/clusters/${sb.id}/api/v1/namespaces/default`, token);

    expect((await ns(a)).status).toBe(200);
    expect((await ns(b)).status).toBe(200);
    expect((await ns(a, b.token)).status).toBe(401);
    expect((await ns(b, a.token)).status).toBe(401);
    expect((await ns(a2, a.token)).status).toBe(401); // same owner, still a different sandbox
    expect((await ns(a, TOKEN)).status).toBe(401); // the bootstrap token is `default`'s only
    expect((await req('GET', '/clusters/default/api/v1/namespaces/default', a.token)).status).toBe(401);
    const unknown = await req('GET', `/clusters/${'q'.repeat(26)}/api/v1/namespaces/default`, a.token);
    expect([unknown.status, unknown.body.reason]).toEqual([401, 'Unauthorized']);
    expect((await req('GET', '/clusters/not-an-id/api/v1/namespaces', a.token)).status).toBe(401);
    // ... and guessing left nothing behind in the guessed id's DO.
    expect(await leftovers('q'.repeat(26))).toEqual(EMPTY);

    // The bare paths (kubectl get --raw drops the server's path) serve the caller's own sandbox.
    const bare = await req('GET', '/api/v1/namespaces/default/configmaps', a.token);
    expect(bare.status).toBe(200);
    const bareDefault = await req('GET', '/api/v1/nodes', TOKEN);
    expect(bareDefault.body.items.map((n: any) => n.metadata.name)).toContain('default-worker');
    expect((await req('GET', '/api/v1/nodes', a.token)).body.items.map((n: any) => n.metadata.name)).toContain('a-worker');

    // Objects are per sandbox.
    expect((await req('POST', `/clusters/${a.id}/api/v1/namespaces/default/configmaps`, a.token, { metadata: { name: 'only-a' } })).status).toBe(201);
    expect((await req('GET', `/clusters/${b.id}/api/v1/namespaces/default/configmaps/only-a`, b.token)).status).toBe(404);

    const listA = await req('GET', '/v1/sandboxes', a2.token);
    expect(listA.body.items.map((s: any) => s.name)).toEqual(['a', 'a2']);
    expect((await req('GET', '/v1/sandboxes', b.token)).body.items.map((s: any) => s.name)).toEqual(['b']);
    expect((await req('GET', '/v1/sandboxes')).body.items.map((s: any) => s.id)).not.toContain(a.id);
    expect((await req('GET', `/v1/sandboxes/${a.id}`, b.token)).status).toBe(404);
    expect((await req('DELETE', `/v1/sandboxes/${a.id}`, b.token)).status).toBe(404);
    expect((await req('DELETE', `/v1/sandboxes/${a.id}`)).status).toBe(404);

    // Deleting one leaves the other intact.
    expect((await req('DELETE', `/v1/sandboxes/${a.id}`, a2.token)).status).toBe(200);
    expect((await ns(a)).status).toBe(401);
    expect((await ns(a2)).status).toBe(200);
    expect((await ns(b)).status).toBe(200);
    // A deleted sandbox's token no longer names its owner.
    expect((await req('GET', '/v1/sandboxes', a.token)).status).toBe(401);
    for (const sb of [a2, b]) expect((await req('DELETE', `/v1/sandboxes/${sb.id}`, sb.token)).status).toBe(200);
  });

  it('in operator mode only the operator creates', async () => {
    // The sandbox API itself, with the configuration of an operator-mode deployment.
    const opEnv = { ...env, KUBEDO_SANDBOX_CREATION: 'operator', KUBEDO_OPERATOR_TOKEN: 'op-secret' };
    const post = async (token: string | null) => {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (token) headers.Authorization = `Bearer ${token}`;
      const res = await sandboxApi.fetch(new Request(`${ORIGIN}/`, { method: 'POST', headers, body: '{}' }), opEnv);
      return { status: res.status, body: (await res.json()) as any };
    };
    expect((await post(null)).status).toBe(401);
    const made = await post('op-secret');
    expect(made.status).toBe(201);
    const denied = await post(made.body.token);
    expect([denied.status, denied.body.reason, denied.body.message]).toEqual([403, 'Forbidden', 'sandboxes is forbidden: only the operator may create sandboxes']);
    // The bootstrap token is the operator too; both see the operator's sandboxes.
    expect((await post(TOKEN)).status).toBe(201);
    const list = await sandboxApi.fetch(new Request(`${ORIGIN}/`, { headers: { Authorization: 'Bearer op-secret' } }), opEnv);
    expect(((await list.json()) as any).items.map((s: any) => s.id)).toContain(made.body.id);
    expect((await req('DELETE', `/v1/sandboxes/${made.body.id}`)).status).toBe(200);
  });

  it('an owner has at most KUBEDO_SANDBOX_MAX_PER_OWNER sandboxes (403, nothing left behind); the operator has no cap', async () => {
    const a = await create({ name: 'own-1' }, null);
    await create({ name: 'own-2' }, a.token);
    const third = await create({ name: 'own-3' }, a.token);
    const over = await req('POST', '/v1/sandboxes', a.token, { name: 'own-4' });
    expect([over.status, over.body.reason, over.body.message]).toEqual([
      403,
      'Forbidden',
      'sandboxes "own-4" is forbidden: exceeded owner quota: requested: sandboxes=1, used: sandboxes=3, limited: sandboxes=3',
    ]);
    const names = async () => (await req('GET', '/v1/sandboxes', a.token)).body.items.map((s: any) => s.name);
    expect(await names()).toEqual(['own-1', 'own-2', 'own-3']);
    // Room again after a delete; of concurrent creations only as many as fit stay.
    expect((await req('DELETE', `/v1/sandboxes/${third.id}`, a.token)).status).toBe(200);
    const race = await Promise.all(['own-5', 'own-6'].map((name) => req('POST', '/v1/sandboxes', a.token, { name })));
    expect(race.map((r) => r.status).sort()).toEqual([201, 403]);
    expect(await names()).toHaveLength(3);
    const mine = (await req('GET', '/v1/sandboxes', a.token)).body.items as { id: string }[];
    // Only the owner deletes them (own-1, whose token we present, goes last).
    expect((await req('DELETE', `/v1/sandboxes/${mine[1].id}`, TOKEN)).status).toBe(404);
    for (const sb of mine.reverse()) expect((await req('DELETE', `/v1/sandboxes/${sb.id}`, a.token)).status).toBe(200);
  });

  it('rate-limits anonymous creation per client with 429 and Retry-After', async () => {
    const made: { id: string; token: string }[] = [];
    let limited: Reply | undefined;
    for (let i = 0; i < 8 && !limited; i++) {
      const r = await req('POST', '/v1/sandboxes', null, {}, { 'CF-Connecting-IP': '192.0.2.7' });
      if (r.status === 429) limited = r;
      else made.push(r.body);
    }
    expect(made.length).toBe(5); // KUBEDO_SANDBOX_CREATE_BURST
    expect(limited!.body).toMatchObject({ kind: 'Status', code: 429, reason: 'TooManyRequests' });
    expect(Number(limited!.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(limited!.body.details.retryAfterSeconds).toBe(Number(limited!.headers.get('Retry-After')));
    // Another client is not affected; the operator is never limited.
    expect((await req('POST', '/v1/sandboxes', null, {}, { 'CF-Connecting-IP': '192.0.2.8' })).status).toBe(201);
    for (const sb of made) expect((await req('DELETE', `/v1/sandboxes/${sb.id}`, sb.token)).status).toBe(200);
  });
});

describe('deletion and expiry', () => {
  it('delete closes watches and removes alarms and all storage', async () => {
    // The TTL's timer keeps an alarm armed.
    const sb = await create({ name: 'busy', ttlSeconds: 3600 });
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', }] } };
    expect((await req('POST', `/clusters/${sb.id}/api/v1/namespaces/default/pods`, sb.token, pod)).status).toBe(201);
    const watch = await exports.default.fetch(new Request(`${ORIGIN}/clusters/${sb.id}/api/v1/configmaps?watch=true`, { headers: { Authorization: `Bearer ${sb.token}` } }));
    expect(watch.status).toBe(200);
    const reading = watch.body!.getReader();
    const before = await armedLeftovers(sb.id);
    expect(before.tables).toEqual(expect.arrayContaining(['objects', 'events', 'meta', 'timers']));
    expect(before.alarm).not.toBeNull();

    expect((await req('DELETE', `/v1/sandboxes/${sb.id}`)).status).toBe(200);
    // The watch ends.
    for (;;) if ((await reading.read()).done) break;
    expect(await leftovers(sb.id)).toEqual(EMPTY);
    expect((await req('GET', `/clusters/${sb.id}/api/v1/pods`, sb.token)).status).toBe(401);
  });

  it('a sandbox with a 2-second TTL is gone afterwards, with its storage empty', async () => {
    const sb = await create({ name: 'short', ttlSeconds: 2 });
    const expiresAt = Date.parse(sb.expiresAt!);
    expect(expiresAt - Date.now()).toBeGreaterThan(1000);
    expect((await req('GET', `/clusters/${sb.id}/api/v1/namespaces`, sb.token)).status).toBe(200);
    // The expiry is armed (kube-system's add-ons starting up may hold earlier deadlines).
    const armed = (await armedLeftovers(sb.id)).alarm;
    expect(armed).not.toBeNull();
    expect(armed!).toBeLessThanOrEqual(expiresAt);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 50)));
    // The DO's alarm expires it (run here in case workerd has not fired it yet).
    await runDurableObjectAlarm(stubOf(sb.id));
    expect(await leftovers(sb.id)).toEqual(EMPTY);
    expect(await env.REGISTRY.prepare('SELECT count(*) AS n FROM sandboxes WHERE id = ?').bind(sb.id).first('n')).toBe(0);
    expect((await req('GET', `/v1/sandboxes/${sb.id}`)).status).toBe(404);
    expect((await req('GET', `/clusters/${sb.id}/api/v1/namespaces`, sb.token)).status).toBe(401);
  });

  it('the cron sweep expires what the alarm missed and, once a day, checks even idle sandboxes', async () => {
    const keep = await create({ name: 'keep' });
    const old = await create({ name: 'old', ttlSeconds: 3600 });
    const r = await sweepSandboxes(env, Date.now() + 3_601_000);
    expect(r.expired).toBe(1);
    expect(await leftovers(old.id)).toEqual(EMPTY);
    expect((await req('GET', `/clusters/${old.id}/api/v1/namespaces`, old.token)).status).toBe(401);
    expect((await req('GET', `/clusters/${keep.id}/api/v1/namespaces`, keep.token)).status).toBe(200);
    // A registry row whose sandbox is gone (a delete that failed half-way) is dropped.
    await env.CLUSTER.get(env.CLUSTER.idFromName(keep.id)).destroy();
    await env.REGISTRY.prepare('UPDATE sandboxes SET created_at = 0 WHERE id = ?').bind(keep.id).run();
    expect((await sweepSandboxes(env)).woken).not.toContain(keep.id); // idle: not woken every minute
    expect((await sweepSandboxes(env, Date.now() + BACKSTOP_MS)).woken).toContain(keep.id);
    expect(await env.REGISTRY.prepare('SELECT count(*) AS n FROM sandboxes WHERE id = ?').bind(keep.id).first('n')).toBe(0);
  });

  it('200 sandboxes created and deleted leave no registry rows and no DO storage', { timeout: 240_000 }, async () => {
    const before = await countSandboxes(env);
    const ids: string[] = [];
    for (let round = 0; round < 20; round++) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, i) => create({ name: `loop-${round}-${i}`, controlPlaneNodes: 1, workerNodes: 1 })));
      await Promise.all(batch.map(async (sb) => expect((await req('DELETE', `/v1/sandboxes/${sb.id}`)).status).toBe(200)));
      ids.push(...batch.map((sb) => sb.id));
    }
    expect(new Set(ids).size).toBe(200);
    expect(await countSandboxes(env)).toBe(before);
    for (const id of ids) expect(await leftovers(id)).toEqual(EMPTY);
  });
});

describe('per-sandbox limits', () => {
  it('requests beyond the rate get 429 TooManyRequests with Retry-After', async () => {
    const sb = await create({ name: 'rate' });
    // KUBEDO_SANDBOX_REQUEST_BURST=150 at 20/s: 300 requests at once overrun it.
    const replies = await Promise.all(Array.from({ length: 300 }, () => req('GET', `/clusters/${sb.id}/api/v1/namespaces/default`, sb.token)));
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(replies.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(150);
    expect(limited[0].body).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', message: 'Too many requests, please try again later.', details: { retryAfterSeconds: 1 } });
    expect(limited[0].headers.get('Retry-After')).toBe('1');
    // The default sandbox has no limits.
    const def = await Promise.all(Array.from({ length: 300 }, () => req('GET', '/clusters/default/api/v1/namespaces/default')));
    expect(def.every((r) => r.status === 200)).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await req('GET', `/clusters/${sb.id}/api/v1/namespaces/default`, sb.token)).status).toBe(200);
  });

  it('more concurrent watches than allowed get 429', async () => {
    const sb = await create({ name: 'watches' });
    const open = () => exports.default.fetch(new Request(`${ORIGIN}/clusters/${sb.id}/api/v1/configmaps?watch=true`, { headers: { Authorization: `Bearer ${sb.token}` } }));
    const watches = [await open(), await open(), await open()];
    expect(watches.map((w) => w.status)).toEqual([200, 200, 200]);
    const fourth = await open();
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('Retry-After')).toBe('1');
    expect(await fourth.json()).toMatchObject({ reason: 'TooManyRequests', message: expect.stringContaining('concurrent watches') });
    await watches[0].body!.cancel();
    // Once one ends, another may start.
    let again: Response | undefined;
    for (let i = 0; i < 50; i++) {
      again = await open();
      if (again.status === 200) break;
      await again.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(again!.status).toBe(200);
    for (const w of [again!, ...watches.slice(1)]) await w.body!.cancel();
  });

  it('a ReplicaSet stops at the pod limit and its controller keeps going', async () => {
    const sb = await create({ name: 'pods' });
    const base = `/clusters/${sb.id}/apis/apps/v1/namespaces/default/replicasets`;
    const rs = {
      metadata: { name: 'web' },
      spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    expect((await req('POST', base, sb.token, rs)).status).toBe(201);
    const pods = async () => (await req('GET', `/clusters/${sb.id}/api/v1/namespaces/default/pods`, sb.token)).body.items.length;
    for (let i = 0; i < 100 && (await pods()) < 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await pods()).toBe(4); // KUBEDO_SANDBOX_MAX_PODS
    const direct = await req('POST', `/clusters/${sb.id}/api/v1/namespaces/default/pods`, sb.token, { metadata: { name: 'one-more' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    expect([direct.status, direct.body.message]).toEqual([403, 'pods "one-more" is forbidden: exceeded sandbox quota: requested: pods=1, used: pods=4, limited: pods=4']);
    // Scaling down makes room; the sandbox keeps answering.
    expect((await req('PATCH', `${base}/web`, sb.token, { spec: { replicas: 2 } }, { 'Content-Type': 'application/merge-patch+json' })).status).toBe(200);
    for (let i = 0; i < 100 && (await pods()) > 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await pods()).toBe(2);
  });

  it('nodes beyond the limit are refused with 403, usage is counted exactly', async () => {
    const sb = await create({ name: 'nodes', controlPlaneNodes: 1, workerNodes: 4 });
    const node = (name: string) => ({ metadata: { name } });
    expect((await req('POST', `/clusters/${sb.id}/api/v1/nodes`, sb.token, node('extra-1'))).status).toBe(201);
    const over = await req('POST', `/clusters/${sb.id}/api/v1/nodes`, sb.token, node('extra-2'));
    expect(over.status).toBe(403);
    expect(over.body).toMatchObject({ reason: 'Forbidden', message: 'nodes "extra-2" is forbidden: exceeded sandbox quota: requested: nodes=1, used: nodes=6, limited: nodes=6' });
    // Deleting makes room again.
    expect((await req('DELETE', `/clusters/${sb.id}/api/v1/nodes/extra-1`, sb.token)).status).toBe(200);
    expect((await req('POST', `/clusters/${sb.id}/api/v1/nodes`, sb.token, node('extra-2'))).status).toBe(201);
    // The store's running counts agree with a fresh count of its table.
    const inDO = runInDurableObject as unknown as <R>(stub: DurableObjectStub, cb: (instance: any, state: DurableObjectState) => R) => Promise<R>;
    const counted = await inDO(stubOf(sb.id), (instance, state) => {
      const u = instance.store.usage();
      const row = state.storage.sql.exec<{ n: number; b: number }>('SELECT count(*) AS n, sum(length(data)) AS b FROM objects').one();
      const nodes = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM objects WHERE resource = 'nodes'").one().n;
      return { running: [u.objects, u.bytes, u.count('nodes')], fresh: [row.n, row.b, nodes] };
    });
    expect(counted.running).toEqual(counted.fresh);
  });
});
