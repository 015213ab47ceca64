// kube-system as kubeadm + Calico leave it: mirror pods of the control plane's static pods on the
// control-plane node, CoreDNS, kube-proxy, Calico and metrics-server run by the sandbox's own
// controllers, scheduler and kubelets; hostNetwork pods carry their node's IP; then all goes idle.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { clusterStub, k, until } from './helpers';

const STATIC = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

describe('kube-system', () => {
  it('initializes a sandbox quickly', async () => {
    // Two fresh sandboxes (the first also pays for the Durable Object's start and migrations).
    const times: number[] = [];
    for (const name of ['init-timing-1', 'init-timing-2']) {
      const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
      const start = performance.now();
      const r = await stub.init({ name });
      times.push(performance.now() - start);
      expect(r.created).toBe(true);
    }
    console.log(`sandbox init (4 nodes + kube-system): ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}`);
    expect(Math.min(...times)).toBeLessThan(2000);
  });

  it('runs the kubeadm + Calico add-ons, placed as on a real cluster', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    const nodes = (await k('GET', '/api/v1/nodes')).body.items as any[];
    const ipOf = new Map(nodes.map((n) => [n.metadata.name, n.status.addresses.find((a: any) => a.type === 'InternalIP').address]));
    const pods = await until(
      'kube-system pods Running',
      async () => {
        const items = (await k('GET', '/api/v1/namespaces/kube-system/pods')).body.items as any[];
        return items.length === 16 && items.every((p) => p.status.phase === 'Running') ? items : undefined;
      },
      20_000,
    );
    const byPrefix = (prefix: string) => pods.filter((p) => p.metadata.name.startsWith(prefix));

    // Mirror pods: <component>-<node>, owned by the node, host network, the kubelet's annotations.
    for (const c of STATIC) {
      const p = pods.find((x) => x.metadata.name === `${c}-default-control-plane`);
      expect(p, c).toBeTruthy();
      expect(p.metadata.labels).toEqual({ component: c, tier: 'control-plane' });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'default-control-plane', uid: nodes[0].metadata.uid, controller: true }]);
      expect(p.metadata.annotations['kubernetes.io/config.source']).toBe('file');
      expect(p.metadata.annotations['kubernetes.io/config.mirror']).toBe(p.metadata.annotations['kubernetes.io/config.hash']);
      expect(p.spec).toMatchObject({ hostNetwork: true, priorityClassName: 'system-node-critical', priority: 2000001000, nodeName: 'default-control-plane' });
      expect(p.status.podIP).toBe(ipOf.get('default-control-plane'));
    }
    // DaemonSets tolerate the control-plane taint: one pod per node, with the node's IP.
    for (const ds of ['kube-proxy', 'calico-node']) {
      const dsPods = byPrefix(`${ds}-`);
      expect(dsPods.map((p) => p.spec.nodeName).sort(), ds).toEqual([...ipOf.keys()].sort());
      for (const p of dsPods) expect(p.status.podIP).toBe(ipOf.get(p.spec.nodeName));
    }
    // Deployments' pods get pod-network IPs from their node's podCIDR.
    const coredns = byPrefix('coredns-');
    expect(coredns).toHaveLength(2);
    for (const p of [...coredns, ...byPrefix('calico-kube-controllers-'), ...byPrefix('metrics-server-')]) {
      expect(p.status.podIP).toMatch(/^10\.244\./);
    }
    // The preferred anti-affinity spreads CoreDNS over two nodes.
    expect(new Set(coredns.map((p) => p.spec.nodeName)).size).toBe(2);

    const dns = (await k('GET', '/api/v1/namespaces/kube-system/services/kube-dns')).body;
    expect(dns.spec.clusterIP).toBe('10.96.0.10');
    expect(dns.metadata.labels).toEqual({ 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' });
    const cm = (await k('GET', '/api/v1/namespaces/kube-system/configmaps/coredns')).body;
    expect(cm.data.Corefile).toContain('kubernetes cluster.local in-addr.arpa ip6.arpa');
    const deploy = (await k('GET', '/apis/apps/v1/namespaces/kube-system/deployments/coredns')).body;
    expect(deploy.spec.template.spec.containers[0].image).toBe('registry.k8s.io/coredns/coredns:v1.12.0');

    // kubeadm's RBAC for the add-ons: CoreDNS may watch EndpointSlices, kube-proxy is a node proxier.
    const can = async (user: string, verb: string, resource: string, group = '', subresource?: string) =>
      (await k('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'], resourceAttributes: { verb, resource, group, subresource } } })).body.status?.allowed;
    expect(await can('system:serviceaccount:kube-system:coredns', 'watch', 'endpointslices', 'discovery.k8s.io')).toBe(true);
    expect(await can('system:serviceaccount:kube-system:coredns', 'delete', 'pods')).toBe(false);
    expect(await can('system:serviceaccount:kube-system:kube-proxy', 'list', 'services')).toBe(true);
    expect(await can('system:serviceaccount:kube-system:metrics-server', 'get', 'nodes', '', 'metrics')).toBe(true);

    // Deleting a mirror pod does not stop the static pod: the kubelet posts it again.
    const etcd = pods.find((p) => p.metadata.name === 'etcd-default-control-plane');
    expect((await k('DELETE', '/api/v1/namespaces/kube-system/pods/etcd-default-control-plane')).status).toBe(200);
    const again = await until('mirror pod back', async () => {
      const p = (await k('GET', '/api/v1/namespaces/kube-system/pods/etcd-default-control-plane')).body;
      return p.metadata?.uid && p.metadata.uid !== etcd.metadata.uid && p.status?.phase === 'Running' ? p : undefined;
    });
    expect(again.status.podIP).toBe(ipOf.get('default-control-plane'));

    // Steady state: nothing due, no alarm armed; the mirror pods are still there.
    await until(
      'idle',
      async () => {
        const idle = await runInDurableObject(clusterStub(), async (instance: any, state) => instance.loop.pending() === 0 && (await state.storage.getAlarm()) === null);
        return idle ? true : undefined;
      },
      20_000,
    );
    const after = (await k('GET', '/api/v1/namespaces/kube-system/pods')).body.items as any[];
    expect(after.map((p) => p.metadata.name).sort()).toEqual(pods.map((p) => p.metadata.name).sort());
  });
});
