// The garbage collector: an ownerReferences graph kept in memory (built once per wake-up, then fed
// by store events). Dependents whose owners are all gone are deleted (Background); an owner being
// deleted in the Foreground waits for its blocking dependents; Orphan strips the owner from its
// dependents first. Dangling owner references to other live owners are removed. Owner references
// resolve as upstream's: a namespaced owner only in the dependent's own namespace (one elsewhere is
// dangling, with an OwnerRefInvalidNamespace event), a cluster-scoped owner from anywhere; a
// cluster-scoped dependent naming a namespaced owner is invalid and left alone.
import type { Catalog } from '../durable/catalog';
import type { Controller } from '../durable/control-loop';
import type { StoredEvent } from '../durable/store';
import { storageKey } from '../registry';
import type { KObject, OwnerReference, ResourceDef } from '../registry/types';
import type { ClusterContext } from './context';
import { eventRecorder } from './events';

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
const COMPONENT = 'garbage-collector-controller';
const ORPHAN = 'orphan';

export function garbageCollector(ctx: ClusterContext): Controller {
  let graph: { byUid: Map<string, Loc>; dependents: Map<string, Set<string>> } | undefined;
  let defs: Map<string, ResourceDef> | undefined;
  const recorder = eventRecorder(ctx, COMPONENT);

  /** Kinds seen served (a kind does not change scope; unknown ones are looked up again). */
  const scopes = new Map<string, boolean>();
  /** Whether apiVersion/kind names a namespaced resource (undefined: not served). */
  function kindNamespaced(apiVersion: string, kind: string): boolean | undefined {
    const key = `${apiVersion}\u0000${kind}`;
    const known = scopes.get(key);
    if (known !== undefined) return known;
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const def = ctx.catalog.all().find((d) => d.group === group && d.version === version && d.kind === kind);
    if (def) scopes.set(key, def.scope === 'Namespaced');
    return def ? def.scope === 'Namespaced' : undefined;
  }

  /** reportInvalidNamespaceOwnerRef: a Warning on the dependent. */
  function reportInvalidNamespace(loc: Loc, dep: KObject, ref: OwnerReference): void {
    const def = defOf(loc.resource);
    if (!def) return;
    const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    const ns = loc.namespace;
    recorder.event(dep, def.kind, apiVersion, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${ns}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace "${ns}"`);
  }

  /**
   * classifyReferences: solid owners exist where the reference says (same uid, name and kind, in the
   * dependent's namespace unless cluster-scoped); invalid ones can never resolve.
   */
  function classify(loc: Loc, dep: KObject): { solid: OwnerReference[]; dangling: OwnerReference[]; invalid: OwnerReference[] } {
    const g = load(ctx.catalog);
    const out = { solid: [] as OwnerReference[], dangling: [] as OwnerReference[], invalid: [] as OwnerReference[] };
    for (const r of dep.metadata.ownerReferences ?? []) {
      const namespaced = kindNamespaced(r.apiVersion, r.kind);
      if (!loc.namespace && namespaced) {
        out.invalid.push(r);
        continue;
      }
      const at = g.byUid.get(r.uid);
      if (namespaced === undefined && !at) {
        out.invalid.push(r); // a kind nobody serves: upstream cannot map it and keeps retrying
        continue;
      }
      const ok = !!at && at.name === r.name && defOf(at.resource)?.kind === r.kind && (at.namespace === '' || at.namespace === loc.namespace);
      (ok ? out.solid : out.dangling).push(r);
    }
    return out;
  }

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

  /** attemptToDeleteItem: delete a dependent with no solid owner left, else drop its dangling references. */
  function handleDependent(loc: Loc): void {
    const dep = get(loc);
    if (!dep?.metadata.ownerReferences?.length) return;
    const { solid, dangling, invalid } = classify(loc, dep);
    if (invalid.length || !dangling.length) return; // an invalid reference is an error retrying cannot fix
    if (solid.length === 0) {
      if (!dep.metadata.deletionTimestamp) del(loc, dep, 'Background');
      return;
    }
    let next = dep;
    for (const r of dangling) next = withoutOwner(next, r.uid);
    update(loc, next);
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
    if (g && e.type !== 'DELETED') {
      const here = locKey({ resource: e.resource, namespace: e.namespace, name: e.name });
      // A dependent whose (new) references name a namespaced owner of another namespace.
      const before = new Set((e.prev?.metadata.ownerReferences ?? []).map((r) => r.uid));
      for (const ref of e.object.metadata.ownerReferences ?? []) {
        const at = g.byUid.get(ref.uid);
        if (!before.has(ref.uid) && at && at.namespace && at.namespace !== e.namespace) keys.push(`invalid\u0000${ref.uid}\u0000${here}`);
      }
      // An owner that appears after dependents in other namespaces named it.
      if (e.type === 'ADDED' && e.namespace && uid) {
        for (const d of g.dependents.get(uid) ?? []) if (parseLoc(d).namespace !== e.namespace) keys.push(`invalid\u0000${uid}\u0000${d}`);
      }
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
        for (const d of [...(g.dependents.get(uid) ?? [])]) handleDependent(parseLoc(d));
        return;
      }
      if (kind === 'invalid') {
        const [uid, ...locParts] = rest;
        const loc = parseLoc(locParts.join('\u0000'));
        const dep = get(loc);
        const ref = dep?.metadata.ownerReferences?.find((r) => r.uid === uid);
        if (!dep || !ref) return;
        reportInvalidNamespace(loc, dep, ref);
        handleDependent(loc);
        return;
      }
      return handleDeletingOwner(parseLoc(rest.join('\u0000')));
    },
  };
}
