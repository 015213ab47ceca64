// What a running container sees, as kubelet sets it up: its environment (spec env/envFrom with
// $(VAR) references, downward API fields, and the service links kubelet injects), the
// kubelet-managed /etc/hosts and /etc/resolv.conf (dnsPolicy, dnsConfig) and /etc/hostname.
import type { KObject } from '../registry/types';
import { base64ToUtf8OrEmpty } from '../machinery/base64';
import { CLUSTER_DOMAIN, DNS_SERVICE_IP, searchDomains } from '../network/dns';
import { podHostname } from './http-echo';
import { flavorOf, type ShellHost } from './shell';

/** kubelet's --cluster-dns (kube-dns's ClusterIP in kubeadm clusters). */
export const DEFAULT_CLUSTER_DNS = DNS_SERVICE_IP;
/** The node's own resolver (kind's nodes use the container network's gateway). */
export const NODE_NAMESERVER = '172.18.0.1';
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    resourceFieldRef?: { resource: string };
  };
}
interface EnvFrom {
  prefix?: string;
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
interface ContainerSpec {
  name: string;
  image?: string;
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  workingDir?: string;
  ports?: { containerPort: number }[];
}
interface PodSpec {
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  hostname?: string;
  subdomain?: string;
  nodeName?: string;
  serviceAccountName?: string;
  hostNetwork?: boolean;
  dnsPolicy?: string;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] };
  enableServiceLinks?: boolean;
  hostAliases?: { ip: string; hostnames?: string[] }[];
}

export interface ObjectReader {
  get(resource: string, namespace: string, name: string): KObject | undefined;
}

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

/** kubelet's service links (the docker-links style variables) for these services, in order. */
export function serviceEnvVars(services: KObject[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    const spec = (svc.spec ?? {}) as { clusterIP?: string; ports?: { name?: string; port: number; protocol?: string }[] };
    const ip = spec.clusterIP;
    if (!ip || ip === 'None') continue;
    const n = envName(svc.metadata.name ?? '');
    const ports = spec.ports ?? [];
    out.push([`${n}_SERVICE_HOST`, ip]);
    if (ports[0]) out.push([`${n}_SERVICE_PORT`, String(ports[0].port)]);
    for (const p of ports) if (p.name) out.push([`${n}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    if (ports[0]) out.push([`${n}_PORT`, `${(ports[0].protocol ?? 'TCP').toLowerCase()}://${ip}:${ports[0].port}`]);
    for (const p of ports) {
      const proto = p.protocol ?? 'TCP';
      const prefix = `${n}_PORT_${p.port}_${proto}`;
      out.push([prefix, `${proto.toLowerCase()}://${ip}:${p.port}`], [`${prefix}_PROTO`, proto.toLowerCase()], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
    }
  }
  return out;
}

/**
 * Services whose links kubelet injects: those of the pod's namespace when enableServiceLinks (the
 * default), plus `kubernetes` from default always, as they existed when the container started.
 */
export function linkedServices(pod: KObject, namespaceServices: KObject[], kubernetesService: KObject | undefined, startedAt: number): KObject[] {
  const spec = (pod.spec ?? {}) as PodSpec;
  const existed = (s: KObject) => {
    const t = Date.parse(s.metadata.creationTimestamp ?? '');
    return Number.isNaN(t) || t <= startedAt;
  };
  const byName = new Map<string, KObject>();
  if (spec.enableServiceLinks !== false) for (const s of namespaceServices) if (existed(s)) byName.set(s.metadata.name ?? '', s);
  if (kubernetesService && !byName.has('kubernetes')) byName.set('kubernetes', kubernetesService);
  return [...byName.values()].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
}

function fieldValue(pod: KObject, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (pod.metadata[m[1] as 'labels' | 'annotations'] ?? {})[m[2]] ?? '';
  const spec = (pod.spec ?? {}) as PodSpec;
  const status = (pod.status ?? {}) as { podIP?: string; hostIP?: string; podIPs?: { ip: string }[]; hostIPs?: { ip: string }[] };
  const table: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': spec.nodeName,
    'spec.serviceAccountName': spec.serviceAccountName ?? 'default',
    'status.podIP': status.podIP,
    'status.hostIP': status.hostIP,
    'status.podIPs': status.podIPs?.map((p) => p.ip).join(','),
    'status.hostIPs': status.hostIPs?.map((p) => p.ip).join(','),
  };
  return table[path] ?? '';
}

/** `$(VAR)` references expand to earlier variables; `$$(VAR)` is a literal `$(VAR)`. */
export function expandRefs(value: string, known: Map<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name?: string) => (m === '$$' ? '$' : known.has(name!) ? known.get(name!)! : m));
}

/** The container's environment as its processes see it, in a stable order. */
export function containerEnv(pod: KObject, container: ContainerSpec, reader: ObjectReader, serviceLinks: [string, string][], tty: boolean): [string, string][] {
  const ns = pod.metadata.namespace ?? '';
  const spec: [string, string][] = [];
  const known = new Map<string, string>(serviceLinks);
  const set = (k: string, v: string) => {
    const i = spec.findIndex(([n]) => n === k);
    if (i >= 0) spec[i] = [k, v];
    else spec.push([k, v]);
    known.set(k, v);
  };
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) for (const [k, v] of Object.entries((reader.get('configmaps', ns, from.configMapRef.name)?.data ?? {}) as Record<string, string>)) set(prefix + k, v);
    if (from.secretRef) for (const [k, v] of Object.entries((reader.get('secrets', ns, from.secretRef.name)?.data ?? {}) as Record<string, string>)) set(prefix + k, base64ToUtf8OrEmpty(v));
  }
  for (const e of container.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) set(e.name, expandRefs(e.value ?? '', known));
    else if (vf.fieldRef) set(e.name, fieldValue(pod, vf.fieldRef.fieldPath));
    else if (vf.configMapKeyRef) {
      const v = (reader.get('configmaps', ns, vf.configMapKeyRef.name)?.data as Record<string, string> | undefined)?.[vf.configMapKeyRef.key];
      if (v !== undefined) set(e.name, v);
    } else if (vf.secretKeyRef) {
      const v = (reader.get('secrets', ns, vf.secretKeyRef.name)?.data as Record<string, string> | undefined)?.[vf.secretKeyRef.key];
      if (v !== undefined) set(e.name, base64ToUtf8OrEmpty(v));
    } else if (vf.resourceFieldRef) set(e.name, '0');
  }
  const specNames = new Set(spec.map(([k]) => k));
  return [
    ['PATH', PATH],
    ['HOSTNAME', podHostname(pod)],
    ...(tty ? ([['TERM', 'xterm']] as [string, string][]) : []),
    ...spec,
    ...serviceLinks.filter(([k]) => !specNames.has(k)),
    ['HOME', '/root'],
  ];
}

/** The kubelet-managed /etc/hosts. */
export function hostsFile(pod: KObject): string {
  const spec = (pod.spec ?? {}) as PodSpec;
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP ?? '';
  const host = podHostname(pod);
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    spec.subdomain ? `${ip}\t${host}.${spec.subdomain}.${pod.metadata.namespace}.svc.${CLUSTER_DOMAIN}\t${host}` : `${ip}\t${host}`,
  ];
  if (spec.hostAliases?.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of spec.hostAliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface ResolvConf {
  text: string;
  nameservers: string[];
  search: string[];
  ndots: number;
}

/** The pod's /etc/resolv.conf as kubelet writes it for its dnsPolicy and dnsConfig. */
export function resolvConf(pod: KObject, clusterDNS = DEFAULT_CLUSTER_DNS): ResolvConf {
  const spec = (pod.spec ?? {}) as PodSpec;
  const ns = pod.metadata.namespace ?? 'default';
  let policy = spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  let nameservers: string[] = [];
  let search: string[] = [];
  let options: { name: string; value?: string }[] = [];
  if (policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') {
    nameservers = [clusterDNS];
    search = searchDomains(ns);
    options = [{ name: 'ndots', value: '5' }];
  } else if (policy === 'Default') {
    nameservers = [NODE_NAMESERVER];
  }
  const cfg = spec.dnsConfig;
  if (cfg) {
    nameservers = [...new Set([...nameservers, ...(cfg.nameservers ?? [])])].slice(0, 3);
    search = [...new Set([...search, ...(cfg.searches ?? [])])].slice(0, 32);
    for (const o of cfg.options ?? []) {
      options = options.filter((x) => x.name !== o.name);
      options.push(o);
    }
  }
  const lines: string[] = [];
  if (search.length) lines.push(`search ${search.join(' ')}`);
  for (const n of nameservers) lines.push(`nameserver ${n}`);
  if (options.length) lines.push(`options ${options.map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name)).join(' ')}`);
  const ndots = Number(options.find((o) => o.name === 'ndots')?.value ?? 1);
  return { text: lines.length ? `${lines.join('\n')}\n` : '', nameservers, search, ndots: Number.isFinite(ndots) ? ndots : 1 };
}

/** Everything the shell needs to act as this container. */
export function shellHostFor(pod: KObject, container: ContainerSpec, env: [string, string][], clusterDNS?: string, caCrt?: string): ShellHost {
  const dns = resolvConf(pod, clusterDNS);
  const hostname = podHostname(pod);
  const files: Record<string, string> = { '/etc/hosts': hostsFile(pod), '/etc/resolv.conf': dns.text, '/etc/hostname': `${hostname}\n` };
  // The projected service-account volume (its token is not simulated).
  if ((pod.spec as { automountServiceAccountToken?: boolean } | undefined)?.automountServiceAccountToken !== false) {
    files[`${SERVICE_ACCOUNT_DIR}/namespace`] = pod.metadata.namespace ?? '';
    if (caCrt) files[`${SERVICE_ACCOUNT_DIR}/ca.crt`] = caCrt;
  }
  return {
    flavor: flavorOf(container.image ?? ''),
    hostname,
    podIP: (pod.status as { podIP?: string } | undefined)?.podIP ?? '',
    env,
    files,
    cwd: container.workingDir ?? '/',
    nameservers: dns.nameservers,
    search: dns.search,
    ndots: dns.ndots,
  };
}

export type { ContainerSpec, PodSpec };
