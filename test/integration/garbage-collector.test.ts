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
});
