// ControllerRevisions (apps/v1) as kube-controller-manager keeps them for StatefulSets and
// DaemonSets (pkg/controller/history and the two controllers' revision code): each revision holds
// the patch that restores its pod template (`{"spec":{"template":{…,"$patch":"replace"}}}`, what
// `kubectl rollout undo` applies to the owner), is named `<owner>-<hash>`, labelled
// `controller-revision-hash`, controlled by its owner, and numbered; an equal old revision is
// re-used (its number bumped) on rollback, and non-live revisions beyond revisionHistoryLimit go.
import { matchesLabels } from '../machinery/labels';
import type { KObject } from '../registry/types';
import { clone, selectorOf } from '../registry/common';
import { systemCall, type ClusterContext } from './context';
import { podTemplateHash } from './deployment';
import { controllerRef, sortedJson } from './podutil';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
const RESOURCE = 'controllerrevisions.apps';
const API = { group: 'apps', version: 'v1', resource: 'controllerrevisions' };
/** validation.DNS1123SubdomainMaxLength minus the hash: ControllerRevisionName truncates longer prefixes. */
const MAX_PREFIX = 223;

type Obj = Record<string, any>;

export interface RevisionOwner {
  kind: 'StatefulSet' | 'DaemonSet';
  component: string;
}

/** getPatch: the owner's pod template as a strategic-merge patch that replaces the whole template. */
export function templatePatch(owner: KObject): Obj {
  const template = clone(((owner.spec ?? {}) as Obj).template ?? {}) as Obj;
  template.$patch = 'replace';
  return { spec: { template } };
}

/** ApplyRevision, for the only field revisions carry: the pod template stored in `revision`. */
export function templateOf(revision: KObject): Obj {
  const t = clone(((revision.data as Obj | undefined)?.spec?.template ?? {}) as Obj);
  delete t.$patch;
  return t;
}

/** history.EqualRevision: same data (compared regardless of key order). */
export const equalData = (a: KObject, b: Obj): boolean => sortedJson(a.data ?? null) === sortedJson(b);

/** HashControllerRevision: hash of the data plus the collision count, safe-encoded. */
export const hashRevision = (data: Obj, collisionCount: number): string => podTemplateHash(data, collisionCount);

/** ControllerRevisionName */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > MAX_PREFIX ? prefix.slice(0, MAX_PREFIX) : prefix}-${hash}`;
}

/**
 * The owner's revisions (controlled by its uid), oldest first (SortControllerRevisions). With
 * `adopt`, revisions without a controller that match the owner's selector are adopted first, as
 * ClaimControllerRevisions does (e.g. after `delete --cascade=orphan` and re-create).
 */
export function revisionsOf(ctx: ClusterContext, owner: KObject, adopt?: RevisionOwner): KObject[] {
  const out: KObject[] = [];
  const reqs = adopt && !owner.metadata.deletionTimestamp ? selectorOf((owner.spec as Obj | undefined)?.selector) : undefined;
  for (const r of ctx.store.list(RESOURCE, { namespace: owner.metadata.namespace })) {
    const ref = controllerRef(r);
    if (ref?.uid === owner.metadata.uid) out.push(r);
    else if (!ref && reqs?.length && !r.metadata.deletionTimestamp && matchesLabels(reqs, (r.metadata.labels ?? {}) as Record<string, string>)) {
      const mine = { apiVersion: 'apps/v1', kind: adopt!.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
      const res = systemCall(ctx, adopt!.component, {
        ...API,
        verb: 'patch',
        patchType: 'merge',
        namespace: r.metadata.namespace,
        name: r.metadata.name,
        body: { metadata: { ownerReferences: [...(r.metadata.ownerReferences ?? []), mine], resourceVersion: r.metadata.resourceVersion } },
      });
      if (res.status < 300) out.push(res.body as KObject);
    }
  }
  return out.sort((a, b) => revisionNumber(a) - revisionNumber(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
}

export const revisionNumber = (r: KObject): number => Number(r.revision ?? 0);

/** nextRevision / maxRevision + 1 */
export const nextRevision = (revisions: KObject[]): number => revisions.reduce((m, r) => Math.max(m, revisionNumber(r)), 0) + 1;

/** A new revision object (NewControllerRevision): template labels plus the hash label, owner annotations. */
export function newRevision(owner: KObject, spec: RevisionOwner, name: string, hash: string, data: Obj, revision: number): Obj {
  const labels = { ...(((owner.spec as Obj | undefined)?.template?.metadata?.labels ?? {}) as Record<string, string>), [REVISION_HASH_LABEL]: hash };
  const metadata: Obj = {
    name,
    namespace: owner.metadata.namespace,
    labels,
    ownerReferences: [{ apiVersion: 'apps/v1', kind: spec.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
  };
  if (owner.metadata.annotations && Object.keys(owner.metadata.annotations).length) metadata.annotations = { ...owner.metadata.annotations };
  return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata, data, revision };
}

export type CreateResult = { revision: KObject; collisionCount: number } | { error: string };

/**
 * CreateControllerRevision: create `<owner>-<hash>`; when that name is taken by a revision with other
 * data (a hash collision), bump the collision count and try the next name.
 */
export function createRevision(ctx: ClusterContext, owner: KObject, spec: RevisionOwner, data: Obj, revision: number, collisionCount: number, hashOf: (c: number) => string): CreateResult {
  for (let count = collisionCount; count < collisionCount + 10; count++) {
    const hash = hashOf(count);
    const name = revisionName(owner.metadata.name!, hash);
    const r = systemCall(ctx, spec.component, { ...API, verb: 'create', namespace: owner.metadata.namespace, body: newRevision(owner, spec, name, hash, data, revision) });
    if (r.status < 300) return { revision: r.body as KObject, collisionCount: count };
    if (r.status !== 409) return { error: String((r.body as Obj | undefined)?.message ?? `status ${r.status}`) };
    const existing = ctx.store.get(RESOURCE, owner.metadata.namespace!, name);
    if (existing && equalData(existing, data) && controllerRef(existing)?.uid === owner.metadata.uid) return { revision: existing, collisionCount: count };
  }
  return { error: 'too many ControllerRevision hash collisions' };
}

/** UpdateControllerRevision: give an existing revision a new number (rollback to it). */
export function bumpRevision(ctx: ClusterContext, component: string, rev: KObject, revision: number): KObject | undefined {
  if (revisionNumber(rev) === revision) return rev;
  const r = systemCall(ctx, component, { ...API, verb: 'update', namespace: rev.metadata.namespace, name: rev.metadata.name, body: { ...rev, revision } });
  return r.status < 300 ? (r.body as KObject) : undefined;
}

/**
 * truncateHistory / cleanupHistory: delete the oldest revisions that are not live (`isLive`) while
 * more than `limit` non-live ones remain.
 */
export function truncateHistory(ctx: ClusterContext, component: string, revisions: KObject[], isLive: (r: KObject) => boolean, limit: number): void {
  const history = revisions.filter((r) => !isLive(r));
  for (const r of history.slice(0, Math.max(history.length - limit, 0))) {
    systemCall(ctx, component, { ...API, verb: 'delete', namespace: r.metadata.namespace, name: r.metadata.name, body: { preconditions: { uid: r.metadata.uid } } });
  }
}
