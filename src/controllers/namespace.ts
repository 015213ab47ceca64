// The namespace controller (kube-controller-manager's namespace-controller): once a namespace is
// Terminating, delete everything in it (built-in and custom resources), report progress in the
// NamespaceDeletion* / NamespaceContentRemaining / NamespaceFinalizersRemaining conditions with
// upstream's reasons and messages, and when nothing is left remove the "kubernetes" finalizer
// through namespaces/finalize; with no finalizers left the namespace is gone. Level-triggered:
// it runs again whenever something in a terminating namespace is deleted or loses a finalizer.
import type { ApiReply } from '../api/call';
import { StatusError } from '../api/status';
import type { Catalog } from '../durable/catalog';
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import { storageKey } from '../registry';
import type { KObject, ResourceDef } from '../registry/types';
import type { ClusterContext } from './context';

const FINALIZER = 'kubernetes';

/** A refusal (Status error) as a reply: one object that cannot be deleted must not stop the rest. */
function tryHandle(fn: () => ApiReply): ApiReply {
  try {
    return fn();
  } catch (e) {
    if (e instanceof StatusError) return { status: e.status.code, body: e.status };
    throw e;
  }
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

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

const grString = (def: ResourceDef) => (def.group ? `${def.resource}.${def.group}` : def.resource);

/**
 * The five deletion conditions as the upstream controller reports them (all False when fine).
 * `remaining`: objects left per group-resource; `finalizers`: objects per finalizer still set.
 */
export function deletionConditions(failures: string[], remaining: Map<string, number>, finalizers: Map<string, number>): Condition[] {
  const sorted = (m: Map<string, number>, fmt: (k: string, n: number) => string) => [...m.keys()].sort().map((k) => fmt(k, m.get(k)!)).join(', ');
  return [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    failures.length
      ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}` }
      : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    remaining.size
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${sorted(remaining, (k, n) => `${k} has ${n} resource instances`)}` }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
    finalizers.size
      ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${sorted(finalizers, (k, n) => `${k} in ${n} resource instances`)}` }
      : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
  ];
}

/** Keep lastTransitionTime when a condition's status did not change. */
function mergeConditions(old: Condition[] | undefined, next: Condition[], now: string): Condition[] {
  return next.map((c) => {
    const prev = old?.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
  });
}

export function namespaceController(ctx: ClusterContext): Controller {
  const { store, registry, catalog } = ctx;
  const namespaceDef = catalog.lookup('', 'v1', 'namespaces')!;
  const write = (call: { subresource: 'status' | 'finalize'; name: string; body: KObject }) =>
    registry.handle(namespaceDef, {
      verb: 'update',
      group: '',
      version: 'v1',
      resource: 'namespaces',
      subresource: call.subresource,
      name: call.name,
      query: { fieldManager: 'namespace-controller' },
      body: call.body,
      userAgent: 'namespace-controller',
    });

  return {
    name: 'namespace',
    keysFor(e) {
      if (e.resource === 'namespaces') return e.type !== 'DELETED' && e.object.metadata.deletionTimestamp ? [e.name] : [];
      // Content of a terminating namespace went away or lost a finalizer.
      if (!e.namespace || (e.type !== 'DELETED' && !e.object.metadata.deletionTimestamp)) return [];
      return isTerminating(store.get('namespaces', '', e.namespace)) ? [e.namespace] : [];
    },
    reconcile(name) {
      const ns = store.get('namespaces', '', name);
      if (!ns || !isTerminating(ns)) return;
      const spec = (ns.spec ?? {}) as { finalizers?: string[] };
      if (spec.finalizers?.includes(FINALIZER)) {
        const failures: string[] = [];
        const remaining = new Map<string, number>();
        const finalizers = new Map<string, number>();
        for (const def of namespacedStorages(catalog)) {
          const key = storageKey(def);
          for (const obj of [...store.list(key, { namespace: name })]) {
            if (obj.metadata.deletionTimestamp) continue;
            // The controller's default options: background propagation, each object's own grace period.
            const reply = tryHandle(() => registry.handle(def, {
              verb: 'delete',
              group: def.group,
              version: def.version,
              resource: def.resource,
              namespace: name,
              name: obj.metadata.name,
              query: {},
              body: { propagationPolicy: 'Background' },
              userAgent: 'namespace-controller',
            }));
            if (reply.status >= 300 && reply.status !== 404) failures.push(`${grString(def)}: ${(reply.body as { message?: string }).message ?? reply.status}`);
          }
          for (const obj of store.list(key, { namespace: name })) {
            remaining.set(grString(def), (remaining.get(grString(def)) ?? 0) + 1);
            for (const f of obj.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
          }
        }
        const current = store.get('namespaces', '', name)!;
        const status = (current.status ?? {}) as { phase?: string; conditions?: Condition[] };
        const conditions = mergeConditions(status.conditions, deletionConditions(failures, remaining, finalizers), nowTimestamp());
        if (JSON.stringify(conditions) !== JSON.stringify(status.conditions)) {
          write({ subresource: 'status', name, body: { ...current, status: { ...status, phase: 'Terminating', conditions } } });
        }
        // Objects with finalizers or grace periods: we run again as they go away.
        if (remaining.size) return;
        const latest = store.get('namespaces', '', name)!;
        const rest = ((latest.spec ?? {}) as { finalizers?: string[] }).finalizers?.filter((f) => f !== FINALIZER) ?? [];
        write({ subresource: 'finalize', name, body: { ...latest, spec: { ...(latest.spec as object), finalizers: rest } } });
        return;
      }
      // Other spec finalizers are someone else's; with none left (and no metadata finalizers) the namespace goes.
      if (!spec.finalizers?.length && !ns.metadata.finalizers?.length) store.delete('namespaces', { namespace: '', name });
    },
  };
}
