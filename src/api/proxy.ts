// HTTP side of the proxy subresources: `/api/v1/nodes/NAME[:PORT]/proxy/PATH`,
// `/api/v1/namespaces/NS/services/[SCHEME:]NAME[:PORT]/proxy/PATH` and `.../pods/.../proxy/PATH`.
// They are not ordinary subresources (a `name:port` target and a trailing path), so they are
// matched on the raw path; the sandbox's DO picks the backend and answers as its container would.
import type { ClusterObject } from '../durable/cluster';
import type { ProxyRequest } from '../network/proxy-subresource';
import { readBody } from './negotiation';

const PROXY_PATH = /^api\/v1\/(?:namespaces\/([^/]+)\/(services|pods)|(nodes))\/([^/]+)\/proxy(\/.*)?$/;
const PROXY_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Headers that belong to the hop to the apiserver, not to the backend. */
const DROPPED = /^(authorization|host|connection|keep-alive|transfer-encoding|upgrade|content-length|cf-.*|x-forwarded-.*|x-real-ip|impersonate-.*)$/i;

export interface ProxyPath {
  kind: ProxyRequest['kind'];
  namespace?: string;
  target: string;
  path: string;
}

/** Matches a proxy subresource path (after the cluster prefix, without a leading slash). */
export function parseProxyPath(rest: string): ProxyPath | undefined {
  const m = PROXY_PATH.exec(rest);
  if (!m) return undefined;
  const kind = (m[2] ?? m[3]) as ProxyPath['kind'];
  let target: string;
  try {
    target = decodeURIComponent(m[4]);
  } catch {
    return undefined;
  }
  return { kind, namespace: m[1], target, path: m[5] ?? '' };
}

/** The caller's address as Cloudflare (or a proxy in front) reports it. */
export function clientIP(h: Headers): string {
  return h.get('CF-Connecting-IP') ?? h.get('X-Forwarded-For')?.split(',')[0].trim() ?? h.get('X-Real-IP') ?? '127.0.0.1';
}

export async function proxyRequest(stub: DurableObjectStub<ClusterObject>, req: Request, p: ProxyPath): Promise<Response | undefined> {
  if (!PROXY_METHODS.has(req.method)) return undefined;
  const url = new URL(req.url);
  const headers: [string, string][] = [];
  for (const [k, v] of req.headers) if (!DROPPED.test(k)) headers.push([k, v]);
  const bytes = req.method === 'GET' || req.method === 'HEAD' ? new Uint8Array() : await readBody(req);
  const reply = await stub.proxy({
    kind: p.kind,
    namespace: p.namespace,
    target: p.target,
    path: p.path,
    query: url.search.slice(1),
    method: req.method,
    headers,
    body: bytes.length ? new TextDecoder().decode(bytes) : undefined,
    clientIP: clientIP(req.headers),
  });
  return new Response(req.method === 'HEAD' ? null : reply.body, { status: reply.status, headers: reply.headers });
}
