// Simulated kubelets and node lifecycle inside workerd, with a fast time scale: a bound pod runs
// with an IP from the cluster's pod CIDR (Calico IPAM), graceful deletion removes it, a stopped kubelet makes its node
// Unknown with the unreachable taints and its pods get evicted; a restarted kubelet recovers.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { kubeletController } from '../../src/controllers/kubelet';
import { clusterStub, k, until } from './helpers';


const pod = (name: string, extra: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'web', image: 'nginx' }], ...extra },
});

describe('simulated kubelet', () => {
  it('runs a bound pod, then removes it after graceful deletion', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100', nodeMonitorGracePeriod: '40s' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'kl' } });
    // Another scheduler's pod: kube-scheduler leaves it alone, the binding below places it.
    const created = await k('POST', '/api/v1/namespaces/kl/pods', pod('web', { schedulerName: 'manual' }));
    expect(created.body.status.phase).toBe('Pending');
    const bind = await k('POST', '/api/v1/namespaces/kl/pods/web/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'default-worker' } });
    expect(bind.status).toBe(201);
    const again = await k('POST', '/api/v1/namespaces/kl/pods/web/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'default-worker2' } });
    expect(again.status).toBe(409);

    const node = (await k('GET', '/api/v1/nodes/default-worker')).body;
    const running = await until('Running', async () => {
      const p = (await k('GET', '/api/v1/namespaces/kl/pods/web')).body;
      return p.status.phase === 'Running' && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    });
    expect(running.status.podIP.startsWith('10.244.')).toBe(true);
    expect(running.status.hostIP).toBe(node.status.addresses.find((a: any) => a.type === 'InternalIP').address);
    expect(running.status.containerStatuses[0]).toMatchObject({ name: 'web', ready: true, started: true, restartCount: 0 });

    const events = (await k('GET', '/api/v1/namespaces/kl/events?fieldSelector=involvedObject.name%3Dweb')).body.items.map((e: any) => e.reason);
    expect(events).toEqual(expect.arrayContaining(['Pulling', 'Pulled', 'Created', 'Started']));

    // A second pod on the same node gets another address.
    await k('POST', '/api/v1/namespaces/kl/pods', pod('web2', { nodeName: 'default-worker' }));
    const second = await until('second pod IP', async () => (await k('GET', '/api/v1/namespaces/kl/pods/web2')).body.status.podIP);
    expect(second).not.toBe(running.status.podIP);

    // Steady state: nothing due, no alarm armed (an idle sandbox costs nothing).
    await until('idle', async () => {
      const idle = await runInDurableObject(clusterStub(), async (instance: any, state) => instance.loop.pending() === 0 && (await state.storage.getAlarm()) === null);
      return idle ? true : undefined;
    });

    const del = await k('DELETE', '/api/v1/namespaces/kl/pods/web');
    expect(del.status).toBe(200);
    expect(del.body.metadata.deletionTimestamp).toBeTruthy();
    await until('pod removed', async () => ((await k('GET', '/api/v1/namespaces/kl/pods/web')).status === 404 ? true : undefined));
  });

  it('shows fresh heartbeats while the kubelet runs, without writing', async () => {
    const a = (await k('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/default-worker3')).body;
    await new Promise((r) => setTimeout(r, 1100));
    const b = (await k('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/default-worker3')).body;
    expect(Date.parse(b.spec.renewTime)).toBeGreaterThan(Date.parse(a.spec.renewTime));
    expect(b.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
  });

  it('a stopped kubelet makes the node Unknown and tainted, evicts its pods, and recovers', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'nl' } });
    await k('POST', '/api/v1/namespaces/nl/pods', pod('victim', { nodeName: 'default-worker2' }));
    await until('victim running', async () => ((await k('GET', '/api/v1/namespaces/nl/pods/victim')).body.status.phase === 'Running' ? true : undefined));
    const stop = await k('PATCH', '/api/v1/nodes/default-worker2', { metadata: { annotations: { 'kubedo.dev/kubelet': 'stopped' } } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(stop.status).toBe(200);
    const unknown = await until('node Unknown', async () => {
      const n = (await k('GET', '/api/v1/nodes/default-worker2')).body;
      return n.status.conditions.find((c: any) => c.type === 'Ready').status === 'Unknown' ? n : undefined;
    });
    expect(unknown.spec.taints.map((t: any) => `${t.key}:${t.effect}`).sort()).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    // Default toleration (300 s) at time scale 100: evicted after about 3 s.
    const evicted = await until('victim evicted', async () => {
      const p = (await k('GET', '/api/v1/namespaces/nl/pods/victim')).body;
      return p.metadata?.deletionTimestamp ? p : undefined;
    });
    expect(evicted.metadata.deletionTimestamp).toBeTruthy();
    await k('PATCH', '/api/v1/nodes/default-worker2', { metadata: { annotations: { 'kubedo.dev/kubelet': 'running' } } }, { 'Content-Type': 'application/merge-patch+json' });
    const ready = await until('node Ready again', async () => {
      const n = (await k('GET', '/api/v1/nodes/default-worker2')).body;
      return n.status.conditions.find((c: any) => c.type === 'Ready').status === 'True' && !n.spec.taints ? n : undefined;
    });
    expect(ready.spec.taints).toBeUndefined();
  });

  it('keeps a deleted pod for its shutdown time, counted from the deletion (not from the whole-second deletionTimestamp)', async () => {
    const cm = await k('GET', '/api/v1/namespaces/kube-system/configmaps/kubedo-config');
    const data = { timeScale: '10', nodeMonitorGracePeriod: '40s' };
    if (cm.status === 404) await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data });
    else await k('PUT', '/api/v1/namespaces/kube-system/configmaps/kubedo-config', { ...cm.body, data });
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'kl3' } });
    // 8 s of shutdown at timeScale 10: 800 ms after the deletion.
    await k('POST', '/api/v1/namespaces/kl3/pods', { ...pod('slow', { nodeName: 'default-worker' }), metadata: { name: 'slow', annotations: { 'kubedo.dev/shutdown-after': '8s', 'kubedo.dev/image-pull': '0s' } } });
    await until('Running', async () => ((await k('GET', '/api/v1/namespaces/kl3/pods/slow')).body.status?.phase === 'Running' ? true : undefined));
    // Delete late in a second: the deletionTimestamp (whole seconds) is then ~900 ms before the real instant.
    while (Date.now() % 1000 < 900) await new Promise((r) => setTimeout(r, 5));
    const deletedAt = Date.now();
    expect((await k('DELETE', '/api/v1/namespaces/kl3/pods/slow')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const terminating = await k('GET', '/api/v1/namespaces/kl3/pods/slow');
    expect(terminating.status).toBe(200);
    expect(terminating.body.metadata.deletionTimestamp).toBeTruthy();
    await until('pod removed', async () => ((await k('GET', '/api/v1/namespaces/kl3/pods/slow')).status === 404 ? true : undefined));
    expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(800);
  });

  it('a kubelet that starts again (the Durable Object restarted) does not record the events twice', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'kl2' } });
    await k('POST', '/api/v1/namespaces/kl2/pods', pod('again'));
    await until('Running', async () => {
      const p = (await k('GET', '/api/v1/namespaces/kl2/pods/again')).body;
      return p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    });
    const kubeletEvents = async () =>
      ((await k('GET', '/api/v1/namespaces/kl2/events?fieldSelector=involvedObject.name%3Dagain')).body.items as any[])
        .filter((e) => e.source?.component === 'kubelet')
        .map((e) => `${e.reason} ${e.count}`)
        .sort();
    const before = await kubeletEvents();
    expect(before).toEqual(['Created 1', 'Pulled 1', 'Pulling 1', 'Started 1']);
    // A new kubelet controller has none of the old one's memory, like one in a restarted object.
    const restart = async (instance: any): Promise<boolean> => {
      const fresh = kubeletController({ store: instance.store, registry: instance.registry, catalog: instance.catalog, loop: instance.loop, network: instance.network }, instance.pods);
      fresh.reconcile('kl2/again', Date.now());
      return true;
    };
    // (typed loosely: the stub's generic instance type is too deep for tsc here)
    const inObject = runInDurableObject as unknown as (stub: unknown, fn: (instance: any) => Promise<boolean>) => Promise<boolean>;
    const ran = await inObject(clusterStub(), restart);
    expect(ran).toBe(true);
    expect(await kubeletEvents()).toEqual(before);
  });
});
