// kubectl exec's WebSocket protocol inside workerd: channel frames, the closing Status with the
// exit code, stdin lines and EOF, TTY echo and prompt, and the refusals before the upgrade.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BASE, TOKEN, k, until } from './helpers';

const NS = 'ex';
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Session {
  frames: { channel: number; text: string }[];
  send(channel: number, text: string): void;
  closeStdin(): void;
  done: Promise<void>;
  out(channel: number): string;
}

async function open(path: string, protocol = 'v5.channel.k8s.io'): Promise<Session | { status: number; body: any }> {
  const res = await exports.default.fetch(
    new Request(`${BASE}${path}`, { headers: { Authorization: `Bearer ${TOKEN}`, Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `${protocol}, v4.channel.k8s.io` } }),
  );
  if (res.status !== 101 || !res.webSocket) return { status: res.status, body: await res.json() };
  expect(res.headers.get('Sec-WebSocket-Protocol')).toBe(protocol);
  const ws = res.webSocket;
  const frames: Session['frames'] = [];
  let inbound = Promise.resolve();
  const done = new Promise<void>((resolve) => ws.addEventListener('close', () => void inbound.then(resolve)));
  ws.addEventListener('message', (ev) => {
    const data = ev.data as ArrayBuffer | Blob;
    inbound = inbound.then(async () => {
      const b = data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : new Uint8Array(data);
      frames.push({ channel: b[0], text: dec.decode(b.subarray(1)) });
    });
  });
  ws.accept();
  return {
    frames,
    send: (channel, text) => ws.send(new Uint8Array([channel, ...enc.encode(text)])),
    closeStdin: () => ws.send(new Uint8Array([255, 0])),
    done,
    out: (channel) => frames.filter((f) => f.channel === channel).map((f) => f.text).join(''),
  };
}

const execPath = (pod: string, cmd: string[], extra = '') => `/api/v1/namespaces/${NS}/pods/${pod}/exec?${cmd.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&stdout=true&stderr=true${extra}`;

describe('kubectl exec over WebSocket', () => {
  it('starts a running pod behind a service', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    await k('POST', `/api/v1/namespaces/${NS}/services`, { metadata: { name: 'web' }, spec: { clusterIP: '10.96.50.50', ports: [{ port: 80 }] } });
    await k('POST', `/api/v1/namespaces/${NS}/pods`, {
      metadata: { name: 'box' },
      spec: { nodeName: 'default-worker', containers: [{ name: 'box', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'GREETING', value: 'hi $(WEB_SERVICE_HOST)' }, { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }] },
    });
    await until('box running', async () => ((await k('GET', `/api/v1/namespaces/${NS}/pods/box`)).body.status?.containerStatuses?.[0]?.state?.running ? true : undefined));
    await k('POST', `/api/v1/namespaces/${NS}/endpoints`, { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: (await k('GET', `/api/v1/namespaces/${NS}/pods/box`)).body.status.podIP, targetRef: { kind: 'Pod', namespace: NS, name: 'box' } }], ports: [{ port: 80 }] }] });
  });

  it('runs a command: stdout frames, then a Success status and a close', async () => {
    const o = await open(execPath("box", ["hostname"]));
    if (!("out" in o)) throw new Error(JSON.stringify(o));
    const s = o;
    await s.done;
    expect(s.out(1)).toBe('box\n');
    expect(JSON.parse(s.out(3))).toEqual({ metadata: {}, status: 'Success' });
  });

  it('reports a non-zero exit as NonZeroExitCode with the ExitCode cause', async () => {
    const s = (await open(execPath('box', ['frobnicate']), 'v4.channel.k8s.io')) as Session;
    await s.done;
    expect(s.out(2)).toBe('sh: frobnicate: not found\n');
    expect(JSON.parse(s.out(3))).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '127' }] } });
  });

  it('gives the container its env with expanded references and service links', async () => {
    const s = (await open(execPath('box', ['sh', '-c', 'echo $GREETING; printenv MY_POD WEB_PORT; echo x >&2']))) as Session;
    await s.done;
    expect(s.out(1)).toBe('hi 10.96.50.50\nbox\ntcp://10.96.50.50:80\n');
    expect(s.out(2)).toBe('x\n');
  });

  it('feeds stdin lines until EOF ([255, 0])', async () => {
    const s = (await open(execPath('box', ['sh'], '&stdin=true'))) as Session;
    s.send(0, 'echo one\nwget -qO- http://web/a');
    s.send(0, '\n');
    s.closeStdin();
    await s.done;
    expect(s.out(1)).toMatch(/^one\nHostname: box\n/);
    expect(JSON.parse(s.out(3)).status).toBe('Success');
  });

  it('with a TTY: prompt, echo, \\r\\n line endings, exit ends the session', async () => {
    const s = (await open(execPath('box', ['sh'], '&stdin=true&tty=true'))) as Session;
    s.send(0, 'hostnamx\x7fe\r');
    s.send(0, 'exit 4\r');
    await s.done;
    expect(s.out(1)).toBe('/ # hostnamx\b \be\r\nbox\r\n/ # exit 4\r\n');
    expect(JSON.parse(s.out(3)).details.causes[0].message).toBe('4');
  });

  it('curl follows kube-proxy: refused without endpoints (7), nothing on an unknown port (28)', async () => {
    await k('POST', `/api/v1/namespaces/${NS}/services`, { metadata: { name: 'empty' }, spec: { clusterIP: '10.96.50.51', ports: [{ port: 80 }] } });
    await k('POST', `/api/v1/namespaces/${NS}/endpoints`, { metadata: { name: 'empty' }, subsets: [] });
    const s = (await open(execPath('box', ['sh', '-c', 'curl -sS http://empty; echo " $?"; curl -sS http://web:81; echo " $?"; curl -s http://web >/dev/null; echo $?']))) as Session;
    await s.done;
    expect(s.out(1)).toBe(' 7\n 28\n0\n');
    expect(s.out(2)).toMatch(/^curl: \(7\) Failed to connect to empty port 80 after \d+ ms: Couldn't connect to server\ncurl: \(28\) /);
  });

  it('reaches kube-apiserver through the kubernetes Service as an anonymous client', async () => {
    const cp = (await k('GET', '/api/v1/nodes/default-control-plane')).body;
    const ip = cp.status.addresses.find((a: any) => a.type === 'InternalIP').address;
    // The seeded Service and its Endpoints when the services controllers provide them, else ours.
    await k('POST', '/api/v1/namespaces/default/services', { metadata: { name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443 }] } });
    await k('POST', '/api/v1/namespaces/default/endpoints', { metadata: { name: 'kubernetes' }, subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port: 6443 }] }] });
    const s = (await open(execPath('box', ['sh', '-c', `curl -sk https://kubernetes.default/version; curl -sk https://${ip}:6443/api; curl -s https://kubernetes.default.svc/healthz; echo " $?"`]))) as Session;
    await s.done;
    const out = s.out(1);
    expect(out).toContain('"gitVersion": "v1.33.0"');
    expect(out).toContain('"message": "forbidden: User \\"system:anonymous\\" cannot get path \\"/api\\""');
    expect(out.endsWith(' 60\n')).toBe(true);
  });

  it('refuses before the upgrade: missing pod 404, unknown container 400, not running 400', async () => {
    expect(await open(execPath('nope', ['true']))).toMatchObject({ status: 404, body: { message: 'pods "nope" not found' } });
    const res = await exports.default.fetch(new Request(`${BASE}${execPath('box', ['true'])}`, { headers: { Authorization: `Bearer ${TOKEN}`, 'Impersonate-User': 'carol', Upgrade: 'websocket' } }));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toBe(`pods "box" is forbidden: User "carol" cannot create resource "pods/exec" in API group "" in the namespace "${NS}"`);
    expect(await open(`${execPath('box', ['true'])}&container=side`)).toMatchObject({ status: 400, body: { message: 'container side is not valid for pod box' } });
    await k('POST', `/api/v1/namespaces/${NS}/pods`, { metadata: { name: 'waiting' }, spec: { schedulerName: 'none', containers: [{ name: 'c', image: 'nginx' }] } });
    expect(await open(execPath('waiting', ['true']))).toMatchObject({ status: 400, body: { message: 'pod waiting does not have a host assigned' } });
  });
});
