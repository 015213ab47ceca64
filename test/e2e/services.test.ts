/// <reference types="node" />
// Services with real kubectl 1.33: a Deployment of 3 behind `kubectl expose`, its endpoints and
// endpoint slices, ClusterIPs from 10.96.0.0/12, NodePorts (a requested one and a conflicting
// second one refused with kube-apiserver's message) and a LoadBalancer's EXTERNAL-IP.
import { beforeAll, expect, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

function inServiceCIDR(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 && b >= 96 && b <= 111;
}

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeKubectl(
  'services',
  (k) => {
    const ns = uniqueName('svc');
    const json = async (args: string[]) => JSON.parse((await k.run([...args, '-o', 'json'])).stdout);

    beforeAll(async () => {
      await k.run(['create', 'namespace', ns]);
      await k.run(['apply', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubedo-config', namespace: 'kube-system' }, data: { timeScale: '20' } }),
      });
    });

    it('kubectl get svc kubernetes shows the first address of the service CIDR', async () => {
      const out = await k.run(['get', 'svc', 'kubernetes', '-n', 'default']);
      expect(out.stdout).toMatch(/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
      const ep = await k.run(['get', 'endpoints', 'kubernetes', '-n', 'default']);
      expect(ep.stdout).toMatch(/kubernetes\s+172\.18\.0\.2:6443/);
    });

    it('a Deployment of 3 behind kubectl expose: endpoints list the 3 pod IPs', async () => {
      await k.run(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=80', '-n', ns]);
      await k.run(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });
      await k.run(['expose', 'deployment', 'web', '--port=80', '--target-port=80', '-n', ns]);

      const svc = await json(['get', 'svc', 'web', '-n', ns]);
      expect(inServiceCIDR(svc.spec.clusterIP)).toBe(true);
      const table = await k.run(['get', 'svc', 'web', '-n', ns]);
      expect(table.stdout).toMatch(new RegExp(`web\\s+ClusterIP\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+80/TCP`));

      const pods = (await json(['get', 'pods', '-n', ns, '-l', 'app=web'])).items as any[];
      expect(pods).toHaveLength(3);
      const podIPs = pods.map((p) => p.status.podIP).sort();
      const ep = await eventually(async () => {
        const e = await json(['get', 'endpoints', 'web', '-n', ns]);
        return (e.subsets?.[0]?.addresses ?? []).length === 3 ? e : undefined;
      });
      expect(ep.subsets[0].addresses.map((a: any) => a.ip).sort()).toEqual(podIPs);
      const epTable = await k.run(['get', 'endpoints', 'web', '-n', ns]);
      for (const ip of podIPs) expect(epTable.stdout).toContain(`${ip}:80`);

      const slices = await k.run(['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web']);
      expect(slices.stdout).toMatch(/web-\w{5}\s+IPv4\s+80\s+\S+/);
      const slice = (await json(['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web'])).items[0];
      expect(slice.endpoints.map((e: any) => e.addresses[0]).sort()).toEqual(podIPs);
      expect(slice.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');

      const ipaddr = await k.run(['get', 'ipaddresses', svc.spec.clusterIP]);
      expect(ipaddr.stdout).toMatch(new RegExp(`${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+services/${ns}/web`));
    }, 120_000);

    it('a requested NodePort, and a conflicting second one refused with the real message', async () => {
      await k.run(['create', 'service', 'nodeport', 'np1', '--tcp=80:80', '--node-port=30080', '-n', ns]);
      const out = await k.run(['get', 'svc', 'np1', '-n', ns]);
      expect(out.stdout).toMatch(/np1\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:30080\/TCP/);
      const clash = await k.run(['create', 'service', 'nodeport', 'np2', '--tcp=80:80', '--node-port=30080', '-n', ns], { expectFail: true });
      expect(clash.stderr).toContain('Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
      const ip = await k.run(['create', 'service', 'clusterip', 'fixed', '--tcp=80:80', '--clusterip=10.0.0.5', '-n', ns], { expectFail: true });
      expect(ip.stderr).toContain('spec.clusterIPs: Invalid value: ["10.0.0.5"]: failed to allocate IP 10.0.0.5');
    });

    it('a LoadBalancer gets an EXTERNAL-IP from the pool', async () => {
      await k.run(['create', 'service', 'loadbalancer', 'lb', '--tcp=80:80', '-n', ns]);
      const row = await eventually(async () => {
        const out = await k.run(['get', 'svc', 'lb', '-n', ns]);
        return /172\.18\.255\.\d+/.test(out.stdout) ? out.stdout : undefined;
      });
      expect(row).toMatch(/lb\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+172\.18\.255\.\d+\s+80:3\d{4}\/TCP/);
      const describe = await k.run(['describe', 'svc', 'lb', '-n', ns]);
      expect(describe.stdout).toMatch(/LoadBalancer Ingress:\s+172\.18\.255\.\d+ \(VIP\)/);
      expect(describe.stdout).toMatch(/EnsuredLoadBalancer/);
    });
  },
  ['1.33'],
);
