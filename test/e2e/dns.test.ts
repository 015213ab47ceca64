/// <reference types="node" />
// The cluster DNS over HTTPS against `wrangler dev`: RFC 8484 wire format (GET and POST, encoded and
// decoded with dns-packet the way a DoH client does) and the JSON form, for the API server's
// service and for a headless service whose endpoints have hostnames (a StatefulSet's shape).
import * as packet from 'dns-packet';
import https from 'node:https';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, kubectl, kubectlPath, uniqueName } from './kubectl';

const DOH = '/clusters/default/dns-query';

/** A DoH exchange with the raw bytes kept (api() decodes bodies as text). */
function doh(path: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<{ status: number; type?: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      inject('baseUrl') + path,
      { method: init.method ?? 'GET', ca: inject('caPem'), headers: { authorization: `Bearer ${inject('token')}`, ...init.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], bytes: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

function query(name: string, type: packet.RecordType, id: number): Buffer {
  return packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
}

async function wireGet(name: string, type: packet.RecordType, id = 1) {
  const res = await doh(`${DOH}?dns=${query(name, type, id).toString('base64url')}`, { headers: { accept: 'application/dns-message' } });
  expect(res.status).toBe(200);
  expect(res.type).toBe('application/dns-message');
  const msg = packet.decode(res.bytes);
  return { ...msg, answers: (msg.answers ?? []) as any[] };
}

describe('cluster DNS over HTTPS', () => {
  const ns = uniqueName('dns');

  beforeAll(async () => {
    const manifest = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: ns }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] } },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'db', namespace: ns },
        subsets: [{ addresses: [{ ip: '10.244.1.20', hostname: 'db-0' }, { ip: '10.244.2.21', hostname: 'db-1' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }],
      },
    ];
    const bin = kubectlPath('1.33') ?? 'kubectl';
    await kubectl(bin, ['apply', '-f', '-'], { input: manifest.map((m) => JSON.stringify(m)).join('\n') });
  });

  it('resolves kubernetes.default.svc.cluster.local (wire format, GET)', async () => {
    const expected = (await api('/clusters/default/api/v1/namespaces/default/services/kubernetes')).json().spec.clusterIP;
    const msg = await wireGet('kubernetes.default.svc.cluster.local', 'A', 77);
    expect(msg).toMatchObject({ id: 77, type: 'response', flag_aa: true, flag_rd: true });
    expect(msg.answers).toMatchObject([{ name: 'kubernetes.default.svc.cluster.local', type: 'A', ttl: 30, data: expected }]);
    const ptr = await wireGet(`${expected.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR');
    expect(ptr.answers.map((a) => a.data)).toEqual(['kubernetes.default.svc.cluster.local']);
  });

  it('resolves a headless service: A per endpoint, hostnames, SRV (wire format, POST)', async () => {
    const res = await doh(DOH, { method: 'POST', headers: { 'content-type': 'application/dns-message', accept: 'application/dns-message' }, body: query(`db.${ns}.svc.cluster.local`, 'A', 9) });
    expect(res.status).toBe(200);
    const a = packet.decode(res.bytes);
    expect((a.answers as any[]).map((r) => r.data).sort()).toEqual(['10.244.1.20', '10.244.2.21']);
    const host = await wireGet(`db-1.db.${ns}.svc.cluster.local`, 'A');
    expect(host.answers.map((r) => r.data)).toEqual(['10.244.2.21']);
    const srv = await wireGet(`_pg._tcp.db.${ns}.svc.cluster.local`, 'SRV');
    expect(srv.answers.map((r) => r.data)).toEqual([
      { priority: 0, weight: 50, port: 5432, target: `db-0.db.${ns}.svc.cluster.local` },
      { priority: 0, weight: 50, port: 5432, target: `db-1.db.${ns}.svc.cluster.local` },
    ]);
    const nx = await wireGet(`db-9.db.${ns}.svc.cluster.local`, 'A');
    expect((nx.flags ?? 0) & 0xf).toBe(3); // NXDOMAIN
    expect(nx.authorities).toMatchObject([{ type: 'SOA', data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local' } }]);
  });

  it('answers the JSON form', async () => {
    const res = await api(`${DOH}?name=db.${ns}.svc.cluster.local&type=A`, { headers: { accept: 'application/dns-json' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/dns-json');
    const body = res.json();
    expect(body).toMatchObject({ Status: 0, Question: [{ name: `db.${ns}.svc.cluster.local.`, type: 1 }] });
    expect(body.Answer.map((r: { data: string }) => r.data).sort()).toEqual(['10.244.1.20', '10.244.2.21']);
    const dns = (await api(`${DOH}?name=kube-dns.kube-system.svc.cluster.local`, { headers: { accept: 'application/dns-json' } })).json();
    expect(dns.Answer).toEqual([{ name: 'kube-dns.kube-system.svc.cluster.local.', type: 1, TTL: 30, data: '10.96.0.10' }]);
    const nx = (await api(`${DOH}?name=nope.${ns}.svc.cluster.local&type=AAAA`)).json();
    expect(nx.Status).toBe(3);
    expect(nx.Authority[0]).toMatchObject({ name: 'cluster.local.', type: 6 });
  });
});
