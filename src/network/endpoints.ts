// What the Endpoints and EndpointSlice controllers compute for a Service from its pods (pure):
// which pods count (pkg/api/v1/endpoints, endpointslice utils), their addresses, conditions,
// hostnames and the ports a targetPort name resolves to on each pod.
import type { Container, Pod, Service, ServicePort } from 'kubernetes-types/core/v1';
import { matchesLabels } from '../machinery/labels';
import { selectorOf } from '../registry/common';
import { compareIPv4 } from './cidr';

export const MAX_ENDPOINTS_ADDRESSES = 1000;
export const MAX_ENDPOINTS_PER_SLICE = 100;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export interface EndpointPortOut {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** One pod as a backend of a Service. */
export interface Backend {
  ip: string;
  nodeName?: string;
  hostname?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  ports: EndpointPortOut[];
}

/** The Service's label selector as requirements; undefined when it selects nothing (no selector). */
export function serviceSelector(svc: Service) {
  const sel = svc.spec?.selector;
  if (!sel || !Object.keys(sel).length) return undefined;
  return selectorOf({ matchLabels: sel });
}

export function selects(svc: Service, labels: Record<string, string> | undefined): boolean {
  const reqs = serviceSelector(svc);
  return !!reqs && matchesLabels(reqs, labels);
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** podutil.FindPort: a number as is, a name looked up among the containers' ports of that protocol. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const containers: Container[] = pod.spec?.containers ?? [];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
  }
  return undefined;
}

/**
 * ShouldPodBeInEndpoints: an address, not finished; terminating pods only when asked for
 * (EndpointSlices keep them with terminating=true, Endpoints only with publishNotReadyAddresses).
 */
export function podCounts(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP) return false;
  const phase = pod.status.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (pod.metadata?.deletionTimestamp && !includeTerminating) return false;
  return true;
}

/** The pod as a backend of the Service (undefined when it does not count). */
export function backendOf(svc: Service, pod: Pod, includeTerminating: boolean): Backend | undefined {
  if (!podCounts(pod, includeTerminating)) return undefined;
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const terminating = !!pod.metadata?.deletionTimestamp;
  const serving = isPodReady(pod);
  const ports: EndpointPortOut[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue; // a name this pod does not define: no such port here
    const out: EndpointPortOut = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) out.appProtocol = sp.appProtocol;
    ports.push(out);
  }
  const spec = pod.spec ?? { containers: [] };
  const hostname =
    spec.hostname && spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace ? spec.hostname : undefined;
  return {
    ip: pod.status!.podIP!,
    nodeName: spec.nodeName,
    hostname,
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
    ready: publish || (serving && !terminating),
    serving,
    terminating,
    ports,
  };
}

const portsKey = (ports: EndpointPortOut[]) => JSON.stringify(ports);

export interface EndpointsContent {
  subsets: Record<string, unknown>[];
  truncated: boolean;
}

/**
 * Endpoints subsets for the backends (those the Endpoints controller counts): grouped by port set
 * (RepackSubsets), addresses sorted by IP, ready ones first when over MAX_ENDPOINTS_ADDRESSES.
 */
export function endpointsSubsets(backends: Backend[], headlessNoPorts: boolean): EndpointsContent {
  const ready = backends.filter((b) => b.ready);
  const notReady = backends.filter((b) => !b.ready);
  const total = ready.length + notReady.length;
  const truncated = total > MAX_ENDPOINTS_ADDRESSES;
  const keepReady = ready.slice(0, MAX_ENDPOINTS_ADDRESSES);
  const keepNotReady = notReady.slice(0, Math.max(0, MAX_ENDPOINTS_ADDRESSES - keepReady.length));
  const groups = new Map<string, { ports: EndpointPortOut[]; addresses: Backend[]; notReady: Backend[] }>();
  const add = (b: Backend, isReady: boolean) => {
    if (!b.ports.length && !headlessNoPorts) return; // no port resolved on this pod
    const k = portsKey(b.ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports: b.ports, addresses: [], notReady: [] }));
    (isReady ? g.addresses : g.notReady).push(b);
  };
  for (const b of keepReady) add(b, true);
  for (const b of keepNotReady) add(b, false);
  const address = (b: Backend) => {
    const a: Record<string, unknown> = { ip: b.ip };
    if (b.hostname) a.hostname = b.hostname;
    if (b.nodeName) a.nodeName = b.nodeName;
    a.targetRef = { ...b.targetRef };
    return a;
  };
  const subsets = [...groups.values()]
    .sort((a, b) => (portsKey(a.ports) < portsKey(b.ports) ? -1 : 1))
    .map((g) => {
      const s: Record<string, unknown> = {};
      if (g.addresses.length) s.addresses = g.addresses.sort((x, y) => compareIPv4(x.ip, y.ip)).map(address);
      if (g.notReady.length) s.notReadyAddresses = g.notReady.sort((x, y) => compareIPv4(x.ip, y.ip)).map(address);
      if (g.ports.length) s.ports = g.ports.map((p) => ({ ...p, name: p.name || undefined }));
      return JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
    });
  return { subsets, truncated };
}

/** One EndpointSlice endpoint for a backend; `zone` from the node's topology label. */
export function sliceEndpoint(b: Backend, zone?: string): Record<string, unknown> {
  const ep: Record<string, unknown> = {
    addresses: [b.ip],
    conditions: { ready: b.ready, serving: b.serving, terminating: b.terminating },
  };
  if (b.hostname) ep.hostname = b.hostname;
  ep.targetRef = { ...b.targetRef };
  if (b.nodeName) ep.nodeName = b.nodeName;
  if (zone) ep.zone = zone;
  return ep;
}

export { portsKey };
