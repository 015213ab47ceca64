// Scenario `schedule`: N nodes, then M pods created at once; prints pods scheduled per second and
// pod startup latency (create → Running) p50/p99. Anchors: kube-scheduler's scheduler_perf asks
// 680–810 pods/s at 5,000 nodes; KWOK's benchmark asks 10,000 pods Running within 60 s.
import { request, watch } from './launch.mjs';

function pct(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

async function pool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

export async function scheduleScenario(env, { nodes = 1000, pods = 10000, concurrency = 64 } = {}) {
  const ns = `sched-${Date.now()}`;
  await request(env, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
  // Image pulls and kubelet steps at 10× so that startup latency measures the machinery, not the simulated sleeps.
  await request(env, 'POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '10' } });
  const t0 = performance.now();
  await pool(nodes, concurrency, async (i) => {
    const name = `bench-node-${i}`;
    const r = await request(env, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
      spec: { podCIDR: `10.${100 + Math.floor(i / 256)}.${i % 256}.0/24`, podCIDRs: [`10.${100 + Math.floor(i / 256)}.${i % 256}.0/24`] },
      status: { capacity: { cpu: '32', memory: '128Gi', pods: '110' }, allocatable: { cpu: '32', memory: '128Gi', pods: '110' } },
    });
    if (r.status !== 201) throw new Error(`node create failed: ${r.status} ${JSON.stringify(r.body)}`);
  });
  const nodeSeconds = (performance.now() - t0) / 1000;

  const base = `/api/v1/namespaces/${ns}/pods`;
  const list0 = await request(env, 'GET', base);
  const created = new Map();
  const scheduledAt = new Map();
  const runningAt = new Map();
  let done;
  const allRunning = new Promise((r) => (done = r));
  const stop = watch(env, `${base}?watch=true&resourceVersion=${list0.body.metadata.resourceVersion}`, (ev) => {
    const o = ev.object;
    const name = o?.metadata?.name;
    if (!name) return;
    const now = performance.now();
    if (o.spec?.nodeName && !scheduledAt.has(name)) scheduledAt.set(name, now);
    if (o.status?.phase === 'Running' && !runningAt.has(name)) {
      runningAt.set(name, now);
      if (runningAt.size === pods) done();
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  const start = performance.now();
  await pool(pods, concurrency, async (i) => {
    const name = `pod-${i}`;
    created.set(name, performance.now());
    const r = await request(env, 'POST', base, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'bench' } },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    });
    if (r.status !== 201) throw new Error(`pod create failed: ${r.status} ${JSON.stringify(r.body)}`);
  });
  const createdSeconds = (performance.now() - start) / 1000;
  const timeout = new Promise((r) => setTimeout(r, 600_000));
  await Promise.race([allRunning, timeout]);
  stop();
  const schedTimes = [...scheduledAt.values()].sort((a, b) => a - b);
  const scheduleSeconds = schedTimes.length ? (schedTimes[schedTimes.length - 1] - start) / 1000 : 0;
  const startup = [...runningAt.entries()].map(([n, t]) => t - created.get(n)).sort((a, b) => a - b);
  const allRunningSeconds = runningAt.size ? (Math.max(...runningAt.values()) - start) / 1000 : 0;
  return {
    scenario: 'schedule',
    nodes,
    pods,
    nodeCreateSeconds: +nodeSeconds.toFixed(2),
    podCreateSeconds: +createdSeconds.toFixed(2),
    scheduled: scheduledAt.size,
    running: runningAt.size,
    podsScheduledPerSecond: +(scheduledAt.size / (scheduleSeconds || 1)).toFixed(1),
    allRunningSeconds: +allRunningSeconds.toFixed(2),
    startupP50ms: +pct(startup, 50).toFixed(1),
    startupP99ms: +pct(startup, 99).toFixed(1),
  };
}
