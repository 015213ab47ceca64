// The DaemonSet controller inside workerd, with the simulated scheduler and kubelets at a fast time
// scale: one pod per eligible worker (the tainted control plane only when tolerated), status counts,
// a joining node gets a pod, and an image change rolls every pod.
import { describe, expect, it } from 'vitest';
import { k, openWatch, until } from './helpers';

const NS = 'ds';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const WORKERS = ['default-worker', 'default-worker2', 'default-worker3'];

const isRunningReady = (p: any) => p.status?.phase === 'Running' && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

async function podsOf(uid: string): Promise<any[]> {
  const items = (await k('GET', `/api/v1/namespaces/${NS}/pods`)).body.items as any[];
  return items.filter((p) => p.metadata.ownerReferences?.some((r: any) => r.uid === uid && r.controller) && !p.metadata.deletionTimestamp);
}

const daemonSet = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'nginx:1.25' }], ...extra } },
  },
});

describe('daemonset controller', () => {
  it('runs one pod per eligible node, follows new nodes and rolls image changes', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const created = await k('POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, daemonSet('agent'));
    expect(created.status).toBe(201);
    const uid = created.body.metadata.uid;

    const pods = await until('3 ready daemon pods', async () => {
      const ps = await podsOf(uid);
      return ps.length === 3 && ps.every(isRunningReady) ? ps : undefined;
    });
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(WORKERS);
    for (const p of pods) {
      expect(p.metadata.name.startsWith('agent-')).toBe(true);
      expect(p.metadata.labels.app).toBe('agent');
      expect(p.metadata.labels['controller-revision-hash']).toBeTruthy();
      expect(p.metadata.labels['pod-template-generation']).toBe('1');
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] },
      ]);
      expect(p.spec.tolerations).toEqual(
        expect.arrayContaining([
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
        ]),
      );
    }
    const ds = await until('status ready 3', async () => {
      const d = (await k('GET', `/apis/apps/v1/namespaces/${NS}/daemonsets/agent`)).body;
      return d.status?.numberReady === 3 && d.status.numberAvailable === 3 ? d : undefined;
    });
    expect(ds.status).toMatchObject({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      numberReady: 3,
      numberAvailable: 3,
      updatedNumberScheduled: 3,
      observedGeneration: ds.metadata.generation,
    });
    expect(ds.status.numberUnavailable).toBeUndefined();
    const events = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dagent`)).body.items as any[];
    const creates = events.filter((e) => e.reason === 'SuccessfulCreate');
    expect(creates).toHaveLength(3);
    expect(creates[0]).toMatchObject({ type: 'Normal', source: { component: 'daemonset-controller' }, involvedObject: { kind: 'DaemonSet', name: 'agent', uid } });

    // A DaemonSet tolerating the control-plane taint runs on all 4 nodes.
    const all = await k(
      'POST',
      `/apis/apps/v1/namespaces/${NS}/daemonsets`,
      daemonSet('everywhere', { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] }),
    );
    expect(all.status).toBe(201);
    const everywhere = await until('4 ready pods', async () => {
      const ps = await podsOf(all.body.metadata.uid);
      return ps.length === 4 && ps.every(isRunningReady) ? ps : undefined;
    });
    expect(everywhere.map((p) => p.spec.nodeName).sort()).toEqual(['default-control-plane', ...WORKERS]);
    await until('status desired 4', async () => {
      const d = (await k('GET', `/apis/apps/v1/namespaces/${NS}/daemonsets/everywhere`)).body;
      return d.status?.desiredNumberScheduled === 4 && d.status.numberReady === 4 ? d : undefined;
    });

    // A node joins: it gets a daemon pod.
    const node = await k('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'new-node', labels: { 'kubernetes.io/hostname': 'new-node' } },
      status: { capacity: { cpu: '8', memory: '16Gi', pods: '110' }, allocatable: { cpu: '8', memory: '16Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(node.status).toBe(201);
    await until('a pod on new-node', async () => {
      const ps = await podsOf(uid);
      return ps.length === 4 && ps.some((p) => p.spec.nodeName === 'new-node' && isRunningReady(p)) ? ps : undefined;
    });
    await until('status desired 4', async () => {
      const d = (await k('GET', `/apis/apps/v1/namespaces/${NS}/daemonsets/agent`)).body;
      return d.status?.desiredNumberScheduled === 4 && d.status.numberReady === 4 ? d : undefined;
    });

    // An image change rolls every pod to the new image, one node at a time.
    const patched = await k(
      'PATCH',
      `/apis/apps/v1/namespaces/${NS}/daemonsets/agent`,
      { spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.26' }] } } } },
      { 'Content-Type': 'application/strategic-merge-patch+json' },
    );
    expect(patched.status).toBe(200);
    let maxUnavailable = 0;
    const rolled = await until(
      'rolled to nginx:1.26',
      async () => {
        const ps = await podsOf(uid);
        const d = (await k('GET', `/apis/apps/v1/namespaces/${NS}/daemonsets/agent`)).body;
        maxUnavailable = Math.max(maxUnavailable, 4 - ps.filter(isRunningReady).length);
        return ps.length === 4 && ps.every((p) => isRunningReady(p) && p.spec.containers[0].image === 'nginx:1.26') && d.status.updatedNumberScheduled === 4 && d.status.numberAvailable === 4 ? ps : undefined;
      },
      20_000,
    );
    expect(new Set(rolled.map((p) => p.spec.nodeName)).size).toBe(4);
    expect(rolled.every((p) => p.metadata.labels['pod-template-generation'] === '2')).toBe(true);
    expect(maxUnavailable).toBeLessThanOrEqual(1);
    const deletes = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dagent`)).body.items.filter((e: any) => e.reason === 'SuccessfulDelete');
    expect(deletes).toHaveLength(4);

    // ControllerRevisions: one per template; pods carry the newest one's hash.
    const revisions = async () =>
      ((await k('GET', `/apis/apps/v1/namespaces/${NS}/controllerrevisions?labelSelector=app%3Dagent`)).body.items as any[]).sort((a, b) => a.revision - b.revision);
    const revs = await revisions();
    expect(revs.map((r) => r.revision)).toEqual([1, 2]);
    for (const r of revs) {
      expect(r.metadata.name).toBe(`agent-${r.metadata.labels['controller-revision-hash']}`);
      expect(r.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid, controller: true, blockOwnerDeletion: true }]);
      expect(r.data.spec.template.$patch).toBe('replace');
    }
    expect(revs[0].data.spec.template.spec.containers[0].image).toBe('nginx:1.25');
    expect(rolled.every((p) => p.metadata.labels['controller-revision-hash'] === revs[1].metadata.labels['controller-revision-hash'])).toBe(true);

    // Rolling back (what `kubectl rollout undo` patches) re-uses revision 1, renumbered 3.
    const undo = await k('PATCH', `/apis/apps/v1/namespaces/${NS}/daemonsets/agent`, revs[0].data, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(undo.status).toBe(200);
    await until(
      'rolled back to nginx:1.25',
      async () => {
        const ps = await podsOf(uid);
        return ps.length === 4 && ps.every((p) => isRunningReady(p) && p.metadata.labels['controller-revision-hash'] === revs[0].metadata.labels['controller-revision-hash']) ? ps : undefined;
      },
      20_000,
    );
    expect((await revisions()).map((r) => [r.metadata.name, r.revision])).toEqual([
      [revs[1].metadata.name, 2],
      [revs[0].metadata.name, 3],
    ]);
    // revisionHistoryLimit 0: the old revision no pod uses goes.
    await k('PATCH', `/apis/apps/v1/namespaces/${NS}/daemonsets/agent`, { spec: { revisionHistoryLimit: 0 } }, MERGE);
    await until('history trimmed', async () => {
      const rs = await revisions();
      return rs.length === 1 && rs[0].metadata.name === revs[0].metadata.name ? rs : undefined;
    });

    // Relabelling a node out of a nodeSelector removes its pod.
    await k('PATCH', `/apis/apps/v1/namespaces/${NS}/daemonsets/everywhere`, { spec: { template: { spec: { nodeSelector: { daemon: 'yes' } } } } }, MERGE);
    await k('PATCH', '/api/v1/nodes/default-worker', { metadata: { labels: { daemon: 'yes' } } }, MERGE);
    await until('only default-worker keeps a pod', async () => {
      const ps = await podsOf(all.body.metadata.uid);
      return ps.length === 1 && ps[0].spec.nodeName === 'default-worker' && isRunningReady(ps[0]) ? ps : undefined;
    });
  });

  it('maxSurge starts the updated pod beside the old one and keeps every node available', async () => {
    const surge = daemonSet('surge');
    (surge.spec as any).updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    (surge.spec.template.metadata as any).annotations = { 'kubedo.dev/ready-after': '50s' };
    const created = await k('POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, surge);
    expect(created.status).toBe(201);
    const uid = created.body.metadata.uid;
    const n = (await until('ready everywhere', async () => {
      const d = (await k('GET', `/apis/apps/v1/namespaces/${NS}/daemonsets/surge`)).body;
      return d.status?.desiredNumberScheduled > 0 && d.status.numberReady === d.status.desiredNumberScheduled ? d : undefined;
    }, 20_000)).status.desiredNumberScheduled as number;
    // Every pod transition, from a watch (the simulation may run several steps between two polls).
    const list = await k('GET', `/api/v1/namespaces/${NS}/pods`);
    const watch = await openWatch(`/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
    await k('PATCH', `/apis/apps/v1/namespaces/${NS}/daemonsets/surge`, { spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.26' }] } } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    await until('surged rollout done', async () => {
      const ps = await podsOf(uid);
      return ps.length === n && ps.every((p) => isRunningReady(p) && p.spec.containers[0].image === 'nginx:1.26') ? ps : undefined;
    }, 30_000);
    await watch.close();
    const state = new Map<string, any>((list.body.items as any[]).filter((p) => p.metadata.ownerReferences?.[0]?.uid === uid).map((p) => [p.metadata.uid, p]));
    let maxPods = 0;
    let minReady = Infinity;
    let maxSurging = 0;
    for (const e of watch.events) {
      const p = e.object;
      if (p.metadata.ownerReferences?.[0]?.uid !== uid) continue;
      if (e.type === 'DELETED') state.delete(p.metadata.uid);
      else state.set(p.metadata.uid, p);
      const live = [...state.values()].filter((x) => !x.metadata.deletionTimestamp);
      maxPods = Math.max(maxPods, live.length);
      maxSurging = Math.max(maxSurging, live.filter((x) => x.spec.containers[0].image === 'nginx:1.26' && !isRunningReady(x)).length);
      minReady = Math.min(minReady, live.filter(isRunningReady).length);
    }
    // Old and new pods run side by side, one not-yet-ready updated pod at a time (maxSurge 1; the
    // old pod of the previous node is deleted in the same sync that starts the next one, as upstream).
    expect(maxPods).toBeGreaterThan(n);
    expect(maxSurging).toBe(1);
    expect(minReady).toBe(n); // and no node is ever without a ready pod
  });
});
