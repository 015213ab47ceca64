// Namespace lifecycle: once a namespace is terminating, delete everything in it, then drop the
// "kubernetes" spec finalizer and the namespace itself. Level-triggered: safe to run repeatedly
// (it runs again whenever an object of a terminating namespace finally goes away).
import type { GenericRegistry } from '../durable/generic-registry';
import type { Store } from '../durable/store';
import type { Catalog } from '../durable/catalog';
import { storageKey } from '../registry';
import type { KObject, ResourceDef } from '../registry/types';

/** One served definition per namespaced storage key, the first (preferred) one. */
function namespacedStorages(catalog: Catalog): ResourceDef[] {
  const seen = new Set<string>();
  const out: ResourceDef[] = [];
  for (const def of catalog.all()) {
    if (def.scope !== 'Namespaced' || !def.verbs.includes('delete')) continue;
    const key = storageKey(def);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(def);
  }
  return out;
}

export function isTerminating(ns: KObject | undefined): boolean {
  return !!ns?.metadata.deletionTimestamp;
}

export function finalizeNamespace(registry: GenericRegistry, store: Store, catalog: Catalog, name: string): void {
  const ns = store.get('namespaces', '', name);
  if (!ns || !isTerminating(ns)) return;
  let remaining = 0;
  for (const def of namespacedStorages(catalog)) {
    for (const obj of [...store.list(storageKey(def), { namespace: name })]) {
      if (obj.metadata.deletionTimestamp) {
        remaining++;
        continue;
      }
      const reply = registry.handle(def, {
        verb: 'delete',
        group: def.group,
        version: def.version,
        resource: def.resource,
        namespace: name,
        name: obj.metadata.name,
        query: {},
        body: { propagationPolicy: 'Background', gracePeriodSeconds: 0 },
      });
      if (reply.status === 200 && store.get(storageKey(def), name, obj.metadata.name!)) remaining++;
    }
  }
  if (remaining > 0) return; // objects with finalizers: we run again when they are gone
  const current = store.get('namespaces', '', name);
  if (!current) return;
  if (current.metadata.finalizers?.length) {
    // Content is gone; the "kubernetes" finalizer goes, other finalizers are someone else's.
    const spec = (current.spec ?? {}) as { finalizers?: string[] };
    if (spec.finalizers?.length) {
      store.update('namespaces', { namespace: '', name }, undefined, (rev, cur) => ({
        ...cur,
        spec: { ...(cur.spec as object), finalizers: [] },
        metadata: { ...cur.metadata, resourceVersion: String(rev) },
      }));
    }
    return;
  }
  store.delete('namespaces', { namespace: '', name });
}
