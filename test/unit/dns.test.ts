// The cluster DNS against the Kubernetes DNS-Based Service Discovery specification (kubernetes/dns
// docs/specification.md, schema 1.1.0): each case reproduces one of its record examples (section
// numbers in the names), plus CoreDNS's answers where the spec leaves room (NXDOMAIN with SOA, SRV
// weights, pods insecure, endpoint names for headless endpoints without hostnames).
import { describe, expect, it } from 'vitest';
import { addressFromReverse, corefileSettings, lookup, resolve, type DnsSource } from '../../src/network/dns';
import { DnsIpIndex } from '../../src/network/dns-index';
import type { KObject } from '../../src/registry/types';

/** The objects a sandbox's store would hold, read through the same get/list the Store offers. */
function source(objects: [string, KObject][]): DnsSource {
  const rows = objects
    .map(([resource, o]) => ({ resource, ns: o.metadata.namespace ?? '', name: o.metadata.name!, o }))
    .sort((a, b) => (a.ns === b.ns ? (a.name < b.name ? -1 : 1) : a.ns < b.ns ? -1 : 1));
  return {
    get: (resource, ns, name) => rows.find((r) => r.resource === resource && r.ns === ns && r.name === name)?.o,
    *list(resource, opts = {}) {
      for (const r of rows) {
        if (r.resource !== resource || (opts.namespace !== undefined && r.ns !== opts.namespace)) continue;
        if (opts.after && (r.ns < opts.after.namespace || (r.ns === opts.after.namespace && r.name <= opts.after.name))) continue;
        yield r.o;
      }
    },
  };
}

const ns = (name: string): [string, KObject] => ['namespaces', { metadata: { name } }];
const svc = (namespace: string, name: string, spec: object, annotations?: Record<string, string>): [string, KObject] => [
  'services',
  { metadata: { namespace, name, ...(annotations ? { annotations } : {}) }, spec },
];
const endpoints = (namespace: string, name: string, subsets: object[]): [string, KObject] => ['endpoints', { metadata: { namespace, name }, subsets }];
const slice = (namespace: string, name: string, service: string, endpoints: object[], ports: object[]): [string, KObject] => [
  'endpointslices.discovery.k8s.io',
  { metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports },
];

const HTTPS = { name: 'https', port: 443, protocol: 'TCP' };

const cluster = source([
  ns('default'),
  ns('kube-system'),
  ns('other'),
  svc('default', 'kubernetes', { type: 'ClusterIP', clusterIP: '10.3.0.1', clusterIPs: ['10.3.0.1'], ports: [HTTPS] }),
  svc('kube-system', 'kube-dns', {
    clusterIP: '10.96.0.10',
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
  }),
  // §2.4.1's headless service: three ready endpoints without hostnames, one not ready.
  svc('default', 'headless', { clusterIP: 'None', ports: [HTTPS] }),
  endpoints('default', 'headless', [
    { addresses: [{ ip: '10.3.0.1' }, { ip: '10.3.0.2' }, { ip: '10.3.0.3' }], notReadyAddresses: [{ ip: '10.3.0.9' }], ports: [HTTPS] },
  ]),
  // §2.4's pets: a StatefulSet's headless service, endpoints with hostnames (EndpointSlices).
  svc('default', 'pets', { clusterIP: 'None', ports: [HTTPS, { port: 8080, protocol: 'TCP' }] }),
  slice(
    'default',
    'pets-x7k2p',
    'pets',
    [
      { addresses: ['10.3.0.100'], hostname: 'my-pet', conditions: { ready: true } },
      { addresses: ['10.3.0.101'], hostname: 'my-pet-2', conditions: { ready: true } },
      { addresses: ['10.3.0.102'], conditions: { ready: true } },
      { addresses: ['10.3.0.103'], hostname: 'my-pet-3', conditions: { ready: false } },
    ],
    [HTTPS, { port: 8080, protocol: 'TCP' }],
  ),
  // publishNotReadyAddresses: not-ready endpoints are published too.
  svc('default', 'peers', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'gossip', port: 7946, protocol: 'UDP' }] }),
  endpoints('default', 'peers', [{ notReadyAddresses: [{ ip: '10.244.1.7', hostname: 'peer-0' }], ports: [{ name: 'gossip', port: 7946, protocol: 'UDP' }] }]),
  svc('default', 'empty', { clusterIP: 'None', ports: [HTTPS] }),
  svc('default', 'foo', { type: 'ExternalName', externalName: 'www.example.com' }),
  svc('other', 'alias', { type: 'ExternalName', externalName: 'kubernetes.default.svc.cluster.local' }),
]);

const ttl = 30; // kubeadm's Corefile: `ttl 30`
const rr = (name: string, type: string, data: string, t = ttl) => ({ name, type, ttl: t, data });

describe('DNS specification record examples', () => {
  it('§2.2 dns-version TXT', () => {
    const a = resolve(cluster, 'dns-version.cluster.local.', 'TXT');
    expect(a.rcode).toBe('NOERROR');
    expect(a.answers).toEqual([rr('dns-version.cluster.local.', 'TXT', '"1.1.0"', 28800)]);
  });

  const table: [string, string, string, ReturnType<typeof rr>[]][] = [
    ['§2.3.1 A record of a ClusterIP service', 'kubernetes.default.svc.cluster.local.', 'A', [rr('kubernetes.default.svc.cluster.local.', 'A', '10.3.0.1')]],
    [
      '§2.3.2 SRV record of a named port of a ClusterIP service',
      '_https._tcp.kubernetes.default.svc.cluster.local.',
      'SRV',
      [rr('_https._tcp.kubernetes.default.svc.cluster.local.', 'SRV', '0 100 443 kubernetes.default.svc.cluster.local.')],
    ],
    ['§2.3.3 PTR record of a ClusterIP', '1.0.3.10.in-addr.arpa.', 'PTR', [rr('1.0.3.10.in-addr.arpa.', 'PTR', 'kubernetes.default.svc.cluster.local.')]],
    [
      '§2.4.1 A records of a headless service (ready endpoints only)',
      'headless.default.svc.cluster.local.',
      'A',
      ['10.3.0.1', '10.3.0.2', '10.3.0.3'].map((ip) => rr('headless.default.svc.cluster.local.', 'A', ip)),
    ],
    ['§2.4.1 A record of a headless endpoint hostname', 'my-pet.pets.default.svc.cluster.local.', 'A', [rr('my-pet.pets.default.svc.cluster.local.', 'A', '10.3.0.100')]],
    [
      '§2.4.2 SRV records of a headless service: one per ready endpoint, hostname or CoreDNS dashed-IP name',
      '_https._tcp.pets.default.svc.cluster.local.',
      'SRV',
      ['my-pet', 'my-pet-2', '10-3-0-102'].map((h) => rr('_https._tcp.pets.default.svc.cluster.local.', 'SRV', `0 33 443 ${h}.pets.default.svc.cluster.local.`)),
    ],
    ['§2.4.3 PTR record of a headless endpoint with a hostname', '100.0.3.10.in-addr.arpa.', 'PTR', [rr('100.0.3.10.in-addr.arpa.', 'PTR', 'my-pet.pets.default.svc.cluster.local.')]],
    ['§2.5 CNAME for an ExternalName service', 'foo.default.svc.cluster.local.', 'A', [rr('foo.default.svc.cluster.local.', 'CNAME', 'www.example.com.')]],
    ['§2.6 pod A record (pods insecure)', '10-244-1-5.default.pod.cluster.local.', 'A', [rr('10-244-1-5.default.pod.cluster.local.', 'A', '10.244.1.5')]],
  ];
  it.each(table)('%s', (_title, qname, qtype, answers) => {
    const a = resolve(cluster, qname, qtype);
    expect(a.rcode).toBe('NOERROR');
    expect(a.answers).toEqual(answers);
  });

  it('§2.3.2 the Additional section carries the A records SRV targets point at (headless)', () => {
    const a = resolve(cluster, '_https._tcp.pets.default.svc.cluster.local', 'SRV');
    expect(a.additional).toEqual([
      rr('my-pet.pets.default.svc.cluster.local.', 'A', '10.3.0.100'),
      rr('my-pet-2.pets.default.svc.cluster.local.', 'A', '10.3.0.101'),
      rr('10-3-0-102.pets.default.svc.cluster.local.', 'A', '10.3.0.102'),
    ]);
  });

  it('§2.3.2/§2.4.2 unnamed ports have no SRV record under _port._proto', () => {
    expect(resolve(cluster, '_8080._tcp.pets.default.svc.cluster.local', 'SRV').rcode).toBe('NXDOMAIN');
  });

  it('§2.4.1 a headless service without ready endpoints is NXDOMAIN', () => {
    const a = resolve(cluster, 'empty.default.svc.cluster.local', 'A');
    expect(a.rcode).toBe('NXDOMAIN');
    expect(a.authority[0]).toMatchObject({ name: 'cluster.local.', type: 'SOA' });
  });

  it('§2.1 comparisons are case-insensitive', () => {
    const a = resolve(cluster, 'KUBERNETES.Default.SVC.Cluster.Local', 'a');
    expect(a.answers.map((r) => r.data)).toEqual(['10.3.0.1']);
    expect(a.answers[0].name).toBe('KUBERNETES.Default.SVC.Cluster.Local.');
  });
});

describe('CoreDNS behaviour around the specification', () => {
  const cases: [string, string, string, string, string[]][] = [
    ['not-ready endpoints are not published', 'headless.default.svc.cluster.local', 'A', 'NOERROR', ['10.3.0.1', '10.3.0.2', '10.3.0.3']],
    ['not-ready endpoint hostname is NXDOMAIN', 'my-pet-3.pets.default.svc.cluster.local', 'A', 'NXDOMAIN', []],
    ['publishNotReadyAddresses publishes not-ready endpoints', 'peers.default.svc.cluster.local', 'A', 'NOERROR', ['10.244.1.7']],
    ['publishNotReadyAddresses SRV', '_gossip._udp.peers.default.svc.cluster.local', 'SRV', 'NOERROR', ['0 100 7946 peer-0.peers.default.svc.cluster.local.']],
    ['unknown service', 'nope.default.svc.cluster.local', 'A', 'NXDOMAIN', []],
    ['unknown namespace', 'kubernetes.nope.svc.cluster.local', 'A', 'NXDOMAIN', []],
    ['existing namespace is an empty non-terminal', 'default.svc.cluster.local', 'A', 'NOERROR', []],
    ['AAAA of an IPv4 service is NODATA', 'kubernetes.default.svc.cluster.local', 'AAAA', 'NOERROR', []],
    ['TXT of a service is NODATA', 'kubernetes.default.svc.cluster.local', 'TXT', 'NOERROR', []],
    ['a service name answers SRV for all its ports', 'kube-dns.kube-system.svc.cluster.local', 'SRV', 'NOERROR', [
      '0 33 53 kube-dns.kube-system.svc.cluster.local.',
      '0 33 9153 kube-dns.kube-system.svc.cluster.local.',
    ]],
    ['SRV with protocol', '_dns._udp.kube-dns.kube-system.svc.cluster.local', 'SRV', 'NOERROR', ['0 100 53 kube-dns.kube-system.svc.cluster.local.']],
    ['SRV with the wrong protocol', '_dns._tcp.kube-dns.kube-system.svc.cluster.local', 'SRV', 'NXDOMAIN', []],
    ['headless endpoint without hostname by its dashed IP', '10-3-0-2.headless.default.svc.cluster.local', 'A', 'NOERROR', ['10.3.0.2']],
    ['too many labels', 'a.b.c.d.e.svc.cluster.local', 'A', 'NXDOMAIN', []],
    ['neither svc nor pod', 'foo.bar.cluster.local', 'A', 'NXDOMAIN', []],
    ['pod record in an unknown namespace', '10-244-1-5.nope.pod.cluster.local', 'A', 'NXDOMAIN', []],
    ['pod record that is not an IP', 'web-0.default.pod.cluster.local', 'A', 'NXDOMAIN', []],
    ['PTR of an endpoint IP without hostname', '102.0.3.10.in-addr.arpa', 'PTR', 'NOERROR', ['10-3-0-102.pets.default.svc.cluster.local.']],
    ['PTR of an unknown IP', '9.9.9.10.in-addr.arpa', 'PTR', 'NXDOMAIN', []],
    ['PTR of a ClusterIP beats endpoints with the same IP', '1.0.3.10.in-addr.arpa', 'PTR', 'NOERROR', ['kubernetes.default.svc.cluster.local.']],
    ['names outside the cluster zone have no upstream', 'www.example.com', 'A', 'NXDOMAIN', []],
    ['SOA at the apex', 'cluster.local', 'SOA', 'NOERROR', [`ns.dns.cluster.local. hostmaster.cluster.local.`]],
    ['NS at the apex', 'cluster.local', 'NS', 'NOERROR', ['ns.dns.cluster.local.']],
    ['ns.dns is kube-dns', 'ns.dns.cluster.local', 'A', 'NOERROR', ['10.96.0.10']],
    ['dns-version has only TXT', 'dns-version.cluster.local', 'A', 'NXDOMAIN', []],
    ['ExternalName CNAME query', 'foo.default.svc.cluster.local', 'CNAME', 'NOERROR', ['www.example.com.']],
    ['ExternalName has no SRV', 'foo.default.svc.cluster.local', 'SRV', 'NOERROR', []],
  ];
  it.each(cases)('%s', (_t, qname, qtype, rcode, data) => {
    const a = resolve(cluster, qname, qtype);
    expect(a.rcode).toBe(rcode);
    // SOA serials move with time: compare their first two fields.
    expect(a.answers.map((r) => (r.type === 'SOA' ? r.data.split(' ').slice(0, 2).join(' ') + '.' : r.data)).map((d) => d.replace(/\.\.$/, '.'))).toEqual(data);
    if (rcode === 'NXDOMAIN' && qname.endsWith('cluster.local')) expect(a.authority.map((r) => r.type)).toEqual(['SOA']);
    if (rcode === 'NOERROR' && !data.length) expect(a.authority.map((r) => r.type)).toEqual(['SOA']);
  });

  it('NXDOMAIN carries the plugin SOA: ns.dns, hostmaster, 7200 1800 86400, minimum = ttl', () => {
    const [soa] = resolve(cluster, 'nope.default.svc.cluster.local', 'A').authority;
    expect(soa.name).toBe('cluster.local.');
    expect(soa.ttl).toBe(30);
    expect(soa.data).toMatch(/^ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 30$/);
  });

  it('an ExternalName pointing into the cluster zone is followed', () => {
    const a = resolve(cluster, 'alias.other.svc.cluster.local', 'A');
    expect(a.answers).toEqual([rr('alias.other.svc.cluster.local.', 'CNAME', 'kubernetes.default.svc.cluster.local.'), rr('kubernetes.default.svc.cluster.local.', 'A', '10.3.0.1')]);
  });

  it('ttl and pods mode come from the coredns ConfigMap Corefile', () => {
    expect(corefileSettings('.:53 {\n  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    pods insecure\n    fallthrough in-addr.arpa ip6.arpa\n    ttl 30\n  }\n}')).toEqual({ ttl: 30, pods: 'insecure' });
    expect(corefileSettings('.:53 {\n  kubernetes cluster.local {\n  }\n}')).toEqual({ ttl: 5, pods: 'disabled' });
    const withCm = source([
      ns('default'),
      svc('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [HTTPS] }),
      ['configmaps', { metadata: { namespace: 'kube-system', name: 'coredns' }, data: { Corefile: '.:53 {\n  kubernetes cluster.local {\n    ttl 7\n  }\n}' } }],
    ]);
    expect(resolve(withCm, 'kubernetes.default.svc.cluster.local', 'A').answers[0].ttl).toBe(7);
    expect(resolve(withCm, '10-244-1-5.default.pod.cluster.local', 'A').rcode).toBe('NXDOMAIN');
  });

  it('reverse names', () => {
    expect(addressFromReverse('1.0.96.10.in-addr.arpa.')).toBe('10.96.0.1');
    expect(addressFromReverse('1.0.96.in-addr.arpa.')).toBeUndefined();
    expect(addressFromReverse(`${'1.0.0.0.'.repeat(1)}${'0.0.0.0.'.repeat(5)}8.b.d.0.1.0.0.2.ip6.arpa`)).toBe('2001:db8::1');
  });

  it('an IP index gives the same PTR answers as a scan, and follows changes', () => {
    const objects = [
      ns('default'),
      svc('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [HTTPS] }),
      svc('default', 'db', { clusterIP: 'None', ports: [HTTPS] }),
      endpoints('default', 'db', [{ addresses: [{ ip: '10.244.1.4', hostname: 'db-0' }], ports: [HTTPS] }]),
    ] as [string, KObject][];
    const base = source(objects);
    const index = new DnsIpIndex(base);
    const indexed: DnsSource = { ...base, ownersOf: (ip) => index.ownersOf(ip) };
    expect(resolve(indexed, '4.1.244.10.in-addr.arpa', 'PTR').answers.map((r) => r.data)).toEqual(['db-0.db.default.svc.cluster.local.']);
    expect(resolve(indexed, '1.0.96.10.in-addr.arpa', 'PTR').answers.map((r) => r.data)).toEqual(['kubernetes.default.svc.cluster.local.']);
    const moved = { metadata: { namespace: 'default', name: 'db' }, subsets: [{ addresses: [{ ip: '10.244.2.9', hostname: 'db-0' }], ports: [HTTPS] }] };
    index.onEvent({ rev: 2, resource: 'endpoints', namespace: 'default', name: 'db', type: 'MODIFIED', object: moved as KObject });
    expect(resolve(indexed, '4.1.244.10.in-addr.arpa', 'PTR').rcode).toBe('NXDOMAIN');
    expect(resolve(indexed, '9.2.244.10.in-addr.arpa', 'PTR').answers.map((r) => r.data)).toEqual(['db-0.db.default.svc.cluster.local.']);
  });
});

describe("a pod's resolver (resolv.conf search path)", () => {
  it('short names go through the search domains of the pod namespace', () => {
    const r = lookup(cluster, 'kubernetes', 'A', { namespace: 'default' });
    expect(r.qname).toBe('kubernetes.default.svc.cluster.local.');
    expect(r.answers.map((a) => a.data)).toEqual(['10.3.0.1']);
    expect(r.tried).toEqual(['kubernetes.default.svc.cluster.local.']);
  });

  it('service.namespace from another namespace', () => {
    const r = lookup(cluster, 'kube-dns.kube-system', 'A', { namespace: 'other' });
    expect(r.tried).toEqual(['kube-dns.kube-system.other.svc.cluster.local.', 'kube-dns.kube-system.svc.cluster.local.']);
    expect(r.answers.map((a) => a.data)).toEqual(['10.96.0.10']);
  });

  it('a name that matches nothing tries every search domain, then itself', () => {
    const r = lookup(cluster, 'www.example.com', 'A', { namespace: 'default' });
    expect(r.rcode).toBe('NXDOMAIN');
    expect(r.tried).toEqual([
      'www.example.com.default.svc.cluster.local.',
      'www.example.com.svc.cluster.local.',
      'www.example.com.cluster.local.',
      'www.example.com.',
    ]);
  });

  it('names with ndots dots or a trailing dot are asked as is first', () => {
    // Four dots are fewer than ndots:5, so even a full service name walks the search list first.
    expect(lookup(cluster, 'kubernetes.default.svc.cluster.local', 'A', { namespace: 'x' }).tried).toHaveLength(4);
    expect(lookup(cluster, '_https._tcp.kubernetes.default.svc.cluster.local', 'SRV', { namespace: 'x' }).tried).toEqual(['_https._tcp.kubernetes.default.svc.cluster.local.']);
    expect(lookup(cluster, 'kubernetes.', 'A', { namespace: 'default' }).tried).toEqual(['kubernetes.']);
    expect(lookup(cluster, 'kubernetes.default', 'A', { namespace: 'default', ndots: 1 }).tried[0]).toBe('kubernetes.default.');
  });

  it('NODATA keeps searching, and is the answer when nothing has records', () => {
    const r = lookup(cluster, 'kubernetes', 'AAAA', { namespace: 'default' });
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([]);
    expect(r.qname).toBe('kubernetes.default.svc.cluster.local.');
    expect(r.tried).toHaveLength(4);
  });
});
