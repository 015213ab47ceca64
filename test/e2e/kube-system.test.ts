/// <reference types="node" />
// kube-system as a kubeadm + Calico cluster shows it to kubectl 1.33: the control plane's mirror pods
// and the node DaemonSets on node IPs, CoreDNS on pod IPs, all Running; cluster-info; the add-ons'
// DaemonSets, Deployments and Services.
import { beforeAll, expect, it } from 'vitest';
import { describeKubectl } from './kubectl';

describeKubectl(
  'kube-system',
  (k) => {
    let nodeIPs = new Map<string, string>();

    beforeAll(async () => {
      const nodes = JSON.parse((await k.run(['get', 'nodes', '-o', 'json'])).stdout).items as any[];
      // The sandbox's own nodes (other e2e files add nodes of their own to the shared cluster).
      nodeIPs = new Map(nodes.filter((n) => n.spec.providerID?.startsWith('kubedo://default/')).map((n) => [n.metadata.name, n.status.addresses.find((a: any) => a.type === 'InternalIP').address]));
      expect(nodeIPs.size).toBe(4);
    });

    it('get po -n kube-system -o wide', async () => {
      let rows: string[][] = [];
      const deadline = Date.now() + 60_000;
      for (;;) {
        const out = (await k.run(['get', 'po', '-n', 'kube-system', '-o', 'wide'])).stdout.trim().split('\n');
        expect(out[0].split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
        // Pods on the sandbox's own nodes (DaemonSets also run on nodes other e2e files add).
        rows = out
          .slice(1)
          .map((l) => l.split(/\s+/))
          .filter((r) => nodeIPs.has(r[6]));
        if (rows.length === 16 && rows.every((r) => r[2] === 'Running')) break;
        if (Date.now() > deadline) throw new Error(`kube-system pods not Running:\n${out.join('\n')}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const names = rows.map((r) => r[0]);
      const cp = [...nodeIPs.keys()].find((n) => n.endsWith('control-plane'))!;
      for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
        const row = rows.find((r) => r[0] === `${c}-${cp}`);
        expect(row, c).toBeTruthy();
        expect(row![5]).toBe(nodeIPs.get(cp));
        expect(row![6]).toBe(cp);
      }
      for (const ds of ['kube-proxy', 'calico-node']) {
        const dsRows = rows.filter((r) => new RegExp(`^${ds}-[a-z0-9]{5}$`).test(r[0]) && nodeIPs.has(r[6]));
        expect(dsRows.map((r) => r[6]).sort(), ds).toEqual([...nodeIPs.keys()].sort());
        for (const r of dsRows) expect(r[5]).toBe(nodeIPs.get(r[6]));
      }
      const coredns = rows.filter((r) => /^coredns-[a-z0-9]+-[a-z0-9]{5}$/.test(r[0]));
      expect(coredns).toHaveLength(2);
      for (const r of coredns) expect(r[5]).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(names.filter((n) => /^calico-kube-controllers-/.test(n))).toHaveLength(1);
      expect(names.filter((n) => /^metrics-server-/.test(n))).toHaveLength(1);
    });

    it('cluster-info', async () => {
      const out = (await k.run(['cluster-info'])).stdout.replace(/\x1b\[[0-9;]*m/g, '');
      expect(out).toMatch(/^Kubernetes control plane is running at https:\/\/127\.0\.0\.1:\d+\/clusters\/default$/m);
      expect(out).toMatch(/^CoreDNS is running at https:\/\/127\.0\.0\.1:\d+\/clusters\/default\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy$/m);
    });

    it('get ds,deploy,svc -n kube-system', async () => {
      let out = '';
      const deadline = Date.now() + 60_000;
      for (;;) {
        out = (await k.run(['get', 'ds,deploy,svc', '-n', 'kube-system'])).stdout;
        // DESIRED, CURRENT, READY, UP-TO-DATE, AVAILABLE: at least the sandbox's 4 nodes (other
        // e2e files may add nodes of their own to the shared cluster).
        const dsCounts = (name: string) => new RegExp(`^daemonset\\.apps\\/${name}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s`, 'm').exec(out)?.slice(1).map(Number);
        const ready = ['kube-proxy', 'calico-node'].every((ds) => dsCounts(ds)?.every((n) => n >= 4)) && /^deployment\.apps\/coredns\s+2\/2\s+2\s+2\s/m.test(out);
        if (ready) break;
        if (Date.now() > deadline) throw new Error(`add-ons not ready:\n${out}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(out).toMatch(/^daemonset\.apps\/kube-proxy\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+kubernetes\.io\/os=linux\s/m);
      expect(out).toMatch(/^deployment\.apps\/calico-kube-controllers\s+\d\/1\s/m);
      expect(out).toMatch(/^deployment\.apps\/metrics-server\s+\d\/1\s/m);
      expect(out).toMatch(/^service\/kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP\s/m);
      expect(out).toMatch(/^service\/metrics-server\s+ClusterIP\s/m);
    });
  },
  ['1.33'],
);
