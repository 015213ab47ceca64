// The sandbox's service network as seen from a node: which proxy mode it runs, the kube-proxy view
// of Services (read from the store), and where a TCP connection to IP:port ends up (a ClusterIP or
// node port through kube-proxy's choice, or a pod IP directly). Used by the proxy subresources and
// by curl/wget inside `kubectl exec`.
import { parse as parseYaml } from 'yaml';
import type { Store } from '../durable/store';
import type { KObject } from '../registry/types';
import { failure } from '../api/status';
import { VERSION_INFO } from '../api/version';
import { echoReply, type HttpReply, type HttpRequest } from '../kubelet/http-echo';
import { CLUSTER_CIDR, DEFAULT_PROXY_MODE, PROXY_MODES, eligibleBackends, pickBackend, servicePortViews, type Backend, type ProxyMode, type RoutingState, type ServicePortView } from './kube-proxy';

export const SLICES_KEY = 'endpointslices.discovery.k8s.io';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** kubeadm keeps kube-proxy's configuration here (config.conf holds a KubeProxyConfiguration). */
export const KUBE_PROXY_CONFIGMAP = { namespace: 'kube-system', name: 'kube-proxy' };

export interface KubeProxyConfig {
  mode: ProxyMode;
  /** Traffic from outside this range to a ClusterIP is masqueraded. */
  clusterCIDR: string;
}

/** ConfigMap kube-system/kube-proxy's config.conf (`mode: ""` means iptables on Linux). */
export function kubeProxyConfig(store: Store): KubeProxyConfig {
  const cm = store.get('configmaps', KUBE_PROXY_CONFIGMAP.namespace, KUBE_PROXY_CONFIGMAP.name);
  const conf = (cm?.data as Record<string, string> | undefined)?.['config.conf'];
  const parsed = parseConf(conf);
  return {
    mode: PROXY_MODES.includes(parsed?.mode as ProxyMode) ? (parsed!.mode as ProxyMode) : DEFAULT_PROXY_MODE,
    clusterCIDR: typeof parsed?.clusterCIDR === 'string' && parsed.clusterCIDR ? parsed.clusterCIDR : CLUSTER_CIDR,
  };
}

function parseConf(conf: string | undefined): { mode?: unknown; clusterCIDR?: unknown } | null {
  try {
    return conf ? (parseYaml(conf) as { mode?: unknown; clusterCIDR?: unknown } | null) : null;
  } catch {
    // A broken config keeps the defaults.
    return null;
  }
}

export function proxyModeOf(store: Store): ProxyMode {
  return kubeProxyConfig(store).mode;
}

/** The kube-proxy view of one Service (every port). */
export function viewsOfService(store: Store, svc: KObject): ServicePortView[] {
  const ns = svc.metadata.namespace ?? '';
  const slices = [...store.list(SLICES_KEY, { namespace: ns })].filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name);
  return servicePortViews(svc, slices, store.get('endpoints', ns, svc.metadata.name ?? ''));
}

/** Every Service's view, in (namespace, name) order: one pass over services, slices and endpoints. */
export function allViews(store: Store): ServicePortView[] {
  const slicesBySvc = new Map<string, KObject[]>();
  for (const s of store.list(SLICES_KEY)) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const k = `${s.metadata.namespace}/${svc}`;
    slicesBySvc.set(k, [...(slicesBySvc.get(k) ?? []), s]);
  }
  const out: ServicePortView[] = [];
  for (const svc of store.list('services')) {
    const ns = svc.metadata.namespace ?? '';
    const k = `${ns}/${svc.metadata.name}`;
    const slices = slicesBySvc.get(k) ?? [];
    out.push(...servicePortViews(svc, slices, slices.length ? undefined : store.get('endpoints', ns, svc.metadata.name ?? '')));
  }
  return out;
}

export function nodeInternalIP(node: KObject): string {
  const addrs = (node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  return addrs.find((a) => a.type === 'InternalIP')?.address ?? '';
}

/** kube-apiserver's secure port on control-plane nodes (the `kubernetes` Service's endpoints). */
export const APISERVER_PORT = 6443;

/** Where a connection ended up: a pod's container, or kube-apiserver on a control-plane node. */
export type Connection =
  | { ok: true; pod: KObject; ip: string; port: number; via?: { service: ServicePortView; backend: Backend } }
  | { ok: true; apiserver: true; pod?: undefined; ip: string; port: number; via?: { service: ServicePortView; backend: Backend } }
  | { ok: false; error: 'refused' | 'timeout'; ip: string; port: number };

function apiserverAt(store: Store, ip: string, port: number): boolean {
  if (port !== APISERVER_PORT) return false;
  for (const node of store.list('nodes')) {
    if (nodeInternalIP(node) === ip) return node.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined;
  }
  return false;
}

/** Ports the simulated container listens on: its declared containerPorts, else 80 (like nginx, httpd). */
export function listensOn(pod: KObject, port: number, protocol = 'TCP'): boolean {
  const status = (pod.status ?? {}) as { phase?: string; containerStatuses?: { name: string; state?: { running?: unknown } }[] };
  if (status.phase !== 'Running') return false;
  const spec = (pod.spec ?? {}) as { containers?: { name: string; ports?: { containerPort: number; protocol?: string }[] }[] };
  const running = new Set((status.containerStatuses ?? []).filter((c) => c.state?.running).map((c) => c.name));
  const containers = (spec.containers ?? []).filter((c) => running.has(c.name));
  const declared = containers.flatMap((c) => c.ports ?? []);
  if (!declared.length) return containers.length > 0 && port === 80 && protocol === 'TCP';
  return declared.some((p) => p.containerPort === port && (p.protocol ?? 'TCP') === protocol);
}

/** The pod owning this IP (targetRef first, then a scan of the pods: pod IPs are not indexed). */
export function podByIP(store: Store, ip: string, hint?: { namespace: string; name: string }): KObject | undefined {
  if (hint) {
    const p = store.get('pods', hint.namespace, hint.name);
    if (p && (p.status as { podIP?: string } | undefined)?.podIP === ip) return p;
  }
  for (const p of store.list('pods')) {
    const st = (p.status ?? {}) as { podIP?: string; phase?: string };
    if (st.podIP === ip && st.phase !== 'Succeeded' && st.phase !== 'Failed') return p;
  }
  return undefined;
}

/** Connect to a backend pod. */
export function connectBackend(store: Store, b: Backend, protocol = 'TCP'): Connection {
  if (!b.pod && apiserverAt(store, b.ip, b.port)) return { ok: true, apiserver: true, ip: b.ip, port: b.port };
  const pod = podByIP(store, b.ip, b.pod);
  if (!pod || !listensOn(pod, b.port, protocol)) return { ok: false, error: 'refused', ip: b.ip, port: b.port };
  return { ok: true, pod, ip: b.ip, port: b.port };
}

/** Route through kube-proxy: the service port's chosen backend, connected. */
export function routeService(store: Store, state: RoutingState, mode: ProxyMode, v: ServicePortView, clientIP: string, via: 'cluster' | 'external', nodeName?: string): Connection {
  const backends = eligibleBackends(v, via, nodeName);
  const b = pickBackend(mode, v, backends, state, clientIP, Date.now());
  if (!b) {
    // iptables REJECTs a service without endpoints but DROPs external traffic for a Local policy
    // with endpoints elsewhere; IPVS has no real server to forward to.
    const dropped = mode === 'ipvs' || (via === 'external' && eligibleBackends(v, 'cluster').length > 0);
    return { ok: false, error: dropped ? 'timeout' : 'refused', ip: v.clusterIPs[0] ?? '', port: v.port };
  }
  const c = connectBackend(store, b, v.protocol);
  return c.ok ? { ...c, via: { service: v, backend: b } } : c;
}

/** A TCP connection from a pod (clientIP) to ip:port: ClusterIP, external/LB IP, NodeIP:NodePort or a pod IP. */
export function connect(store: Store, state: RoutingState, clientIP: string, ip: string, port: number): Connection {
  const mode = proxyModeOf(store);
  for (const svc of store.list('services')) {
    const spec = (svc.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[]; externalIPs?: string[] };
    const status = (svc.status ?? {}) as { loadBalancer?: { ingress?: { ip?: string }[] } };
    const ips = [...(spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])), ...(spec.externalIPs ?? []), ...(status.loadBalancer?.ingress ?? []).map((i) => i.ip)];
    if (!ips.includes(ip)) continue;
    const v = viewsOfService(store, svc).find((x) => x.port === port && x.protocol === 'TCP');
    // No rule for this port: the packet reaches no one (the ClusterIP is virtual).
    if (!v) return { ok: false, error: 'timeout', ip, port };
    const external = !(spec.clusterIPs ?? [spec.clusterIP]).includes(ip);
    return routeService(store, state, mode, v, clientIP, external ? 'external' : 'cluster');
  }
  if (apiserverAt(store, ip, port)) return { ok: true, apiserver: true, ip, port };
  for (const node of store.list('nodes')) {
    if (nodeInternalIP(node) !== ip) continue;
    for (const svc of store.list('services')) {
      const ports = ((svc.spec as { ports?: { nodePort?: number }[] } | undefined)?.ports ?? []);
      if (!ports.some((p) => p.nodePort === port)) continue;
      const v = viewsOfService(store, svc).find((x) => x.nodePort === port && x.protocol === 'TCP');
      if (v) return routeService(store, state, mode, v, clientIP, 'external', node.metadata.name);
    }
    return { ok: false, error: 'refused', ip, port };
  }
  const pod = podByIP(store, ip);
  if (pod) return listensOn(pod, port) ? { ok: true, pod, ip, port } : { ok: false, error: 'refused', ip, port };
  return { ok: false, error: 'timeout', ip, port };
}

/** What answers an HTTP request on an established connection: the pod's container or kube-apiserver. */
export function answer(c: Extract<Connection, { ok: true }>, req: HttpRequest): HttpReply {
  return c.pod ? echoReply(c.pod, req) : apiserverReply(req);
}

/**
 * kube-apiserver as an in-cluster client without credentials meets it (anonymous auth, kubeadm's
 * system:public-info-viewer): /version and the health endpoints answer, anything else is 403.
 */
export function apiserverReply(req: HttpRequest): HttpReply {
  const json = (status: number, body: object): HttpReply => ({ status, headers: [['Content-Type', 'application/json']], body: `${JSON.stringify(body, null, 2)}\n` });
  const path = req.path.split('?')[0];
  if (req.headers.some(([k]) => k.toLowerCase() === 'authorization')) return json(401, failure(401, 'Unauthorized', 'Unauthorized'));
  if (path === '/version') return json(200, VERSION_INFO);
  if (['/healthz', '/livez', '/readyz'].includes(path)) return { status: 200, headers: [['Content-Type', 'text/plain; charset=utf-8']], body: 'ok' };
  return json(403, { ...failure(403, 'Forbidden', `forbidden: User "system:anonymous" cannot get path "${path}"`), details: {} });
}
