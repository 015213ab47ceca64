// The StatefulSet controller and the simulated volume provisioner inside workerd, with the scheduler
// and kubelets at a fast time scale: ordered creation with claims bound to provisioned volumes,
// ordered scale-down keeping the claims, and a rolling image update.
import { describe, expect, it } from 'vitest';
import { k, until } from './helpers';

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
  }, 90_000);
});
