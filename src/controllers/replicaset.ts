// kube-controller-manager's ReplicaSet controller (pkg/controller/replicaset), for apps/v1
// ReplicaSets and core/v1 ReplicationControllers: level-triggered per "ns/name". Claims pods
// (adopts matching orphans, releases owned pods that no longer match), creates missing pods in
// slow-start batches (1, 2, 4, …), deletes surplus ones in getPodsToDelete order, and writes
// status (replicas, fullyLabeled, ready, available after minReadySeconds, observedGeneration)
// when it changed. The only timer is when a ready pod becomes available.
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import type { StoredEvent } from '../durable/store';
import { labelSelectorFromObject, matchesLabels, type Requirement } from '../machinery/labels';
import { clone, selectorOf } from '../registry/common';
import type { KObject, OwnerReference } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, trySystemCall, type ClusterContext } from './context';
import { availableAt, controllerRef, isPodActive, isPodReady, labelsOf, phaseOf, readyCondition, sortedJson } from './podutil';
import { claimPods } from './controller-ref-manager';
import { eventRecorder } from './events';

/** Upstream's BurstReplicas: at most this many creations/deletions per sync. */
const BURST_REPLICAS = 500;
/** Re-sync after a failed creation or deletion (the work queue's rate-limited requeue). */
const ERROR_RETRY_MS = 5_000;

type Kind = 'ReplicaSet' | 'ReplicationController';

type OwnerRef = OwnerReference;

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

const nodeOf = (p: KObject): string => ((p.spec ?? {}) as { nodeName?: string }).nodeName ?? '';





function restarts(p: KObject): number {
  const cs = ((p.status ?? {}) as { containerStatuses?: { restartCount?: number }[] }).containerStatuses ?? [];
  return cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
}


const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * controller.ActivePodsWithRanks.Less: the pod to delete first sorts first — unscheduled before
 * scheduled, Pending < Unknown < Running, not ready before ready, doubled-up (more related pods on
 * its node) first, ready for less time first, more restarts first, newer before older.
 */
function deletionOrder(a: { pod: KObject; rank: number }, b: { pod: KObject; rank: number }): number {
  const na = nodeOf(a.pod), nb = nodeOf(b.pod);
  if (!na !== !nb) return !na ? -1 : 1;
  const pa = PHASE_RANK[phaseOf(a.pod)] ?? 0, pb = PHASE_RANK[phaseOf(b.pod)] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a.pod), rb = isPodReady(b.pod);
  if (ra !== rb) return ra ? 1 : -1;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ra && rb) {
    const ta = Date.parse(readyCondition(a.pod)?.lastTransitionTime ?? ''), tb = Date.parse(readyCondition(b.pod)?.lastTransitionTime ?? '');
    if (ta !== tb && !(Number.isNaN(ta) && Number.isNaN(tb))) {
      if (Number.isNaN(ta)) return -1;
      if (Number.isNaN(tb)) return 1;
      return tb - ta; // later ready transition = ready for less time = deleted first
    }
  }
  const xa = restarts(a.pod), xb = restarts(b.pod);
  if (xa !== xb) return xb - xa;
  const ca = Date.parse(a.pod.metadata.creationTimestamp ?? ''), cb = Date.parse(b.pod.metadata.creationTimestamp ?? '');
  if (ca !== cb && !(Number.isNaN(ca) && Number.isNaN(cb))) {
    if (Number.isNaN(ca)) return -1;
    if (Number.isNaN(cb)) return 1;
    return cb - ca;
  }
  return 0;
}

/**
 * A pod reduced to what this controller reads (claiming, deletion ranking, status counts): the
 * in-memory index holds these instead of whole pods, so that a sync reads its own pods without
 * parsing every pod of the namespace.
 */
export function slimPod(p: KObject): KObject {
  const m = p.metadata;
  const status = (p.status ?? {}) as { phase?: string; conditions?: Condition[]; containerStatuses?: { restartCount?: number }[] };
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  const restartCount = restarts(p);
  const metadata: KObject['metadata'] = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  if (m.labels) metadata.labels = m.labels;
  if (m.ownerReferences) metadata.ownerReferences = m.ownerReferences;
  if (m.deletionTimestamp) metadata.deletionTimestamp = m.deletionTimestamp;
  const slimStatus: Record<string, unknown> = {};
  if (status.phase) slimStatus.phase = status.phase;
  if (ready) slimStatus.conditions = [ready];
  if (restartCount) slimStatus.containerStatuses = [{ restartCount }];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: nodeOf(p) ? { nodeName: nodeOf(p) } : {}, status: slimStatus } as KObject;
}

/**
 * Slim pods by controller uid, and the orphans of each namespace (candidates for adoption). Loaded
 * from the store on the first sync after a wake-up, then kept current by store events.
 */
class PodIndex {
  private buckets = new Map<string, Map<string, KObject>>();
  private bucketOf = new Map<string, string>();
  private loaded = false;

  constructor(private readonly relevant: (ref: OwnerRef | undefined) => boolean) {}

  private put(p: KObject): void {
    const ref = controllerRef(p);
    if (!this.relevant(ref)) return;
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    const bucket = ref ? ref.uid : `orphan\u0000${p.metadata.namespace}`;
    let m = this.buckets.get(bucket);
    if (!m) this.buckets.set(bucket, (m = new Map()));
    m.set(key, slimPod(p));
    this.bucketOf.set(key, bucket);
  }

  private remove(key: string): void {
    const bucket = this.bucketOf.get(key);
    if (bucket === undefined) return;
    this.bucketOf.delete(key);
    const m = this.buckets.get(bucket);
    m?.delete(key);
    if (m && !m.size) this.buckets.delete(bucket);
  }

  apply(e: StoredEvent): void {
    if (!this.loaded) return;
    this.remove(`${e.namespace}/${e.name}`);
    if (e.type !== 'DELETED') this.put(e.object);
  }

  /** The pods an owner may claim: its own and the namespace's orphans. */
  candidates(store: ClusterContext['store'], namespace: string, uid: string): KObject[] {
    if (!this.loaded) {
      for (const p of store.list('pods')) this.put(p);
      this.loaded = true;
    }
    return [...(this.buckets.get(uid)?.values() ?? []), ...(this.buckets.get(`orphan\u0000${namespace}`)?.values() ?? [])];
  }
}

/** The pods to delete: `diff` of `pods`, ranked as upstream's getPodsToDelete. */
export function podsToDelete(pods: KObject[], diff: number): KObject[] {
  if (diff >= pods.length) return pods;
  const perNode = new Map<string, number>();
  for (const p of pods) if (nodeOf(p)) perNode.set(nodeOf(p), (perNode.get(nodeOf(p)) ?? 0) + 1);
  const ranked = pods.map((pod) => ({ pod, rank: nodeOf(pod) ? (perNode.get(nodeOf(pod)) ?? 0) : 0 }));
  ranked.sort(deletionOrder);
  return ranked.slice(0, diff).map((r) => r.pod);
}

export function replicaSetController(ctx: ClusterContext, kind: Kind): Controller {
  const isRS = kind === 'ReplicaSet';
  const resource = isRS ? 'replicasets.apps' : 'replicationcontrollers';
  const apiVersion = isRS ? 'apps/v1' : 'v1';
  const component = isRS ? 'replicaset-controller' : 'replication-controller';
  const api = isRS ? { group: 'apps', version: 'v1', resource: 'replicasets' } : { group: '', version: 'v1', resource: 'replicationcontrollers' };
  const failures = new Map<string, number>();

  function selectorFor(owner: KObject): Requirement[] | undefined {
    const sel = (owner.spec as { selector?: unknown } | undefined)?.selector;
    if (isRS) return selectorOf(sel);
    // ReplicationController: a plain map; labels.Set(selector).AsSelector() (empty = everything).
    try {
      return labelSelectorFromObject({ matchLabels: (sel ?? {}) as Record<string, string> });
    } catch {
      return undefined;
    }
  }

  const isOurs = (r: OwnerRef | undefined): r is OwnerRef => !!r && r.kind === kind && r.apiVersion.split('/')[0] === apiVersion.split('/')[0];
  const index = new PodIndex((r) => !r || isOurs(r));

  const recorder = eventRecorder(ctx, component);
  const event = (owner: KObject, type: 'Normal' | 'Warning', reason: string, message: string) =>
    recorder.event(owner, kind, apiVersion, type, reason, message);

  function podFromTemplate(owner: KObject): Record<string, unknown> {
    const template = clone(((owner.spec ?? {}) as { template?: { metadata?: Record<string, unknown>; spec?: unknown } }).template ?? {});
    const tm = template.metadata ?? {};
    const metadata: Record<string, unknown> = {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ownerReferences: [{ apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
    };
    if (tm.labels) metadata.labels = tm.labels;
    if (tm.annotations) metadata.annotations = tm.annotations;
    if (tm.finalizers) metadata.finalizers = tm.finalizers;
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec: template.spec ?? {} };
  }

  /** manageReplicas: returns an error text when a creation or deletion failed. */
  function manageReplicas(owner: KObject, active: KObject[], desired: number): { verb: 'create' | 'delete'; message: string } | undefined {
    const ns = owner.metadata.namespace!;
    const diff = active.length - desired;
    if (diff < 0) {
      let remaining = Math.min(-diff, BURST_REPLICAS);
      // Slow start: batches of 1, 2, 4, …; stop at the first batch with a failure.
      for (let batch = Math.min(remaining, 1); batch > 0; batch = Math.min(2 * batch, remaining)) {
        let failed: string | undefined;
        for (let i = 0; i < batch; i++) {
          const r = trySystemCall(ctx, component, { verb: 'create', resource: 'pods', namespace: ns, body: podFromTemplate(owner) });
          if (r.status < 300) {
            event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${(r.body as KObject).metadata.name}`);
          } else {
            const message = String((r.body as { message?: string } | undefined)?.message ?? `status ${r.status}`);
            event(owner, 'Warning', 'FailedCreate', `Error creating: ${message}`);
            // A namespace being terminated is not an error worth a condition (upstream ignores it).
            if (!/is being terminated/.test(message)) failed ??= message;
          }
        }
        remaining -= batch;
        if (failed) return { verb: 'create', message: failed };
      }
      return undefined;
    }
    if (diff > 0) {
      let failed: string | undefined;
      for (const pod of podsToDelete(active, Math.min(diff, BURST_REPLICAS))) {
        const r = trySystemCall(ctx, component, {
          verb: 'delete',
          resource: 'pods',
          namespace: ns,
          name: pod.metadata.name,
          body: { preconditions: { uid: pod.metadata.uid } },
        });
        if (r.status < 300) event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        else if (r.status !== 404) {
          const message = String((r.body as { message?: string } | undefined)?.message ?? `status ${r.status}`);
          event(owner, 'Warning', 'FailedDelete', `Error deleting: ${message}`);
          failed ??= message;
        }
      }
      if (failed) return { verb: 'delete', message: failed };
    }
    return undefined;
  }

  return {
    name: isRS ? 'replicaset' : 'replicationcontroller',
    keysFor(e: StoredEvent) {
      if (e.resource === resource) return [`${e.namespace}/${e.name}`];
      if (e.resource !== 'pods') return [];
      index.apply(e);
      const keys = new Set<string>();
      const cur = controllerRef(e.object);
      const prev = controllerRef(e.prev);
      if (isOurs(cur)) keys.add(`${e.namespace}/${cur.name}`);
      if (isOurs(prev)) keys.add(`${e.namespace}/${prev.name}`);
      // An orphan (or a pod that was just released): owners in its namespace that select it may adopt it.
      if (!cur && e.type !== 'DELETED' && isPodActive(e.object)) {
        for (const owner of ctx.store.list(resource, { namespace: e.namespace })) {
          const reqs = selectorFor(owner);
          if (reqs && matchesLabels(reqs, labelsOf(e.object))) keys.add(`${e.namespace}/${owner.metadata.name}`);
        }
      }
      return [...keys];
    },
    reconcile(key, now) {
      const { namespace, name } = splitKey(key);
      const owner = ctx.store.get(resource, namespace, name);
      if (!owner) {
        failures.delete(key);
        return;
      }
      const reqs = selectorFor(owner);
      if (!reqs) return; // invalid selector: upstream logs and gives up
      const spec = (owner.spec ?? {}) as { replicas?: number; minReadySeconds?: number; template?: { metadata?: { labels?: Record<string, string> } } };
      const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;

      const active = index.candidates(ctx.store, namespace, owner.metadata.uid!).filter(isPodActive);
      const claimed = claimPods(ctx, component, owner, { apiVersion, kind }, reqs, active);

      let manageErr: { verb: 'create' | 'delete'; message: string } | undefined;
      if (!owner.metadata.deletionTimestamp) manageErr = manageReplicas(owner, claimed, desired);

      // calculateStatus, from the pods as they were before this sync's creations/deletions.
      const { timeScale } = sandboxConfig(ctx.store);
      const minReadyMs = ((spec.minReadySeconds ?? 0) * 1000) / timeScale;
      const templateLabels = spec.template?.metadata?.labels ?? {};
      let fullyLabeled = 0, ready = 0, available = 0;
      let next: number | undefined;
      for (const p of claimed) {
        const ls = labelsOf(p);
        if (Object.entries(templateLabels).every(([k, v]) => ls[k] === v)) fullyLabeled++;
        if (!isPodReady(p)) continue;
        ready++;
        const at = availableAt(p, minReadyMs);
        if (at === undefined) continue;
        if (at <= now) available++;
        else next = Math.min(next ?? Infinity, at);
      }
      const status = clone((owner.status ?? {}) as Record<string, unknown>);
      const newStatus: Record<string, unknown> = { ...status, replicas: claimed.length };
      const setCount = (field: string, n: number) => {
        // omitempty int32 fields
        if (n) newStatus[field] = n;
        else delete newStatus[field];
      };
      setCount('fullyLabeledReplicas', fullyLabeled);
      setCount('readyReplicas', ready);
      setCount('availableReplicas', available);
      if (owner.metadata.generation !== undefined) newStatus.observedGeneration = owner.metadata.generation;
      const conditions = ((status.conditions ?? []) as Condition[]).slice();
      const failureIdx = conditions.findIndex((c) => c.type === 'ReplicaFailure');
      if (manageErr && failureIdx < 0) {
        conditions.push({
          type: 'ReplicaFailure',
          status: 'True',
          lastTransitionTime: nowTimestamp(now),
          reason: manageErr.verb === 'create' ? 'FailedCreate' : 'FailedDelete',
          message: manageErr.message,
        });
      } else if (!manageErr && failureIdx >= 0) conditions.splice(failureIdx, 1);
      if (conditions.length) newStatus.conditions = conditions;
      else delete newStatus.conditions;

      if (sortedJson(newStatus) !== sortedJson(owner.status ?? {})) {
        systemCall(ctx, component, { ...api, verb: 'update', subresource: 'status', namespace, name, body: { ...owner, status: newStatus } });
      }

      if (manageErr) {
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        next = Math.min(next ?? Infinity, now + Math.min(ERROR_RETRY_MS * 2 ** (n - 1), 5 * 60_000));
      } else failures.delete(key);
      return next;
    },
  };
}
