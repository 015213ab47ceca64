// Requests to the Worker under test (inside workerd), as kubectl would send them.
import { env, exports } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';

export const TOKEN = 'test-token';
export const BASE = 'https://kubedo.test/clusters/default';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export async function k(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${TOKEN}`, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
  }
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, init));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export function configMap(name: string, data: Record<string, string> = {}, labels?: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

/** Open a watch and collect its newline-delimited events. */
export async function openWatch(path: string, headers: Record<string, string> = {}) {
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { headers: { Authorization: `Bearer ${TOKEN}`, ...headers } }));
  if (!res.body) throw new Error(`watch failed: ${res.status}`);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const events: any[] = [];
  let done = false;
  const pump = (async () => {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      buf += dec.decode(r.value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) events.push(JSON.parse(line));
      }
    }
    done = true;
  })();
  return {
    status: res.status,
    events,
    get done() {
      return done;
    },
    async waitFor(n: number, timeoutMs = 5000) {
      const start = Date.now();
      while (events.length < n && Date.now() - start < timeoutMs && !done) await new Promise((r) => setTimeout(r, 10));
      return events;
    },
    async close() {
      await reader.cancel().catch(() => {});
      await pump.catch(() => {});
    },
  };
}

/** The default sandbox's Cluster DO (for reaching into its store). */
export function clusterStub(): DurableObjectStub {
  return env.CLUSTER.get(env.CLUSTER.idFromName('default')) as unknown as DurableObjectStub;
}

interface CompactableStore {
  store: { maybeCompact(now: number, force: boolean): void };
}

/** Compact the whole event log, as if an hour had passed (old revisions become 410 Gone). */
export async function compactAll(): Promise<void> {
  const run = runInDurableObject as unknown as (stub: DurableObjectStub, cb: (instance: CompactableStore) => void) => Promise<void>;
  await run(clusterStub(), (instance) => instance.store.maybeCompact(Date.now() + 3_600_000, true));
}

/** Poll (running the sandbox's due alarm each round) until `fn` gives a value. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    await runDurableObjectAlarm(clusterStub());
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
