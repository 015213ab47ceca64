// Scenario `deploy`: one Deployment of R replicas over N nodes, through the controllers.
//   phase 1 create: POST the Deployment → status.availableReplicas == R (seen on a watch)
//   phase 2 rolling update: change the image → updatedReplicas == availableReplicas == replicas == R
//           and no pod of an old ReplicaSet left
//   phase 3 delete: DELETE with propagationPolicy=Background → no pod left
// Prints each phase's time, pods/s, the store writes per pod (revision delta / R) and the ratio to
// KWOK's anchors (10,000 pods Running within 60 s, deleted within 90 s; scaled linearly to R).
import { request, watch } from './launch.mjs';

const ANCHOR_CREATE_S_PER_10K = 60;
const ANCHOR_DELETE_S_PER_10K = 90;

async function pool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

async function must(p, what) {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body;
}

/**
 * An informer-like follower of one collection: lists, then watches from the list's resourceVersion
 * with bookmarks, resuming from the last seen revision when the server ends the watch and
 * re-listing after a 410 (announced by a 'RESET' event without object). `onEvent(type, object)`.
 */
function follow(env, path, onEvent) {
  let rv = '0';
  let stopped = false;
  let closeWatch;
  const sep = path.includes('?') ? '&' : '?';
  async function relist() {
    const list = await must(request(env, 'GET', path), `list ${path}`);
    onEvent('RESET');
    for (const o of list.items) onEvent('SYNC', o);
    rv = list.metadata.resourceVersion;
  }
  function watchOnce() {
    return new Promise((resolve) => {
      let gone = false;
      const url = `${path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`;
      closeWatch = watch(
        env,
        url,
        (ev) => {
          if (ev.type === 'ERROR') {
            gone = ev.object?.code === 410;
            return;
          }
          if (ev.object?.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
          if (ev.type !== 'BOOKMARK') onEvent(ev.type, ev.object);
        },
        () => resolve(gone),
      );
    });
  }
  const listed = relist();
  const done = (async () => {
    await listed;
    while (!stopped) {
      const gone = await watchOnce();
      if (stopped) break;
      if (gone) await relist();
    }
  })();
  return {
    ready: listed,
    stop() {
      stopped = true;
      closeWatch?.();
      return done.catch(() => {});
    },
  };
}

/** Resolves when `check()` is true (re-checked on every event through `poke`), or rejects after the timeout. */
function waiter(check, timeoutMs, what) {
  let resolve;
  let reject;
  const p = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  const t = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`)), timeoutMs);
  const poke = () => {
    if (check()) {
      clearTimeout(t);
      resolve(performance.now());
    }
  };
  return { promise: p, poke };
}

export async function deployScenario(env, { nodes = 1000, replicas = 10000, timeScale = 10, timeoutSeconds = 1800 } = {}) {
  const ns = `deploy-${Date.now()}`;
  await must(request(env, 'POST', '/api/v1/namespaces', { metadata: { name: ns } }), 'create namespace');
  // Image pulls and kubelet steps at 10× so that the phases measure the machinery, not simulated sleeps.
  const cm = { metadata: { name: 'kubedo-config', namespace: 'kube-system' }, data: { timeScale: String(timeScale) } };
  const put = await request(env, 'PUT', '/api/v1/namespaces/kube-system/configmaps/kubedo-config', cm);
  if (put.status === 404) await must(request(env, 'POST', '/api/v1/namespaces/kube-system/configmaps', cm), 'create kubedo-config');

  // Nodes (shared with the schedule scenario's names: an existing one is reused).
  const t0 = performance.now();
  await pool(nodes, 64, async (i) => {
    const name = `bench-node-${i}`;
    const cidr = `10.${100 + Math.floor(i / 256)}.${i % 256}.0/24`;
    const r = await request(env, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
      spec: { podCIDR: cidr, podCIDRs: [cidr] },
      status: { capacity: { cpu: '32', memory: '128Gi', pods: '110' }, allocatable: { cpu: '32', memory: '128Gi', pods: '110' } },
    });
    if (r.status !== 201 && r.status !== 409) throw new Error(`node create failed: ${r.status} ${JSON.stringify(r.body)}`);
  });
  const nodeSeconds = (performance.now() - t0) / 1000;

  // What the watches show: the Deployment's status and every pod's template hash.
  let deploy;
  const pods = new Map(); // name → pod-template-hash
  const waiters = new Set();
  const poke = () => {
    for (const w of waiters) w.poke();
  };
  const deployments = follow(env, `/apis/apps/v1/namespaces/${ns}/deployments`, (type, o) => {
    if (type === 'RESET') deploy = undefined;
    if (o?.metadata.name !== 'bench') return;
    deploy = type === 'DELETED' ? undefined : o;
    poke();
  });
  const podWatch = follow(env, `/api/v1/namespaces/${ns}/pods`, (type, o) => {
    if (type === 'RESET') pods.clear();
    else if (type === 'DELETED') pods.delete(o.metadata.name);
    else pods.set(o.metadata.name, o.metadata.labels?.['pod-template-hash'] ?? '');
    poke();
  });
  await Promise.all([deployments.ready, podWatch.ready]);
  const until = async (what, check) => {
    const w = waiter(check, timeoutSeconds * 1000, what);
    waiters.add(w);
    w.poke();
    try {
      return await w.promise;
    } finally {
      waiters.delete(w);
    }
  };
  const revision = async () => Number((await must(request(env, 'GET', `/api/v1/namespaces/${ns}/configmaps?limit=1`), 'revision')).metadata.resourceVersion);
  const phases = [];
  const phase = async (name, anchorSeconds, act, what, check) => {
    const rev0 = await revision();
    const start = performance.now();
    await act();
    const end = await until(what, check);
    const seconds = (end - start) / 1000;
    const writes = (await revision()) - rev0;
    phases.push({
      phase: name,
      seconds: +seconds.toFixed(2),
      podsPerSecond: +(replicas / seconds).toFixed(1),
      writesPerPod: +(writes / replicas).toFixed(1),
      anchorSeconds: anchorSeconds === undefined ? null : +anchorSeconds.toFixed(1),
      ratioToAnchor: anchorSeconds === undefined ? null : +(seconds / anchorSeconds).toFixed(2),
    });
  };
  const container = (image) => ({ name: 'c', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } });
  const status = () => deploy?.status ?? {};
  const observed = () => deploy && (status().observedGeneration ?? 0) >= (deploy.metadata.generation ?? 0);
  const createAnchor = (ANCHOR_CREATE_S_PER_10K * replicas) / 10_000;
  const deleteAnchor = (ANCHOR_DELETE_S_PER_10K * replicas) / 10_000;

  try {
    await phase(
      'create → all Available',
      createAnchor,
      () =>
        must(
          request(env, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'bench' },
            spec: { replicas, selector: { matchLabels: { app: 'bench' } }, template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [container('registry.k8s.io/pause:3.9')] } } },
          }),
          'create deployment',
        ),
      `${replicas} available replicas`,
      () => observed() && status().availableReplicas === replicas,
    );

    let oldHashes;
    await phase(
      'rolling update',
      createAnchor + deleteAnchor,
      async () => {
        oldHashes = new Set(pods.values());
        // `kubectl set image` as a read-modify-write (the bench client speaks JSON only).
        for (let attempt = 0; ; attempt++) {
          const d = await must(request(env, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/bench`), 'get deployment');
          d.spec.template.spec.containers = [container('registry.k8s.io/pause:3.10')];
          const r = await request(env, 'PUT', `/apis/apps/v1/namespaces/${ns}/deployments/bench`, d);
          if (r.status < 300) break;
          if (r.status !== 409 || attempt > 20) throw new Error(`set image: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
        }
      },
      'the rollout to finish',
      () => {
        const s = status();
        if (!observed() || s.updatedReplicas !== replicas || s.availableReplicas !== replicas || s.replicas !== replicas) return false;
        for (const h of pods.values()) if (oldHashes.has(h)) return false;
        return true;
      },
    );

    await phase(
      'delete (background) → no pods',
      deleteAnchor,
      () => must(request(env, 'DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/bench`, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }), 'delete deployment'),
      'every pod to be gone',
      () => !deploy && pods.size === 0,
    );
  } finally {
    await Promise.all([deployments.stop(), podWatch.stop()]);
  }
  return { scenario: 'deploy', nodes, replicas, timeScale, nodeCreateSeconds: +nodeSeconds.toFixed(2), phases };
}
