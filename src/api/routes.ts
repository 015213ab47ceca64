// The Kubernetes REST API of one sandbox, served under /clusters/{id}/. Stateless: parses and
// negotiates here, the sandbox's Cluster DO does the storage work.
import type { Context } from 'hono';
import type { Env } from '../env';
import type { ClusterObject } from '../durable/cluster';
import { BUILTIN_RESOURCES, lookupResource } from '../registry';
import { crdResourceDefs } from '../registry/customresources';
import type { KObject } from '../registry/types';
import type { ResourceDef } from '../registry/types';
import type { ApiCall, Impersonation, UserInfo, Verb } from './call';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, contentTypeFor, negotiateDiscovery } from './discovery';
import { decodeBody, encode, mediaType, negotiate, PATCH_TYPES, readBody } from './negotiation';
import { serveOpenAPI } from './openapi';
import { parseResourcePath } from './paths';
import { parseProxyPath, proxyRequest } from './proxy';
import { VERSION_INFO } from './version';
import { execRequest, parseExecPath } from './exec';
import { errors, failure, StatusError, toStatus, type Status } from './status';
import { parseIncludeObject, toTable } from './tables';
import { relayWatch } from './watch';
import { isMaster, type RequestAttributes } from '../tenancy/access';

export interface ClusterVars {
  cluster: string;
  stub: DurableObjectStub<ClusterObject>;
  base: string;
  /** The authenticated caller. */
  user: UserInfo;
  /** The sandbox's served resources, once asked for in this request. */
  served?: ResourceDef[];
}

type Ctx = Context<{ Bindings: Env; Variables: ClusterVars }>;

export function statusResponse(s: Status): Response {
  return new Response(JSON.stringify(s), { status: s.code, headers: { 'Content-Type': 'application/json' } });
}

/** The Impersonate-* headers (kubectl --as, --as-group, --as-uid), if any. */
export function impersonation(h: Headers): Impersonation | undefined {
  const user = h.get('Impersonate-User') ?? undefined;
  const uid = h.get('Impersonate-Uid') ?? undefined;
  // Repeated headers arrive joined with ", "; group names never contain that sequence.
  const groups = h.get('Impersonate-Group')?.split(', ');
  const extra: Record<string, string[]> = {};
  for (const [k, v] of h) {
    if (k.startsWith('impersonate-extra-')) extra[decodeURIComponent(k.slice('impersonate-extra-'.length))] = v.split(', ');
  }
  if (user === undefined && uid === undefined && !groups && Object.keys(extra).length === 0) return undefined;
  return { user, uid, groups, extra: Object.keys(extra).length ? extra : undefined };
}

function query(url: URL): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of url.searchParams) q[k] = v;
  return q;
}


const HEALTH_CHECKS: Record<string, string[]> = {
  livez: ['ping', 'log', 'etcd', 'poststarthook/start-apiextensions-controllers', 'poststarthook/crd-informer-synced'],
  readyz: ['ping', 'log', 'etcd', 'etcd-readiness', 'informer-sync', 'poststarthook/start-apiextensions-controllers', 'shutdown'],
  healthz: ['ping', 'log', 'etcd', 'poststarthook/start-apiextensions-controllers'],
};

function health(c: Ctx, kind: string): Response {
  const url = new URL(c.req.url);
  if (url.searchParams.has('verbose')) {
    const lines = HEALTH_CHECKS[kind].map((n) => `[+]${n} ok`);
    return c.text(`${lines.join('\n')}\n${kind} check passed\n`);
  }
  return c.text('ok');
}

/**
 * Built-ins plus the resources of the sandbox's established CRDs (asked of its DO once per request).
 * The same CRDs give the same array, so the OpenAPI documents built from it stay cached.
 */
const servedCache = new Map<string, ResourceDef[]>();
async function servedResources(c: Ctx): Promise<ResourceDef[]> {
  const cached = c.get('served');
  if (cached) return cached;
  const crds = (await c.var.stub.customResourceDefinitions()) as KObject[];
  let defs: ResourceDef[] = BUILTIN_RESOURCES;
  if (crds.length) {
    const key = crds.map((crd) => `${crd.metadata.uid}@${crd.metadata.resourceVersion}`).join(',');
    defs = servedCache.get(key) ?? [...BUILTIN_RESOURCES, ...crds.flatMap((crd) => crdResourceDefs(crd))];
    if (servedCache.size > 32) servedCache.clear();
    servedCache.set(key, defs);
  }
  c.set('served', defs);
  return defs;
}

/**
 * Authorization of what the Worker serves itself (discovery, /version, /healthz, /openapi, pod
 * logs), asked of the sandbox's DO; an admin acting as itself needs no round trip.
 */
async function authorizeHere(c: Ctx, attrs: RequestAttributes): Promise<void> {
  const imp = impersonation(c.req.raw.headers);
  if (!imp && isMaster(c.var.user)) return;
  const denied = await c.var.stub.authorize(c.var.user, imp, attrs);
  if (denied) throw new StatusError(denied.body as Status);
}

/** The RBAC verb of a proxy request, by HTTP method. */
const PROXY_VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', OPTIONS: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** Verb from method and path shape, like kube-apiserver's RequestInfo. */
function verbOf(method: string, hasName: boolean, isWatch: boolean): Verb | 'watch' | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return isWatch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return hasName ? 'update' : undefined;
    case 'PATCH':
      return hasName ? 'patch' : undefined;
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
  }
  return undefined;
}

function subresourceVerbs(def: ResourceDef, sub: string): string[] | undefined {
  return def.subresources?.find((s) => s.name === sub)?.verbs;
}

async function resourceRequest(c: Ctx, segments: string[]): Promise<Response> {
  const path = parseResourcePath(segments);
  if (!path) throw errors.resourceNotFound();
  const def =
    lookupResource(path.group, path.version, path.resource) ??
    (await servedResources(c)).find((d) => d.group === path.group && d.version === path.version && d.resource === path.resource);
  if (!def) throw errors.resourceNotFound();
  // Cluster-scoped resources have no namespaced form.
  if (path.namespace !== undefined && def.scope === 'Cluster') throw errors.resourceNotFound();
  const url = new URL(c.req.url);
  const q = query(url);
  const isWatch = path.watchPrefix || q.watch === 'true' || q.watch === '1';
  const verb = verbOf(c.req.method, path.name !== undefined, isWatch);
  if (!verb) throw errors.methodNotAllowed();
  if (path.subresource) {
    const verbs = subresourceVerbs(def, path.subresource);
    if (!verbs) throw errors.resourceNotFound();
    if (!verbs.includes(verb)) throw errors.methodNotAllowed();
    if (path.subresource === 'log' && def.resource === 'pods' && def.group === '') {
      await authorizeHere(c, { verb: 'get', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: 'log', namespace: path.namespace, name: path.name });
      return podLog(c.var.stub, path.namespace ?? '', path.name!, q);
    }
    if (!['status', 'scale', 'binding', 'eviction', 'token', 'finalize'].includes(path.subresource)) {
      // Built by the issues that need them (binding, eviction, log, exec, ...).
      throw new StatusError(failure(405, 'MethodNotAllowed', `the server does not yet serve ${def.resource}/${path.subresource} in this version of kubedo`));
    }
  } else if (!def.verbs.includes(verb)) {
    throw errors.methodNotAllowed();
  }
  const accept = negotiate(c.req.header('Accept'));
  if (accept.unacceptable) throw errors.notAcceptable('only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io');

  if (verb === 'watch') {
    const interval = Number(c.env.KUBEDO_BOOKMARK_INTERVAL_MS) || undefined;
    return relayWatch(c.var.stub, def, path.namespace, q, accept, path.name, interval, { user: c.var.user, impersonate: impersonation(c.req.raw.headers) });
  }

  const call: ApiCall = {
    verb,
    group: def.group,
    version: def.version,
    resource: def.resource,
    subresource: path.subresource,
    namespace: path.namespace,
    name: path.name,
    query: q,
    userAgent: c.req.header('User-Agent'),
    user: c.var.user,
    impersonate: impersonation(c.req.raw.headers),
  };
  if (verb === 'create' || verb === 'update' || verb === 'patch' || verb === 'delete' || verb === 'deletecollection') {
    const ct = c.req.header('Content-Type') ?? null;
    const bytes = await readBody(c.req.raw);
    if (verb === 'patch') {
      const pt = PATCH_TYPES[mediaType(ct)];
      if (!pt) throw errors.unsupportedMediaType(mediaType(ct));
      call.patchType = pt;
    }
    call.body = decodeBody(bytes, ct, verb === 'patch');
    if (call.body === undefined && (verb === 'create' || verb === 'update' || verb === 'patch')) {
      throw errors.badRequest('the body of the request was empty');
    }
  }
  const reply = await c.var.stub.call(call);
  const headers: Record<string, string> = {};
  // Rate limits (429) tell the client when to come back, like API Priority and Fairness.
  const retryAfter = reply.status === 429 ? (reply.body as Status).details?.retryAfterSeconds : undefined;
  if (retryAfter) headers['Retry-After'] = String(retryAfter);
  if (reply.warnings?.length) headers['Warning'] = reply.warnings.map((w) => `299 - "${w.replace(/"/g, '\\"')}"`).join(', ');
  let body: unknown = reply.body;
  if (accept.table && reply.status < 300 && (verb === 'get' || verb === 'list') && path.subresource === undefined) {
    body = toTable(def, body, parseIncludeObject(q.includeObject));
  }
  return encode(body, reply.status, accept, headers);
}

const LOG_FOLLOW_MAX_MS = 30 * 60_000;

/** GET pods/{name}/log: text/plain, streamed while following until the container stops. */
async function podLog(stub: DurableObjectStub<ClusterObject>, namespace: string, name: string, q: Record<string, string>): Promise<Response> {
  const first = await stub.podLog(namespace, name, q);
  if (first.status !== 200) return new Response(first.text, { status: first.status, headers: { 'Content-Type': 'application/json' } });
  const headers = { 'Content-Type': 'text/plain', 'Content-Encoding': 'identity', 'Cache-Control': 'no-cache, private, no-transform' };
  if (q.follow !== 'true') return new Response(first.text, { headers });
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const enc = new TextEncoder();
  (async () => {
    const started = Date.now();
    let next = first.nextAt;
    let since = Date.now();
    try {
      await writer.write(enc.encode(first.text));
      while (next !== undefined && Date.now() - started < LOG_FOLLOW_MAX_MS) {
        await new Promise((r) => setTimeout(r, Math.max(10, Math.min(next! - Date.now() + 5, 30_000))));
        const more = await stub.podLog(namespace, name, q, since + 1);
        if (more.status !== 200) break;
        since = Date.now();
        if (more.text) await writer.write(enc.encode(more.text));
        next = more.nextAt;
      }
    } finally {
      await writer.close().catch(() => {});
    }
  })();
  return new Response(readable, { headers });
}

/** Everything under /clusters/{id}/: discovery, OpenAPI, health, version and resources. */
export async function clusterRequest(c: Ctx, rest: string): Promise<Response> {
  const segments = rest.split('/').filter((s, i, a) => s !== '' || i < a.length - 1);
  const first = segments[0] ?? '';
  const url = new URL(c.req.url);
  try {
    const nonResource =
      ['version', 'healthz', 'livez', 'readyz', 'openapi'].includes(first) ||
      (c.req.method === 'GET' && ((first === 'api' && segments.length <= 2) || (first === 'apis' && segments.length <= 3)));
    if (nonResource) await authorizeHere(c, { verb: c.req.method.toLowerCase(), path: `/${segments.join('/')}` });
    if (first === 'version' && segments.length === 1) return c.json(VERSION_INFO);
    if ((first === 'healthz' || first === 'livez' || first === 'readyz') && segments.length <= 2) return health(c, first);
    if (first === 'openapi') {
      const r = await serveOpenAPI(c.req.raw, segments.slice(1), c.var.base, await servedResources(c));
      if (r) return r;
      throw errors.resourceNotFound();
    }
    if ((first === 'api' || first === 'apis') && segments.length <= 3 && c.req.method === 'GET') {
      const doc = discoveryDocument(c, segments, url, first === 'api' ? BUILTIN_RESOURCES : await servedResources(c));
      if (doc) return doc;
    }
    const exec = first === 'api' && (c.req.method === 'GET' || c.req.method === 'POST') ? parseExecPath(rest) : undefined;
    if (exec) {
      // kube-apiserver asks `create` for exec, WebSocket GETs included (1.31+).
      await authorizeHere(c, { verb: 'create', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: 'exec', namespace: exec.namespace, name: exec.name });
      return await execRequest(c.var.stub, c.req.raw, exec.namespace, exec.name);
    }
    const proxied = first === 'api' ? parseProxyPath(rest) : undefined;
    if (proxied) {
      const verb = PROXY_VERBS[c.req.method];
      if (!verb) throw errors.methodNotAllowed();
      await authorizeHere(c, { verb, apiGroup: '', apiVersion: 'v1', resource: proxied.kind, subresource: 'proxy', namespace: proxied.namespace, name: proxied.target });
      const r = await proxyRequest(c.var.stub, c.req.raw, proxied);
      if (r) return r;
      throw errors.methodNotAllowed();
    }
    if (first === 'api' || first === 'apis') return await resourceRequest(c, segments);
    throw errors.resourceNotFound();
  } catch (e) {
    const s = toStatus(e);
    if (!(e instanceof StatusError)) console.error('kubedo: internal error', e);
    return statusResponse(s);
  }
}

function discoveryDocument(c: Ctx, segments: string[], url: URL, defs: ResourceDef[]): Response | undefined {
  const [first, g, v] = segments;
  if (segments.length === 1) {
    const which = negotiateDiscovery(c.req.header('Accept') ?? null);
    if (which !== 'legacy') {
      return new Response(JSON.stringify(aggregatedDiscovery(defs, first as 'api' | 'apis', which)), {
        headers: { 'Content-Type': contentTypeFor(which), Vary: 'Accept' },
      });
    }
    if (first === 'api') return Response.json(apiVersions(url.host));
    return Response.json(apiGroupList(defs));
  }
  if (first === 'api' && segments.length === 2) {
    const list = apiResourceList(defs, '', g);
    return list ? Response.json(list) : undefined;
  }
  if (first === 'apis' && segments.length === 2) {
    const group = apiGroup(defs, g);
    if (!group) throw errors.resourceNotFound();
    return Response.json(group);
  }
  if (first === 'apis' && segments.length === 3) {
    const list = apiResourceList(defs, g, v);
    if (!list) throw errors.resourceNotFound();
    return Response.json(list);
  }
  return undefined;
}
