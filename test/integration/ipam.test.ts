// Calico-style pod IPAM inside workerd: many pods over several nodes get unique addresses from the
// pod CIDR, each node's from /26 blocks affine to it (a full block makes the node claim another),
// addresses go back on pod deletion and are handed out again.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { clusterStub, k, until } from './helpers';

const NS = 'ipam';
const pod = (name: string, node: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'ipam' } },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }] },
});
const ipInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const blockOf = (ip: string) => Math.floor(ipInt(ip) / 64);

async function podIPs(): Promise<Map<string, { ip: string; node: string }>> {
  const items = (await k('GET', `/api/v1/namespaces/${NS}/pods`)).body.items as any[];
  return new Map(items.filter((p) => p.status?.podIP).map((p) => [p.metadata.name, { ip: p.status.podIP, node: p.spec.nodeName }]));
}

describe('pod IPAM', () => {
  it('hands out unique addresses from per-node blocks, releases and reuses them', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    // 70 pods on one node (more than a /26 holds) and 40 on two others.
    const placement: [string, string][] = [];
    for (let i = 0; i < 70; i++) placement.push([`a-${i}`, 'default-worker']);
    for (let i = 0; i < 20; i++) placement.push([`b-${i}`, 'default-worker2'], [`c-${i}`, 'default-worker3']);
    for (const [name, node] of placement) expect((await k('POST', `/api/v1/namespaces/${NS}/pods`, pod(name, node))).status).toBe(201);
    const ips = await until('110 pod IPs', async () => {
      const m = await podIPs();
      return m.size === 110 ? m : undefined;
    }, 30_000);

    const all = [...ips.values()].map((v) => v.ip);
    expect(new Set(all).size).toBe(110);
    for (const ip of all) expect(ip.startsWith('10.244.')).toBe(true);
    // Every block belongs to one node; the busy node needed two.
    const owner = new Map<number, string>();
    for (const { ip, node } of ips.values()) {
      const b = blockOf(ip);
      expect(owner.get(b) ?? node).toBe(node);
      owner.set(b, node);
    }
    const blocksOf = (node: string) => [...owner.entries()].filter(([, n]) => n === node).length;
    expect(blocksOf('default-worker')).toBe(2);
    expect(blocksOf('default-worker2')).toBe(1);
    // The first address of a node's first block is its tunnel address, not a pod's.
    const firstBlock = Math.min(...[...owner.entries()].filter(([, n]) => n === 'default-worker2').map(([b]) => b));
    expect(all).not.toContain([24, 16, 8, 0].map((s) => ((firstBlock * 64) >>> s) & 255).join('.'));

    // Delete ten pods: their addresses come back and go to the next pods on that node.
    const freed = new Set<string>();
    for (let i = 0; i < 10; i++) {
      freed.add(ips.get(`b-${i}`)!.ip);
      expect((await k('DELETE', `/api/v1/namespaces/${NS}/pods/b-${i}`, { gracePeriodSeconds: 0 })).status).toBe(200);
    }
    await until('deleted', async () => ((await podIPs()).size === 100 ? true : undefined));
    for (let i = 0; i < 10; i++) await k('POST', `/api/v1/namespaces/${NS}/pods`, pod(`d-${i}`, 'default-worker2'));
    const after = await until('reused', async () => {
      const m = await podIPs();
      return m.size === 110 ? m : undefined;
    }, 30_000);
    const reused = [...after.entries()].filter(([n]) => n.startsWith('d-')).map(([, v]) => v.ip);
    expect(new Set(reused)).toEqual(freed);
    expect(new Set([...after.values()].map((v) => v.ip)).size).toBe(110);

    // The claims table agrees: one row per live pod (plus the nodes' tunnel addresses).
    const rows = await runInDurableObject(clusterStub(), async (_i, state) => state.storage.sql.exec("SELECT count(*) AS n FROM allocations WHERE pool LIKE 'block:%' AND owner LIKE 'ipam/%'").one().n);
    expect(rows).toBe(110);

    // A node that leaves gives back its tunnel address and the blocks no pod uses.
    await k('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'extra' } });
    await k('POST', `/api/v1/namespaces/${NS}/pods`, pod('on-extra', 'extra'));
    const extraIP = await until('pod on extra', async () => (await k('GET', `/api/v1/namespaces/${NS}/pods/on-extra`)).body.status?.podIP);
    const blocks = async () =>
      runInDurableObject(clusterStub(), async (_i, state) => state.storage.sql.exec("SELECT count(*) AS n FROM ipam_blocks WHERE node = 'extra'").one().n);
    expect(await blocks()).toBe(1);
    expect(extraIP.startsWith('10.244.')).toBe(true);
    await k('DELETE', `/api/v1/namespaces/${NS}/pods/on-extra`, { gracePeriodSeconds: 0 });
    expect((await k('DELETE', '/api/v1/nodes/extra')).status).toBe(200);
    await until('blocks released', async () => ((await blocks()) === 0 ? true : undefined));
  }, 90_000);
});
