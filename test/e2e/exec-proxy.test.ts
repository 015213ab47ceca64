/// <reference types="node" />
// kube-proxy, the proxy subresources and `kubectl exec` with real kubectl: the proxyMode query in
// both modes, a Deployment of 3 behind a Service reached through services/proxy and from inside a
// pod (curl, nslookup, NodePort), and the simulated shell (hostname, env, resolv.conf, exit codes,
// stdin). exec runs with kubectl 1.31 and 1.33 (WebSocket v5.channel.k8s.io).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, describeKubectl, kubectl, kubectlPath, uniqueName } from './kubectl';

const ns = uniqueName('xp');
// Addresses unique to this run (explicit, so the test does not depend on the ClusterIP allocator).
const octet = 10 + Math.floor(Math.random() * 200);
const CLUSTER_IP = `10.96.${octet}.${10 + Math.floor(Math.random() * 200)}`;
const NODE_PORT = 30000 + Math.floor(Math.random() * 2700);
const k = (args: string[], opts = {}) => kubectl('1.33', args, opts);
const json = async (args: string[]) => JSON.parse((await k([...args, '-o', 'json'])).stdout);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pods: { name: string; ip: string; node: string }[] = [];

/** The Service's Endpoints: the endpoints controller's if it runs, else written here. */
async function ensureEndpoints(name: string) {
  for (let i = 0; i < 15; i++) {
    const r = await k(['get', 'endpoints', name, '-n', ns, '-o', 'json'], { expectFail: undefined }).catch(() => undefined);
    const ep = r ? JSON.parse(r.stdout) : undefined;
    if (ep?.subsets?.[0]?.addresses?.length === 3) return;
    await sleep(200);
  }
  const ep = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: ns },
    subsets: [{ addresses: pods.map((p) => ({ ip: p.ip, nodeName: p.node, targetRef: { kind: 'Pod', namespace: ns, name: p.name } })), ports: [{ port: 80, protocol: 'TCP' }] }],
  };
  await k(['apply', '-f', '-'], { input: JSON.stringify(ep) });
}

beforeAll(async () => {
  await k(['create', 'namespace', ns]);
  await k(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubedo-config', namespace: 'kube-system' }, data: { timeScale: '20' } }),
  });
  // The Service first: its links are in the environment of pods started after it.
  const svc = (name: string, spec: object) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }], ...spec } });
  await k(['create', '-f', '-'], { input: JSON.stringify(svc('web', { clusterIP: CLUSTER_IP })) });
  await k(['create', '-f', '-'], { input: JSON.stringify(svc('web-np', { type: 'NodePort', clusterIP: `10.96.${octet}.5`, ports: [{ port: 80, targetPort: 80, nodePort: NODE_PORT, protocol: 'TCP' }] })) });
  await k(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=80', '-n', ns]);
  await k(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });
  const list = await json(['get', 'pods', '-n', ns, '-l', 'app=web']);
  pods = list.items.filter((p: any) => p.status.phase === 'Running').map((p: any) => ({ name: p.metadata.name, ip: p.status.podIP, node: p.spec.nodeName }));
  expect(pods).toHaveLength(3);
  await ensureEndpoints('web');
  await ensureEndpoints('web-np');
}, 120_000);

describe('kube-proxy and the proxy subresources — kubectl 1.33', () => {
  it('answers the proxy mode on every node and switches to ipvs with the kube-proxy ConfigMap', async () => {
    for (const node of ['default-control-plane', 'default-worker']) {
      expect((await k(['get', '--raw', `/api/v1/nodes/${node}:10249/proxy/proxyMode`])).stdout).toBe('iptables');
    }
    const rules = (await k(['get', '--raw', '/api/v1/nodes/default-worker:10249/proxy/rules'])).stdout;
    expect(rules).toContain(`-A KUBE-SERVICES -d ${CLUSTER_IP}/32 -p tcp -m comment --comment "${ns}/web cluster IP" -m tcp --dport 80 -j KUBE-SVC-`);
    expect(rules).toContain('--probability 0.33333333349');
    const missing = await k(['get', '--raw', '/api/v1/nodes/nope:10249/proxy/proxyMode'], { expectFail: true });
    expect(missing.stderr).toContain('Error from server (NotFound): nodes "nope" not found');

    const cm = await json(['get', 'configmap', 'kube-proxy', '-n', 'kube-system']);
    const setMode = async (mode: string) => {
      cm.data['config.conf'] = cm.data['config.conf'].replace(/^mode: .*$/m, `mode: ${mode}`);
      delete cm.metadata.resourceVersion;
      await k(['apply', '-f', '-'], { input: JSON.stringify(cm) });
    };
    await setMode('ipvs');
    try {
      expect((await k(['get', '--raw', '/api/v1/nodes/default-worker2:10249/proxy/proxyMode'])).stdout).toBe('ipvs');
      const ipvs = (await k(['get', '--raw', '/api/v1/nodes/default-worker2:10249/proxy/rules'])).stdout;
      expect(ipvs).toContain(`TCP  ${CLUSTER_IP}:80 rr\n`);
      for (const p of pods) expect(ipvs).toContain(`  -> ${`${p.ip}:80`.padEnd(28)} Masq    1      0          0`);
      // Round robin: 30 requests, 10 per pod.
      const counts = new Map<string, number>();
      for (let i = 0; i < 30; i++) {
        const body = (await k(['get', '--raw', `/api/v1/namespaces/${ns}/services/web:80/proxy/`])).stdout;
        const host = /^Hostname: (.*)$/m.exec(body)![1];
        counts.set(host, (counts.get(host) ?? 0) + 1);
      }
      expect([...counts.values()]).toEqual([10, 10, 10]);
    } finally {
      await setMode('iptables');
    }
  }, 120_000);

  it('a sandbox created with proxyMode ipvs answers ipvs on its nodes', async () => {
    const name = uniqueName('ipvs');
    const r = await api('/v1/sandboxes', { method: 'POST', body: { name, workerNodes: 1, proxyMode: 'ipvs' } });
    expect(r.status, r.body).toBe(201);
    const sb = r.json<{ id: string; kubeconfig: string; token: string }>();
    const file = path.join(inject('tmpDir'), `kubeconfig-${sb.id}`);
    fs.writeFileSync(file, sb.kubeconfig, { mode: 0o600 });
    try {
      const mode = await k(['get', '--raw', `/api/v1/nodes/${name}-worker:10249/proxy/proxyMode`], { env: { KUBECONFIG: file } });
      expect(mode.stdout).toBe('ipvs');
      expect((await k(['get', '--raw', `/api/v1/nodes/${name}-worker:10249/proxy/rules`], { env: { KUBECONFIG: file } })).stdout).toMatch(/^IP Virtual Server version 1\.2\.1/);
    } finally {
      await api(`/v1/sandboxes/${sb.id}`, { method: 'DELETE', token: sb.token });
    }
  });

  it('services/proxy spreads 30 requests over the 3 backends and answers with the pod\'s name and IP', async () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const body = (await k(['get', '--raw', `/api/v1/namespaces/${ns}/services/web/proxy/hello`])).stdout;
      seen.set(/^Hostname: (.*)$/m.exec(body)![1], /^IP: (.*)$/m.exec(body)![1]);
    }
    expect(new Map([...seen].sort())).toEqual(new Map(pods.map((p) => [p.name, p.ip] as [string, string]).sort()));
    const pod = await k(['get', '--raw', `/api/v1/namespaces/${ns}/pods/${pods[0].name}/proxy/`]);
    expect(pod.stdout).toContain(`Hostname: ${pods[0].name}\nIP: ${pods[0].ip}\n`);
  }, 120_000);

  it('works through kubectl proxy with GET, POST and DELETE', async () => {
    const child = spawn(kubectlPath('1.33')!, ['proxy', '--port=0'], { env: { ...process.env, KUBECONFIG: inject('kubeconfig'), KUBECACHEDIR: `${inject('cacheDir')}/proxy` } });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', () => reject(new Error(`kubectl proxy exited: ${out}`)));
      });
      const request = (method: string, path: string, body?: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, path, method, headers: body ? { 'content-type': 'text/plain' } : {} }, (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          });
          req.on('error', reject);
          req.end(body);
        });
      const get = await request('GET', `/api/v1/namespaces/${ns}/services/web/proxy/a?b=c`);
      expect(get.status).toBe(200);
      expect(get.body).toMatch(/^GET \/a\?b=c HTTP\/1\.1$/m);
      const post = await request('POST', `/api/v1/namespaces/${ns}/services/http:web:80/proxy/form`, 'x=1');
      expect(post.body).toMatch(/^POST \/form HTTP\/1\.1$/m);
      expect(post.body.endsWith('\n\nx=1')).toBe(true);
      const del = await request('DELETE', `/api/v1/namespaces/${ns}/pods/${pods[1].name}/proxy/item/7`);
      expect(del.body).toContain(`Hostname: ${pods[1].name}\n`);
      expect(del.body).toMatch(/^DELETE \/item\/7 HTTP\/1\.1$/m);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('503s with kube-apiserver\'s message when no endpoint is ready', async () => {
    await k(['create', 'service', 'clusterip', 'lonely', '--tcp=80:80', '-n', ns]);
    await k(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'lonely', namespace: ns }, subsets: [] }) });
    const r = await k(['get', '--raw', `/api/v1/namespaces/${ns}/services/lonely/proxy/`], { expectFail: true });
    expect(r.stderr).toContain('Error from server (ServiceUnavailable): no endpoints available for service "lonely"');
  });
});

describeKubectl(
  'kubectl exec into a simulated container',
  (kc) => {
    const exec = (args: string[], opts = {}) => kc.run(['exec', '-n', ns, pods[0].name, ...args], opts);

    it('hostname, env with service links, resolv.conf and /etc/hosts', async () => {
      expect((await exec(['--', 'hostname'])).stdout).toBe(`${pods[0].name}\n`);
      const env = (await exec(['--', 'env'])).stdout;
      expect(env).toContain(`HOSTNAME=${pods[0].name}\n`);
      expect(env).toContain(`WEB_SERVICE_HOST=${CLUSTER_IP}\n`);
      expect(env).toContain('WEB_SERVICE_PORT=80\n');
      expect(env).toContain(`WEB_PORT=tcp://${CLUSTER_IP}:80\n`);
      expect(env).toContain(`WEB_PORT_80_TCP_ADDR=${CLUSTER_IP}\n`);
      expect(env).not.toContain('LONELY_SERVICE_HOST');
      expect(env).toMatch(/^PATH=/m);
      expect((await exec(['--', 'cat', '/etc/resolv.conf'])).stdout).toBe(`search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`);
      expect((await exec(['--', 'cat', '/etc/hosts'])).stdout).toContain(`# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n`);
      expect((await exec(['--', 'cat', '/etc/hosts'])).stdout).toContain(`\n${pods[0].ip}\t${pods[0].name}\n`);
    });

    it('curl and wget reach a backend by service name, nslookup resolves the ClusterIP, a NodePort answers on a node IP', async () => {
      const curl = await exec(['--', 'curl', '-s', 'http://web']);
      const host = /^Hostname: (.*)$/m.exec(curl.stdout)?.[1];
      expect(pods.map((p) => p.name)).toContain(host);
      expect(curl.stdout).toMatch(/^Host: web$/m);
      expect((await exec(['--', 'wget', '-qO-', `http://web.${ns}.svc.cluster.local/x`])).stdout).toMatch(/^GET \/x HTTP\/1\.1$/m);
      const ns1 = await exec(['--', 'nslookup', 'web']);
      expect(ns1.stdout).toContain(`Name:\tweb.${ns}.svc.cluster.local\nAddress: ${CLUSTER_IP}\n`);
      const nx = await exec(['--', 'curl', 'http://nope'], { expectFail: true });
      expect(nx.code).toBe(6);
      expect(nx.stderr).toContain('curl: (6) Could not resolve host: nope');
      const node = await JSON.parse((await kc.run(['get', 'node', 'default-worker', '-o', 'json'])).stdout);
      const nodeIP = node.status.addresses.find((a: any) => a.type === 'InternalIP').address;
      const np = await exec(['--', 'curl', '-s', `http://${nodeIP}:${NODE_PORT}/`]);
      expect(pods.map((p) => p.name)).toContain(/^Hostname: (.*)$/m.exec(np.stdout)?.[1]);
    });

    it('exit codes: an unknown command exits 127 with "command not found", sh -c exit 3 exits 3', async () => {
      const unknown = await exec(['--', 'frobnicate'], { expectFail: true });
      expect(unknown.code).toBe(127);
      expect(unknown.stderr).toContain('bash: frobnicate: command not found');
      expect(unknown.stderr).toContain('command terminated with exit code 127');
      const three = await exec(['--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], { expectFail: true });
      expect(three.code).toBe(3);
      expect(three.stdout).toBe('out\n');
      expect(three.stderr).toContain('err\n');
      expect((await exec(['--', 'sh', '-c', 'false || echo fallback && true'])).stdout).toBe('fallback\n');
    });

    it('kubectl exec -i feeds stdin lines to the shell', async () => {
      const r = await exec(['-i', '--', 'sh'], { input: 'echo hello\nhostname\nexit 0\n' });
      expect(r.stdout).toBe(`hello\n${pods[0].name}\n`);
      const cat = await exec(['-i', '--', 'cat'], { input: 'a\nb\n' });
      expect(cat.stdout).toBe('a\nb\n');
    });

    it('kubectl exec -it on a terminal: prompt, echo, exit code', async () => {
      // `script` gives kubectl a pseudo-terminal, so it switches to raw mode and sends keystrokes.
      const child = spawn('script', ['-qec', `${kc.path} exec -it -n ${ns} ${pods[0].name} -- bash`, '/dev/null'], {
        env: { ...process.env, KUBECONFIG: inject('kubeconfig'), KUBECACHEDIR: `${inject('cacheDir')}/${kc.version}` },
      });
      let out = '';
      const seen = (re: RegExp) =>
        new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no ${re} in ${JSON.stringify(out)}`)), 15_000);
          const check = () => {
            if (re.test(out)) {
              clearTimeout(t);
              child.stdout.off('data', check);
              resolve();
            }
          };
          child.stdout.on('data', check);
          check();
        });
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
      try {
        await seen(new RegExp(`root@${pods[0].name}:/# $`));
        child.stdin.write('hostname\r');
        await seen(new RegExp(`hostname\r\n${pods[0].name}\r\n`));
        child.stdin.write('exit 3\r');
        expect(await exited).toBe(3);
        expect(out).toContain('command terminated with exit code 3');
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('refuses a missing pod and a missing container like kube-apiserver', async () => {
      const none = await kc.run(['exec', '-n', ns, 'nope', '--', 'true'], { expectFail: true });
      expect(none.stderr).toContain('pods "nope" not found');
      const bad = await kc.run(['exec', '-n', ns, pods[0].name, '-c', 'sidecar', '--', 'true'], { expectFail: true });
      expect(bad.stderr).toContain('container sidecar is not valid for pod');
    });
  },
  ['1.31', '1.33'],
);
