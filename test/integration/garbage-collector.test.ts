// The garbage collector: Background deletes dependents once their owner is gone, Foreground waits
// for blocking dependents, Orphan strips the owner reference and keeps the dependents.
import { describe, expect, it } from 'vitest';
import { k, until } from './helpers';

const cm = (name: string, owner?: { name: string; uid: string }, block = false) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.name, uid: owner.uid, ...(block ? { blockOwnerDeletion: true } : {}) }] } : {}),
  },
});
const base = '/api/v1/namespaces/gc/configmaps';
const gone = (name: string) => until(`${name} gone`, async () => ((await k('GET', `${base}/${name}`)).status === 404 ? true : undefined));

describe('garbage collector', () => {
  it('Background: dependents go after their owner', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'gc' } });
    const owner = (await k('POST', base, cm('owner'))).body.metadata;
    await k('POST', base, cm('dep1', owner));
    await k('POST', base, cm('dep2', owner));
    const other = (await k('POST', base, cm('other'))).body.metadata;
    // A dependent with a second, living owner only loses the dangling reference.
    const shared = cm('shared', owner);
    shared.metadata.ownerReferences!.push({ apiVersion: 'v1', kind: 'ConfigMap', name: other.name, uid: other.uid });
    await k('POST', base, shared);
    await k('DELETE', `${base}/owner`, { propagationPolicy: 'Background' });
    await gone('dep1');
    await gone('dep2');
    const kept = await until('shared updated', async () => {
      const s = (await k('GET', `${base}/shared`)).body;
      return s.metadata.ownerReferences?.length === 1 ? s : undefined;
    });
    expect(kept.metadata.ownerReferences[0].name).toBe('other');
  });

  it('Foreground: the owner waits for its blocking dependents', async () => {
    const owner = (await k('POST', base, cm('fg-owner'))).body.metadata;
    await k('POST', base, cm('fg-dep', owner, true));
    const del = await k('DELETE', `${base}/fg-owner`, { propagationPolicy: 'Foreground' });
    expect(del.body.metadata.finalizers).toContain('foregroundDeletion');
    await gone('fg-dep');
    await gone('fg-owner');
  });

  it('Orphan: dependents stay, without the owner reference', async () => {
    const owner = (await k('POST', base, cm('or-owner'))).body.metadata;
    await k('POST', base, cm('or-dep', owner));
    await k('DELETE', `${base}/or-owner`, { propagationPolicy: 'Orphan' });
    await gone('or-owner');
    const dep = (await k('GET', `${base}/or-dep`)).body;
    expect(dep.metadata.ownerReferences).toBeUndefined();
  });

  it('owner references resolve per scope: other namespaces are dangling, cluster-scoped dependents may not name namespaced owners', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'gc2' } });
    const owner = (await k('POST', base, cm('scoped-owner'))).body.metadata;
    // A dependent in another namespace: its owner reference is dangling there.
    const far = await k('POST', '/api/v1/namespaces/gc2/configmaps', { ...cm('far', owner) });
    expect(far.status).toBe(201);
    await until('far collected', async () => ((await k('GET', '/api/v1/namespaces/gc2/configmaps/far')).status === 404 ? true : undefined));
    const ev = (await k('GET', '/api/v1/namespaces/gc2/events?fieldSelector=involvedObject.name%3Dfar')).body.items as any[];
    expect(ev.find((e) => e.reason === 'OwnerRefInvalidNamespace')).toMatchObject({
      type: 'Warning',
      message: `ownerRef [v1/ConfigMap, namespace: gc2, name: scoped-owner, uid: ${owner.uid}] does not exist in namespace "gc2"`,
      source: { component: 'garbage-collector-controller' },
    });

    // A cluster-scoped dependent naming a namespaced owner: invalid, left alone, reported.
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'gc-invalid', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'scoped-owner', uid: owner.uid }] },
      rules: [],
    };
    expect((await k('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', role)).status).toBe(201);
    const warned = await until('invalid reported', async () => {
      const items = (await k('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dgc-invalid')).body.items as any[];
      return items.find((e) => e.reason === 'OwnerRefInvalidNamespace');
    });
    expect(warned.message).toBe(`ownerRef [v1/ConfigMap, namespace: , name: scoped-owner, uid: ${owner.uid}] does not exist in namespace ""`);
    await k('DELETE', `${base}/scoped-owner`);
    for (let i = 0; i < 5; i++) await until('a round', async () => true);
    expect((await k('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/gc-invalid')).status).toBe(200);

    // A namespaced dependent of a cluster-scoped owner lives as long as the owner.
    const cr = (await k('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gc-owner' }, rules: [] })).body.metadata;
    const dep = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'of-cluster', ownerReferences: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'gc-owner', uid: cr.uid }] } };
    expect((await k('POST', base, dep)).status).toBe(201);
    for (let i = 0; i < 3; i++) await until('a round', async () => true);
    expect((await k('GET', `${base}/of-cluster`)).status).toBe(200);
    await k('DELETE', '/apis/rbac.authorization.k8s.io/v1/clusterroles/gc-owner');
    await gone('of-cluster');
  });
});
