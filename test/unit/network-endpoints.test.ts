import type { Pod, Service } from 'kubernetes-types/core/v1';
import { describe, expect, it } from 'vitest';
import { backendOf, endpointsSubsets, findPort, podCounts, sliceEndpoint, type Backend } from '../../src/network/endpoints';
import { clusterFamilyErrors, defaultServiceFamilies, prepareServiceUpdate } from '../../src/registry/core-service';
import type { KObject } from '../../src/registry/types';

const svc = (spec: Service['spec'] = {}, name = 'web'): Service => ({
  metadata: { name, namespace: 'ns' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
});
const pod = (name: string, ip: string | undefined, opts: { ready?: boolean; phase?: string; deleting?: boolean; hostname?: string; subdomain?: string; node?: string } = {}): Pod => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
  spec: {
    nodeName: opts.node ?? 'node-a',
    hostname: opts.hostname,
    subdomain: opts.subdomain,
    containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }],
  },
  status: { podIP: ip, phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});

describe('findPort', () => {
  it.each([
    [{ port: 80, targetPort: 9090 }, 9090],
    [{ port: 80 }, 80],
    [{ port: 80, targetPort: 'http' }, 8080],
    [{ port: 80, targetPort: 'http', protocol: 'UDP' }, undefined],
    [{ port: 53, targetPort: 'dns', protocol: 'UDP' }, 53],
    [{ port: 80, targetPort: 'nope' }, undefined],
  ])('%j → %s', (sp, want) => {
    expect(findPort(pod('p', '10.244.0.1'), sp as never)).toBe(want);
  });
});

describe('which pods count', () => {
  it.each([
    ['running', pod('p', '10.244.0.1'), false, true],
    ['no IP yet', pod('p', undefined), false, false],
    ['succeeded', pod('p', '10.244.0.1', { phase: 'Succeeded' }), true, false],
    ['failed', pod('p', '10.244.0.1', { phase: 'Failed' }), true, false],
    ['terminating, Endpoints', pod('p', '10.244.0.1', { deleting: true }), false, false],
    ['terminating, EndpointSlices', pod('p', '10.244.0.1', { deleting: true }), true, true],
  ])('%s', (_what, p, includeTerminating, want) => {
    expect(podCounts(p, includeTerminating)).toBe(want);
  });
});

describe('backendOf', () => {
  it.each([
    ['ready', {}, {}, { ready: true, serving: true, terminating: false }],
    ['not ready', {}, { ready: false }, { ready: false, serving: false, terminating: false }],
    ['not ready, published', { publishNotReadyAddresses: true }, { ready: false }, { ready: true, serving: false, terminating: false }],
    ['terminating', {}, { deleting: true }, { ready: false, serving: true, terminating: true }],
  ])('%s', (_what, spec, opts, want) => {
    const b = backendOf(svc(spec), pod('p', '10.244.0.1', opts), true)!;
    expect({ ready: b.ready, serving: b.serving, terminating: b.terminating }).toEqual(want);
    expect(b.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(b.targetRef).toEqual({ kind: 'Pod', namespace: 'ns', name: 'p', uid: 'uid-p' });
  });

  it.each([
    ['matching subdomain', { hostname: 'web-0', subdomain: 'web' }, 'web-0'],
    ['other subdomain', { hostname: 'web-0', subdomain: 'other' }, undefined],
    ['no hostname', { subdomain: 'web' }, undefined],
  ])('hostname: %s', (_what, opts, want) => {
    expect(backendOf(svc({ clusterIP: 'None' }), pod('p', '10.244.0.1', opts), false)!.hostname).toBe(want);
  });
});

describe('endpointsSubsets', () => {
  const b = (ip: string, ready: boolean, ports = [{ name: 'http', port: 8080, protocol: 'TCP' }]): Backend => ({
    ip,
    nodeName: 'n',
    targetRef: { kind: 'Pod', namespace: 'ns', name: ip, uid: ip },
    ready,
    serving: ready,
    terminating: false,
    ports,
  });

  it('ready and not-ready addresses sorted by IP, one subset per port set', () => {
    const { subsets, truncated } = endpointsSubsets([b('10.244.0.10', true), b('10.244.0.9', true), b('10.244.0.3', false), b('10.244.1.1', true, [{ name: 'http', port: 9090, protocol: 'TCP' }])], false);
    expect(truncated).toBe(false);
    expect(subsets).toHaveLength(2);
    expect(subsets[0].addresses).toEqual([
      { ip: '10.244.0.9', nodeName: 'n', targetRef: { kind: 'Pod', namespace: 'ns', name: '10.244.0.9', uid: '10.244.0.9' } },
      { ip: '10.244.0.10', nodeName: 'n', targetRef: { kind: 'Pod', namespace: 'ns', name: '10.244.0.10', uid: '10.244.0.10' } },
    ]);
    expect((subsets[0].notReadyAddresses as { ip: string }[]).map((a) => a.ip)).toEqual(['10.244.0.3']);
    expect(subsets[1].ports).toEqual([{ name: 'http', port: 9090, protocol: 'TCP' }]);
  });

  it('caps at 1000 addresses, ready ones first, and says so', () => {
    const many: Backend[] = [];
    for (let i = 0; i < 1100; i++) many.push(b(`10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`, i % 2 === 0));
    const { subsets, truncated } = endpointsSubsets(many, false);
    expect(truncated).toBe(true);
    const ready = (subsets[0].addresses as unknown[]).length;
    const notReady = (subsets[0].notReadyAddresses as unknown[]).length;
    expect(ready).toBe(550);
    expect(ready + notReady).toBe(1000);
  });

  it('a headless Service without ports still lists its pods; a pod without a resolvable port does not count', () => {
    expect(endpointsSubsets([b('10.244.0.1', true, [])], true).subsets).toEqual([{ addresses: [expect.objectContaining({ ip: '10.244.0.1' })] }]);
    expect(endpointsSubsets([b('10.244.0.1', true, [])], false).subsets).toEqual([]);
  });

  it('slice endpoints carry conditions, node and zone', () => {
    expect(sliceEndpoint(b('10.244.0.1', true), 'zone-a')).toEqual({
      addresses: ['10.244.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'ns', name: '10.244.0.1', uid: '10.244.0.1' },
      nodeName: 'n',
      zone: 'zone-a',
    });
  });
});

describe('service strategy for allocated values', () => {
  const obj = (spec: Record<string, unknown>, status?: Record<string, unknown>): KObject => ({ metadata: { name: 's', namespace: 'ns' }, spec, ...(status ? { status } : {}) });

  it('keeps clusterIPs and node ports a client left out', () => {
    const old = obj({ type: 'NodePort', clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], ports: [{ name: 'a', port: 80, nodePort: 30001 }, { name: 'b', port: 81, nodePort: 30002 }] });
    const next = obj({ type: 'NodePort', ports: [{ name: 'b', port: 81 }, { name: 'a', port: 80 }, { name: 'c', port: 82 }] });
    prepareServiceUpdate(next, old);
    expect(next.spec).toEqual({ type: 'NodePort', clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], ports: [{ name: 'b', port: 81, nodePort: 30002 }, { name: 'a', port: 80, nodePort: 30001 }, { name: 'c', port: 82 }] });
  });

  it.each([
    ['NodePort → ClusterIP drops untouched node ports', { type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, nodePort: 30001 }] }, { type: 'ClusterIP', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, nodePort: 30001 }] }, { type: 'ClusterIP', ports: [{ port: 80 }] }],
    ['ClusterIP → ExternalName drops the address and families', { type: 'ClusterIP', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }, { type: 'ExternalName', externalName: 'x.example', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }, { type: 'ExternalName', externalName: 'x.example' }],
    ['LoadBalancer → NodePort drops allocateLoadBalancerNodePorts', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: true, ports: [{ port: 80, nodePort: 30001 }] }, { type: 'NodePort', allocateLoadBalancerNodePorts: true, ports: [{ port: 80, nodePort: 30001 }] }, { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }],
  ])('%s', (_what, oldSpec, nextSpec, want) => {
    const next = obj(nextSpec);
    prepareServiceUpdate(next, obj(oldSpec));
    expect(next.spec).toEqual(want);
  });

  it('clears the load-balancer status when the type is no longer LoadBalancer', () => {
    const next = obj({ type: 'ClusterIP' }, { loadBalancer: { ingress: [{ ip: '172.18.255.1' }] } });
    prepareServiceUpdate(next, obj({ type: 'LoadBalancer' }));
    expect(next.status).toEqual({ loadBalancer: {} });
  });

  it.each([
    ['single stack', { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], selector: { a: 'b' } }, []],
    ['require dual stack', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4'], selector: { a: 'b' } }, ['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services']],
    ['IPv6', { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'], selector: { a: 'b' } }, ['spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster']],
    ['headless without selector may ask for both', { clusterIP: 'None', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] }, []],
    ['ExternalName', { type: 'ExternalName' }, []],
  ])('IP families: %s', (_what, spec, want) => {
    expect(clusterFamilyErrors(obj(spec)).map((e) => `${e.field}: ${e.message}`)).toEqual(want);
  });

  it('a headless selectorless Service gets both families unless SingleStack', () => {
    const a = obj({ clusterIP: 'None', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4'] });
    defaultServiceFamilies(a);
    expect((a.spec as { ipFamilies: string[] }).ipFamilies).toEqual(['IPv4', 'IPv6']);
    const b = obj({ clusterIP: 'None', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
    defaultServiceFamilies(b);
    expect((b.spec as { ipFamilies: string[] }).ipFamilies).toEqual(['IPv4']);
  });
});
