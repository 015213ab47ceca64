// The ReplicaSet and ReplicationController controllers inside workerd, with the simulated scheduler
// and kubelets at a fast time scale: pods are created with owner references and run, status follows,
// scaling up and down, replacement of a deleted pod, adoption of a matching orphan, and RCs.
import { describe, expect, it } from 'vitest';
import { k, until } from './helpers';

const NS = 'rs';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });

async function podsOf(uid: string, ns = NS): Promise<any[]> {
  const items = (await k('GET', `/api/v1/namespaces/${ns}/pods`)).body.items as any[];
  return items.filter((p) => p.metadata.ownerReferences?.some((r: any) => r.uid === uid && r.controller) && !p.metadata.deletionTimestamp);
}

const isRunningReady = (p: any) => p.status?.phase === 'Running' && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

describe('replicaset controller', () => {
  it('creates, runs, scales, replaces and adopts pods', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const created = await k('POST', `/apis/apps/v1/namespaces/${NS}/replicasets`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('web') },
    });
    expect(created.status).toBe(201);
    const uid = created.body.metadata.uid;

    const pods = await until('3 running pods', async () => {
      const ps = await podsOf(uid);
      return ps.length === 3 && ps.every(isRunningReady) ? ps : undefined;
    });
    for (const p of pods) {
      expect(p.metadata.name.startsWith('web-')).toBe(true);
      expect(p.metadata.labels).toEqual({ app: 'web' });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.spec.nodeName).toBeTruthy();
    }
    const rs = await until('status ready 3', async () => {
      const r = (await k('GET', `/apis/apps/v1/namespaces/${NS}/replicasets/web`)).body;
      return r.status?.readyReplicas === 3 && r.status.availableReplicas === 3 ? r : undefined;
    });
    expect(rs.status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: rs.metadata.generation });
    const events = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dweb`)).body.items as any[];
    const creates = events.filter((e) => e.reason === 'SuccessfulCreate');
    expect(creates).toHaveLength(3);
    expect(creates[0]).toMatchObject({ type: 'Normal', source: { component: 'replicaset-controller' }, involvedObject: { kind: 'ReplicaSet', name: 'web', uid } });
    expect(creates.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());

    // Scale up to 5.
    const up = await k('PATCH', `/apis/apps/v1/namespaces/${NS}/replicasets/web`, { spec: { replicas: 5 } }, MERGE);
    expect(up.status).toBe(200);
    await until('5 ready', async () => {
      const r = (await k('GET', `/apis/apps/v1/namespaces/${NS}/replicasets/web`)).body;
      return r.status.readyReplicas === 5 && r.status.replicas === 5 && r.status.observedGeneration === r.metadata.generation ? r : undefined;
    });
    expect(await podsOf(uid)).toHaveLength(5);

    // Scale down to 1.
    await k('PATCH', `/apis/apps/v1/namespaces/${NS}/replicasets/web`, { spec: { replicas: 1 } }, MERGE);
    await until('1 replica', async () => {
      const r = (await k('GET', `/apis/apps/v1/namespaces/${NS}/replicasets/web`)).body;
      return r.status.replicas === 1 && r.status.readyReplicas === 1 && (await podsOf(uid)).length === 1 ? r : undefined;
    });
    const deletes = ((await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dweb`)).body.items as any[]).filter((e) => e.reason === 'SuccessfulDelete');
    expect(deletes).toHaveLength(4);

    // A deleted pod is replaced.
    const [only] = await podsOf(uid);
    expect((await k('DELETE', `/api/v1/namespaces/${NS}/pods/${only.metadata.name}`)).status).toBe(200);
    const replacement = await until('replacement running', async () => {
      const ps = await podsOf(uid);
      return ps.length === 1 && ps[0].metadata.name !== only.metadata.name && isRunningReady(ps[0]) ? ps[0] : undefined;
    });
    expect(replacement.metadata.ownerReferences[0].uid).toBe(uid);

    // An orphan with matching labels is adopted by a new set, which then creates only what is missing.
    const orphan = await k('POST', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'adopt' } }, spec: template('adopt').spec });
    expect(orphan.status).toBe(201);
    await until('orphan running', async () => (isRunningReady((await k('GET', `/api/v1/namespaces/${NS}/pods/orphan`)).body) ? true : undefined));
    const adopter = await k('POST', `/apis/apps/v1/namespaces/${NS}/replicasets`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'adopter' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'adopt' } }, template: template('adopt') },
    });
    const adopterUid = adopter.body.metadata.uid;
    const adopted = await until('orphan adopted', async () => {
      const p = (await k('GET', `/api/v1/namespaces/${NS}/pods/orphan`)).body;
      return p.metadata?.ownerReferences?.some((r: any) => r.uid === adopterUid && r.controller && r.blockOwnerDeletion) ? p : undefined;
    });
    expect(adopted.metadata.ownerReferences).toHaveLength(1);
    const adopterPods = await until('adopter at 2 ready', async () => {
      const r = (await k('GET', `/apis/apps/v1/namespaces/${NS}/replicasets/adopter`)).body;
      const ps = await podsOf(adopterUid);
      return ps.length === 2 && r.status.replicas === 2 && r.status.readyReplicas === 2 ? ps : undefined;
    });
    expect(adopterPods.map((p) => p.metadata.name)).toContain('orphan');
    const adopterEvents = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dadopter`)).body.items as any[];
    expect(adopterEvents.filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(1);

    // An orphan created next to a full set is adopted, and the surplus is removed (it stays at 1).
    await k('POST', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'extra', labels: { app: 'web' } }, spec: template('web').spec });
    await until('still 1 replica', async () => {
      const r = (await k('GET', `/apis/apps/v1/namespaces/${NS}/replicasets/web`)).body;
      return r.status.replicas === 1 && (await podsOf(uid)).length === 1 ? r : undefined;
    });
    const deletedExtra = ((await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dweb`)).body.items as any[]).filter((e) => e.message === 'Deleted pod: extra');
    expect(deletedExtra).toHaveLength(1);
    await k('PATCH', `/apis/apps/v1/namespaces/${NS}/replicasets/web`, { spec: { replicas: 2 } }, MERGE);
    const settled = await until('2 replicas', async () => {
      const ps = await podsOf(uid);
      return ps.length === 2 ? ps : undefined;
    });

    // A pod whose labels no longer match is released.
    const keep = settled[0].metadata.name;
    await k('PATCH', `/api/v1/namespaces/${NS}/pods/${keep}`, { metadata: { labels: { app: 'other' } } }, MERGE);
    const released = await until('released', async () => {
      const p = (await k('GET', `/api/v1/namespaces/${NS}/pods/${keep}`)).body;
      return !p.metadata.ownerReferences?.length ? p : undefined;
    });
    expect(released.metadata.labels).toEqual({ app: 'other' });
    await until('replaced released pod', async () => ((await podsOf(uid)).length === 2 ? true : undefined));
  });

  it('runs ReplicationControllers too', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'rc' } });
    const created = await k('POST', '/api/v1/namespaces/rc/replicationcontrollers', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy' },
      spec: { replicas: 2, selector: { app: 'legacy' }, template: template('legacy') },
    });
    expect(created.status).toBe(201);
    const uid = created.body.metadata.uid;
    const pods = await until('2 running pods', async () => {
      const ps = await podsOf(uid, 'rc');
      return ps.length === 2 && ps.every(isRunningReady) ? ps : undefined;
    });
    expect(pods[0].metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy', uid, controller: true, blockOwnerDeletion: true }]);
    const rc = await until('rc status', async () => {
      const r = (await k('GET', '/api/v1/namespaces/rc/replicationcontrollers/legacy')).body;
      return r.status?.readyReplicas === 2 ? r : undefined;
    });
    expect(rc.status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 2, availableReplicas: 2, observedGeneration: rc.metadata.generation });
    const events = (await k('GET', '/api/v1/namespaces/rc/events?fieldSelector=involvedObject.name%3Dlegacy')).body.items as any[];
    expect(events.filter((e) => e.reason === 'SuccessfulCreate' && e.source.component === 'replication-controller')).toHaveLength(2);

    await k('PATCH', '/api/v1/namespaces/rc/replicationcontrollers/legacy', { spec: { replicas: 0 } }, MERGE);
    await until('scaled to 0', async () => {
      const r = (await k('GET', '/api/v1/namespaces/rc/replicationcontrollers/legacy')).body;
      return r.status.replicas === 0 && (await podsOf(uid, 'rc')).length === 0 ? r : undefined;
    });
  });

  it('counts pods available only after minReadySeconds (scaled by the time scale)', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'mrs' } });
    const created = await k('POST', '/apis/apps/v1/namespaces/mrs/replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'slow' },
      spec: { replicas: 1, minReadySeconds: 150, selector: { matchLabels: { app: 'slow' } }, template: template('slow') },
    });
    expect(created.status).toBe(201);
    const ready = await until('ready', async () => {
      const r = (await k('GET', '/apis/apps/v1/namespaces/mrs/replicasets/slow')).body;
      return r.status?.readyReplicas === 1 ? r : undefined;
    });
    expect(ready.status.availableReplicas).toBeUndefined();
    // 150 s at time scale 100: available 1.5 s after the pod became ready, by the controller's timer.
    const available = await until('available', async () => {
      const r = (await k('GET', '/apis/apps/v1/namespaces/mrs/replicasets/slow')).body;
      return r.status?.availableReplicas === 1 ? r : undefined;
    });
    expect(available.status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1 });
  });

  it('a pod creation the API refuses gives FailedCreate events and the ReplicaFailure condition', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'fail' } });
    const spec = (priorityClassName: string | null) => ({
      replicas: 2,
      selector: { matchLabels: { app: 'fail' } },
      template: { metadata: { labels: { app: 'fail' } }, spec: { priorityClassName, containers: [{ name: 'web', image: 'nginx' }] } },
    });
    expect((await k('POST', '/apis/apps/v1/namespaces/fail/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' }, spec: spec('missing') })).status).toBe(201);
    const failed = await until('ReplicaFailure', async () => {
      const r = (await k('GET', '/apis/apps/v1/namespaces/fail/replicasets/web')).body;
      return r.status?.conditions?.find((c: any) => c.type === 'ReplicaFailure') ? r : undefined;
    });
    expect(failed.status.conditions[0]).toMatchObject({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: expect.stringContaining('no PriorityClass with name missing was found') });
    const events = (await k('GET', '/api/v1/namespaces/fail/events?fieldSelector=involvedObject.name%3Dweb')).body.items as any[];
    expect(events.find((e) => e.reason === 'FailedCreate')).toMatchObject({ type: 'Warning', message: expect.stringContaining('Error creating: ') });

    // Fixed template: pods come up and the condition goes away.
    await k('PATCH', '/apis/apps/v1/namespaces/fail/replicasets/web', { spec: spec(null) }, MERGE);
    const ok = await until('recovered', async () => {
      const r = (await k('GET', '/apis/apps/v1/namespaces/fail/replicasets/web')).body;
      return r.status?.readyReplicas === 2 && !r.status.conditions ? r : undefined;
    }, 20_000);
    expect(ok.status.replicas).toBe(2);
  });
});
