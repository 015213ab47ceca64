// CustomResourceDefinition controllers (kube-apiserver's naming, establishing and finalizer
// controllers in one level-triggered reconcile): accept the names, mark the CRD Established so its
// resources are served, record stored versions; on deletion delete every custom resource first.
import type { GenericRegistry } from '../durable/generic-registry';
import { nowTimestamp } from '../durable/generic-registry';
import type { Store } from '../durable/store';
import { BUILTIN_RESOURCES } from '../registry';
import { CRD_STORAGE_KEY, crdResourceDefs, crdSpec, crdStorageKey } from '../registry/customresources';
import type { KObject } from '../registry/types';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** A name clash with a built-in resource or another CRD of the same group: NamesAccepted=False. */
function namesConflict(store: Store, crd: KObject): string | undefined {
  const spec = crdSpec(crd);
  for (const def of BUILTIN_RESOURCES) {
    if (def.group !== spec.group) continue;
    if (def.resource === spec.names.plural) return `"${spec.names.plural}" is already in use by a built-in resource`;
    if (def.kind === spec.names.kind) return `"${spec.names.kind}" is already in use by a built-in resource`;
  }
  for (const other of store.list(CRD_STORAGE_KEY)) {
    if (other.metadata.name === crd.metadata.name) continue;
    const o = crdSpec(other);
    if (o.group !== spec.group) continue;
    if (o.names.plural === spec.names.plural) return `"${spec.names.plural}" is already in use`;
    if (o.names.kind === spec.names.kind) return `"${spec.names.kind}" is already in use`;
  }
  return undefined;
}

function setCondition(conds: Condition[], c: Condition, now: string): Condition[] {
  const prev = conds.find((x) => x.type === c.type);
  const next = { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
  return [...conds.filter((x) => x.type !== c.type), next];
}

function desiredStatus(store: Store, crd: KObject): Record<string, unknown> {
  const spec = crdSpec(crd);
  const status = (crd.status ?? {}) as { conditions?: Condition[]; storedVersions?: string[] };
  const now = nowTimestamp();
  const conflict = namesConflict(store, crd);
  let conds = status.conditions ?? [];
  conds = setCondition(
    conds,
    conflict
      ? { type: 'NamesAccepted', status: 'False', reason: 'NameConflict', message: conflict }
      : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
    now,
  );
  conds = setCondition(
    conds,
    conflict
      ? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }
      : { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    now,
  );
  const storage = spec.versions.find((v) => v.storage)?.name;
  const stored = new Set(status.storedVersions ?? []);
  if (storage) stored.add(storage);
  const names = { ...spec.names, singular: spec.names.singular || spec.names.kind.toLowerCase(), listKind: spec.names.listKind || `${spec.names.kind}List` };
  return { ...status, conditions: conds, acceptedNames: conflict ? (status as { acceptedNames?: object }).acceptedNames ?? { plural: '', kind: '' } : names, storedVersions: [...stored] };
}

/** Status without transition times, to tell whether anything really changed. */
function comparable(status: unknown): string {
  const s = (status ?? {}) as { conditions?: Condition[] };
  return JSON.stringify({ ...s, conditions: (s.conditions ?? []).map(({ lastTransitionTime: _t, ...c }) => c).sort((a, b) => a.type.localeCompare(b.type)) });
}

export function reconcileCRD(registry: GenericRegistry, store: Store, name: string): void {
  const crd = store.get(CRD_STORAGE_KEY, '', name);
  if (!crd) return;
  if (crd.metadata.deletionTimestamp) {
    cleanup(registry, store, crd);
    return;
  }
  const status = desiredStatus(store, crd);
  const hasFinalizer = crd.metadata.finalizers?.includes(CLEANUP_FINALIZER) ?? false;
  if (comparable(status) === comparable(crd.status) && hasFinalizer) return;
  store.update(CRD_STORAGE_KEY, { namespace: '', name }, undefined, (rev, cur) => ({
    ...cur,
    status,
    metadata: {
      ...cur.metadata,
      finalizers: hasFinalizer ? cur.metadata.finalizers : [...(cur.metadata.finalizers ?? []), CLEANUP_FINALIZER],
      resourceVersion: String(rev),
    },
  }));
}

/** Delete every custom resource of a terminating CRD, then drop the cleanup finalizer. */
function cleanup(registry: GenericRegistry, store: Store, crd: KObject): void {
  const spec = crdSpec(crd);
  const def = crdResourceDefs(crd)[0];
  let remaining = 0;
  if (def) {
    for (const obj of [...store.list(crdStorageKey(spec))]) {
      if (obj.metadata.deletionTimestamp) {
        remaining++;
        continue;
      }
      registry.handle(def, {
        verb: 'delete',
        group: def.group,
        version: def.version,
        resource: def.resource,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        query: {},
        body: { propagationPolicy: 'Background' },
      });
      if (store.get(crdStorageKey(spec), obj.metadata.namespace ?? '', obj.metadata.name!)) remaining++;
    }
  }
  if (remaining > 0) return; // custom resources with finalizers: runs again when they are gone
  const name = crd.metadata.name!;
  const finalizers = (crd.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
  if (finalizers.length) {
    if (finalizers.length !== crd.metadata.finalizers?.length) {
      store.update(CRD_STORAGE_KEY, { namespace: '', name }, undefined, (rev, cur) => ({
        ...cur,
        metadata: { ...cur.metadata, finalizers, resourceVersion: String(rev) },
      }));
    }
    return;
  }
  store.delete(CRD_STORAGE_KEY, { namespace: '', name });
}
