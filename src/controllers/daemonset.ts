// kube-controller-manager's DaemonSet controller (pkg/controller/daemon), for apps/v1 DaemonSets:
// level-triggered per "ns/name". One daemon pod per eligible node (nodeSelector, required node
// affinity, NoSchedule/NoExecute taints against the template's tolerations plus the ones upstream
// adds to every daemon pod). Pods are pinned with a required node affinity on metadata.name so the
// scheduler places them; pods on nodes that no longer qualify and duplicates are deleted. Template
// changes roll out with RollingUpdate (maxUnavailable nodes at a time, or maxSurge nodes with a
// second, updated pod that replaces the old one once available) or OnDelete.
// Status is written (status subresource) when it changed. Each template is a ControllerRevision
// (history.ts, constructHistory): pods carry its hash in `controller-revision-hash`.
import type { Node, NodeSelectorTerm, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';
import type { Controller } from '../durable/control-loop';
import type { StoredEvent } from '../durable/store';
import { clone, selectorOf } from '../registry/common';
import type { KObject, OwnerReference } from '../registry/types';
import { doNotScheduleTaints, findUntoleratedTaint, requiredNodeAffinity } from '../scheduler/helpers';
import { sandboxConfig } from './config';
import { splitKey, systemCall, type ClusterContext } from './context';
import { availableAt, controllerRef, isPodActive, isPodReady, labelsOf, phaseOf, sortedJson } from './podutil';
import { claimPods } from './controller-ref-manager';
import { eventRecorder } from './events';
import { podTemplateHash } from './deployment';
import { bumpRevision, createRevision, equalData, nextRevision, REVISION_HASH_LABEL, revisionNumber, revisionsOf, templatePatch, truncateHistory } from './history';

const RESOURCE = 'daemonsets.apps';
const COMPONENT = 'daemonset-controller';
const API = { group: 'apps', version: 'v1', resource: 'daemonsets' };
const HASH_LABEL = REVISION_HASH_LABEL;
const GENERATION_LABEL = 'pod-template-generation';
const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
/** Upstream's BurstReplicas. */
const BURST_REPLICAS = 250;
const ERROR_RETRY_MS = 5_000;

type OwnerRef = OwnerReference;

interface DSSpec {
  selector?: unknown;
  minReadySeconds?: number;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Pod['spec'] };
  updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
}

const isOurs = (r: OwnerRef | undefined): r is OwnerRef => !!r && r.kind === 'DaemonSet' && r.apiVersion.split('/')[0] === 'apps';
const specOf = (ds: KObject): DSSpec => (ds.spec ?? {}) as DSSpec;
const created = (p: KObject): number => Date.parse(p.metadata.creationTimestamp ?? '') || 0;




/** intstr.GetScaledValueFromIntOrPercent (rounding up, as upstream's daemon util does for maxUnavailable). */
function scaled(v: number | string | undefined, total: number, fallback: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (m) return Math.ceil((Number(m[1]) * total) / 100);
    const n = Number(v);
    if (Number.isInteger(n)) return n;
  }
  return fallback;
}

/** util.AddOrUpdateDaemonPodTolerations: the tolerations every daemon pod gets. */
export function daemonPodTolerations(spec: Pod['spec']): Toleration[] {
  const out = [...(spec?.tolerations ?? [])];
  const add = (key: string, effect: 'NoSchedule' | 'NoExecute') => {
    const t: Toleration = { key, operator: 'Exists', effect };
    const i = out.findIndex((x) => x.key === key && (x.operator ?? 'Equal') === 'Exists' && (x.value ?? '') === '' && x.effect === effect);
    if (i >= 0) out[i] = t;
    else out.push(t);
  };
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec?.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
  return out;
}

/** NodeShouldRunDaemonPod: [shouldRun, shouldContinueRunning]. */
export function nodeShouldRunDaemonPod(node: Node, spec: Pod['spec']): [boolean, boolean] {
  const pod: Pod = { spec: { ...(spec ?? { containers: [] }), tolerations: daemonPodTolerations(spec) } };
  if (!requiredNodeAffinity(pod).match(node)) return [false, false];
  const taints = (node.spec?.taints ?? []) as Taint[];
  const untolerated = findUntoleratedTaint(taints, pod.spec!.tolerations, doNotScheduleTaints);
  if (!untolerated) return [true, true];
  // Only NoExecute taints evict a running daemon pod.
  const evicting = findUntoleratedTaint(taints, pod.spec!.tolerations, (t) => t.effect === 'NoExecute');
  return [false, !evicting];
}

/** util.ReplaceDaemonSetPodNodeNameNodeAffinity: pin the pod to `nodeName` via matchFields. */
function pinToNode(spec: Record<string, unknown>, nodeName: string): void {
  const field = [{ key: 'metadata.name', operator: 'In', values: [nodeName] }];
  const affinity = (spec.affinity ??= {}) as Record<string, unknown>;
  const na = (affinity.nodeAffinity ??= {}) as Record<string, unknown>;
  const req = na.requiredDuringSchedulingIgnoredDuringExecution as { nodeSelectorTerms?: NodeSelectorTerm[] } | undefined;
  const terms = req?.nodeSelectorTerms ?? [];
  if (!terms.length) {
    na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchFields: field }] };
    return;
  }
  na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: terms.map((t) => ({ ...t, matchFields: field })) };
}

/** util.GetTargetNodeName: spec.nodeName, else the node of the matchFields pin. */
function targetNode(p: KObject): string | undefined {
  const spec = (p.spec ?? {}) as Pod['spec'];
  if (spec?.nodeName) return spec.nodeName;
  for (const t of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

const nodeChanged = (e: StoredEvent): boolean => {
  if (e.type !== 'MODIFIED' || !e.prev) return true;
  return (
    sortedJson(e.object.metadata.labels ?? {}) !== sortedJson(e.prev.metadata.labels ?? {}) ||
    sortedJson((e.object.spec as Node['spec'])?.taints ?? []) !== sortedJson((e.prev.spec as Node['spec'])?.taints ?? [])
  );
};

export function daemonSetController(ctx: ClusterContext): Controller {
  const failures = new Map<string, number>();

  const recorder = eventRecorder(ctx, COMPONENT);
  const event = (owner: KObject, type: 'Normal' | 'Warning', reason: string, message: string) =>
    recorder.event(owner, 'DaemonSet', 'apps/v1', type, reason, message);

  /** Claimed pods by target node (pods being deleted are not counted, as upstream). */
  function podsByNode(pods: KObject[]): Map<string, KObject[]> {
    const m = new Map<string, KObject[]>();
    for (const p of pods) {
      if (p.metadata.deletionTimestamp) continue;
      const n = targetNode(p);
      if (!n) continue;
      const list = m.get(n) ?? [];
      list.push(p);
      m.set(n, list);
    }
    for (const list of m.values()) list.sort((a, b) => created(a) - created(b));
    return m;
  }

  function newPod(ds: KObject, nodeName: string, hash: string, generation: string): Record<string, unknown> {
    const template = clone(specOf(ds).template ?? {}) as { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
    const tm = template.metadata ?? {};
    const spec = (template.spec ?? {}) as Record<string, unknown>;
    spec.tolerations = daemonPodTolerations(spec as unknown as Pod['spec']);
    pinToNode(spec, nodeName);
    const metadata: Record<string, unknown> = {
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels: { ...((tm.labels ?? {}) as Record<string, string>), [HASH_LABEL]: hash, [GENERATION_LABEL]: generation },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }],
    };
    if (tm.annotations) metadata.annotations = tm.annotations;
    if (tm.finalizers) metadata.finalizers = tm.finalizers;
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
  }

  return {
    name: 'daemonset',
    keysFor(e: StoredEvent) {
      if (e.resource === RESOURCE) return [`${e.namespace}/${e.name}`];
      if (e.resource === 'pods') {
        const keys = new Set<string>();
        const cur = controllerRef(e.object);
        const prev = controllerRef(e.prev);
        if (isOurs(cur)) keys.add(`${e.namespace}/${cur.name}`);
        if (isOurs(prev)) keys.add(`${e.namespace}/${prev.name}`);
        return [...keys];
      }
      if (e.resource === 'nodes' && nodeChanged(e)) {
        return [...ctx.store.list(RESOURCE)].map((d) => `${d.metadata.namespace}/${d.metadata.name}`);
      }
      return [];
    },
    reconcile(key, now) {
      const { namespace, name } = splitKey(key);
      const ds = ctx.store.get(RESOURCE, namespace, name);
      if (!ds) {
        failures.delete(key);
        return;
      }
      const spec = specOf(ds);
      const reqs = selectorOf(spec.selector);
      if (!reqs || !reqs.length) return; // invalid or empty selector: upstream gives up
      if (ds.metadata.deletionTimestamp) return;

      // constructHistory: the revision whose data is the template (renumbered when it was an older
      // one: a rollback), else a new one; its hash labels the pods.
      const collisionCount0 = (ds.status as { collisionCount?: number } | undefined)?.collisionCount;
      const histories = revisionsOf(ctx, ds, { kind: 'DaemonSet', component: COMPONENT });
      const data = templatePatch(ds);
      const curHistories = histories.filter((h) => equalData(h, data));
      const oldHistories = histories.filter((h) => !curHistories.includes(h));
      const currRevision = nextRevision(oldHistories);
      let collisionCount = collisionCount0;
      let cur: KObject | undefined;
      if (!curHistories.length) {
        const made = createRevision(ctx, ds, { kind: 'DaemonSet', component: COMPONENT }, data, currRevision, collisionCount0 ?? 0, (c) =>
          podTemplateHash(spec.template ?? {}, c === 0 && collisionCount0 === undefined ? undefined : c),
        );
        if ('error' in made) {
          event(ds, 'Warning', 'FailedCreate', `Error creating ControllerRevision: ${made.error}`);
          return now + ERROR_RETRY_MS;
        }
        cur = made.revision;
        if (made.collisionCount !== (collisionCount0 ?? 0)) collisionCount = made.collisionCount;
      } else {
        // dedupCurHistories: keep the newest equal revision.
        const keep = curHistories[curHistories.length - 1];
        for (const h of curHistories.slice(0, -1)) systemCall(ctx, COMPONENT, { group: 'apps', resource: 'controllerrevisions', verb: 'delete', namespace, name: h.metadata.name });
        cur = revisionNumber(keep) < currRevision ? bumpRevision(ctx, COMPONENT, keep, currRevision) : keep;
        if (!cur) return now + ERROR_RETRY_MS;
      }
      const hash = labelsOf(cur)[HASH_LABEL] ?? podTemplateHash(spec.template ?? {}, collisionCount);
      const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? String(ds.metadata.generation ?? 1);
      const { timeScale } = sandboxConfig(ctx.store);
      const minReadyMs = ((spec.minReadySeconds ?? 0) * 1000) / timeScale;
      const isUpdated = (p: KObject) => labelsOf(p)[HASH_LABEL] === hash || (!labelsOf(p)[HASH_LABEL] && labelsOf(p)[GENERATION_LABEL] === generation);
      const isAvailable = (p: KObject) => {
        const at = availableAt(p, minReadyMs);
        return at !== undefined && at <= now;
      };

      const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
      const surgeRaw = strategy === 'RollingUpdate' ? spec.updateStrategy?.rollingUpdate?.maxSurge : undefined;
      const nodes = [...ctx.store.list('nodes')] as unknown as Node[];
      const byNode = podsByNode(claimPods(ctx, COMPONENT, ds, { apiVersion: 'apps/v1', kind: 'DaemonSet' }, reqs, ctx.store.list('pods', { namespace: ds.metadata.namespace }), isPodActive));
      const eligibility = new Map<string, [boolean, boolean]>();
      for (const n of nodes) eligibility.set(n.metadata!.name!, nodeShouldRunDaemonPod(n, spec.template?.spec));

      // manage: which nodes need a pod, which pods must go.
      const toCreate: string[] = [];
      const toDelete = new Map<string, KObject>();
      for (const [nodeName, [shouldRun, shouldContinue]] of eligibility) {
        const pods = byNode.get(nodeName) ?? [];
        if (shouldRun && !pods.length) toCreate.push(nodeName);
        else if (shouldContinue) {
          const running: KObject[] = [];
          for (const p of pods) {
            if (phaseOf(p) === 'Failed') toDelete.set(p.metadata.uid!, p);
            else running.push(p);
          }
          if (shouldRun && !running.length && pods.length) toCreate.push(nodeName);
          if (!surgeRaw || surgeRaw === '0%') {
            // Duplicates: keep the oldest.
            for (const p of running.slice(1)) toDelete.set(p.metadata.uid!, p);
          } else {
            // Surge: the oldest updated and the oldest old pod may share a node; the old one goes
            // once it is not ready or the updated one is available.
            let newest: KObject | undefined, oldest: KObject | undefined;
            for (const p of running) {
              if (isUpdated(p) && !newest) newest = p;
              else if (!isUpdated(p) && !oldest) oldest = p;
              else toDelete.set(p.metadata.uid!, p);
            }
            if (newest && oldest && (!isPodReady(oldest) || isAvailable(newest))) toDelete.set(oldest.metadata.uid!, oldest);
          }
        } else for (const p of pods) toDelete.set(p.metadata.uid!, p);
      }
      // Pods bound to nodes that do not exist.
      for (const [nodeName, pods] of byNode) if (!eligibility.has(nodeName)) for (const p of pods) toDelete.set(p.metadata.uid!, p);

      // rollingUpdate: with maxSurge, an updated pod starts beside the old one on up to maxSurge
      // nodes at a time and the old one goes once it is available; otherwise old pods are replaced
      // on at most maxUnavailable nodes at a time.
      let next: number | undefined;
      let desiredNodes = 0;
      for (const [s] of eligibility.values()) if (s) desiredNodes++;
      const maxSurge = Math.max(scaled(surgeRaw, desiredNodes, 0), 0);
      if (strategy === 'RollingUpdate' && maxSurge > 0) {
        let numSurge = 0;
        const allowedNew: string[] = [];
        const candidateNew: string[] = [];
        for (const [nodeName, pods] of byNode) {
          const live = pods.filter((p) => phaseOf(p) !== 'Failed');
          const fresh = live.filter(isUpdated);
          const old = live.filter((p) => !isUpdated(p));
          if (fresh.length > 1 || old.length > 1) {
            numSurge++; // the manage step cleans this node up first
            continue;
          }
          if (!eligibility.get(nodeName)?.[0] || !old.length) continue;
          if (!fresh.length) {
            if (!isAvailable(old[0])) allowedNew.push(nodeName);
            else candidateNew.push(nodeName);
          } else if (!isAvailable(fresh[0])) numSurge++;
          else toDelete.set(old[0].metadata.uid!, old[0]);
        }
        const remaining = Math.min(Math.max(maxSurge - numSurge, 0), candidateNew.length);
        toCreate.push(...allowedNew, ...candidateNew.slice(0, remaining));
      } else if (strategy === 'RollingUpdate') {
        const maxUnavailable = Math.max(scaled(spec.updateStrategy?.rollingUpdate?.maxUnavailable, desiredNodes, 1), 0);
        let numUnavailable = 0;
        const allowed: KObject[] = [];
        const candidates: KObject[] = [];
        for (const [nodeName, pods] of byNode) {
          if (!eligibility.get(nodeName)?.[0]) continue;
          const live = pods.filter((p) => phaseOf(p) !== 'Failed');
          if (live.length > 1 || !live.length) {
            numUnavailable++;
            continue;
          }
          const p = live[0];
          if (isUpdated(p)) {
            if (!isAvailable(p)) numUnavailable++;
          } else if (!isAvailable(p)) allowed.push(p);
          else candidates.push(p);
        }
        // Nodes that should run a pod but have none count as unavailable too.
        numUnavailable += toCreate.filter((n) => !byNode.has(n)).length;
        const remaining = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
        for (const p of [...allowed, ...candidates.slice(0, remaining)]) toDelete.set(p.metadata.uid!, p);
      }

      let failed = false;
      for (const nodeName of toCreate.slice(0, BURST_REPLICAS)) {
        const r = systemCall(ctx, COMPONENT, { verb: 'create', resource: 'pods', namespace, body: newPod(ds, nodeName, hash, generation) });
        if (r.status < 300) event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${(r.body as KObject).metadata.name}`);
        else {
          const message = String((r.body as { message?: string } | undefined)?.message ?? `status ${r.status}`);
          event(ds, 'Warning', 'FailedCreate', `Error creating: ${message}`);
          if (!/is being terminated/.test(message)) failed = true;
        }
      }
      for (const p of [...toDelete.values()].slice(0, BURST_REPLICAS)) {
        const r = systemCall(ctx, COMPONENT, { verb: 'delete', resource: 'pods', namespace, name: p.metadata.name, body: { preconditions: { uid: p.metadata.uid } } });
        if (r.status < 300) event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        else if (r.status !== 404) {
          const message = String((r.body as { message?: string } | undefined)?.message ?? `status ${r.status}`);
          event(ds, 'Warning', 'FailedDelete', `Error deleting: ${message}`);
          failed = true;
        }
      }

      // updateDaemonSetStatus, from the pods as they are now.
      const after = podsByNode([...ctx.store.list('pods', { namespace })].filter((p) => controllerRef(p)?.uid === ds.metadata.uid));
      let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
      for (const [nodeName, [shouldRun]] of eligibility) {
        const pods = after.get(nodeName) ?? [];
        if (shouldRun) desired++;
        if (!pods.length) continue;
        if (!shouldRun) {
          misscheduled++;
          continue;
        }
        current++;
        const p = pods[0];
        if (isPodReady(p)) {
          ready++;
          const at = availableAt(p, minReadyMs);
          if (at !== undefined && at <= now) available++;
          else if (at !== undefined) next = Math.min(next ?? Infinity, at);
        }
        if (pods.some(isUpdated)) updated++;
      }
      const status = clone((ds.status ?? {}) as Record<string, unknown>);
      const newStatus: Record<string, unknown> = {
        ...status,
        desiredNumberScheduled: desired,
        currentNumberScheduled: current,
        numberMisscheduled: misscheduled,
        numberReady: ready,
      };
      const setCount = (f: string, n: number) => {
        if (n) newStatus[f] = n;
        else delete newStatus[f];
      };
      setCount('numberAvailable', available);
      setCount('numberUnavailable', desired - available);
      setCount('updatedNumberScheduled', updated);
      if (ds.metadata.generation !== undefined) newStatus.observedGeneration = ds.metadata.generation;
      if (collisionCount !== undefined) newStatus.collisionCount = collisionCount;
      if (sortedJson(newStatus) !== sortedJson(ds.status ?? {})) {
        systemCall(ctx, COMPONENT, { ...API, verb: 'update', subresource: 'status', namespace, name, body: { ...ds, status: newStatus } });
      }

      // cleanupHistory: old revisions no pod uses, beyond revisionHistoryLimit, oldest first.
      const liveHashes = new Set<string>();
      for (const pods of after.values()) for (const p of pods) if (labelsOf(p)[HASH_LABEL]) liveHashes.add(labelsOf(p)[HASH_LABEL]);
      const limit = Number((ds.spec as { revisionHistoryLimit?: number } | undefined)?.revisionHistoryLimit ?? 10);
      truncateHistory(ctx, COMPONENT, oldHistories, (h) => liveHashes.has(labelsOf(h)[HASH_LABEL] ?? ''), limit);

      if (failed) {
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        next = Math.min(next ?? Infinity, now + Math.min(ERROR_RETRY_MS * 2 ** (n - 1), 5 * 60_000));
      } else failures.delete(key);
      return next;
    },
  };
}
