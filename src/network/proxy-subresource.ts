// The apiserver's proxy subresources: nodes/NAME[:PORT]/proxy/PATH (the kubelet on 10250,
// kube-proxy's metrics port 10249 and health port 10256), services/[SCHEME:]NAME[:PORT]/proxy/PATH
// (a backend chosen the way the node's kube-proxy mode would) and pods/[SCHEME:]NAME[:PORT]/proxy/PATH.
// Errors are kube-apiserver's: 404 for a missing object, 503 "no endpoints available for service"
// and "error trying to reach service: dial tcp ...".
import type { Store } from '../durable/store';
import { failure, type Status } from '../api/status';
import { kubeletRunning } from '../controllers/kubelet';
import type { HttpReply } from '../kubelet/http-echo';
import { allViews, answer, connectBackend, kubeProxyConfig, nodeInternalIP, proxyModeOf, viewsOfService, SLICES_KEY, SERVICE_NAME_LABEL } from './routing';
import { eligibleBackends, pickBackend, renderIptables, renderIpvs, type RoutingState } from './kube-proxy';

export interface ProxyRequest {
  kind: 'nodes' | 'services' | 'pods';
  namespace?: string;
  /** NAME, NAME:PORT or SCHEME:NAME:PORT as it appeared in the path. */
  target: string;
  /** The path after /proxy (starting with "/", or "" when nothing followed). */
  path: string;
  /** The raw query string without "?", passed to the backend. */
  query: string;
  method: string;
  headers: [string, string][];
  body?: string;
  /** The caller's address (CF-Connecting-IP / X-Forwarded-For), for sessionAffinity ClientIP. */
  clientIP: string;
}

export const KUBELET_PORT = 10250;
export const KUBE_PROXY_METRICS_PORT = 10249;
export const KUBE_PROXY_HEALTH_PORT = 10256;

/** kube-apiserver's SplitSchemeNamePort: "name", "name:port" or "scheme:name:port" (http/https). */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) [name] = parts;
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else return undefined;
  if (!name || !['', 'http', 'https'].includes(scheme)) return undefined;
  return { scheme, name, port };
}

function statusReply(s: Status): HttpReply {
  return { status: s.code, headers: [['Content-Type', 'application/json']], body: JSON.stringify(s) };
}

const notFound = (resource: string, name: string) => statusReply(failure(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }));
const unavailable = (message: string) => statusReply(failure(503, 'ServiceUnavailable', message));
const unreachable = (ip: string, port: number | string, why: 'refused' | 'timeout') =>
  unavailable(`error trying to reach service: dial tcp ${ip}:${port}: ${why === 'refused' ? 'connect: connection refused' : 'i/o timeout'}`);
const text = (body: string, status = 200): HttpReply => ({ status, headers: [['Content-Type', 'text/plain; charset=utf-8']], body });
const pageNotFound = () => text('404 page not found\n', 404);

function pathWithQuery(req: ProxyRequest): string {
  return `${req.path || '/'}${req.query ? `?${req.query}` : ''}`;
}

export function proxySubresource(store: Store, state: RoutingState, req: ProxyRequest, now = Date.now()): HttpReply {
  const id = splitSchemeNamePort(req.target);
  const singular = req.kind.slice(0, -1);
  if (!id) return statusReply(failure(400, 'BadRequest', `invalid ${singular} request "${req.target}"`));
  if (req.kind === 'nodes') return nodeProxy(store, req, id.name, id.port, now);
  if (req.kind === 'pods') return podProxy(store, req, id.name, id.scheme, id.port);
  // The scheme only says whether the apiserver would dial TLS; the simulated backend answers either way.
  return serviceProxy(store, state, req, id.name, id.port, now);
}

function nodeProxy(store: Store, req: ProxyRequest, name: string, portText: string, now: number): HttpReply {
  const node = store.get('nodes', '', name);
  if (!node) return notFound('nodes', name);
  const ip = nodeInternalIP(node);
  const port = portText ? Number(portText) : KUBELET_PORT;
  if (!kubeletRunning(node)) return unreachable(ip, port, 'timeout');
  const path = req.path || '/';
  if (port === KUBELET_PORT) {
    if (path === '/healthz') return text('ok');
    if (path === '/pods') {
      const items = [...store.list('pods')].filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === name);
      return { status: 200, headers: [['Content-Type', 'application/json']], body: JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }) };
    }
    return pageNotFound();
  }
  if (port === KUBE_PROXY_METRICS_PORT) {
    const { mode, clusterCIDR } = kubeProxyConfig(store);
    // kube-proxy writes the mode without a newline.
    if (path === '/proxyMode') return text(mode);
    if (path === '/healthz' || path === '/livez') return text('ok');
    if (path === '/rules') {
      const views = allViews(store);
      const nodeView = { name, ip };
      return text(mode === 'ipvs' ? renderIpvs(views, nodeView) : renderIptables(views, nodeView, new Date(now), clusterCIDR));
    }
    if (path === '/metrics') {
      const seconds = (now / 1000).toFixed(3);
      return text(
        [
          '# HELP kubeproxy_sync_proxy_rules_last_timestamp_seconds [ALPHA] The last time proxy rules were successfully synced',
          '# TYPE kubeproxy_sync_proxy_rules_last_timestamp_seconds gauge',
          `kubeproxy_sync_proxy_rules_last_timestamp_seconds ${seconds}`,
          '',
        ].join('\n'),
      );
    }
    return pageNotFound();
  }
  if (port === KUBE_PROXY_HEALTH_PORT) {
    if (path === '/healthz' || path === '/livez') {
      const t = new Date(now).toISOString();
      return { status: 200, headers: [['Content-Type', 'application/json']], body: JSON.stringify({ lastUpdated: t, currentTime: t, nodeEligible: true }) };
    }
    return pageNotFound();
  }
  return unreachable(ip, port, 'refused');
}

function podProxy(store: Store, req: ProxyRequest, name: string, scheme: string, portText: string): HttpReply {
  const pod = store.get('pods', req.namespace ?? '', name);
  if (!pod) return notFound('pods', name);
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP;
  if (!ip) return statusReply(failure(400, 'BadRequest', 'address not allowed'));
  let port = Number(portText);
  if (!portText) {
    // The first declared container port, else the scheme's default.
    const declared = ((pod.spec as { containers?: { ports?: { containerPort: number }[] }[] }).containers ?? []).flatMap((c) => c.ports ?? []);
    port = declared[0]?.containerPort ?? (scheme === 'https' ? 443 : 80);
  } else if (!Number.isInteger(port)) {
    // A named port: resolved among the pod's container ports.
    const named = ((pod.spec as { containers?: { ports?: { name?: string; containerPort: number }[] }[] }).containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === portText);
    if (!named) return unreachable(ip, portText, 'refused');
    port = named.containerPort;
  }
  const c = connectBackend(store, { ip, port, ready: true, pod: { namespace: req.namespace ?? '', name } });
  if (!c.ok) return unreachable(ip, port, c.error);
  return answer(c, { method: req.method, path: pathWithQuery(req), headers: req.headers, body: req.body, remoteAddr: `${req.clientIP}:0` });
}

function serviceProxy(store: Store, state: RoutingState, req: ProxyRequest, name: string, portText: string, now: number): HttpReply {
  const ns = req.namespace ?? '';
  const svc = store.get('services', ns, name);
  if (!svc) return notFound('services', name);
  let portName = portText;
  if (portText && /^\d+$/.test(portText)) {
    const num = Number(portText);
    const found = ((svc.spec as { ports?: { name?: string; port: number }[] }).ports ?? []).find((p) => p.port === num);
    if (!found) return unavailable(`no service port ${num} found for service "${name}"`);
    portName = found.name ?? '';
  }
  const hasEndpoints =
    store.get('endpoints', ns, name) !== undefined || [...store.list(SLICES_KEY, { namespace: ns })].some((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name);
  if (!hasEndpoints) return notFound('endpoints', name);
  const views = viewsOfService(store, svc);
  if (!views.some((v) => eligibleBackends(v, 'cluster').length)) return unavailable(`no endpoints available for service "${name}"`);
  const v = views.find((x) => x.portName === portName && eligibleBackends(x, 'cluster').length);
  if (!v) return unavailable(`no endpoints available for service "${req.target}"`);
  const b = pickBackend(proxyModeOf(store), v, eligibleBackends(v, 'cluster'), state, req.clientIP, now)!;
  const c = connectBackend(store, b, v.protocol);
  if (!c.ok) return unreachable(b.ip, b.port, c.error);
  return answer(c, { method: req.method, path: pathWithQuery(req), headers: req.headers, body: req.body, remoteAddr: `${req.clientIP}:0` });
}
