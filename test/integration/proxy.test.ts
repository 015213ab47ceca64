// The proxy subresources inside workerd: services/proxy spreads requests over the ready backends
// the way the sandbox's kube-proxy mode would (iptables random, ipvs round robin, ClientIP
// affinity), 503s like kube-apiserver without endpoints; nodes/NAME:10249/proxy answers the mode
// and the rules dump; pods/proxy reaches one pod.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { k, TOKEN, until } from './helpers';

const NS = 'px';
const pod = (name: string, nodeName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web' } },
  spec: { nodeName, containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] },
});

async function setMode(mode: string) {
  const cm = (await k('GET', '/api/v1/namespaces/kube-system/configmaps/kube-proxy')).body;
  cm.data['config.conf'] = cm.data['config.conf'].replace(/^mode: .*$/m, `mode: ${mode}`);
  expect((await k('PUT', '/api/v1/namespaces/kube-system/configmaps/kube-proxy', cm)).status).toBe(200);
}

const hostnameOf = (body: string) => /^Hostname: (.*)$/m.exec(body)?.[1];

describe('proxy subresources', () => {
  const pods: { name: string; ip: string }[] = [];

  it('sets up three running backends behind a service', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const nodes = ['default-worker', 'default-worker2', 'default-worker3'];
    for (const [i, n] of nodes.entries()) expect((await k('POST', `/api/v1/namespaces/${NS}/pods`, pod(`web-${i}`, n))).status).toBe(201);
    for (const i of [0, 1, 2]) {
      const p = await until(`web-${i} ready`, async () => {
        const b = (await k('GET', `/api/v1/namespaces/${NS}/pods/web-${i}`)).body;
        return b.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ? b : undefined;
      });
      pods.push({ name: p.metadata.name, ip: p.status.podIP });
    }
    // No selector: the Endpoints below are ours, whatever the endpoints controller does.
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: '10.96.100.10', ports: [{ name: 'http', port: 80, targetPort: 80 }] } };
    expect((await k('POST', `/api/v1/namespaces/${NS}/services`, svc)).status).toBe(201);
    const missing = await k('GET', `/api/v1/namespaces/${NS}/services/web/proxy/`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('endpoints "web" not found');
    const ep = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web' },
      subsets: [{ addresses: pods.map((p) => ({ ip: p.ip, targetRef: { kind: 'Pod', namespace: NS, name: p.name } })), ports: [{ name: 'http', port: 80 }] }],
    };
    expect((await k('POST', `/api/v1/namespaces/${NS}/endpoints`, ep)).status).toBe(201);
  });

  it('answers the proxy mode on kube-proxy\'s metrics port, 404 for an unknown node', async () => {
    const r = await k('GET', '/api/v1/nodes/default-worker:10249/proxy/proxyMode');
    expect(r.status).toBe(200);
    expect(r.body).toBe('iptables');
    expect((await k('GET', '/api/v1/nodes/default-worker:10256/proxy/healthz')).body.nodeEligible).toBe(true);
    const none = await k('GET', '/api/v1/nodes/nope:10249/proxy/proxyMode');
    expect(none.status).toBe(404);
    expect(none.body.message).toBe('nodes "nope" not found');
    expect((await k('GET', '/api/v1/nodes/default-worker:1234/proxy/')).body.message).toMatch(/^error trying to reach service: dial tcp 172\.18\.0\.\d+:1234: connect: connection refused$/);
  });

  it('spreads iptables-mode requests randomly over the three pods and dumps the rules', async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const r = await k('GET', `/api/v1/namespaces/${NS}/services/web:http/proxy/hello?x=1`);
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/^GET \/hello\?x=1 HTTP\/1\.1$/m);
      counts.set(hostnameOf(r.body)!, (counts.get(hostnameOf(r.body)!) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(pods.map((p) => p.name).sort());
    const rules = (await k('GET', '/api/v1/nodes/default-worker:10249/proxy/rules')).body as string;
    expect(rules).toMatch(/^-A KUBE-SERVICES -d 10\.96\.100\.10\/32 -p tcp -m comment --comment "px\/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-[A-Z2-7]{16}$/m);
    expect(rules).toContain('-m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-');
    expect(rules).toContain('-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-');
    for (const p of pods) expect(rules).toContain(`-j DNAT --to-destination ${p.ip}:80`);
    expect(rules).toContain('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000');
  });

  it('round-robins in ipvs mode and shows ipvsadm -Ln', async () => {
    await setMode('ipvs');
    expect((await k('GET', '/api/v1/nodes/default-worker2:10249/proxy/proxyMode')).body).toBe('ipvs');
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) seen.push(hostnameOf((await k('GET', `/api/v1/namespaces/${NS}/services/web:80/proxy/`)).body)!);
    // Each backend serves every third request, in a fixed rotation.
    for (let i = 3; i < 30; i++) expect(seen[i]).toBe(seen[i - 3]);
    expect(new Set(seen.slice(0, 3)).size).toBe(3);
    const rules = (await k('GET', '/api/v1/nodes/default-worker:10249/proxy/rules')).body as string;
    expect(rules).toContain('TCP  10.96.100.10:80 rr\n');
    for (const p of pods) expect(rules).toMatch(new RegExp(`^  -> ${p.ip.replace(/\./g, '\\.')}:80 +Masq    1      0          0$`, 'm'));
  });

  it('keeps a client on one backend with sessionAffinity ClientIP', async () => {
    const svc = (await k('GET', `/api/v1/namespaces/${NS}/services/web`)).body;
    svc.spec.sessionAffinity = 'ClientIP';
    expect((await k('PUT', `/api/v1/namespaces/${NS}/services/web`, svc)).status).toBe(200);
    for (const client of ['203.0.113.7', '203.0.113.8']) {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add(hostnameOf((await k('GET', `/api/v1/namespaces/${NS}/services/web/proxy/`, undefined, { 'CF-Connecting-IP': client })).body)!);
      expect(seen.size).toBe(1);
    }
    expect((await k('GET', '/api/v1/nodes/default-worker:10249/proxy/rules')).body).toContain('TCP  10.96.100.10:80 rr persistent 10800');
    await setMode('iptables');
    expect((await k('GET', '/api/v1/nodes/default-worker:10249/proxy/rules')).body).toContain('--rcheck --seconds 10800 --reap');
  });

  it('POSTs reach the backend with their body; pods/proxy reaches one pod', async () => {
    const r = await k('POST', `/api/v1/namespaces/${NS}/services/http:web:http/proxy/submit`, 'a=1', { 'Content-Type': 'text/plain' });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^POST \/submit HTTP\/1\.1$/m);
    expect(r.body).toMatch(/\n\na=1$/);
    const p = await k('GET', `/api/v1/namespaces/${NS}/pods/web-1/proxy/x`);
    expect(hostnameOf(p.body)).toBe('web-1');
    expect(p.body).toContain(`IP: ${pods[1].ip}`);
    const wrongPort = await k('GET', `/api/v1/namespaces/${NS}/pods/web-1:8080/proxy/`);
    expect(wrongPort.status).toBe(503);
    expect(wrongPort.body.message).toBe(`error trying to reach service: dial tcp ${pods[1].ip}:8080: connect: connection refused`);
    expect((await k('GET', `/api/v1/namespaces/${NS}/pods/nope/proxy/`)).status).toBe(404);
  });

  it('503s without ready endpoints and for an unknown port, like kube-apiserver', async () => {
    const port = await k('GET', `/api/v1/namespaces/${NS}/services/web:8080/proxy/`);
    expect(port.status).toBe(503);
    expect(port.body.message).toBe('no service port 8080 found for service "web"');
    const ep = (await k('GET', `/api/v1/namespaces/${NS}/endpoints/web`)).body;
    ep.subsets[0].notReadyAddresses = ep.subsets[0].addresses;
    delete ep.subsets[0].addresses;
    expect((await k('PUT', `/api/v1/namespaces/${NS}/endpoints/web`, ep)).status).toBe(200);
    const r = await k('GET', `/api/v1/namespaces/${NS}/services/web/proxy/`);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', message: 'no endpoints available for service "web"', code: 503 });
    const rules = (await k('GET', '/api/v1/nodes/default-worker:10249/proxy/rules')).body;
    expect(rules).toContain('-A KUBE-SERVICES -d 10.96.100.10/32 -p tcp -m comment --comment "px/web:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable');
  });

  it('is authorized as services/proxy, pods/proxy and nodes/proxy with the method\'s verb', async () => {
    const carol = { 'Impersonate-User': 'carol' };
    const denied = await k('GET', `/api/v1/namespaces/${NS}/services/web/proxy/`, undefined, carol);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(`services "web" is forbidden: User "carol" cannot get resource "services/proxy" in API group "" in the namespace "${NS}"`);
    expect((await k('POST', `/api/v1/namespaces/${NS}/pods/web-0/proxy/`, 'x', { ...carol, 'Content-Type': 'text/plain' })).body.message).toContain('cannot create resource "pods/proxy"');
    expect((await k('GET', '/api/v1/nodes/default-worker:10249/proxy/proxyMode', undefined, carol)).body.message).toContain('cannot get resource "nodes/proxy" in API group "" at the cluster scope');
  });

  it('fails like an unreachable node when its kubelet is stopped', async () => {
    const patch = await k('PATCH', '/api/v1/nodes/default-worker3', { metadata: { annotations: { 'kubedo.dev/kubelet': 'stopped' } } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(patch.status).toBe(200);
    const r = await k('GET', '/api/v1/nodes/default-worker3:10249/proxy/proxyMode');
    expect(r.status).toBe(503);
    expect(r.body.message).toMatch(/^error trying to reach service: dial tcp 172\.18\.0\.\d+:10249: i\/o timeout$/);
  });

  it('takes the mode from the sandbox spec at creation (kube-system/kube-proxy ConfigMap)', async () => {
    const created = await exports.default.fetch(
      new Request('https://kubedo.test/v1/sandboxes', {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'ipvs-box', workerNodes: 1, proxyMode: 'ipvs' }),
      }),
    );
    expect(created.status).toBe(201);
    const sb = (await created.json()) as { id: string; token: string };
    const get = async (path: string) => {
      const res = await exports.default.fetch(new Request(`https://kubedo.test/clusters/${sb.id}${path}`, { headers: { Authorization: `Bearer ${sb.token}` } }));
      return { status: res.status, text: await res.text() };
    };
    expect(await get('/api/v1/nodes/ipvs-box-worker:10249/proxy/proxyMode')).toEqual({ status: 200, text: 'ipvs' });
    const cm = JSON.parse((await get('/api/v1/namespaces/kube-system/configmaps/kube-proxy')).text);
    expect(cm.data['config.conf']).toMatch(/^mode: ipvs$/m);
    expect(cm.data['config.conf']).toMatch(/^kind: KubeProxyConfiguration$/m);
    // The default sandbox keeps its own mode.
    expect((await k('GET', '/api/v1/nodes/default-worker:10249/proxy/proxyMode')).body).toBe('iptables');
  });
});
