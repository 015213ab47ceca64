// What a simulated container answers to HTTP: a whoami-style echo naming the pod that served the
// request (so that load balancing is visible), in the format of the traefik/whoami image.
import type { KObject } from '../registry/types';

export interface HttpRequest {
  method: string;
  /** Path with query, e.g. "/healthz?x=1". */
  path: string;
  headers: [string, string][];
  body?: string;
  /** The caller as the pod sees it (ip:port). */
  remoteAddr: string;
}

export interface HttpReply {
  status: number;
  headers: [string, string][];
  body: string;
}

/** The pod's hostname as its containers see it (spec.hostname, else the pod name). */
export function podHostname(pod: KObject): string {
  return ((pod.spec as { hostname?: string } | undefined)?.hostname || pod.metadata.name || '').slice(0, 63);
}

/**
 * The echo body:
 *   Hostname: web-7d4-abc
 *   IP: 10.244.1.5
 *   RemoteAddr: 10.244.2.3:41234
 *   GET /path HTTP/1.1
 *   Host: web
 *   (the request headers, then a blank line and the request body if any)
 */
export function echoReply(pod: KObject, req: HttpRequest, now = new Date()): HttpReply {
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP ?? '';
  const lines = [`Hostname: ${podHostname(pod)}`, `IP: ${ip}`, `RemoteAddr: ${req.remoteAddr}`, `${req.method} ${req.path || '/'} HTTP/1.1`];
  for (const [k, v] of req.headers) lines.push(`${canonicalHeader(k)}: ${v}`);
  let body = `${lines.join('\n')}\n`;
  if (req.body) body += `\n${req.body}`;
  const headers: [string, string][] = [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Date', now.toUTCString()],
    ['Content-Length', String(new TextEncoder().encode(body).length)],
  ];
  return { status: 200, headers, body: req.method === 'HEAD' ? '' : body };
}

/** Go's textproto canonical form: content-type → Content-Type. */
export function canonicalHeader(k: string): string {
  return k.toLowerCase().replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}
