// Storage object-in-use protection inside workerd: the admission plugin's finalizers on claims and
// volumes, a claim deleted while a pod uses it stays Terminating until the pod is gone, and a bound
// volume deleted stays Terminating until its claim releases it.
import { describe, expect, it } from 'vitest';
import { k, until } from './helpers';

const NS = 'pvcp';

const claim = (name: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

async function bound(name: string): Promise<any> {
  return until(`${name} bound`, async () => {
    const c = (await k('GET', `/api/v1/namespaces/${NS}/persistentvolumeclaims/${name}`)).body;
    return c.status?.phase === 'Bound' ? c : undefined;
  });
}

/** Let the control loop run a few rounds, then read the object. */
async function settle(path: string): Promise<any> {
  for (let i = 0; i < 5; i++) await until('a round', async () => true);
  return k('GET', path);
}

describe('storage object in use protection', () => {
  it('keeps a claim in use and a bound volume until they are released', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const created = await k('POST', `/api/v1/namespaces/${NS}/persistentvolumeclaims`, claim('data'));
    expect(created.status).toBe(201);
    expect(created.body.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    const c = await bound('data');
    const pv = (await k('GET', `/api/v1/persistentvolumes/${c.spec.volumeName}`)).body;
    expect(pv.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);

    const pod = await k('POST', `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'user' },
      spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] },
    });
    expect(pod.status).toBe(201);
    await until('pod running', async () => {
      const p = (await k('GET', `/api/v1/namespaces/${NS}/pods/user`)).body;
      return p.status?.phase === 'Running' ? p : undefined;
    });

    // Deleting the claim in use: Terminating, finalizer kept, volume still bound.
    const del = await k('DELETE', `/api/v1/namespaces/${NS}/persistentvolumeclaims/data`);
    expect(del.status).toBe(200);
    const terminating = await settle(`/api/v1/namespaces/${NS}/persistentvolumeclaims/data`);
    expect(terminating.status).toBe(200);
    expect(terminating.body.metadata.deletionTimestamp).toBeTruthy();
    expect(terminating.body.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect((await k('GET', `/api/v1/persistentvolumes/${c.spec.volumeName}`)).body.status.phase).toBe('Bound');

    // The pod goes: the claim goes, and its Delete-policy volume with it.
    expect((await k('DELETE', `/api/v1/namespaces/${NS}/pods/user`, { gracePeriodSeconds: 0 })).status).toBe(200);
    await until('claim and volume gone', async () => {
      const a = await k('GET', `/api/v1/namespaces/${NS}/persistentvolumeclaims/data`);
      const b = await k('GET', `/api/v1/persistentvolumes/${c.spec.volumeName}`);
      return a.status === 404 && b.status === 404 ? true : undefined;
    });

    // A bound volume deleted directly waits for its claim.
    await k('POST', `/api/v1/namespaces/${NS}/persistentvolumeclaims`, claim('other'));
    const o = await bound('other');
    expect((await k('DELETE', `/api/v1/persistentvolumes/${o.spec.volumeName}`)).status).toBe(200);
    const pvTerminating = await settle(`/api/v1/persistentvolumes/${o.spec.volumeName}`);
    expect(pvTerminating.status).toBe(200);
    expect(pvTerminating.body.metadata.deletionTimestamp).toBeTruthy();
    expect(pvTerminating.body.status.phase).toBe('Bound');
    // An unused claim is deleted at once; then the volume is released and goes.
    expect((await k('DELETE', `/api/v1/namespaces/${NS}/persistentvolumeclaims/other`)).status).toBe(200);
    await until('volume gone', async () => {
      const a = await k('GET', `/api/v1/namespaces/${NS}/persistentvolumeclaims/other`);
      const b = await k('GET', `/api/v1/persistentvolumes/${o.spec.volumeName}`);
      return a.status === 404 && b.status === 404 ? true : undefined;
    });
  }, 60_000);

  it('a namespace holding claims in use and Job pods with tracking finalizers still goes away', async () => {
    const ns = 'pvcp-gone';
    await k('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    await k('POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, claim('data'));
    await k('POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'user' },
      spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] },
    });
    await k('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'long' },
      spec: { template: { metadata: { annotations: { 'kubedo.dev/exit-after': '10000s' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'example.com/worker:1' }] } } },
    });
    await until('both pods running', async () => {
      const ps = (await k('GET', `/api/v1/namespaces/${ns}/pods`)).body.items as any[];
      return ps.length === 2 && ps.every((p) => p.status?.phase === 'Running') ? ps : undefined;
    });
    expect((await k('DELETE', `/api/v1/namespaces/${ns}`)).status).toBe(200);
    await until('namespace gone', async () => ((await k('GET', `/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined), 20_000);
  }, 60_000);
});
