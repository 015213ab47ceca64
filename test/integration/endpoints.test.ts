// The Endpoints and EndpointSlice controllers inside workerd with the simulated kubelets: endpoints
// follow pods becoming ready, not ready, terminating and deleted; named target ports, hostnames
// for a headless Service's subdomain, publishNotReadyAddresses, more than 100 endpoints split over
// slices, and cleanup when the Service goes.
import { describe, expect, it } from 'vitest';
import { k, until } from './helpers';

const NS = 'ep';
const pod = (name: string, node: string, annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}, app = 'web') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app }, annotations },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }], ...spec },
});
const endpoints = async (name: string) => (await k('GET', `/api/v1/namespaces/${NS}/endpoints/${name}`)).body;
const slices = async (name: string) =>
  ((await k('GET', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${name}`)).body.items ?? []) as any[];
const podOf = async (name: string) => (await k('GET', `/api/v1/namespaces/${NS}/pods/${name}`)).body;

describe('endpoints and endpointslices', () => {
  it('follow pods becoming ready, not ready, terminating and deleted', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const svc = await k('POST', `/api/v1/namespaces/${NS}/services`, {
      metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    expect(svc.status).toBe(201);
    // No backends yet: an empty Endpoints and one placeholder slice.
    const placeholder = await until('placeholder slice', async () => ((await slices('web')).length === 1 ? (await slices('web'))[0] : undefined));
    expect(placeholder.endpoints ?? []).toEqual([]);

    const nodes = ['default-worker', 'default-worker2', 'default-worker3'];
    // web-1 will take 600 s (6 s at this time scale) to shut down when deleted, and a finalizer keeps
    // it terminating until the test has looked.
    for (let i = 0; i < 3; i++) {
      const slowStop: Record<string, string> = i === 1 ? { 'kubedo.dev/shutdown-after': '600s' } : {};
      const body = pod(`web-${i}`, nodes[i], slowStop, { terminationGracePeriodSeconds: 1200 });
      if (i === 1) (body.metadata as any).finalizers = ['example.com/hold'];
      expect((await k('POST', `/api/v1/namespaces/${NS}/pods`, body)).status).toBe(201);
    }
    await k('POST', `/api/v1/namespaces/${NS}/pods`, pod('slow', 'default-worker', { 'kubedo.dev/ready-after': '100h' }));

    const ep = await until('3 ready + 1 not ready', async () => {
      const e = await endpoints('web');
      return e.subsets?.[0]?.addresses?.length === 3 && e.subsets[0].notReadyAddresses?.length === 1 ? e : undefined;
    });
    const pods = await Promise.all([0, 1, 2].map((i) => podOf(`web-${i}`)));
    const slow = await podOf('slow');
    expect(ep.metadata.labels).toEqual({ tier: 'front', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' });
    expect(ep.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(ep.subsets[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const byIP = [...pods].sort((a, b) => (a.status.podIP.split('.').map(Number)[3] - b.status.podIP.split('.').map(Number)[3]) || a.status.podIP.localeCompare(b.status.podIP));
    expect(new Set(ep.subsets[0].addresses.map((a: any) => a.ip))).toEqual(new Set(byIP.map((p) => p.status.podIP)));
    const a0 = ep.subsets[0].addresses.find((a: any) => a.ip === pods[0].status.podIP);
    expect(a0).toEqual({ ip: pods[0].status.podIP, nodeName: 'default-worker', targetRef: { kind: 'Pod', namespace: NS, name: 'web-0', uid: pods[0].metadata.uid } });
    expect(ep.subsets[0].notReadyAddresses[0].ip).toBe(slow.status.podIP);

    const [slice] = await until('slice with 4', async () => {
      const s = await slices('web');
      return s.length === 1 && s[0].endpoints?.length === 4 ? s : undefined;
    });
    expect(slice.metadata.name.startsWith('web-')).toBe(true);
    expect(slice.metadata.labels).toEqual({ tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.body.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const e0 = slice.endpoints.find((e: any) => e.targetRef.name === 'web-0');
    expect(e0).toEqual({
      addresses: [pods[0].status.podIP],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: NS, name: 'web-0', uid: pods[0].metadata.uid },
      nodeName: 'default-worker',
    });
    expect(slice.endpoints.find((e: any) => e.targetRef.name === 'slow').conditions).toEqual({ ready: false, serving: false, terminating: false });

    // A terminating pod: gone from Endpoints, still in the slice as terminating (serving while ready).
    const delr = await k('DELETE', `/api/v1/namespaces/${NS}/pods/web-1`);
    expect(delr.status).toBe(200);
    await until('web-1 out of Endpoints', async () => {
      const e = await endpoints('web');
      return e.subsets[0].addresses.length === 2 ? e : undefined;
    });
    const term = await until('terminating in slice', async () => {
      const s = (await slices('web'))[0];
      const e = s.endpoints.find((x: any) => x.targetRef.name === 'web-1');
      return e?.conditions.terminating ? e : undefined;
    });
    expect(term.conditions).toEqual({ ready: false, serving: true, terminating: true });
    await k('PATCH', `/api/v1/namespaces/${NS}/pods/web-1`, { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
    await until('web-1 gone from slice', async () => {
      const s = (await slices('web'))[0];
      return s.endpoints.length === 3 ? s : undefined;
    }, 30_000);

    // An Endpoints written by hand for a selectorless Service is left alone, also when it goes.
    await k('POST', `/api/v1/namespaces/${NS}/services`, { metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
    await k('POST', `/api/v1/namespaces/${NS}/endpoints`, { metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }] });
    expect((await k('DELETE', `/api/v1/namespaces/${NS}/services/manual`)).status).toBe(200);

    // Deleting the Service removes its Endpoints and slices.
    expect((await k('DELETE', `/api/v1/namespaces/${NS}/services/web`)).status).toBe(200);
    await until('endpoints gone', async () => ((await k('GET', `/api/v1/namespaces/${NS}/endpoints/web`)).status === 404 ? true : undefined));
    await until('slices gone', async () => ((await slices('web')).length === 0 ? true : undefined));
    expect((await endpoints('manual')).subsets).toEqual([{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
  }, 60_000);

  it('hostnames for a headless subdomain, publishNotReadyAddresses, unresolved port names', async () => {
    await k('POST', `/api/v1/namespaces/${NS}/services`, {
      metadata: { name: 'db' },
      spec: { clusterIP: 'None', selector: { app: 'db' }, publishNotReadyAddresses: true, ports: [{ name: 'sql', port: 5432, targetPort: 'sql' }, { name: 'http', port: 80, targetPort: 'http' }] },
    });
    await k('POST', `/api/v1/namespaces/${NS}/pods`, pod('db-0', 'default-worker', { 'kubedo.dev/ready-after': '100h' }, { hostname: 'db-0', subdomain: 'db' }, 'db'));
    const ep = await until('db endpoints', async () => {
      const e = await endpoints('db');
      return e.subsets?.[0]?.addresses?.length === 1 ? e : undefined;
    });
    // Not ready, but published; only the port name the pod defines resolves.
    expect(ep.subsets[0].addresses[0]).toMatchObject({ hostname: 'db-0', nodeName: 'default-worker' });
    expect(ep.subsets[0].notReadyAddresses).toBeUndefined();
    expect(ep.subsets[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(ep.metadata.labels).toEqual({ 'endpoints.kubernetes.io/managed-by': 'endpoint-controller', 'service.kubernetes.io/headless': '' });
    const s = await until('db slice', async () => ((await slices('db'))[0]?.endpoints?.length === 1 ? (await slices('db'))[0] : undefined));
    expect(s.endpoints[0]).toMatchObject({ hostname: 'db-0', conditions: { ready: true, serving: false, terminating: false } });
    expect(s.metadata.labels['service.kubernetes.io/headless']).toBe('');
  });

  it('spreads more than 100 endpoints over several slices', async () => {
    await k('POST', `/api/v1/namespaces/${NS}/services`, { metadata: { name: 'many' }, spec: { selector: { app: 'many' }, ports: [{ port: 80 }] } });
    const nodes = ['default-worker', 'default-worker2', 'default-worker3'];
    for (let i = 0; i < 120; i++) await k('POST', `/api/v1/namespaces/${NS}/pods`, pod(`many-${i}`, nodes[i % 3], {}, {}, 'many'));
    const all = await until('120 endpoints', async () => {
      const s = await slices('many');
      const n = s.reduce((acc, x) => acc + (x.endpoints?.length ?? 0), 0);
      return n === 120 && s.every((x) => x.endpoints.every((e: any) => e.conditions.ready)) ? s : undefined;
    }, 30_000);
    expect(all.length).toBe(2);
    for (const s of all) expect(s.endpoints.length).toBeLessThanOrEqual(100);
    const ips = all.flatMap((s) => s.endpoints.map((e: any) => e.addresses[0]));
    expect(new Set(ips).size).toBe(120);
    const ep = await endpoints('many');
    expect(ep.subsets[0].addresses).toHaveLength(120);
    expect(ep.metadata.annotations['endpoints.kubernetes.io/over-capacity']).toBeUndefined();

    // Deleted by hand: the controllers put them back.
    expect((await k('DELETE', `/api/v1/namespaces/${NS}/endpoints/many`)).status).toBe(200);
    expect((await k('DELETE', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${all[0].metadata.name}`)).status).toBe(200);
    await until('recreated', async () => {
      const e = await endpoints('many');
      const n = (await slices('many')).reduce((acc, x) => acc + (x.endpoints?.length ?? 0), 0);
      return e.subsets?.[0]?.addresses?.length === 120 && n === 120 ? true : undefined;
    });
  }, 60_000);
});
