// The garbage collector: an ownerReferences graph kept in memory (built once per wake-up, then fed
// by store events). Dependents whose owners are all gone are deleted (Background); an owner being
// deleted in the Foreground waits for its blocking dependents; Orphan strips the owner from its
// dependents first. Dangling owner references to other live owners are removed.
import type { Catalog } from '../durable/catalog';
import type { Controller } from '../durable/control-loop';
import type { StoredEvent } from '../durable/store';
import { storageKey } from '../registry';
import type { KObject, OwnerReference, ResourceDef } from '../registry/types';
import type { ClusterContext } from './context';

interface Loc {
  resource: string; // storage key
  namespace: string;
  name: string;
}

const locKey = (l: Loc) => `${l.resource}\u0000${l.namespace}\u0000${l.name}`;
const parseLoc = (k: string): Loc => {
  const [resource, namespace, name] = k.split('\u0000');
  return { resource, namespace, name };
};

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

export function garbageCollector(ctx: ClusterContext): Controller {
  let graph: { byUid: Map<string, Loc>; dependents: Map<string, Set<string>> } | undefined;
  let defs: Map<string, ResourceDef> | undefined;

  function defOf(resource: string): ResourceDef | undefined {
    defs ??= new Map();
    if (!defs.has(resource)) for (const d of ctx.catalog.all()) if (!defs.has(storageKey(d))) defs.set(storageKey(d), d);
    return defs.get(resource);
  }

  function track(g: NonNullable<typeof graph>, resource: string, obj: KObject): void {
    const loc = { resource, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name! };
    if (obj.metadata.uid) g.byUid.set(obj.metadata.uid, loc);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = g.dependents.get(ref.uid);
      if (!set) g.dependents.set(ref.uid, (set = new Set()));
      set.add(locKey(loc));
    }
  }

  function untrack(g: NonNullable<typeof graph>, resource: string, obj: KObject): void {
    if (obj.metadata.uid) g.byUid.delete(obj.metadata.uid);
    const k = locKey({ resource, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name! });
    for (const ref of obj.metadata.ownerReferences ?? []) g.dependents.get(ref.uid)?.delete(k);
  }

  function load(catalog: Catalog) {
    if (graph) return graph;
    const g = { byUid: new Map<string, Loc>(), dependents: new Map<string, Set<string>>() };
    const seen = new Set<string>();
    for (const d of catalog.all()) {
      const key = storageKey(d);
      if (seen.has(key) || !d.verbs.includes('list')) continue;
      seen.add(key);
      for (const obj of ctx.store.list(key)) track(g, key, obj);
    }
    graph = g;
    return g;
  }

  function get(loc: Loc): KObject | undefined {
    return ctx.store.get(loc.resource, loc.namespace, loc.name);
  }

  function del(loc: Loc, obj: KObject, propagationPolicy: string): void {
    const def = defOf(loc.resource);
    if (!def) return;
    ctx.registry.handle(def, {
      verb: 'delete',
      group: def.group,
      version: def.version,
      resource: def.resource,
      namespace: loc.namespace || undefined,
      name: loc.name,
      query: {},
      body: { propagationPolicy, preconditions: { uid: obj.metadata.uid } },
      userAgent: 'garbage-collector',
    });
  }

  function update(loc: Loc, obj: KObject): void {
    const def = defOf(loc.resource);
    if (!def) return;
    ctx.registry.handle(def, {
      verb: 'update',
      group: def.group,
      version: def.version,
      resource: def.resource,
      namespace: loc.namespace || undefined,
      name: loc.name,
      query: { fieldManager: 'garbage-collector' },
      body: obj,
      userAgent: 'garbage-collector',
    });
  }

  function withoutOwner(obj: KObject, uid: string): KObject {
    const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
    const metadata = { ...obj.metadata, ownerReferences: refs.length ? refs : undefined };
    if (!refs.length) delete metadata.ownerReferences;
    return { ...obj, metadata };
  }

  function withoutFinalizer(obj: KObject, f: string): KObject {
    return { ...obj, metadata: { ...obj.metadata, finalizers: (obj.metadata.finalizers ?? []).filter((x) => x !== f) } };
  }

  /** A dependent whose owner `uid` is gone: delete it if no owner is left, else drop the dangling reference. */
  function handleDependent(loc: Loc, uid: string): void {
    const dep = get(loc);
    if (!dep) return;
    const refs: OwnerReference[] = dep.metadata.ownerReferences ?? [];
    if (!refs.some((r) => r.uid === uid)) return;
    const g = load(ctx.catalog);
    const alive = refs.filter((r) => r.uid !== uid && g.byUid.has(r.uid));
    if (alive.length === 0) {
      if (!dep.metadata.deletionTimestamp) del(loc, dep, 'Background');
    } else {
      update(loc, withoutOwner(dep, uid));
    }
  }

  /** An owner being deleted with the orphan or foregroundDeletion finalizer. */
  function handleDeletingOwner(loc: Loc): number | undefined {
    const owner = get(loc);
    if (!owner?.metadata.deletionTimestamp || !owner.metadata.uid) return;
    const g = load(ctx.catalog);
    const deps = [...(g.dependents.get(owner.metadata.uid) ?? [])].map(parseLoc);
    const finalizers = owner.metadata.finalizers ?? [];
    if (finalizers.includes(ORPHAN)) {
      for (const d of deps) {
        const dep = get(d);
        if (dep) update(d, withoutOwner(dep, owner.metadata.uid));
      }
      update(loc, withoutFinalizer(owner, ORPHAN));
      return;
    }
    if (finalizers.includes(FOREGROUND)) {
      let blocking = 0;
      for (const d of deps) {
        const dep = get(d);
        if (!dep) continue;
        const ref = dep.metadata.ownerReferences?.find((r) => r.uid === owner.metadata.uid);
        if (!ref) continue;
        if (ref.blockOwnerDeletion) blocking++;
        if (!dep.metadata.deletionTimestamp) del(d, dep, 'Foreground');
      }
      if (blocking === 0) update(loc, withoutFinalizer(owner, FOREGROUND));
    }
    return;
  }

  function observe(e: StoredEvent): string[] {
    const keys: string[] = [];
    const g = graph;
    if (g) {
      if (e.prev) untrack(g, e.resource, e.prev);
      if (e.type !== 'DELETED') track(g, e.resource, e.object);
    }
    const uid = e.object.metadata.uid;
    if (e.type === 'DELETED' && uid) keys.push(`gone\u0000${uid}`);
    const fin = e.object.metadata.finalizers ?? [];
    if (e.type !== 'DELETED' && e.object.metadata.deletionTimestamp && (fin.includes(ORPHAN) || fin.includes(FOREGROUND))) {
      keys.push(`owner\u0000${locKey({ resource: e.resource, namespace: e.namespace, name: e.name })}`);
    }
    // A dependent of a foreground-deleting owner changed or went: look at the owner again.
    for (const ref of (e.prev ?? e.object).metadata.ownerReferences ?? []) {
      const ownerLoc = g?.byUid.get(ref.uid);
      if (ownerLoc && ref.blockOwnerDeletion) keys.push(`owner\u0000${locKey(ownerLoc)}`);
    }
    // New objects pointing at owners that do not exist.
    if (e.type === 'ADDED' && g) {
      for (const ref of e.object.metadata.ownerReferences ?? []) if (!g.byUid.has(ref.uid)) keys.push(`gone\u0000${ref.uid}`);
    }
    return keys;
  }

  return {
    name: 'garbage-collector',
    keysFor(e) {
      if (e.resource === 'events') return []; // events own nothing and nobody owns them in practice
      return observe(e);
    },
    reconcile(key) {
      const [kind, ...rest] = key.split('\u0000');
      if (kind === 'gone') {
        const uid = rest[0];
        const g = load(ctx.catalog);
        if (g.byUid.has(uid)) return; // the owner exists after all
        for (const d of [...(g.dependents.get(uid) ?? [])]) handleDependent(parseLoc(d), uid);
        return;
      }
      return handleDeletingOwner(parseLoc(rest.join('\u0000')));
    },
  };
}
