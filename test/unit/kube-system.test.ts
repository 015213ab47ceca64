// kube-system's manifests as data: kubeadm's DNS address rule, the service range a sandbox serves,
// and what each add-on group holds.
import { describe, expect, it } from 'vitest';
import { addonNetwork, dnsServiceIP, kubeSystemGroups, type SeedNode } from '../../src/durable/kube-system';

describe('kube-system manifests', () => {
  it.each([
    ['10.96.0.0/12', '10.96.0.10'],
    ['10.100.0.0/16', '10.100.0.10'],
    ['172.20.5.0/24', '172.20.5.10'],
    ['10.96.3.7/12', '10.96.0.10'],
  ])('the cluster DNS of %s is %s', (cidr, ip) => expect(dnsServiceIP(cidr)).toBe(ip));

  it('reads the service range from the default ServiceCIDR, else uses kubeadm default', () => {
    expect(addonNetwork(undefined)).toEqual({ serviceCIDR: '10.96.0.0/12' });
    expect(addonNetwork({ metadata: { name: 'kubernetes' }, spec: { cidrs: ['fd00::/108', '10.100.0.0/16'] } })).toEqual({ serviceCIDR: '10.100.0.0/16' });
  });

  it('groups: mirror pods per control-plane node, then CoreDNS, kube-proxy, Calico, metrics-server', () => {
    const nodes: SeedNode[] = [
      { name: 'x-control-plane', uid: 'u1', ip: '172.18.0.2', controlPlane: true },
      { name: 'x-control-plane2', uid: 'u2', ip: '172.18.0.3', controlPlane: true },
      { name: 'x-worker', uid: 'u3', ip: '172.18.0.4', controlPlane: false },
    ];
    const groups = kubeSystemGroups(nodes, '2026-01-01T00:00:00Z', { serviceCIDR: '10.100.0.0/16' });
    const names = groups.map((g) => g.map((s) => `${s.resource}/${s.object.metadata.name}`));
    expect(names[0]).toEqual(
      ['x-control-plane', 'x-control-plane2'].flatMap((n) => ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((c) => `pods/${c}-${n}`)),
    );
    const apiserver = groups[0].find((s) => s.object.metadata.name === 'kube-apiserver-x-control-plane2')!.object;
    expect((apiserver.spec as any).containers[0].command).toEqual(expect.arrayContaining(['--advertise-address=172.18.0.3', '--service-cluster-ip-range=10.100.0.0/16']));
    expect(apiserver.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'x-control-plane2', uid: 'u2', controller: true }]);
    expect(names[1]).toEqual(expect.arrayContaining(['services/kube-dns', 'deployments/coredns', 'configmaps/coredns', 'serviceaccounts/coredns', 'clusterroles/system:coredns']));
    expect(groups[1].find((s) => s.object.metadata.name === 'kube-dns')!.object.spec).toMatchObject({ clusterIP: '10.100.0.10' });
    expect(names[2]).toEqual(expect.arrayContaining(['daemonsets/kube-proxy', 'serviceaccounts/kube-proxy', 'clusterrolebindings/kubeadm:node-proxier']));
    expect(names[3]).toEqual(expect.arrayContaining(['daemonsets/calico-node', 'deployments/calico-kube-controllers', 'configmaps/calico-config']));
    expect(names[4]).toEqual(expect.arrayContaining(['deployments/metrics-server', 'services/metrics-server']));
  });
});
