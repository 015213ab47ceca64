// The sandbox's cluster DNS through its Durable Object and the DNS-over-HTTPS route: Services with
// explicit ClusterIPs and hand-written Endpoints (no selector, so no controller touches them).
import * as packet from 'dns-packet';
import { Buffer } from 'node:buffer';
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BASE, clusterStub, k, TOKEN } from './helpers';
import type { ClusterObject } from '../../src/durable/cluster';

const stub = () => clusterStub() as unknown as DurableObjectStub<ClusterObject>;

async function doh(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { Authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) };
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers }));
}

function query(name: string, type: packet.RecordType, id = 4242): Buffer {
  return packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
}

describe('cluster DNS', () => {
  it('answers services, headless endpoints and PTR through the DO RPC, following changes', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'dns1' } });
    expect(
      (await k('POST', '/api/v1/namespaces/dns1/services', { metadata: { name: 'web' }, spec: { clusterIP: '10.96.100.1', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } })).status,
    ).toBe(201);
    await k('POST', '/api/v1/namespaces/dns1/services', { metadata: { name: 'db' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] } });
    await k('POST', '/api/v1/namespaces/dns1/endpoints', {
      metadata: { name: 'db' },
      subsets: [{ addresses: [{ ip: '10.244.1.10', hostname: 'db-0' }, { ip: '10.244.2.11', hostname: 'db-1' }], notReadyAddresses: [{ ip: '10.244.3.12', hostname: 'db-2' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }],
    });

    const a = await stub().dnsQuery('web.dns1.svc.cluster.local', 'A');
    expect(a).toMatchObject({ rcode: 'NOERROR', answers: [{ name: 'web.dns1.svc.cluster.local.', type: 'A', ttl: 30, data: '10.96.100.1' }] });
    const headless = await stub().dnsQuery('db.dns1.svc.cluster.local', 'A');
    expect(headless.answers.map((r) => r.data).sort()).toEqual(['10.244.1.10', '10.244.2.11']);
    const srv = await stub().dnsQuery('_pg._tcp.db.dns1.svc.cluster.local', 'SRV');
    expect(srv.answers.map((r) => r.data).sort()).toEqual(['0 50 5432 db-0.db.dns1.svc.cluster.local.', '0 50 5432 db-1.db.dns1.svc.cluster.local.']);
    // PTR goes through the IP index, which then follows writes.
    expect((await stub().dnsQuery('1.100.96.10.in-addr.arpa', 'PTR')).answers.map((r) => r.data)).toEqual(['web.dns1.svc.cluster.local.']);
    expect((await stub().dnsQuery('10.1.244.10.in-addr.arpa', 'PTR')).answers.map((r) => r.data)).toEqual(['db-0.db.dns1.svc.cluster.local.']);
    expect((await stub().dnsQuery('12.3.244.10.in-addr.arpa', 'PTR')).rcode).toBe('NXDOMAIN');

    await k('PATCH', '/api/v1/namespaces/dns1/services/db', { spec: { publishNotReadyAddresses: true } }, { 'Content-Type': 'application/merge-patch+json' });
    expect((await stub().dnsQuery('db-2.db.dns1.svc.cluster.local', 'A')).answers.map((r) => r.data)).toEqual(['10.244.3.12']);
    await k('DELETE', '/api/v1/namespaces/dns1/services/web');
    expect((await stub().dnsQuery('web.dns1.svc.cluster.local', 'A')).rcode).toBe('NXDOMAIN');
    expect((await stub().dnsQuery('1.100.96.10.in-addr.arpa', 'PTR')).rcode).toBe('NXDOMAIN');
  });

  it('serves RFC 8484 wire format (GET and POST) and the JSON form', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'dns2' } });
    await k('POST', '/api/v1/namespaces/dns2/services', { metadata: { name: 'api' }, spec: { clusterIP: '10.96.100.2', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } });

    const get = await doh(`/dns-query?dns=${query('api.dns2.svc.cluster.local', 'A').toString('base64url')}`, { headers: { Accept: 'application/dns-message' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('Content-Type')).toBe('application/dns-message');
    expect(get.headers.get('Cache-Control')).toBe('max-age=30');
    const msg = packet.decode(Buffer.from(await get.arrayBuffer()));
    expect(msg).toMatchObject({ type: 'response', id: 4242, rcode: 'NOERROR', flag_aa: true, flag_rd: true, flag_ra: true });
    expect(msg.answers).toMatchObject([{ name: 'api.dns2.svc.cluster.local', type: 'A', ttl: 30, data: '10.96.100.2' }]);

    const post = await doh('/dns-query', { method: 'POST', headers: { 'Content-Type': 'application/dns-message' }, body: query('_https._tcp.api.dns2.svc.cluster.local', 'SRV', 7) });
    const srv = packet.decode(Buffer.from(await post.arrayBuffer()));
    expect(srv.id).toBe(7);
    expect(srv.answers).toMatchObject([{ type: 'SRV', data: { priority: 0, weight: 100, port: 443, target: 'api.dns2.svc.cluster.local' } }]);

    const nx = packet.decode(Buffer.from(await (await doh(`/dns-query?dns=${query('nope.dns2.svc.cluster.local', 'A').toString('base64url')}`)).arrayBuffer()));
    expect(nx.flags! & 0xf).toBe(3); // NXDOMAIN
    expect(nx.authorities).toMatchObject([{ name: 'cluster.local', type: 'SOA', data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', refresh: 7200, retry: 1800, expire: 86400, minimum: 30 } }]);

    const json = await doh('/dns-query?name=api.dns2.svc.cluster.local&type=A', { headers: { Accept: 'application/dns-json' } });
    expect(json.headers.get('Content-Type')).toBe('application/dns-json');
    expect(await json.json()).toEqual({
      Status: 0,
      TC: false,
      RD: true,
      RA: true,
      AD: false,
      CD: false,
      Question: [{ name: 'api.dns2.svc.cluster.local.', type: 1 }],
      Answer: [{ name: 'api.dns2.svc.cluster.local.', type: 1, TTL: 30, data: '10.96.100.2' }],
    });
    const txt = (await (await doh('/dns-query?name=dns-version.cluster.local&type=16')).json()) as { Answer: { data: string }[] };
    expect(txt.Answer[0].data).toBe('"1.1.0"');
  });

  it('refuses bad requests with a Status', async () => {
    expect((await doh('/dns-query?dns=***')).status).toBe(400);
    expect((await doh(`/dns-query?dns=${Buffer.from('junk').toString('base64url')}`)).status).toBe(400);
    expect((await doh('/dns-query')).status).toBe(400);
    expect((await doh('/dns-query?name=kubernetes.default.svc.cluster.local&type=FOO')).status).toBe(400);
    const wrongType = await doh('/dns-query', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({ kind: 'Status', code: 415 });
    expect((await doh('/dns-query', { method: 'DELETE' })).status).toBe(405);
    const anon = await exports.default.fetch(new Request(`${BASE}/dns-query?name=kubernetes.default.svc.cluster.local`));
    expect(anon.status).toBe(401);
  });
});
