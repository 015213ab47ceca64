// Scenario `api`: N concurrent clients creating, getting, listing and watching configmaps through
// the HTTPS API of the local emulator. Figures: throughput and p50/p99 per verb, and watch delivery
// latency (write acknowledged → event received) p50/p99.
import { request, watch } from './launch.mjs';

function pct(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function apiScenario(env, { clients = 16, opsPerClient = 40 } = {}) {
  const ns = `bench-${Date.now()}`;
  await request(env, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const base = `/api/v1/namespaces/${ns}/configmaps`;
  const lat = { create: [], get: [], list: [], watch: [] };
  const sentAt = new Map();
  const list0 = await request(env, 'GET', base);
  const stopWatch = watch(env, `${base}?watch=true&resourceVersion=${list0.body.metadata.resourceVersion}`, (ev) => {
    const t = sentAt.get(ev.object?.metadata?.name);
    if (ev.type === 'ADDED' && t !== undefined) lat.watch.push(performance.now() - t);
  });
  await new Promise((r) => setTimeout(r, 300));
  const timed = async (verb, fn) => {
    const t0 = performance.now();
    const r = await fn();
    lat[verb].push(performance.now() - t0);
    if (r.status >= 300) throw new Error(`${verb} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < opsPerClient; i++) {
        const name = `cm-${c}-${i}`;
        sentAt.set(name, performance.now());
        await timed('create', () => request(env, 'POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { client: String(c) } }, data: { i: String(i) } }));
        await timed('get', () => request(env, 'GET', `${base}/${name}`));
        if (i % 4 === 0) await timed('list', () => request(env, 'GET', `${base}?labelSelector=client%3D${c}&limit=50`));
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  stopWatch();
  const rows = Object.entries(lat).map(([verb, xs]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { verb, count: s.length, perSecond: verb === 'watch' ? undefined : +(s.length / elapsed).toFixed(1), p50ms: +pct(s, 50).toFixed(2), p99ms: +pct(s, 99).toFixed(2) };
  });
  const total = lat.create.length + lat.get.length + lat.list.length;
  return { scenario: 'api', clients, opsPerClient, seconds: +elapsed.toFixed(2), requestsPerSecond: +(total / elapsed).toFixed(1), rows };
}
