// The StatefulSet controller and the simulated volume provisioner inside workerd, with the scheduler
// and kubelets at a fast time scale: ordered creation with claims bound to provisioned volumes,
// ordered scale-down keeping the claims, and a rolling image update.
import { describe, expect, it } from 'vitest';
import { k, openWatch, until } from './helpers';

const NS = 'sts';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

const isRunningReady = (p: any) => p.status?.phase === 'Running' && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
const readyAt = (p: any) => Date.parse(p.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime);

async function pods(): Promise<any[]> {
  const items = (await k('GET', `/api/v1/namespaces/${NS}/pods`)).body.items as any[];
  return items.filter((p) => !p.metadata.deletionTimestamp).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

describe('statefulset controller', () => {
  it('creates pods in order with bound claims, scales down from the top and rolls updates', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const created = await k('POST', `/apis/apps/v1/namespaces/${NS}/statefulsets`, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        serviceName: 'nginx',
        replicas: 3,
        selector: { matchLabels: { app: 'nginx' } },
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    expect(created.status).toBe(201);
    const uid = created.body.metadata.uid;

    const ps = await until('3 ready pods', async () => {
      const list = await pods();
      return list.length === 3 && list.every(isRunningReady) ? list : undefined;
    }, 20_000);
    expect(ps.map((p) => p.metadata.name)).toEqual(['web-0', 'web-1', 'web-2']);
    // OrderedReady: each pod was created only after the previous one was Ready.
    for (let i = 1; i < 3; i++) {
      expect(Date.parse(ps[i].metadata.creationTimestamp)).toBeGreaterThanOrEqual(Math.floor(readyAt(ps[i - 1]) / 1000) * 1000);
    }
    const events = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dweb`)).body.items as any[];
    const messages = events.filter((e) => e.reason === 'SuccessfulCreate').sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)).map((e) => e.message);
    expect(messages).toEqual([
      'create Claim www-web-0 Pod web-0 in StatefulSet web success',
      'create Pod web-0 in StatefulSet web successful',
      'create Claim www-web-1 Pod web-1 in StatefulSet web success',
      'create Pod web-1 in StatefulSet web successful',
      'create Claim www-web-2 Pod web-2 in StatefulSet web success',
      'create Pod web-2 in StatefulSet web successful',
    ]);
    for (const [i, p] of ps.entries()) {
      expect(p.spec.hostname).toBe(`web-${i}`);
      expect(p.spec.subdomain).toBe('nginx');
      expect(p.metadata.labels).toMatchObject({ app: 'nginx', 'statefulset.kubernetes.io/pod-name': `web-${i}`, 'apps.kubernetes.io/pod-index': String(i) });
      expect(p.metadata.labels['controller-revision-hash']).toMatch(/^web-/);
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.spec.volumes).toContainEqual({ name: 'www', persistentVolumeClaim: { claimName: `www-web-${i}` } });
    }

    // Claims bound to provisioned volumes; a default class was created.
    const claims = await until('3 bound claims', async () => {
      const items = (await k('GET', `/api/v1/namespaces/${NS}/persistentvolumeclaims`)).body.items as any[];
      return items.length === 3 && items.every((c) => c.status.phase === 'Bound') ? items : undefined;
    });
    for (const c of claims) {
      expect(c.metadata.ownerReferences).toBeUndefined();
      expect(c.metadata.labels).toEqual({ app: 'nginx' });
      expect(c.spec.volumeName).toBe(`pvc-${c.metadata.uid}`);
      expect(c.status).toMatchObject({ accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
      expect(c.metadata.annotations['pv.kubernetes.io/bind-completed']).toBe('yes');
      const pv = (await k('GET', `/api/v1/persistentvolumes/${c.spec.volumeName}`)).body;
      expect(pv.status.phase).toBe('Bound');
      expect(pv.spec).toMatchObject({ storageClassName: 'standard', persistentVolumeReclaimPolicy: 'Delete', capacity: { storage: '1Gi' }, claimRef: { name: c.metadata.name, namespace: NS, uid: c.metadata.uid } });
      expect(pv.metadata.annotations['pv.kubernetes.io/provisioned-by']).toBe('kubedo.dev/hostpath');
    }
    const sc = (await k('GET', '/apis/storage.k8s.io/v1/storageclasses/standard')).body;
    expect(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');

    const sts = await until('status ready 3', async () => {
      const s = (await k('GET', `/apis/apps/v1/namespaces/${NS}/statefulsets/web`)).body;
      return s.status?.readyReplicas === 3 ? s : undefined;
    });
    expect(sts.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, observedGeneration: sts.metadata.generation });
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    const rev1 = sts.status.updateRevision;

    // Scale to 1: web-2 goes first, then web-1; the claims stay.
    expect((await k('PATCH', `/apis/apps/v1/namespaces/${NS}/statefulsets/web`, { spec: { replicas: 1 } }, MERGE)).status).toBe(200);
    await until('scaled to 1', async () => {
      const list = (await k('GET', `/api/v1/namespaces/${NS}/pods`)).body.items as any[];
      return list.length === 1 ? list : undefined;
    }, 20_000);
    const deletes = ((await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dweb`)).body.items as any[])
      .filter((e) => e.reason === 'SuccessfulDelete')
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
      .map((e) => e.message);
    expect(deletes).toEqual(['delete Pod web-2 in StatefulSet web successful', 'delete Pod web-1 in StatefulSet web successful']);
    const kept = (await k('GET', `/api/v1/namespaces/${NS}/persistentvolumeclaims`)).body.items as any[];
    expect(kept.map((c) => c.metadata.name).sort()).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);

    // Back to 2 and an image change: every pod is replaced with the new revision.
    expect(
      (await k('PATCH', `/apis/apps/v1/namespaces/${NS}/statefulsets/web`, { spec: { replicas: 2, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } }, MERGE)).status,
    ).toBe(200);
    const rolled = await until('rolled out', async () => {
      const s = (await k('GET', `/apis/apps/v1/namespaces/${NS}/statefulsets/web`)).body;
      return s.status?.updatedReplicas === 2 && s.status.readyReplicas === 2 && s.status.currentRevision === s.status.updateRevision && s.status.observedGeneration === s.metadata.generation ? s : undefined;
    }, 30_000);
    expect(rolled.status.updateRevision).not.toBe(rev1);
    const after = await pods();
    expect(after.map((p) => p.metadata.name)).toEqual(['web-0', 'web-1']);
    for (const p of after) {
      expect(p.spec.containers[0].image).toBe('nginx:1.26');
      expect(p.metadata.labels['controller-revision-hash']).toBe(rolled.status.updateRevision);
    }

    // ControllerRevisions: one per template, numbered, holding the template as a replace patch.
    const revs = await revisions(NS);
    expect(revs.map((r) => [r.metadata.name, r.revision])).toEqual([
      [rev1, 1],
      [rolled.status.updateRevision, 2],
    ]);
    for (const r of revs) {
      expect(r.metadata.labels).toMatchObject({ app: 'nginx', 'controller-revision-hash': r.metadata.name.slice('web-'.length) });
      expect(r.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid, controller: true, blockOwnerDeletion: true }]);
      expect(r.data.spec.template.$patch).toBe('replace');
    }
    expect(revs[0].data.spec.template.spec.containers[0].image).toBe('nginx:1.25');
    expect(revs[1].data.spec.template.spec.containers[0].image).toBe('nginx:1.26');

    // Rolling back to the old template re-uses its revision (renumbered 3), as `rollout undo` does.
    const undo = await k('PATCH', `/apis/apps/v1/namespaces/${NS}/statefulsets/web`, revs[0].data, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(undo.status).toBe(200);
    expect(undo.body.spec.template.spec.containers[0].image).toBe('nginx:1.25');
    const back = await until('rolled back', async () => {
      const s = (await k('GET', `/apis/apps/v1/namespaces/${NS}/statefulsets/web`)).body;
      return s.status?.updateRevision === rev1 && s.status.currentRevision === rev1 && s.status.updatedReplicas === 2 && s.status.readyReplicas === 2 ? s : undefined;
    }, 30_000);
    expect(back.status.currentReplicas).toBe(2);
    expect((await revisions(NS)).map((r) => [r.metadata.name, r.revision])).toEqual([
      [rolled.status.updateRevision, 2],
      [rev1, 3],
    ]);
    expect((await pods()).map((p) => p.spec.containers[0].image)).toEqual(['nginx:1.25', 'nginx:1.25']);
  }, 90_000);

  it('keeps pods below the partition at the current revision, even when recreated', async () => {
    const ns = 'sts-partition';
    await k('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const body = statefulSet('db', 3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }, revisionHistoryLimit: 1 });
    expect((await k('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, body)).status).toBe(201);
    const s1 = await waitStatus(ns, 'db', (s) => s.readyReplicas === 3 && s.currentReplicas === 3);
    const rev1 = s1.currentRevision;

    await k('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/db`, { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } } }, MERGE);
    const s2 = await waitStatus(ns, 'db', (s) => s.updateRevision !== rev1 && s.updatedReplicas === 1 && s.readyReplicas === 3);
    expect(s2).toMatchObject({ currentRevision: rev1, currentReplicas: 2, updatedReplicas: 1 });
    const images = async () => Object.fromEntries((await podsIn(ns)).map((p) => [p.metadata.name, [p.spec.containers[0].image, p.metadata.labels['controller-revision-hash']]]));
    expect(await images()).toEqual({ 'db-0': ['nginx:1.24', rev1], 'db-1': ['nginx:1.24', rev1], 'db-2': ['nginx:1.25', s2.updateRevision] });

    // A pod below the partition that is deleted comes back with the current revision's template.
    const old0 = (await k('GET', `/api/v1/namespaces/${ns}/pods/db-0`)).body.metadata.uid;
    expect((await k('DELETE', `/api/v1/namespaces/${ns}/pods/db-0`, { gracePeriodSeconds: 0 })).status).toBe(200);
    await until('db-0 recreated', async () => {
      const p = (await k('GET', `/api/v1/namespaces/${ns}/pods/db-0`)).body;
      return p.metadata?.uid && p.metadata.uid !== old0 && isRunningReady(p) ? p : undefined;
    }, 20_000);
    expect((await images())['db-0']).toEqual(['nginx:1.24', rev1]);

    // Partition 0 finishes the rollout; the current revision follows; history keeps 1 old revision.
    await k('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/db`, { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }, MERGE);
    const s3 = await waitStatus(ns, 'db', (s) => s.currentRevision === s.updateRevision && s.updatedReplicas === 3 && s.readyReplicas === 3);
    expect(s3.currentReplicas).toBe(3);
    await k('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/db`, { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } } } }, MERGE);
    const s4 = await waitStatus(ns, 'db', (s) => s.currentRevision === s.updateRevision && s.updatedReplicas === 3 && s.readyReplicas === 3 && s.updateRevision !== s3.updateRevision);
    const left = await revisions(ns);
    expect(left.map((r) => r.metadata.name)).toEqual([s3.updateRevision, s4.updateRevision]);
    expect(left.map((r) => r.revision)).toEqual([2, 3]);

    // Orphaned and re-created: the new set adopts the pods and the revisions instead of replacing them.
    expect((await k('DELETE', `/apis/apps/v1/namespaces/${ns}/statefulsets/db`, { propagationPolicy: 'Orphan' })).status).toBe(200);
    await until('set gone, pods orphaned', async () => {
      const gone = (await k('GET', `/apis/apps/v1/namespaces/${ns}/statefulsets/db`)).status === 404;
      const ps = await podsIn(ns);
      return gone && ps.length === 3 && ps.every((p) => !p.metadata.ownerReferences) ? true : undefined;
    });
    const uids = (await podsIn(ns)).map((p) => p.metadata.uid);
    const again = await k('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, statefulSet('db', 3, { template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } } }));
    expect(again.status).toBe(201);
    const s5 = await waitStatus(ns, 'db', (s) => s.readyReplicas === 3 && s.updatedReplicas === 3);
    expect(s5.updateRevision).toBe(s4.updateRevision);
    const adopted = await podsIn(ns);
    expect(adopted.map((p) => p.metadata.uid)).toEqual(uids);
    for (const p of adopted) expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: 'StatefulSet', uid: again.body.metadata.uid, controller: true });
    expect((await revisions(ns)).every((r) => r.metadata.ownerReferences[0].uid === again.body.metadata.uid)).toBe(true);
  }, 90_000);

  it('Parallel creates all pods at once; retention Delete hands claims to the set and to scaled-down pods', async () => {
    const ns = 'sts-parallel';
    await k('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const body = statefulSet('kv', 3, {
      template: { metadata: { labels: { app: 'kv' }, annotations: { 'kubedo.dev/ready-after': '100s' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.24' }] } },
      podManagementPolicy: 'Parallel',
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    });
    const creation = await openWatch(`/api/v1/namespaces/${ns}/pods?watch=true`);
    const created = await k('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, body);
    expect(created.status).toBe(201);
    const setUid = created.body.metadata.uid;
    await waitStatus(ns, 'kv', (s) => s.readyReplicas === 3);
    await creation.close();
    // Parallel: the three pods were created before the first one was Ready.
    const added = creation.events.map((e, i) => (e.type === 'ADDED' ? i : -1)).filter((i) => i >= 0);
    const firstReady = creation.events.findIndex((e) => isRunningReady(e.object));
    expect(added).toHaveLength(3);
    expect(firstReady).toBeGreaterThan(added[2]);
    const claims = (await k('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).body.items as any[];
    expect(claims).toHaveLength(3);
    for (const c of claims) expect(c.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv', uid: setUid, controller: true, blockOwnerDeletion: true }]);

    // maxUnavailable 2: two pods are replaced at once (seen on a watch: the simulation may run
    // several steps between two polls).
    const before = await k('GET', `/api/v1/namespaces/${ns}/pods`);
    const watch = await openWatch(`/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${before.body.metadata.resourceVersion}`);
    await k('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/kv`, { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } } }, MERGE);
    await waitStatus(ns, 'kv', (s) => s.updatedReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === s.updateRevision);
    await watch.close();
    const state = new Map<string, any>((before.body.items as any[]).map((p) => [p.metadata.uid, p]));
    let most = 0;
    for (const e of watch.events) {
      if (e.type === 'DELETED') state.delete(e.object.metadata.uid);
      else state.set(e.object.metadata.uid, e.object);
      const healthy = [...state.values()].filter((p) => !p.metadata.deletionTimestamp && isRunningReady(p)).length;
      most = Math.max(most, 3 - healthy);
    }
    expect(most).toBe(2);

    // Scale to 1: the claims of kv-1 and kv-2 are owned by their pods, then collected.
    await k('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/kv`, { spec: { replicas: 1 } }, MERGE);
    await until('claims of scaled-down pods gone', async () => {
      const cs = (await k('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).body.items as any[];
      return cs.length === 1 && cs[0].metadata.name === 'data-kv-0' ? cs : undefined;
    }, 30_000);

    // Deleting the set collects its pods and the remaining claim.
    expect((await k('DELETE', `/apis/apps/v1/namespaces/${ns}/statefulsets/kv`)).status).toBe(200);
    await until('claims gone', async () => {
      const cs = (await k('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).body.items as any[];
      const ps = (await k('GET', `/api/v1/namespaces/${ns}/pods`)).body.items as any[];
      return cs.length === 0 && ps.length === 0 ? true : undefined;
    }, 30_000);
  }, 90_000);
  it('OnDelete replaces a pod with the update revision only when it is deleted', async () => {
    const ns = 'sts-ondelete';
    await k('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    expect((await k('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, statefulSet('od', 2, { updateStrategy: { type: 'OnDelete' } }))).status).toBe(201);
    const s1 = await waitStatus(ns, 'od', (s) => s.readyReplicas === 2);
    await k('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/od`, { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } } }, MERGE);
    const s2 = await waitStatus(ns, 'od', (s) => s.updateRevision !== s1.currentRevision);
    for (let i = 0; i < 3; i++) await until('a round', async () => true);
    expect((await podsIn(ns)).map((p) => p.spec.containers[0].image)).toEqual(['nginx:1.24', 'nginx:1.24']);
    expect(s2).toMatchObject({ currentRevision: s1.currentRevision, currentReplicas: 2 });
    expect(s2.updatedReplicas).toBeUndefined();
    expect((await k('DELETE', `/api/v1/namespaces/${ns}/pods/od-1`, { gracePeriodSeconds: 0 })).status).toBe(200);
    const s3 = await waitStatus(ns, 'od', (s) => s.updatedReplicas === 1 && s.readyReplicas === 2);
    expect(s3.currentReplicas).toBe(1);
    expect((await podsIn(ns)).map((p) => p.spec.containers[0].image)).toEqual(['nginx:1.24', 'nginx:1.25']);
  }, 60_000);
});

function statefulSet(name: string, replicas: number, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.24' }] } },
      ...extra,
    },
  };
}

async function podsIn(ns: string): Promise<any[]> {
  const items = (await k('GET', `/api/v1/namespaces/${ns}/pods`)).body.items as any[];
  return items.filter((p) => !p.metadata.deletionTimestamp).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

async function revisions(ns: string): Promise<any[]> {
  const items = (await k('GET', `/apis/apps/v1/namespaces/${ns}/controllerrevisions`)).body.items as any[];
  return items.sort((a, b) => a.revision - b.revision);
}

async function waitStatus(ns: string, name: string, ok: (s: any) => boolean): Promise<any> {
  return until(`${name} status`, async () => {
    const s = (await k('GET', `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`)).body;
    return s.status && s.status.observedGeneration === s.metadata.generation && ok(s.status) ? s.status : undefined;
  }, 30_000);
}
