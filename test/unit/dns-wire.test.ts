// The DNS-over-HTTPS encodings: record types by name or number, our presentation-format records
// through RFC 1035 wire format (decoded back with dns-packet, as a DoH client would), the JSON form.
import * as packet from 'dns-packet';
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { jsonResponse, typeName, wireResponse } from '../../src/api/dns';
import type { DnsAnswer } from '../../src/network/dns';

describe('record types', () => {
  it.each([
    ['A', 'A'],
    ['aaaa', 'AAAA'],
    ['1', 'A'],
    ['33', 'SRV'],
    ['12', 'PTR'],
    ['255', 'ANY'],
    ['65', 'TYPE65'],
    ['type65', 'TYPE65'],
    ['0', undefined],
    ['70000', undefined],
    ['FOO', undefined],
    ['', undefined],
  ])('%s → %s', (input, want) => expect(typeName(input)).toBe(want));
});

const answer: DnsAnswer = {
  rcode: 'NOERROR',
  answers: [{ name: '_https._tcp.kubernetes.default.svc.cluster.local.', type: 'SRV', ttl: 30, data: '0 100 443 kubernetes.default.svc.cluster.local.' }],
  authority: [],
  additional: [{ name: 'kubernetes.default.svc.cluster.local.', type: 'A', ttl: 30, data: '10.96.0.1' }],
};

describe('wire format', () => {
  const query = (name: string, type: packet.RecordType, opt = false) =>
    packet.decode(
      packet.encode({
        type: 'query',
        id: 4321,
        flags: packet.RECURSION_DESIRED,
        questions: [{ name, type, class: 'IN' }],
        ...(opt ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] } : {}),
      }),
    );

  it('SRV answers with their Additional A records, id and RD echoed, AA and RA set, EDNS answered', () => {
    const msg = packet.decode(Buffer.from(wireResponse(query('_https._tcp.kubernetes.default.svc.cluster.local', 'SRV', true), answer)));
    expect(msg).toMatchObject({ id: 4321, type: 'response', flag_aa: true, flag_rd: true, flag_ra: true });
    expect(msg.questions).toEqual([{ name: '_https._tcp.kubernetes.default.svc.cluster.local', type: 'SRV', class: 'IN' }]);
    expect(msg.answers).toMatchObject([{ type: 'SRV', ttl: 30, data: { priority: 0, weight: 100, port: 443, target: 'kubernetes.default.svc.cluster.local' } }]);
    expect(msg.additionals?.map((r) => r.type)).toEqual(['A', 'OPT']);
  });

  it('NXDOMAIN with the SOA in the authority section; TXT and PTR data', () => {
    const nx: DnsAnswer = {
      rcode: 'NXDOMAIN',
      answers: [],
      authority: [{ name: 'cluster.local.', type: 'SOA', ttl: 30, data: 'ns.dns.cluster.local. hostmaster.cluster.local. 1764150000 7200 1800 86400 30' }],
      additional: [],
    };
    const msg = packet.decode(Buffer.from(wireResponse(query('nope.default.svc.cluster.local', 'A'), nx)));
    expect((msg.flags ?? 0) & 0xf).toBe(3);
    expect(msg.authorities).toEqual([
      {
        name: 'cluster.local',
        type: 'SOA',
        ttl: 30,
        class: 'IN',
        flush: false,
        data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1764150000, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 },
      },
    ]);
    const txt = packet.decode(
      Buffer.from(wireResponse(query('dns-version.cluster.local', 'TXT'), { rcode: 'NOERROR', answers: [{ name: 'dns-version.cluster.local.', type: 'TXT', ttl: 28800, data: '"1.1.0"' }], authority: [], additional: [] })),
    );
    expect((txt.answers?.[0] as { data: Buffer[] }).data.map((b) => b.toString())).toEqual(['1.1.0']);
    const ptr = packet.decode(
      Buffer.from(wireResponse(query('1.0.96.10.in-addr.arpa', 'PTR'), { rcode: 'NOERROR', answers: [{ name: '1.0.96.10.in-addr.arpa.', type: 'PTR', ttl: 30, data: 'kubernetes.default.svc.cluster.local.' }], authority: [], additional: [] })),
    );
    expect(ptr.answers).toMatchObject([{ name: '1.0.96.10.in-addr.arpa', type: 'PTR', data: 'kubernetes.default.svc.cluster.local' }]);
  });
});

describe('JSON form', () => {
  it("follows Google's and Cloudflare's schema", () => {
    expect(jsonResponse('_https._tcp.kubernetes.default.svc.cluster.local', 'SRV', answer)).toEqual({
      Status: 0,
      TC: false,
      RD: true,
      RA: true,
      AD: false,
      CD: false,
      Question: [{ name: '_https._tcp.kubernetes.default.svc.cluster.local.', type: 33 }],
      Answer: [{ name: '_https._tcp.kubernetes.default.svc.cluster.local.', type: 33, TTL: 30, data: '0 100 443 kubernetes.default.svc.cluster.local.' }],
      Additional: [{ name: 'kubernetes.default.svc.cluster.local.', type: 1, TTL: 30, data: '10.96.0.1' }],
    });
  });
});
