// What every controller of a sandbox works with, and small helpers to write as a system component.
import type { ApiCall, ApiReply } from '../api/call';
import type { Catalog } from '../durable/catalog';
import type { ControlLoop } from '../durable/control-loop';
import type { GenericRegistry } from '../durable/generic-registry';
import type { Store } from '../durable/store';
import type { ClusterNetwork } from '../network';
import { StatusError } from '../api/status';
import { lookupResource } from '../registry';
import type { KObject } from '../registry/types';

export interface ClusterContext {
  store: Store;
  registry: GenericRegistry;
  catalog: Catalog;
  loop: ControlLoop;
  /** Address plan, Service allocations, load-balancer pool and pod IPAM. */
  network: ClusterNetwork;
  /** PEM of the CA in-cluster clients trust (kube-root-ca.crt, legacy token Secrets' ca.crt). */
  caCertificate?: string;
  /** Service-account token signing (asynchronous: WebCrypto). */
  tokens?: { legacyToken(namespace: string, serviceAccount: KObject, secretName: string): Promise<string> };
}

type Call = Omit<ApiCall, 'query' | 'group' | 'version'> & { query?: Record<string, string>; group?: string; version?: string };

/** An API call made by a control-plane component (field manager = component), through the registry. */
export function systemCall(ctx: ClusterContext, manager: string, c: Call): ApiReply {
  const group = c.group ?? '';
  const version = c.version ?? 'v1';
  const def = lookupResource(group, version, c.resource);
  if (!def) throw new Error(`unknown resource ${group}/${version}/${c.resource}`);
  return ctx.registry.handle(def, { ...c, group, version, query: { fieldManager: manager, ...c.query }, userAgent: manager });
}

/** systemCall, with a refusal (a Status error: 403 quota, 404, 409) returned as the reply instead of thrown. */
export function trySystemCall(ctx: ClusterContext, manager: string, c: Call): ApiReply {
  try {
    return systemCall(ctx, manager, c);
  } catch (e) {
    if (e instanceof StatusError) return { status: e.status.code, body: e.status };
    throw e;
  }
}

/** Pods on one node, from the store (nodes hold at most a few hundred pods). */
export function podsOnNode(store: Store, nodeName: string): KObject[] {
  const out: KObject[] = [];
  for (const p of store.list('pods')) if ((p.spec as { nodeName?: string } | undefined)?.nodeName === nodeName) out.push(p);
  return out;
}

/** Add `finalizer` to `obj` (a merge patch guarded by its resourceVersion: a stale read retries later). */
export function addFinalizer(ctx: ClusterContext, component: string, resource: string, obj: KObject, finalizer: string): ApiReply {
  return systemCall(ctx, component, {
    verb: 'patch',
    patchType: 'merge',
    resource,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    body: { metadata: { finalizers: [...(obj.metadata.finalizers ?? []), finalizer], resourceVersion: obj.metadata.resourceVersion } },
  });
}

/** Remove `finalizer` from `obj`; true when done or the object is gone, false when the write failed (retry later). */
export function removeFinalizer(ctx: ClusterContext, component: string, resource: string, obj: KObject, finalizer: string): boolean {
  const r = systemCall(ctx, component, {
    verb: 'patch',
    patchType: 'merge',
    resource,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    body: { metadata: { finalizers: (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer), resourceVersion: obj.metadata.resourceVersion } },
  });
  return r.status < 300 || r.status === 404;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
