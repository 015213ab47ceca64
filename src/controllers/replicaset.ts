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
import { availableAt, controllerRef, isPodActive, isPodReady, labelsOf, ownerRefs, phaseOf, readyCondition, sortedJson } from './podutil';
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

  const recorder = eventRecorder(ctx, component);
  const event = (owner: KObject, type: 'Normal' | 'Warning', reason: string, message: string) =>
    recorder.event(owner, kind, apiVersion, type, reason, message);

  function setOwnerRefs(pod: KObject, refs: OwnerRef[]): KObject | undefined {
    const r = systemCall(ctx, component, {
      verb: 'patch',
      patchType: 'merge',
      resource: 'pods',
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      body: { metadata: { ownerReferences: refs.length ? refs : null, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion } },
    });
    return r.status < 300 ? (r.body as KObject) : undefined;
  }

  /** ClaimPods: owned pods that match, plus adopted orphans; owned pods that no longer match are released. */
  function claimPods(owner: KObject, reqs: Requirement[], pods: KObject[]): KObject[] {
    const uid = owner.metadata.uid;
    const claimed: KObject[] = [];
    for (const pod of pods) {
      const ref = controllerRef(pod);
      const match = matchesLabels(reqs, labelsOf(pod));
      if (ref) {
        if (ref.uid !== uid) continue;
        if (match) claimed.push(pod);
        else if (!pod.metadata.deletionTimestamp) setOwnerRefs(pod, ownerRefs(pod).filter((r) => r.uid !== uid));
        continue;
      }
      if (!match || owner.metadata.deletionTimestamp || pod.metadata.deletionTimestamp) continue;
      const mine: OwnerRef = { apiVersion, kind, name: owner.metadata.name!, uid: uid!, controller: true, blockOwnerDeletion: true };
      const adopted = setOwnerRefs(pod, [...ownerRefs(pod).filter((r) => r.uid !== uid), mine]);
      if (adopted) claimed.push(adopted);
    }
    return claimed;
  }

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
        const r = systemCall(ctx, component, {
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

      const active = [...ctx.store.list('pods', { namespace })].filter(isPodActive);
      const claimed = claimPods(owner, reqs, active);

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
