// kube-proxy emulation, pure: which backends a service port has (from EndpointSlices, else
// Endpoints), how the node's rules look in the sandbox's proxy mode (`iptables-save` or
// `ipvsadm -Ln`), and which backend a connection goes to (iptables: random with kube-proxy's
// probabilities; ipvs: round robin; sessionAffinity ClientIP: sticky within timeoutSeconds).
import { hashHex } from '../kubelet/util';
import { compareIPv4, ipToInt } from './cidr';
import type { KObject } from '../registry/types';

export type ProxyMode = 'iptables' | 'ipvs';
export const PROXY_MODES: readonly ProxyMode[] = ['iptables', 'ipvs'];
export const DEFAULT_PROXY_MODE: ProxyMode = 'iptables';

/** kube-proxy's defaults (KubeProxyConfiguration); clusterCIDR is kubeadm's pod subnet. */
export const CLUSTER_CIDR = '10.244.0.0/16';
export const MASQ_MARK = '0x4000/0x4000';
/** sessionAffinityConfig.clientIP.timeoutSeconds default (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10800;

export interface Backend {
  ip: string;
  port: number;
  ready: boolean;
  nodeName?: string;
  /** The pod behind it (targetRef), when known. */
  pod?: { namespace: string; name: string };
}

/** One port of one Service, as kube-proxy programs it. */
export interface ServicePortView {
  namespace: string;
  name: string;
  /** The service port's name ('' when unnamed). */
  portName: string;
  protocol: string;
  port: number;
  nodePort?: number;
  clusterIPs: string[];
  externalIPs: string[];
  loadBalancerIPs: string[];
  type: string;
  affinitySeconds?: number;
  externalLocal: boolean;
  backends: Backend[];
}

interface SvcPort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

/** `ns/name:port` (kube-proxy's ServicePortName.String(); the `:port` part only when named). */
export function servicePortName(v: Pick<ServicePortView, 'namespace' | 'name' | 'portName'>): string {
  return `${v.namespace}/${v.name}${v.portName ? `:${v.portName}` : ''}`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 16 base32 characters of a hash, like kube-proxy's chain name suffixes. */
export function chainSuffix(input: string): string {
  const hex = hashHex(input, 20);
  let bits = '';
  for (const h of hex) bits += parseInt(h, 16).toString(2).padStart(4, '0');
  let out = '';
  for (let i = 0; i + 5 <= bits.length && out.length < 16; i += 5) out += BASE32[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

export const svcChain = (v: ServicePortView) => `KUBE-SVC-${chainSuffix(servicePortName(v) + v.protocol.toLowerCase())}`;
export const extChain = (v: ServicePortView) => `KUBE-EXT-${chainSuffix(servicePortName(v) + v.protocol.toLowerCase())}`;
export const sepChain = (v: ServicePortView, b: Backend) =>
  `KUBE-SEP-${chainSuffix(servicePortName(v) + v.protocol.toLowerCase() + `${b.ip}:${b.port}`)}`;

function ipsOf(svc: KObject): string[] {
  const spec = (svc.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None' && !ip.includes(':'));
}

/**
 * The backends of each port of a Service. `slices` are its EndpointSlices (label
 * kubernetes.io/service-name), used when there are any; else `endpoints`, the Endpoints object.
 */
export function servicePortViews(svc: KObject, slices: KObject[], endpoints: KObject | undefined): ServicePortView[] {
  const spec = (svc.spec ?? {}) as {
    type?: string;
    ports?: SvcPort[];
    externalIPs?: string[];
    sessionAffinity?: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    externalTrafficPolicy?: string;
  };
  const type = spec.type ?? 'ClusterIP';
  if (type === 'ExternalName') return [];
  const status = (svc.status ?? {}) as { loadBalancer?: { ingress?: { ip?: string }[] } };
  const affinity =
    spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS : undefined;
  return (spec.ports ?? []).map((p) => ({
    namespace: svc.metadata.namespace ?? '',
    name: svc.metadata.name ?? '',
    portName: p.name ?? '',
    protocol: p.protocol ?? 'TCP',
    port: p.port,
    nodePort: p.nodePort,
    clusterIPs: ipsOf(svc),
    externalIPs: spec.externalIPs ?? [],
    loadBalancerIPs: (status.loadBalancer?.ingress ?? []).map((i) => i.ip!).filter(Boolean),
    type,
    affinitySeconds: affinity,
    externalLocal: spec.externalTrafficPolicy === 'Local' && (type === 'NodePort' || type === 'LoadBalancer'),
    backends: slices.length ? backendsFromSlices(slices, p) : backendsFromEndpoints(endpoints, p),
  }));
}

type Ref = { kind?: string; namespace?: string; name?: string } | undefined;
const podRef = (ref: Ref) => (ref?.kind === 'Pod' && ref.name ? { namespace: ref.namespace ?? '', name: ref.name } : undefined);

function backendsFromSlices(slices: KObject[], p: SvcPort): Backend[] {
  const out: Backend[] = [];
  for (const s of slices) {
    if (s.addressType !== undefined && s.addressType !== 'IPv4') continue;
    const port = ((s.ports ?? []) as { name?: string; port?: number; protocol?: string }[]).find(
      (sp) => (sp.name ?? '') === (p.name ?? '') && (sp.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
    );
    if (!port?.port) continue;
    for (const e of (s.endpoints ?? []) as { addresses: string[]; conditions?: { ready?: boolean }; nodeName?: string; targetRef?: Ref }[]) {
      for (const ip of e.addresses ?? []) {
        // A nil ready condition means ready (discovery.k8s.io/v1 EndpointConditions).
        out.push({ ip, port: port.port, ready: e.conditions?.ready !== false, nodeName: e.nodeName, pod: podRef(e.targetRef) });
      }
    }
  }
  return dedupe(out);
}

function backendsFromEndpoints(ep: KObject | undefined, p: SvcPort): Backend[] {
  const out: Backend[] = [];
  type Addr = { ip: string; nodeName?: string; targetRef?: Ref };
  for (const ss of (ep?.subsets ?? []) as { addresses?: Addr[]; notReadyAddresses?: Addr[]; ports?: { name?: string; port: number; protocol?: string }[] }[]) {
    const port = (ss.ports ?? []).find((sp) => (sp.name ?? '') === (p.name ?? '') && (sp.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
    if (!port) continue;
    for (const a of ss.addresses ?? []) out.push({ ip: a.ip, port: port.port, ready: true, nodeName: a.nodeName, pod: podRef(a.targetRef) });
    for (const a of ss.notReadyAddresses ?? []) out.push({ ip: a.ip, port: port.port, ready: false, nodeName: a.nodeName, pod: podRef(a.targetRef) });
  }
  return dedupe(out);
}

function dedupe(bs: Backend[]): Backend[] {
  const seen = new Set<string>();
  const out = bs.filter((b) => !seen.has(`${b.ip}:${b.port}`) && !!seen.add(`${b.ip}:${b.port}`));
  // kube-proxy programs endpoints in a stable order.
  return out.sort((a, b) => compareIPv4(a.ip, b.ip) || a.port - b.port);
}

/** What kube-proxy on this node load-balances to for traffic arriving this way. */
export function eligibleBackends(v: ServicePortView, via: 'cluster' | 'external', nodeName?: string): Backend[] {
  const ready = v.backends.filter((b) => b.ready);
  if (via === 'external' && v.externalLocal) return ready.filter((b) => b.nodeName === nodeName);
  return ready;
}

// ---------------------------------------------------------------------------------------------
// Rules dumps

export interface NodeView {
  name: string;
  ip: string;
}

/** iptables stores the probability as a 31-bit fraction and prints it with 11 decimals. */
export function iptablesProbability(p: number): string {
  return (Math.round(p * 0x80000000) / 0x80000000).toFixed(11);
}

function ctime(now: Date): string {
  // iptables-save's header uses ctime(3): "Thu Nov 26 10:46:06 2026".
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[now.getUTCDay()]} ${months[now.getUTCMonth()]} ${String(now.getUTCDate()).padStart(2, ' ')} ${p2(now.getUTCHours())}:${p2(now.getUTCMinutes())}:${p2(now.getUTCSeconds())} ${now.getUTCFullYear()}`;
}

const comment = (text: string) => `-m comment --comment ${/\s/.test(text) ? `"${text}"` : text}`;

/**
 * `iptables-save` on the node: the filter table (REJECT for services without endpoints) and the
 * nat table (KUBE-SERVICES → KUBE-SVC-* → KUBE-SEP-* with statistic/recent matches, KUBE-NODEPORTS,
 * KUBE-EXT-*, KUBE-MARK-MASQ, KUBE-POSTROUTING) as kube-proxy's iptables mode programs them.
 */
export function renderIptables(views: ServicePortView[], node: NodeView, now: Date, clusterCIDR = CLUSTER_CIDR): string {
  const stamp = ctime(now);
  const proto = (v: ServicePortView) => v.protocol.toLowerCase();
  const filter: string[] = [];
  const natChains = new Set<string>(['KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES']);
  const services: string[] = [];
  const nodeports: string[] = [];
  const perChain = new Map<string, string[]>();
  const add = (chain: string, rule: string) => {
    natChains.add(chain);
    const list = perChain.get(chain) ?? [];
    list.push(`-A ${chain} ${rule}`);
    perChain.set(chain, list);
  };
  for (const v of views) {
    const spn = servicePortName(v);
    const p = proto(v);
    const cluster = eligibleBackends(v, 'cluster');
    const external = eligibleBackends(v, 'external', node.name);
    for (const ip of v.clusterIPs) {
      if (!cluster.length) {
        filter.push(`-A KUBE-SERVICES -d ${ip}/32 -p ${p} ${comment(`${spn} has no endpoints`)} -m ${p} --dport ${v.port} -j REJECT --reject-with icmp-port-unreachable`);
        continue;
      }
      services.push(`-A KUBE-SERVICES -d ${ip}/32 -p ${p} ${comment(`${spn} cluster IP`)} -m ${p} --dport ${v.port} -j ${svcChain(v)}`);
    }
    if (v.nodePort) {
      if (!external.length) {
        // No endpoints at all: REJECT; endpoints elsewhere only (externalTrafficPolicy Local): DROP.
        const [why, action] = cluster.length ? ['has no local endpoints', 'DROP'] : ['has no endpoints', 'REJECT --reject-with icmp-port-unreachable'];
        filter.push(`-A KUBE-EXTERNAL-SERVICES -p ${p} ${comment(`${spn} ${why}`)} -m addrtype --dst-type LOCAL -m ${p} --dport ${v.nodePort} -j ${action}`);
      } else {
        nodeports.push(`-A KUBE-NODEPORTS -p ${p} ${comment(spn)} -m ${p} --dport ${v.nodePort} -j ${extChain(v)}`);
        add(extChain(v), `${comment(`masquerade traffic for ${spn} external destinations`)} -j KUBE-MARK-MASQ`);
        add(extChain(v), `-j ${svcChain(v)}`);
      }
    }
    if (!cluster.length) continue;
    for (const ip of v.clusterIPs) {
      add(svcChain(v), `! -s ${clusterCIDR} -d ${ip}/32 -p ${p} ${comment(`${spn} cluster IP`)} -m ${p} --dport ${v.port} -j KUBE-MARK-MASQ`);
    }
    if (v.affinitySeconds !== undefined) {
      for (const b of cluster) {
        add(svcChain(v), `${comment(`${spn} -> ${b.ip}:${b.port}`)} -m recent --name ${sepChain(v, b)} --mask 255.255.255.255 --rsource --rcheck --seconds ${v.affinitySeconds} --reap -j ${sepChain(v, b)}`);
      }
    }
    cluster.forEach((b, i) => {
      const left = cluster.length - i;
      const stat = left > 1 ? ` -m statistic --mode random --probability ${iptablesProbability(1 / left)}` : '';
      add(svcChain(v), `${comment(`${spn} -> ${b.ip}:${b.port}`)}${stat} -j ${sepChain(v, b)}`);
      add(sepChain(v, b), `-s ${b.ip}/32 ${comment(spn)} -j KUBE-MARK-MASQ`);
      const recent = v.affinitySeconds !== undefined ? ` -m recent --set --name ${sepChain(v, b)} --mask 255.255.255.255 --rsource` : '';
      add(sepChain(v, b), `-p ${p} ${comment(spn)}${recent} -m ${p} -j DNAT --to-destination ${b.ip}:${b.port}`);
    });
  }
  const out: string[] = [];
  out.push(`# Generated by iptables-save v1.8.9 (nf_tables) on ${stamp}`, '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]');
  out.push(':KUBE-EXTERNAL-SERVICES - [0:0]', ':KUBE-FIREWALL - [0:0]', ':KUBE-FORWARD - [0:0]', ':KUBE-NODEPORTS - [0:0]', ':KUBE-PROXY-FIREWALL - [0:0]', ':KUBE-SERVICES - [0:0]');
  out.push(
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  out.push(...filter, 'COMMIT', `# Completed on ${stamp}`);
  out.push(`# Generated by iptables-save v1.8.9 (nf_tables) on ${stamp}`, '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]');
  for (const c of [...natChains].sort()) out.push(`:${c} - [0:0]`);
  out.push(
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    `-A KUBE-MARK-MASQ -j MARK --set-xmark ${MASQ_MARK}`,
    ...nodeports,
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK} -j RETURN`,
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  );
  for (const [chain, rules] of [...perChain].sort(([a], [b]) => (a < b ? -1 : 1))) if (chain.startsWith('KUBE-EXT-') || chain.startsWith('KUBE-SEP-')) out.push(...rules);
  out.push(...services);
  out.push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
  for (const [chain, rules] of [...perChain].sort(([a], [b]) => (a < b ? -1 : 1))) if (chain.startsWith('KUBE-SVC-')) out.push(...rules);
  out.push('COMMIT', `# Completed on ${stamp}`, '');
  return out.join('\n');
}

/** `ipvsadm -Ln` on the node: one virtual server per cluster IP, external IP and node port. */
export function renderIpvs(views: ServicePortView[], node: NodeView): string {
  const out = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
  const vs = (proto: string, addr: string, v: ServicePortView, backends: Backend[]) => {
    const persistent = v.affinitySeconds !== undefined ? ` persistent ${v.affinitySeconds}` : '';
    out.push(`${proto.padEnd(4)} ${addr} rr${persistent}`);
    for (const b of backends) out.push(`  -> ${`${b.ip}:${b.port}`.padEnd(28)} Masq    1      0          0`);
  };
  const rows: { key: string; emit: () => void }[] = [];
  for (const v of views) {
    const cluster = eligibleBackends(v, 'cluster');
    for (const ip of [...v.clusterIPs, ...v.externalIPs, ...v.loadBalancerIPs]) {
      rows.push({ key: `${v.protocol} ${(ipToInt(ip) ?? 0).toString().padStart(10, '0')}:${v.port}`, emit: () => vs(v.protocol, `${ip}:${v.port}`, v, cluster) });
    }
    if (v.nodePort) {
      const external = eligibleBackends(v, 'external', node.name);
      rows.push({ key: `${v.protocol} ${(ipToInt(node.ip) ?? 0).toString().padStart(10, '0')}:${v.nodePort}`, emit: () => vs(v.protocol, `${node.ip}:${v.nodePort}`, v, external) });
    }
  }
  // ipvsadm lists TCP before UDP, each ordered by address and port.
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of rows) r.emit();
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Backend selection

export interface AffinityEntry {
  backend: string;
  expiresAt: number;
}

/** What the node's data plane remembers between connections (kept in the sandbox's DO). */
export interface RoutingState {
  /** ipvs rr: the index of the next real server per virtual service. */
  rr: Map<string, number>;
  /** Client IP → backend per service port (iptables `recent`, ipvs persistence). */
  affinity: Map<string, AffinityEntry>;
}

export function newRoutingState(): RoutingState {
  return { rr: new Map(), affinity: new Map() };
}

const MAX_AFFINITY_ENTRIES = 10_000;

/**
 * The backend a new connection from `clientIP` to this service port gets, updating `state`.
 * iptables: each endpoint rule in order matches with probability 1/(n-i), so every ready endpoint
 * has the same chance; ipvs: round robin over the real servers. ClientIP affinity wins while fresh.
 */
export function pickBackend(
  mode: ProxyMode,
  v: ServicePortView,
  backends: Backend[],
  state: RoutingState,
  clientIP: string,
  now: number,
  random: () => number = Math.random,
): Backend | undefined {
  if (!backends.length) return undefined;
  const key = `${servicePortName(v)}/${v.protocol}`;
  const affinityKey = `${key}|${clientIP}`;
  if (v.affinitySeconds !== undefined) {
    const hit = state.affinity.get(affinityKey);
    if (hit && hit.expiresAt > now) {
      const b = backends.find((x) => `${x.ip}:${x.port}` === hit.backend);
      if (b) {
        hit.expiresAt = now + v.affinitySeconds * 1000;
        return b;
      }
    }
  }
  let chosen: Backend;
  if (mode === 'ipvs') {
    const i = (state.rr.get(key) ?? 0) % backends.length;
    state.rr.set(key, (i + 1) % backends.length);
    chosen = backends[i];
  } else {
    chosen = backends[backends.length - 1];
    for (let i = 0; i < backends.length - 1; i++) {
      if (random() < 1 / (backends.length - i)) {
        chosen = backends[i];
        break;
      }
    }
  }
  if (v.affinitySeconds !== undefined) {
    if (state.affinity.size >= MAX_AFFINITY_ENTRIES) {
      for (const [k, e] of state.affinity) if (e.expiresAt <= now) state.affinity.delete(k);
      if (state.affinity.size >= MAX_AFFINITY_ENTRIES) state.affinity.delete(state.affinity.keys().next().value!);
    }
    state.affinity.set(affinityKey, { backend: `${chosen.ip}:${chosen.port}`, expiresAt: now + v.affinitySeconds * 1000 });
  }
  return chosen;
}
