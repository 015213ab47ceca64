// kube-scheduler inside the sandbox: placement by selectors, taints and resources, FailedScheduling
// in kube-scheduler's words, requeue when the cluster changes, and preemption by priority.
import { describe, expect, it } from 'vitest';
import { clusterStub, k, until } from './helpers';


const ns = '/api/v1/namespaces/sched/pods';
const pod = (name: string, spec: object = {}, extra: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...extra },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
});
const nodeOf = (name: string) => until(`${name} scheduled`, async () => (await k('GET', `${ns}/${name}`)).body.spec.nodeName as string | undefined);

describe('kube-scheduler', () => {
  it('places pods by nodeSelector and never on the tainted control plane', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'sched' } });
    await k('PATCH', '/api/v1/nodes/default-worker2', { metadata: { labels: { disk: 'ssd' } } }, { 'Content-Type': 'application/merge-patch+json' });
    await k('POST', ns, pod('ssd', { nodeSelector: { disk: 'ssd' } }));
    expect(await nodeOf('ssd')).toBe('default-worker2');
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) await k('POST', ns, pod(n));
    const placed = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map(nodeOf));
    expect(placed).not.toContain('default-control-plane');
    const events = (await k('GET', '/api/v1/namespaces/sched/events?fieldSelector=involvedObject.name%3Da,reason%3DScheduled')).body.items;
    expect(events[0].message).toBe(`Successfully assigned sched/a to ${placed[0]}`);
  });

  it('reports FailedScheduling like kube-scheduler and schedules once a node fits', async () => {
    await k('POST', ns, pod('huge', { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '9' } } }] }));
    const failed = await until('FailedScheduling', async () => {
      const evs = (await k('GET', '/api/v1/namespaces/sched/events?fieldSelector=involvedObject.name%3Dhuge,reason%3DFailedScheduling')).body.items;
      return evs[0];
    });
    expect(failed.message).toBe(
      '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
    );
    const p = (await k('GET', `${ns}/huge`)).body;
    expect(p.status.conditions.find((c: any) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    // A bigger node joins: the pod is requeued and lands there.
    await k('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'big-node', labels: { 'kubernetes.io/hostname': 'big-node' } },
      status: { capacity: { cpu: '32', memory: '64Gi', pods: '110' }, allocatable: { cpu: '32', memory: '64Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(await nodeOf('huge')).toBe('big-node');
  });

  it('keeps a pod whose claim is being deleted or missing unschedulable (VolumeBinding) until the claim is back', async () => {
    const claims = '/api/v1/namespaces/sched/persistentvolumeclaims';
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    // Another finalizer holds the claim in Terminating.
    await k('POST', claims, { ...claim, metadata: { name: 'data', finalizers: ['example.com/hold'] } });
    expect((await k('DELETE', `${claims}/data`)).status).toBe(200);
    await k('POST', ns, pod('uses-data', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }));
    const failed = await until('FailedScheduling', async () => (await k('GET', '/api/v1/namespaces/sched/events?fieldSelector=involvedObject.name%3Duses-data,reason%3DFailedScheduling')).body.items[0]);
    expect(failed.message).toMatch(/^0\/\d+ nodes are available: persistentvolumeclaim "data" is being deleted\. preemption: 0\/\d+ nodes are available: \d+ Preemption is not helpful for scheduling\.$/);
    const p = (await k('GET', `${ns}/uses-data`)).body;
    expect(p.spec.nodeName).toBeUndefined();
    expect(p.status.conditions.find((c: any) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message: failed.message });
    // The claim goes away; a new claim of that name unblocks the pod.
    const held = (await k('GET', `${claims}/data`)).body;
    await k('PUT', `${claims}/data`, { ...held, metadata: { ...held.metadata, finalizers: held.metadata.finalizers.filter((f: string) => f !== 'example.com/hold') } });
    await until('claim gone', async () => ((await k('GET', `${claims}/data`)).status === 404 ? true : undefined));
    // A pod naming a claim that does not exist waits too.
    await k('POST', ns, pod('no-claim', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'nope' } }] }));
    const missing = await until('not found', async () => (await k('GET', '/api/v1/namespaces/sched/events?fieldSelector=involvedObject.name%3Dno-claim,reason%3DFailedScheduling')).body.items[0]);
    expect(missing.message).toMatch(/^0\/\d+ nodes are available: persistentvolumeclaim "nope" not found\./);
    // A new claim of that name: the pod is requeued and scheduled.
    await k('POST', claims, claim);
    expect(await nodeOf('uses-data')).toBeTruthy();
    await k('DELETE', `${ns}/no-claim`);
  });

  it('a high-priority pod preempts a lower-priority one', async () => {
    await k('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
    await k('PATCH', '/api/v1/nodes/big-node', { spec: { unschedulable: true } }, { 'Content-Type': 'application/merge-patch+json' });
    const fill = (name: string, extra: object) => pod(name, { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '7' } } }], ...extra });
    for (const n of ['low1', 'low2', 'low3']) await k('POST', ns, fill(n, {}));
    const lows = await Promise.all(['low1', 'low2', 'low3'].map(nodeOf));
    expect(new Set(lows).size).toBe(3);
    await k('POST', ns, fill('vip', { priorityClassName: 'high' }));
    const nominated = await until('nomination', async () => (await k('GET', `${ns}/vip`)).body.status.nominatedNodeName as string | undefined);
    expect(lows).toContain(nominated);
    await until('a victim deleted', async () => {
      for (const n of ['low1', 'low2', 'low3']) {
        const v = await k('GET', `${ns}/${n}`);
        if (v.status === 404 || v.body.metadata.deletionTimestamp) return n;
      }
      return undefined;
    });
  });

  it('eviction honours PodDisruptionBudgets with 429', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'pdb' } });
    await k('POST', '/api/v1/namespaces/pdb/pods', { ...pod('guarded', { nodeName: 'default-worker' }), metadata: { name: 'guarded', labels: { app: 'g' } } });
    await until('guarded Ready', async () => {
      const p = (await k('GET', '/api/v1/namespaces/pdb/pods/guarded')).body;
      return p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    });
    await k('POST', '/apis/policy/v1/namespaces/pdb/poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'keep-one' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'g' } } } });
    // The disruption controller reports the budget in its status.
    const pdbStatus = await until('PDB status', async () => {
      const b = (await k('GET', '/apis/policy/v1/namespaces/pdb/poddisruptionbudgets/keep-one')).body;
      return b.status?.expectedPods === 1 ? b.status : undefined;
    });
    expect(pdbStatus).toMatchObject({ currentHealthy: 1, desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: 1 });
    expect(pdbStatus.conditions[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' });
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'guarded', namespace: 'pdb' } };
    const blocked = await k('POST', '/api/v1/namespaces/pdb/pods/guarded/eviction', eviction);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget." });
    expect(blocked.body.details.causes[0]).toMatchObject({ reason: 'DisruptionBudget', message: 'The disruption budget keep-one needs 1 healthy pods and has 1 currently' });
    await k('DELETE', '/apis/policy/v1/namespaces/pdb/poddisruptionbudgets/keep-one');
    const allowed = await k('POST', '/api/v1/namespaces/pdb/pods/guarded/eviction', eviction);
    expect(allowed.status).toBe(201);
    // Evicted: terminating, or already gone (its container stops at once on SIGTERM).
    const after = await k('GET', '/api/v1/namespaces/pdb/pods/guarded');
    expect(after.status === 404 || !!after.body.metadata.deletionTimestamp).toBe(true);
  });
});
