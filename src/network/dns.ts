// The sandbox's cluster DNS, answered the way CoreDNS's kubernetes plugin answers it (the Kubernetes
// DNS-Based Service Discovery specification, github.com/kubernetes/dns docs/specification.md):
// pure functions over the store, looking objects up by name (one service, its endpoints), never by
// scanning the cluster. Reverse (PTR) lookups use an IP index when the source has one.
import type { KObject } from '../registry/types';
import { isIPv4 } from './cidr';

export const CLUSTER_DOMAIN = 'cluster.local';
/** kube-dns's ClusterIP, what kubelet's --cluster-dns puts into every pod's resolv.conf. */
export const DNS_SERVICE_IP = '10.96.0.10';
/** The schema version CoreDNS answers for `dns-version.<zone>` TXT (plugin/kubernetes DNSSchemaVersion). */
export const DNS_SCHEMA_VERSION = '1.1.0';
/** CoreDNS answers the dns-version TXT record with this TTL, whatever `ttl` says. */
const VERSION_TTL = 28800;
/** The kubernetes plugin's TTL when the Corefile sets none (kubeadm's Corefile sets `ttl 30`). */
export const PLUGIN_DEFAULT_TTL = 5;
const ENDPOINTSLICES = 'endpointslices.discovery.k8s.io';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type RRType = 'A' | 'AAAA' | 'CNAME' | 'NS' | 'PTR' | 'SOA' | 'SRV' | 'TXT';
export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'FORMERR' | 'SERVFAIL' | 'NOTIMP' | 'REFUSED';

/** One resource record; `data` is in presentation format (what dig prints), names are absolute (trailing dot). */
export interface DnsRecord {
  name: string;
  type: RRType;
  ttl: number;
  data: string;
}

export interface DnsAnswer {
  rcode: Rcode;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
}

/** Who owns an IP, for PTR answers. */
export type IpOwner = { kind: 'service'; namespace: string; name: string } | { kind: 'endpoint'; namespace: string; service: string; hostname: string };

/**
 * What the resolver reads: the store's get/list (the Store satisfies this), plus an optional IP index
 * for PTR queries (without it, PTR scans services and endpoints; fine for tests, not for hot paths).
 */
export interface DnsSource {
  get(resource: string, namespace: string, name: string): KObject | undefined;
  list(resource: string, opts?: { namespace?: string; after?: { namespace: string; name: string } }): Iterable<KObject>;
  ownersOf?(ip: string): IpOwner[];
}

/** The `kubernetes` block of the coredns ConfigMap's Corefile, as far as answers depend on it. */
export interface CorefileSettings {
  ttl: number;
  pods: 'disabled' | 'insecure' | 'verified';
}

/** kubeadm's Corefile: `pods insecure`, `ttl 30`. Used when the coredns ConfigMap is missing. */
export const KUBEADM_COREFILE_SETTINGS: CorefileSettings = { ttl: 30, pods: 'insecure' };

/** Read `ttl` and `pods` from a Corefile's kubernetes block (the plugin's defaults when absent). */
export function corefileSettings(corefile: string): CorefileSettings {
  const block = /kubernetes[^{\n]*\{([^}]*)\}/.exec(corefile)?.[1] ?? '';
  const ttl = /^\s*ttl\s+(\d+)\s*$/m.exec(block)?.[1];
  const pods = /^\s*pods\s+(\w+)\s*$/m.exec(block)?.[1];
  return {
    ttl: ttl !== undefined ? Math.min(Number(ttl), 3600) : PLUGIN_DEFAULT_TTL,
    pods: pods === 'insecure' || pods === 'verified' ? pods : 'disabled',
  };
}

function settingsOf(source: DnsSource): CorefileSettings {
  const cm = source.get('configmaps', 'kube-system', 'coredns');
  const corefile = (cm?.data as Record<string, string> | undefined)?.Corefile;
  return corefile === undefined ? KUBEADM_COREFILE_SETTINGS : corefileSettings(corefile);
}

// ---------------------------------------------------------------------------------------------
// Services and endpoints as the plugin sees them

interface ServicePort {
  name: string;
  port: number;
  protocol: string;
}

interface ServiceView {
  namespace: string;
  name: string;
  type: string;
  clusterIPs: string[];
  headless: boolean;
  externalName?: string;
  ports: ServicePort[];
  publishNotReady: boolean;
}

interface EndpointView {
  ip: string;
  hostname: string;
  ready: boolean;
  ports: ServicePort[];
}

function serviceView(obj: KObject): ServiceView {
  const spec = (obj.spec ?? {}) as {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    publishNotReadyAddresses?: boolean;
    ports?: { name?: string; port?: number; protocol?: string }[];
  };
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const headless = ips.length === 0 || ips[0] === 'None';
  const annotations = obj.metadata.annotations ?? {};
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    type: spec.type ?? 'ClusterIP',
    clusterIPs: headless ? [] : ips.filter((ip) => ip && ip !== 'None'),
    headless: headless && spec.type !== 'ExternalName',
    externalName: spec.type === 'ExternalName' ? spec.externalName : undefined,
    ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? 0, protocol: p.protocol ?? 'TCP' })),
    publishNotReady: spec.publishNotReadyAddresses === true || annotations['service.alpha.kubernetes.io/tolerate-unready-endpoints'] === 'true',
  };
}

type PortList = { name?: string; port?: number; protocol?: string }[] | undefined;
const portsOf = (ports: PortList): ServicePort[] => (ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? 0, protocol: p.protocol ?? 'TCP' }));

/** The endpoints of one Endpoints object (each subset's addresses with that subset's ports). */
function endpointsFromEndpoints(obj: KObject): EndpointView[] {
  const out: EndpointView[] = [];
  type Address = { ip?: string; hostname?: string };
  const subsets = (obj.subsets ?? []) as { addresses?: Address[]; notReadyAddresses?: Address[]; ports?: PortList }[];
  for (const s of subsets) {
    const ports = portsOf(s.ports);
    for (const a of s.addresses ?? []) if (a.ip) out.push({ ip: a.ip, hostname: a.hostname ?? '', ready: true, ports });
    for (const a of s.notReadyAddresses ?? []) if (a.ip) out.push({ ip: a.ip, hostname: a.hostname ?? '', ready: false, ports });
  }
  return out;
}

/** The endpoints of one EndpointSlice (ready unless its condition says false, as the API defines). */
function endpointsFromSlice(obj: KObject): EndpointView[] {
  const ports = portsOf(obj.ports as PortList);
  const eps = (obj.endpoints ?? []) as { addresses?: string[]; hostname?: string; conditions?: { ready?: boolean } }[];
  const out: EndpointView[] = [];
  for (const e of eps) {
    for (const ip of e.addresses ?? []) out.push({ ip, hostname: e.hostname ?? '', ready: e.conditions?.ready !== false, ports });
  }
  return out;
}

/** A service's EndpointSlices: named `<service>-<suffix>` by the controller, so a key-range read finds them. */
function slicesOf(source: DnsSource, namespace: string, service: string): KObject[] {
  const out: KObject[] = [];
  const prefix = `${service}-`;
  for (const s of source.list(ENDPOINTSLICES, { namespace, after: { namespace, name: prefix } })) {
    if (!s.metadata.name?.startsWith(prefix)) break;
    if (s.metadata.labels?.[SERVICE_NAME_LABEL] === service) out.push(s);
  }
  return out;
}

/**
 * The endpoints DNS publishes for a service: from its EndpointSlices when it has any (what CoreDNS
 * watches), else from its Endpoints object; ready ones only unless the service publishes not-ready
 * addresses.
 */
function serviceEndpoints(source: DnsSource, svc: ServiceView): EndpointView[] {
  const slices = slicesOf(source, svc.namespace, svc.name);
  let all: EndpointView[];
  if (slices.length) {
    const seen = new Set<string>();
    all = [];
    for (const s of slices) {
      for (const e of endpointsFromSlice(s)) {
        if (seen.has(e.ip)) continue;
        seen.add(e.ip);
        all.push(e);
      }
    }
  } else {
    const ep = source.get('endpoints', svc.namespace, svc.name);
    all = ep ? endpointsFromEndpoints(ep) : [];
  }
  return svc.publishNotReady ? all : all.filter((e) => e.ready);
}

/** CoreDNS's endpoint hostname: the endpoint's hostname, else its IP with dashes. */
export function endpointHostname(e: { ip: string; hostname?: string }): string {
  if (e.hostname) return e.hostname;
  return e.ip.includes(':') ? e.ip.replace(/:/g, '-') : e.ip.replace(/\./g, '-');
}

/**
 * The (ip, owner) pairs one object contributes to PTR answers: a service's ClusterIPs, the ready
 * addresses of an Endpoints object or an EndpointSlice. What an IP index keeps per object.
 */
export function ipOwnersOf(resource: string, obj: KObject): { ip: string; owner: IpOwner }[] {
  const namespace = obj.metadata.namespace ?? '';
  if (resource === 'services') {
    return serviceView(obj).clusterIPs.map((ip) => ({ ip, owner: { kind: 'service', namespace, name: obj.metadata.name ?? '' } }));
  }
  const service = resource === 'endpoints' ? obj.metadata.name : resource === ENDPOINTSLICES ? obj.metadata.labels?.[SERVICE_NAME_LABEL] : undefined;
  if (!service) return [];
  const eps = resource === 'endpoints' ? endpointsFromEndpoints(obj) : endpointsFromSlice(obj);
  return eps.filter((e) => e.ready).map((e) => ({ ip: e.ip, owner: { kind: 'endpoint', namespace, service, hostname: endpointHostname(e) } }));
}

/** The resources whose objects own IPs (see ipOwnersOf). */
export const IP_OWNER_RESOURCES = ['services', 'endpoints', ENDPOINTSLICES] as const;

// ---------------------------------------------------------------------------------------------
// Names

function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function labelsOf(name: string): string[] {
  const trimmed = name.replace(/\.$/, '');
  return trimmed ? trimmed.split('.') : [];
}

/** `1.0.96.10.in-addr.arpa` → `10.96.0.1`; ip6.arpa nibbles → the IPv6 address; else undefined. */
export function addressFromReverse(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().map(Number).join('.');
  }
  if (n.endsWith('.ip6.arpa')) {
    const nibbles = n.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
    return compressIPv6(groups);
  }
  return undefined;
}

function compressIPv6(groups: string[]): string {
  // The longest run of zero groups (length >= 2) becomes `::`.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** `10.96.0.1` → `1.0.96.10.in-addr.arpa.` (IPv4 only). */
export function reverseName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
}

function isIPv6(s: string): boolean {
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && s.split('::').length <= 2;
}

// ---------------------------------------------------------------------------------------------
// Resolution

/** One backend target, like CoreDNS's msg.Service: an address (or CNAME), a port, the SRV target name. */
interface Target {
  ip?: string;
  cname?: string;
  /** 0 or less: no SRV record (ports absent). */
  port: number;
  /** The name an SRV record points at. */
  host: string;
}

type Found = { kind: 'nxdomain' } | { kind: 'nodata' } | { kind: 'targets'; targets: Target[] };

const NX: Found = { kind: 'nxdomain' };
const NODATA: Found = { kind: 'nodata' };

function matchPort(want: string, have: string): boolean {
  return want === '' || want.toLowerCase() === have.toLowerCase();
}

/** The name under the zone, parsed the way the plugin parses it (parse.go's five shapes, minus multicluster). */
interface ParsedName {
  podOrSvc: 'svc' | 'pod' | '';
  namespace: string;
  service: string;
  endpoint: string;
  port: string;
  protocol: string;
}

function parseInZone(labels: string[]): ParsedName | undefined {
  const r: ParsedName = { podOrSvc: '', namespace: '', service: '', endpoint: '', port: '', protocol: '' };
  let last = labels.length - 1;
  if (last < 0) return r;
  const kind = labels[last];
  if (kind !== 'svc' && kind !== 'pod') return undefined;
  r.podOrSvc = kind;
  if (--last < 0) return r;
  r.namespace = labels[last];
  if (--last < 0) return r;
  r.service = labels[last];
  if (--last < 0) return r;
  if (last === 0) r.endpoint = labels[0];
  else if (last === 1) {
    r.protocol = labels[1].replace(/^_/, '');
    r.port = labels[0].replace(/^_/, '');
  } else return undefined;
  return r;
}

function namespaceExists(source: DnsSource, ns: string): boolean {
  return source.get('namespaces', '', ns) !== undefined;
}

function findPods(source: DnsSource, r: ParsedName, settings: CorefileSettings): Found {
  if (settings.pods === 'disabled' || !namespaceExists(source, r.namespace)) return NX;
  if (!r.service) return NODATA;
  const label = r.service;
  const ip = (label.match(/-/g) ?? []).length === 3 && !label.includes('--') ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
  if (!isIPv4(ip) && !isIPv6(ip)) return NX;
  if (settings.pods === 'verified') {
    // Verified mode answers only for a pod of that namespace with that IP.
    let found = false;
    for (const p of source.list('pods', { namespace: r.namespace })) {
      if ((p.status as { podIP?: string } | undefined)?.podIP === ip) {
        found = true;
        break;
      }
    }
    if (!found) return NX;
  }
  return { kind: 'targets', targets: [{ ip, port: 0, host: '' }] };
}

function findServices(source: DnsSource, r: ParsedName, zone: string): Found {
  if (!namespaceExists(source, r.namespace)) return NX;
  if (!r.service) return NODATA;
  const obj = source.get('services', r.namespace, r.service);
  if (!obj) return NX;
  const svc = serviceView(obj);
  const base = `${svc.name}.${svc.namespace}.svc.${zone}.`;
  if (svc.externalName !== undefined) {
    // An ExternalName service has no endpoints: only its own name is a CNAME.
    if (r.endpoint || r.port || r.protocol || !svc.externalName) return NX;
    return { kind: 'targets', targets: [{ cname: absolute(svc.externalName.toLowerCase()), port: 0, host: base }] };
  }
  const targets: Target[] = [];
  if (svc.headless || r.endpoint) {
    for (const e of serviceEndpoints(source, svc)) {
      const hostname = endpointHostname(e);
      if (r.endpoint && r.endpoint.toLowerCase() !== hostname.toLowerCase()) continue;
      const host = `${hostname}.${base}`;
      // An endpoint without ports still has its address record (the plugin adds a sentinel port).
      if (e.ports.length === 0 && !r.port && !r.protocol) targets.push({ ip: e.ip, port: 0, host });
      for (const p of e.ports) {
        if (matchPort(r.port, p.name) && matchPort(r.protocol, p.protocol)) targets.push({ ip: e.ip, port: p.port, host });
      }
    }
  } else {
    for (const p of svc.ports) {
      if (!(matchPort(r.port, p.name) && matchPort(r.protocol, p.protocol))) continue;
      for (const ip of svc.clusterIPs) targets.push({ ip, port: p.port, host: base });
    }
  }
  return targets.length ? { kind: 'targets', targets } : NX;
}

function soa(zone: string, ttl: number): DnsRecord {
  // The plugin's SOA: serial = when the API state last changed; refresh/retry/expire fixed, minimum = ttl.
  const serial = Math.floor(Date.now() / 1000);
  return { name: `${zone}.`, type: 'SOA', ttl, data: `ns.dns.${zone}. hostmaster.${zone}. ${serial} 7200 1800 86400 ${ttl}` };
}

function dnsServiceIPs(source: DnsSource): string[] {
  const svc = source.get('services', 'kube-system', 'kube-dns');
  return svc ? serviceView(svc).clusterIPs : [DNS_SERVICE_IP];
}

function owners(source: DnsSource, ip: string): IpOwner[] {
  if (source.ownersOf) return source.ownersOf(ip);
  // No index: scan (tests and tiny sandboxes only).
  const out: IpOwner[] = [];
  for (const resource of IP_OWNER_RESOURCES) {
    for (const obj of source.list(resource)) for (const o of ipOwnersOf(resource, obj)) if (o.ip === ip) out.push(o.owner);
  }
  return out;
}

/** The names a PTR query for `ip` answers with: the service owning a ClusterIP, else every endpoint with that IP. */
function ptrTargets(source: DnsSource, ip: string, zone: string): string[] {
  const all = owners(source, ip);
  const svc = all.find((o) => o.kind === 'service');
  if (svc) return [`${svc.name}.${svc.namespace}.svc.${zone}.`];
  const names = all.map((o) => (o.kind === 'endpoint' ? `${o.hostname}.${o.service}.${o.namespace}.svc.${zone}.` : ''));
  return [...new Set(names)].sort();
}

const QTYPES: readonly string[] = ['A', 'AAAA', 'CNAME', 'NS', 'PTR', 'SOA', 'SRV', 'TXT'];

/**
 * Answer one question as the sandbox's CoreDNS would (kubeadm's Corefile: `kubernetes cluster.local
 * in-addr.arpa ip6.arpa { pods insecure; ttl 30 }`). Names outside the cluster zone and the reverse
 * zones would be forwarded upstream; a sandbox has no upstream, so they are NXDOMAIN.
 */
export function resolve(source: DnsSource, qname: string, qtype: string, zone = CLUSTER_DOMAIN): DnsAnswer {
  const name = absolute(qname);
  const lower = name.toLowerCase();
  const type = qtype.toUpperCase();
  const settings = settingsOf(source);
  const ttl = settings.ttl;
  const reply = (rcode: Rcode, answers: DnsRecord[] = [], authority: DnsRecord[] = [], additional: DnsRecord[] = []): DnsAnswer => ({
    rcode,
    answers,
    authority,
    additional,
  });

  // Reverse zones.
  if (lower.endsWith('.in-addr.arpa.') || lower.endsWith('.ip6.arpa.')) {
    const rzone = lower.endsWith('.in-addr.arpa.') ? 'in-addr.arpa' : 'ip6.arpa';
    const ip = addressFromReverse(lower);
    const targets = ip ? ptrTargets(source, ip, zone) : [];
    if (!targets.length) return reply('NXDOMAIN', [], [soa(rzone, ttl)]);
    if (type !== 'PTR') return reply('NOERROR', [], [soa(rzone, ttl)]);
    return reply(
      'NOERROR',
      targets.map((t) => ({ name, type: 'PTR', ttl, data: t })),
    );
  }

  const zoneSuffix = `.${zone}.`;
  if (lower !== `${zone}.` && !lower.endsWith(zoneSuffix)) return reply('NXDOMAIN');
  const labels = labelsOf(lower.slice(0, lower.length - zone.length - 1));
  const nodata = () => reply('NOERROR', [], [soa(zone, ttl)]);
  const nxdomain = () => reply('NXDOMAIN', [], [soa(zone, ttl)]);

  // The zone apex: SOA and NS (ns.dns.<zone>, whose A records are kube-dns's ClusterIPs).
  if (labels.length === 0) {
    if (type === 'SOA') return reply('NOERROR', [soa(zone, ttl)]);
    if (type === 'NS') {
      const ns = `ns.dns.${zone}.`;
      return reply(
        'NOERROR',
        [{ name, type: 'NS', ttl, data: ns }],
        [],
        dnsServiceIPs(source).map((ip) => ({ name: ns, type: ip.includes(':') ? 'AAAA' : 'A', ttl, data: ip })),
      );
    }
    return nodata();
  }
  if (labels.length === 1 && labels[0] === 'dns-version') {
    return type === 'TXT' ? reply('NOERROR', [{ name, type: 'TXT', ttl: VERSION_TTL, data: `"${DNS_SCHEMA_VERSION}"` }]) : nxdomain();
  }
  if (labels.length === 2 && labels[0] === 'ns' && labels[1] === 'dns') {
    const ips = dnsServiceIPs(source).filter((ip) => (type === 'AAAA' ? ip.includes(':') : type === 'A' && !ip.includes(':')));
    return ips.length ? reply('NOERROR', ips.map((ip) => ({ name, type: type as RRType, ttl, data: ip }))) : nodata();
  }
  const parsed = parseInZone(labels);
  if (!parsed) return nxdomain();
  if (!parsed.podOrSvc || !parsed.namespace) return nodata();
  const found = parsed.podOrSvc === 'pod' ? findPods(source, parsed, settings) : findServices(source, parsed, zone);
  if (found.kind === 'nxdomain') return nxdomain();
  if (found.kind === 'nodata') return nodata();
  const targets = found.targets;

  const cname = targets.find((t) => t.cname);
  if (cname) {
    const rr: DnsRecord = { name, type: 'CNAME', ttl, data: cname.cname! };
    if (type === 'CNAME') return reply('NOERROR', [rr]);
    // The plugin answers SRV for internal targets only.
    if (type === 'SRV') return nodata();
    // Follow a target inside the cluster zone once more; anything else would be upstream's to answer.
    const target = cname.cname!.toLowerCase();
    if ((target.endsWith(zoneSuffix) || target === `${zone}.`) && target !== lower && QTYPES.includes(type)) {
      const chased = resolve(source, target, type, zone);
      return { ...chased, answers: [rr, ...chased.answers] };
    }
    return reply('NOERROR', [rr]);
  }

  const dedupe = (rrs: DnsRecord[]) => {
    const seen = new Set<string>();
    return rrs.filter((r) => (seen.has(`${r.type} ${r.name} ${r.data}`) ? false : (seen.add(`${r.type} ${r.name} ${r.data}`), true)));
  };
  if (type === 'A' || type === 'AAAA') {
    const v6 = type === 'AAAA';
    const rrs = targets.filter((t) => t.ip && t.ip.includes(':') === v6).map((t) => ({ name, type: type as RRType, ttl, data: t.ip! }));
    return rrs.length ? reply('NOERROR', dedupe(rrs)) : nodata();
  }
  if (type === 'SRV') {
    const withPorts = targets.filter((t) => t.port > 0 && t.host);
    if (!withPorts.length) return nodata();
    // The plugin's weights: priority 0 and an equal share of 100, shared out before duplicates
    // (the same port number over TCP and UDP) are dropped.
    const weight = Math.floor(100 / withPorts.length);
    const answers = dedupe(withPorts.map((t) => ({ name, type: 'SRV' as const, ttl, data: `0 ${weight} ${t.port} ${t.host}` })));
    const additional = dedupe(
      targets
        .filter((t) => t.port > 0 && t.ip && t.host && t.host !== name.toLowerCase())
        .map((t) => ({ name: t.host, type: (t.ip!.includes(':') ? 'AAAA' : 'A') as RRType, ttl, data: t.ip! })),
    );
    return reply('NOERROR', answers, [], additional);
  }
  return nodata();
}

// ---------------------------------------------------------------------------------------------
// The pod's resolver: resolv.conf search path

export interface LookupOptions {
  /** The pod's namespace: the first search domain is `<namespace>.svc.<zone>`. */
  namespace: string;
  /** Override the search list (default: kubelet's ClusterFirst list). */
  searches?: string[];
  /** resolv.conf `options ndots` (kubelet writes 5). */
  ndots?: number;
  zone?: string;
}

export interface LookupResult extends DnsAnswer {
  /** The absolute name that produced this answer (the last one tried when nothing matched). */
  qname: string;
  /** Every name asked, in order. */
  tried: string[];
}

/** The search domains kubelet writes into a ClusterFirst pod's /etc/resolv.conf. */
export function searchDomains(namespace: string, zone = CLUSTER_DOMAIN): string[] {
  return [`${namespace}.svc.${zone}`, `svc.${zone}`, zone];
}


/**
 * The absolute names glibc's resolver asks for `name` under a resolv.conf search list and ndots: an
 * absolute name (trailing dot) as is; a name with at least `ndots` dots as is first, then with each
 * search domain; any other name with each search domain first, then as is.
 */
export function searchCandidates(name: string, searches: string[], ndots: number): string[] {
  if (name.endsWith('.')) return [name];
  const withSearch = searches.map((s) => `${name}.${s.replace(/\.$/, '')}.`);
  const asIs = `${name}.`;
  return (name.match(/\./g) ?? []).length >= ndots ? [asIs, ...withSearch] : [...withSearch, asIs];
}

/**
 * Resolve `name` the way glibc's resolver does with a pod's resolv.conf: an absolute name (trailing
 * dot) is asked as is; a name with at least `ndots` dots is asked as is first, then with each search
 * domain; any other name with each search domain first, then as is. NXDOMAIN and NODATA move on to
 * the next candidate; the first answer with records wins.
 */
export function lookup(source: DnsSource, name: string, qtype: string, opts: LookupOptions): LookupResult {
  const zone = opts.zone ?? CLUSTER_DOMAIN;
  const searches = opts.searches ?? searchDomains(opts.namespace, zone);
  const candidates = searchCandidates(name, searches, opts.ndots ?? 5);
  const tried: string[] = [];
  let nodata: LookupResult | undefined;
  let last: LookupResult | undefined;
  for (const c of candidates) {
    tried.push(c);
    const r = resolve(source, c, qtype, zone);
    last = { ...r, qname: c, tried };
    if (r.rcode === 'NOERROR' && r.answers.length) return last;
    if (r.rcode === 'NOERROR') nodata ??= last;
    else if (r.rcode !== 'NXDOMAIN') return last;
  }
  return { ...(nodata ?? last!), tried };
}
