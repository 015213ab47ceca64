// Services inside workerd: ClusterIPs from the service CIDR as IPAddress objects (requested ones
// checked, conflicts refused, released on delete, immutable), headless and ExternalName, NodePorts
// (requested, conflicting, kept across updates, released on type change), LoadBalancer addresses,
// IP families, and the kubernetes Service the sandbox starts with.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { k, TOKEN, until } from './helpers';

const NS = 'svc';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const svc = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});
const post = (body: unknown) => k('POST', `/api/v1/namespaces/${NS}/services`, body);

function inServiceCIDR(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 && b >= 96 && b <= 111;
}

describe('service allocations', () => {
  it('the sandbox starts with the kubernetes Service at the first address and its endpoints', async () => {
    const s = (await k('GET', '/api/v1/namespaces/default/services/kubernetes')).body;
    expect(s.spec).toMatchObject({ clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] });
    expect(s.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    const ep = (await k('GET', '/api/v1/namespaces/default/endpoints/kubernetes')).body;
    expect(ep.subsets).toEqual([{ addresses: [{ ip: '172.18.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
    const slice = (await k('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes')).body;
    expect(slice.endpoints).toEqual([{ addresses: ['172.18.0.2'], conditions: { ready: true } }]);
    const ip = (await k('GET', '/apis/networking.k8s.io/v1/ipaddresses/10.96.0.1')).body;
    expect(ip.spec.parentRef).toEqual({ group: '', resource: 'services', namespace: 'default', name: 'kubernetes' });
    const cidr = (await k('GET', '/apis/networking.k8s.io/v1/servicecidrs/kubernetes')).body;
    expect(cidr.spec.cidrs).toEqual(['10.96.0.0/12']);
    expect(cidr.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });

    // kube-apiserver puts its Service and endpoints back when they are deleted.
    expect((await k('DELETE', '/api/v1/namespaces/default/services/kubernetes')).status).toBe(200);
    expect((await k('DELETE', '/api/v1/namespaces/default/endpoints/kubernetes')).status).toBe(200);
    const back = await until('kubernetes Service back', async () => {
      const r = await k('GET', '/api/v1/namespaces/default/services/kubernetes');
      return r.status === 200 && r.body.metadata.uid !== s.metadata.uid ? r.body : undefined;
    });
    expect(back.spec.clusterIP).toBe('10.96.0.1');
    const epBack = await until('endpoints back', async () => {
      const r = await k('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
      return r.status === 200 ? r.body : undefined;
    });
    expect(epBack.subsets).toEqual(ep.subsets);
  });

  it('allocates unique ClusterIPs above the static band, validates requested ones and releases them', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const ips = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await post(svc(`s${i}`));
      expect(r.status).toBe(201);
      const ip = r.body.spec.clusterIP as string;
      expect(r.body.spec.clusterIPs).toEqual([ip]);
      expect(inServiceCIDR(ip)).toBe(true);
      // The lowest 256 addresses are kept for static assignment (10.96.0.0 - 10.96.0.255).
      expect(ip.startsWith('10.96.0.')).toBe(false);
      ips.add(ip);
      expect(r.body.spec).toMatchObject({ ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', type: 'ClusterIP' });
    }
    expect(ips.size).toBe(20);
    const addr = (await k('GET', `/apis/networking.k8s.io/v1/ipaddresses/${[...ips][0]}`)).body;
    expect(addr.metadata.labels).toEqual({ 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' });
    expect(addr.spec.parentRef).toEqual({ group: '', resource: 'services', namespace: NS, name: 's0' });

    // A requested address in the static band.
    const fixed = await post(svc('fixed', { clusterIP: '10.96.0.50' }));
    expect(fixed.status).toBe(201);
    expect(fixed.body.spec.clusterIPs).toEqual(['10.96.0.50']);

    const taken = await post(svc('taken', { clusterIP: '10.96.0.50' }));
    expect(taken.status).toBe(422);
    expect(taken.body.message).toBe('Service "taken" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.50"]: failed to allocate IP 10.96.0.50: provided IP is already allocated');
    expect(taken.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: 'Invalid value: ["10.96.0.50"]: failed to allocate IP 10.96.0.50: provided IP is already allocated' }]);

    const outside = await post(svc('outside', { clusterIPs: ['10.0.0.5'] }));
    expect(outside.status).toBe(422);
    expect(outside.body.message).toBe('Service "outside" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.5"]: failed to allocate IP 10.0.0.5: the provided network does not match the current range');
    const network = await post(svc('network', { clusterIP: '10.96.0.0' }));
    expect(network.body.message).toBe(
      'Service "network" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.0"]: failed to allocate IP 10.96.0.0: the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    // Nothing was left behind by the refused creates.
    expect((await k('GET', `/api/v1/namespaces/${NS}/services/taken`)).status).toBe(404);

    // Immutable once set.
    const change = await k('PATCH', `/api/v1/namespaces/${NS}/services/fixed`, { spec: { clusterIP: '10.96.0.51', clusterIPs: ['10.96.0.51'] } }, MERGE);
    expect(change.status).toBe(422);
    expect(change.body.message).toContain('spec.clusterIPs[0]');
    expect(change.body.message).toContain('may not change once set');
    // A replace that leaves clusterIP out keeps it.
    const current = (await k('GET', `/api/v1/namespaces/${NS}/services/fixed`)).body;
    const { clusterIP: _a, clusterIPs: _b, ...rest } = current.spec;
    const replaced = await k('PUT', `/api/v1/namespaces/${NS}/services/fixed`, { ...current, spec: { ...rest, ports: [{ port: 81, targetPort: 8080 }] } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.spec.clusterIP).toBe('10.96.0.50');

    // Deleting releases the address: the same request now succeeds.
    expect((await k('DELETE', `/api/v1/namespaces/${NS}/services/fixed`)).status).toBe(200);
    await until('address released', async () => ((await k('GET', '/apis/networking.k8s.io/v1/ipaddresses/10.96.0.50')).status === 404 ? true : undefined));
    const again = await post(svc('again', { clusterIP: '10.96.0.50' }));
    expect(again.status).toBe(201);

    // Dry run allocates nothing.
    const dry = await k('POST', `/api/v1/namespaces/${NS}/services?dryRun=All`, svc('dry', { clusterIP: '10.96.0.60' }));
    expect(dry.status).toBe(201);
    expect((await k('GET', '/apis/networking.k8s.io/v1/ipaddresses/10.96.0.60')).status).toBe(404);
  });

  it('headless, ExternalName and IP families', async () => {
    const headless = await post(svc('headless', { clusterIP: 'None' }));
    expect(headless.status).toBe(201);
    expect(headless.body.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    const bare = await post({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'bare' }, spec: { clusterIP: 'None' } });
    expect(bare.status).toBe(201);
    expect(bare.body.spec).toMatchObject({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });

    const ext = await post({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    expect(ext.status).toBe(201);
    expect(ext.body.spec.clusterIP).toBeUndefined();
    expect(ext.body.spec.ipFamilies).toBeUndefined();

    const dual = await post(svc('dual', { ipFamilyPolicy: 'RequireDualStack' }));
    expect(dual.status).toBe(422);
    expect(dual.body.message).toBe('Service "dual" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services');
    const v6 = await post(svc('v6', { ipFamilies: ['IPv6'] }));
    expect(v6.status).toBe(422);
    expect(v6.body.message).toBe('Service "v6" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster');
    const prefer = await post(svc('prefer', { ipFamilyPolicy: 'PreferDualStack' }));
    expect(prefer.status).toBe(201);
    expect(prefer.body.spec.ipFamilies).toEqual(['IPv4']);

    // ClusterIP → ExternalName gives the address back.
    const plain = (await post(svc('plain'))).body;
    const ip = plain.spec.clusterIP;
    const toExt = await k('PATCH', `/api/v1/namespaces/${NS}/services/plain`, { spec: { type: 'ExternalName', externalName: 'example.org' } }, MERGE);
    expect(toExt.status).toBe(200);
    expect(toExt.body.spec.clusterIP).toBeUndefined();
    expect((await k('GET', `/apis/networking.k8s.io/v1/ipaddresses/${ip}`)).status).toBe(404);

    const affinity = await post(svc('sticky', { sessionAffinity: 'ClientIP' }));
    expect(affinity.body.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  it('node ports: allocated, requested, conflicting, kept across updates and released', async () => {
    const np = await post(svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }));
    expect(np.status).toBe(201);
    const ports = np.body.spec.ports.map((p: any) => p.nodePort);
    for (const p of ports) expect(p >= 30000 && p <= 32767).toBe(true);
    expect(new Set(ports).size).toBe(2);
    expect(np.body.spec.externalTrafficPolicy).toBe('Cluster');

    const fixed = await post(svc('np-fixed', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(fixed.status).toBe(201);
    expect(fixed.body.spec.ports[0].nodePort).toBe(30080);
    const clash = await post(svc('np-clash', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(clash.status).toBe(422);
    expect(clash.body.message).toBe('Service "np-clash" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const range = await post(svc('np-range', { type: 'NodePort', ports: [{ port: 80, nodePort: 29999 }] }));
    expect(range.status).toBe(422);
    expect(range.body.message).toContain('provided port is not in the valid range. The range of valid ports is 30000-32767');
    // The refused services took no ClusterIP with them.
    expect((await k('GET', `/api/v1/namespaces/${NS}/services/np-clash`)).status).toBe(404);

    // Updates that leave nodePort out keep it.
    const current = (await k('GET', `/api/v1/namespaces/${NS}/services/np`)).body;
    const upd = await k('PUT', `/api/v1/namespaces/${NS}/services/np`, {
      ...current,
      spec: { ...current.spec, ports: current.spec.ports.map(({ nodePort: _n, ...p }: any) => p) },
    });
    expect(upd.status).toBe(200);
    expect(upd.body.spec.ports.map((p: any) => p.nodePort)).toEqual(ports);

    // NodePort → ClusterIP drops and releases the ports; 30080 is free again after a delete.
    const down = await k('PATCH', `/api/v1/namespaces/${NS}/services/np-fixed`, { spec: { type: 'ClusterIP' } }, MERGE);
    expect(down.status).toBe(200);
    expect(down.body.spec.ports[0].nodePort).toBeUndefined();
    expect(down.body.spec.externalTrafficPolicy).toBeUndefined();
    const reuse = await post(svc('np-reuse', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(reuse.status).toBe(201);
    expect((await k('DELETE', `/api/v1/namespaces/${NS}/services/np-reuse`)).status).toBe(200);
    await until('port released', async () => {
      const r = await k('POST', `/api/v1/namespaces/${NS}/services?dryRun=All`, svc('np-again', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
      return r.status === 201 ? true : undefined;
    });
  });

  it('load balancers get an address from the pool, a health-check port with Local, and give it back', async () => {
    const lb = await post(svc('lb', { type: 'LoadBalancer' }));
    expect(lb.status).toBe(201);
    expect(lb.body.spec.allocateLoadBalancerNodePorts).toBe(true);
    expect(lb.body.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    const ready = await until('ingress', async () => {
      const s = (await k('GET', `/api/v1/namespaces/${NS}/services/lb`)).body;
      return s.status?.loadBalancer?.ingress?.length ? s : undefined;
    });
    expect(ready.status.loadBalancer.ingress).toEqual([{ ip: '172.18.255.1', ipMode: 'VIP' }]);
    const events = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dlb`)).body.items.map((e: any) => e.reason);
    expect(events).toEqual(expect.arrayContaining(['EnsuringLoadBalancer', 'EnsuredLoadBalancer']));

    const local = await post(svc('lb-local', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    expect(local.body.spec.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    const second = await until('second ingress', async () => {
      const s = (await k('GET', `/api/v1/namespaces/${NS}/services/lb-local`)).body;
      return s.status?.loadBalancer?.ingress?.length ? s : undefined;
    });
    expect(second.status.loadBalancer.ingress[0].ip).toBe('172.18.255.2');

    const noPorts = await post(svc('lb-noports', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
    expect(noPorts.status).toBe(201);
    expect(noPorts.body.spec.ports[0].nodePort).toBeUndefined();
    const hcClash = await post(svc('lb-hc', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: local.body.spec.healthCheckNodePort }));
    expect(hcClash.status).toBe(500);
    expect(hcClash.body.message).toBe(`Internal error occurred: failed to allocate requested HealthCheck NodePort ${local.body.spec.healthCheckNodePort}: provided port is already allocated`);
    await k('DELETE', `/api/v1/namespaces/${NS}/services/lb-noports`);

    // Type change away from LoadBalancer: status cleared, address back in the pool.
    const toCluster = await k('PATCH', `/api/v1/namespaces/${NS}/services/lb`, { spec: { type: 'ClusterIP' } }, MERGE);
    expect(toCluster.status).toBe(200);
    expect(toCluster.body.status.loadBalancer).toEqual({});
    expect(toCluster.body.spec.ports[0].nodePort).toBeUndefined();
    const third = await post(svc('lb3', { type: 'LoadBalancer' }));
    expect(third.status).toBe(201);
    const s3 = await until('reused address', async () => {
      const s = (await k('GET', `/api/v1/namespaces/${NS}/services/lb3`)).body;
      return s.status?.loadBalancer?.ingress?.length ? s : undefined;
    });
    expect(s3.status.loadBalancer.ingress[0].ip).toBe('172.18.255.1');
  });

  it('deleting the namespace gives back every address and port its Services held', async () => {
    const before = (await k('GET', '/apis/networking.k8s.io/v1/ipaddresses')).body.items.filter((i: any) => i.spec.parentRef.namespace === NS);
    expect(before.length).toBeGreaterThan(10);
    expect((await k('DELETE', `/api/v1/namespaces/${NS}`)).status).toBe(200);
    await until('namespace gone', async () => ((await k('GET', `/api/v1/namespaces/${NS}`)).status === 404 ? true : undefined));
    await until('addresses released', async () => {
      const items = (await k('GET', '/apis/networking.k8s.io/v1/ipaddresses')).body.items as any[];
      return items.some((i) => i.spec.parentRef.namespace === NS) ? undefined : items;
    });
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'svc2' } });
    const np = await k('POST', '/api/v1/namespaces/svc2/services', svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(np.status).toBe(201);
  });
});

describe('a sandbox with its own network plan', () => {
  it('allocates from the CIDRs it was created with', async () => {
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await exports.default.fetch(
        new Request(`https://kubedo.test${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
      );
      return { status: res.status, body: (await res.json()) as any };
    };
    const created = await call('POST', '/v1/sandboxes', TOKEN, { name: 'net', workerNodes: 1, serviceCIDR: '10.100.0.0/16', podCIDR: '192.168.0.0/16', loadBalancerCIDR: '172.20.0.0/28' });
    expect(created.status).toBe(201);
    const base = `/clusters/${created.body.id}`;
    const t = created.body.token;
    const kube = (await call('GET', `${base}/api/v1/namespaces/default/services/kubernetes`, t)).body;
    expect(kube.spec.clusterIP).toBe('10.100.0.1');
    expect((await call('GET', `${base}/apis/networking.k8s.io/v1/servicecidrs/kubernetes`, t)).body.spec.cidrs).toEqual(['10.100.0.0/16']);
    const lb = await call('POST', `${base}/api/v1/namespaces/default/services`, t, svc('lb', { type: 'LoadBalancer' }));
    expect(lb.status).toBe(201);
    expect(lb.body.spec.clusterIP.startsWith('10.100.')).toBe(true);
    const outside = await call('POST', `${base}/api/v1/namespaces/default/services`, t, svc('old', { clusterIP: '10.96.0.20' }));
    expect(outside.body.message).toContain('failed to allocate IP 10.96.0.20: the provided network does not match the current range');
    const ingress = await (async () => {
      for (let i = 0; i < 100; i++) {
        const s = (await call('GET', `${base}/api/v1/namespaces/default/services/lb`, t)).body;
        if (s.status?.loadBalancer?.ingress) return s.status.loadBalancer.ingress;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    expect(ingress).toEqual([{ ip: '172.20.0.1', ipMode: 'VIP' }]);
    await call('POST', `${base}/api/v1/namespaces/default/pods`, t, { metadata: { name: 'p' }, spec: { nodeName: 'net-worker', containers: [{ name: 'c', image: 'nginx' }] } });
    let podIP: string | undefined;
    for (let i = 0; i < 200 && !podIP; i++) {
      podIP = (await call('GET', `${base}/api/v1/namespaces/default/pods/p`, t)).body.status?.podIP;
      if (!podIP) await new Promise((r) => setTimeout(r, 20));
    }
    expect(podIP?.startsWith('192.168.')).toBe(true);
    expect((await call('DELETE', `/v1/sandboxes/${created.body.id}`, t)).status).toBe(200);
  });
});
