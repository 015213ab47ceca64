// kube-controller-manager's StatefulSet controller (pkg/controller/statefulset), level-triggered per
// "ns/name": pods `<set>-<ordinal>` with stable hostnames, PVCs from volumeClaimTemplates created
// before their pod, OrderedReady (one at a time, lowest first up, highest first down) or Parallel
// pod management, RollingUpdate (highest ordinal first, down to the partition, waiting for each
// replacement to be Running and Ready, or maxUnavailable at a time) or OnDelete updates,
// persistentVolumeClaimRetentionPolicy through owner references on the claims, and status.
// Revisions are ControllerRevisions (history.ts): pods carry the revision name in
// `controller-revision-hash`, and a pod recreated below the partition gets the current revision's
// template, not the update's.
import type { Controller } from '../durable/control-loop';
import type { StoredEvent } from '../durable/store';
import { clone, selectorOf } from '../registry/common';
import type { KObject } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, type ClusterContext } from './context';
import { bumpRevision, createRevision, equalData, hashRevision, nextRevision, REVISION_HASH_LABEL, revisionsOf, templateOf, templatePatch, truncateHistory } from './history';
import { matchesLabels } from '../machinery/labels';
import { controllerRef, isPodActive, labelsOf, ownerRefs, phaseOf, readyCondition, sortedJson } from './podutil';
import { patchOwnerRefs } from './controller-ref-manager';
import { eventRecorder } from './events';

const RESOURCE = 'statefulsets.apps';
const COMPONENT = 'statefulset-controller';
const API = { group: 'apps', version: 'v1', resource: 'statefulsets' };
const REVISION_LABEL = REVISION_HASH_LABEL;
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
const ERROR_RETRY_MS = 5_000;

type Obj = Record<string, any>;

interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

const isOurs = (r: OwnerRef | undefined): r is OwnerRef => !!r && r.kind === 'StatefulSet' && r.apiVersion.split('/')[0] === 'apps';
const isRunningReady = (p: KObject): boolean => phaseOf(p) === 'Running' && readyCondition(p)?.status === 'True';
const isTerminating = (p: KObject): boolean => !!p.metadata.deletionTimestamp;
const isFailed = (p: KObject): boolean => phaseOf(p) === 'Failed' || phaseOf(p) === 'Succeeded';
const isHealthy = (p: KObject): boolean => isRunningReady(p) && !isTerminating(p);
const revisionOf = (p: KObject): string => (p.metadata.labels ?? {})[REVISION_LABEL] ?? '';


/** getParentNameAndOrdinal: the ordinal of `<set>-<n>`, or -1. */
function ordinalOf(setName: string, pod: KObject): number {
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(`${setName}-`)) return -1;
  const rest = name.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

/** intstr.GetScaledValueFromIntOrPercent rounding up (maxUnavailable). */
function scaledUp(v: unknown, total: number, fallback: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (m) return Math.ceil((Number(m[1]) * total) / 100);
    if (/^\d+$/.test(v)) return Number(v);
  }
  return fallback;
}

const setRef = (set: KObject): OwnerRef => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name!, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true });
const podRef = (pod: KObject): OwnerRef => ({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid!, controller: true, blockOwnerDeletion: true });

/**
 * updateClaimOwnerRefForSetAndPod: the owner references a claim of `pod` should have under the
 * retention policy. whenDeleted=Delete makes the set own claims of pods in range; whenScaled=Delete
 * makes a scaled-down pod own its claims, so the garbage collector removes them after it.
 */
export function claimOwners(refs: OwnerRef[], set: KObject, pod: KObject | undefined, inRange: boolean): OwnerRef[] {
  const policy = (((set.spec ?? {}) as Obj).persistentVolumeClaimRetentionPolicy ?? {}) as { whenDeleted?: string; whenScaled?: string };
  const out = refs.filter((r) => r.uid !== set.metadata.uid && (!pod || r.uid !== pod.metadata.uid));
  const wantSet = policy.whenDeleted === 'Delete' && (inRange || policy.whenScaled !== 'Delete');
  const wantPod = !!pod && !inRange && policy.whenScaled === 'Delete';
  // A ref that is already there keeps its place and fields.
  const keep = (uid: string | undefined, make: () => OwnerRef) => refs.find((r) => r.uid === uid) ?? make();
  if (wantSet) out.push(keep(set.metadata.uid, () => setRef(set)));
  if (wantPod) out.push(keep(pod!.metadata.uid, () => podRef(pod!)));
  return out;
}

export function statefulSetController(ctx: ClusterContext): Controller {
  const failures = new Map<string, number>();
  const recorder = eventRecorder(ctx, COMPONENT);
  const event = (set: KObject, type: 'Normal' | 'Warning', reason: string, message: string) => recorder.event(set, 'StatefulSet', 'apps/v1', type, reason, message);
  const revisionOwner = { kind: 'StatefulSet', component: COMPONENT } as const;

  const specOf = (set: KObject): Obj => (set.spec ?? {}) as Obj;
  const claimName = (tmpl: Obj, set: KObject, ordinal: number) => `${tmpl.metadata?.name}-${set.metadata.name}-${ordinal}`;

  function errorText(r: { status: number; body: unknown }): string {
    return String((r.body as Obj | undefined)?.message ?? `status ${r.status}`);
  }

  /** The claims of `ordinal` get the owner references the retention policy asks for. */
  function updateClaimOwners(set: KObject, ordinal: number, pod: KObject | undefined, inRange: boolean): boolean {
    let ok = true;
    for (const tmpl of (specOf(set).volumeClaimTemplates ?? []) as Obj[]) {
      const claim = ctx.store.get('persistentvolumeclaims', set.metadata.namespace!, claimName(tmpl, set, ordinal));
      if (!claim || claim.metadata.deletionTimestamp) continue;
      const refs = claimOwners(ownerRefs(claim), set, pod, inRange);
      if (sortedJson(refs) === sortedJson(ownerRefs(claim))) continue;
      const r = systemCall(ctx, COMPONENT, {
        verb: 'patch',
        patchType: 'merge',
        resource: 'persistentvolumeclaims',
        namespace: claim.metadata.namespace,
        name: claim.metadata.name,
        body: { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: claim.metadata.resourceVersion } },
      });
      if (r.status >= 300 && r.status !== 404) ok = false;
    }
    return ok;
  }

  /** createPersistentVolumeClaims: the claims of `ordinal` that are missing. Returns false on failure. */
  function createClaims(set: KObject, ordinal: number, podName: string): boolean {
    const spec = specOf(set);
    const ns = set.metadata.namespace!;
    let ok = true;
    for (const tmpl of (spec.volumeClaimTemplates ?? []) as Obj[]) {
      const name = claimName(tmpl, set, ordinal);
      if (ctx.store.get('persistentvolumeclaims', ns, name)) continue;
      const claim = clone(tmpl) as Obj;
      delete claim.status;
      claim.metadata = { ...(claim.metadata ?? {}), name, namespace: ns };
      const labels = { ...(claim.metadata.labels ?? {}), ...(spec.selector?.matchLabels ?? {}) };
      if (Object.keys(labels).length) claim.metadata.labels = labels;
      const refs = claimOwners([], set, undefined, true);
      if (refs.length) claim.metadata.ownerReferences = refs;
      claim.apiVersion = 'v1';
      claim.kind = 'PersistentVolumeClaim';
      const r = systemCall(ctx, COMPONENT, { verb: 'create', resource: 'persistentvolumeclaims', namespace: ns, body: claim });
      if (r.status < 300) event(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${set.metadata.name} success`);
      else if (r.status !== 409) {
        event(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${errorText(r)}`);
        ok = false;
      }
    }
    return ok;
  }

  /** newStatefulSetPod from `template` (the current or the update revision's), labelled with `revision`. */
  function newPod(set: KObject, ordinal: number, revision: string, template0: Obj): Obj {
    const spec = specOf(set);
    const template = clone(template0) as Obj;
    const tm = template.metadata ?? {};
    const name = `${set.metadata.name}-${ordinal}`;
    const podSpec = (template.spec ?? {}) as Obj;
    // updateIdentity: the stable network identity under the governing (headless) service.
    podSpec.hostname = name;
    if (spec.serviceName) podSpec.subdomain = spec.serviceName;
    else delete podSpec.subdomain;
    // updateStorage: the claims' volumes, then the template's others.
    const templates = (spec.volumeClaimTemplates ?? []) as Obj[];
    if (templates.length) {
      const claimVolumes = templates.map((t) => ({ name: t.metadata?.name, persistentVolumeClaim: { claimName: claimName(t, set, ordinal) } }));
      const names = new Set(claimVolumes.map((v) => v.name));
      podSpec.volumes = [...claimVolumes, ...((podSpec.volumes ?? []) as Obj[]).filter((v) => !names.has(v.name))];
    }
    const metadata: Obj = {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(tm.labels ?? {}), [REVISION_LABEL]: revision, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
      ownerReferences: [setRef(set)],
    };
    if (tm.annotations) metadata.annotations = tm.annotations;
    if (tm.finalizers) metadata.finalizers = tm.finalizers;
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec };
  }

  function createPod(set: KObject, ordinal: number, revision: string, template: Obj): boolean {
    const podName = `${set.metadata.name}-${ordinal}`;
    if (!createClaims(set, ordinal, podName)) return false;
    const r = systemCall(ctx, COMPONENT, { verb: 'create', resource: 'pods', namespace: set.metadata.namespace, body: newPod(set, ordinal, revision, template) });
    if (r.status < 300) {
      event(set, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} successful`);
      return true;
    }
    if (r.status === 409) return true;
    event(set, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${errorText(r)}`);
    return false;
  }

  function deletePod(set: KObject, pod: KObject): boolean {
    const r = systemCall(ctx, COMPONENT, { verb: 'delete', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name, body: { preconditions: { uid: pod.metadata.uid } } });
    if (r.status < 300) {
      event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
      return true;
    }
    if (r.status === 404) return true;
    event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(r)}`);
    return false;
  }

  /**
   * ClaimPods: orphans matching the selector whose name is one of the set's ordinals are adopted;
   * owned pods that stopped matching the selector are released.
   */
  function claimPods(set: KObject): void {
    const reqs = selectorOf(specOf(set).selector);
    if (!reqs?.length) return;
    const name = set.metadata.name!;
    for (const pod of ctx.store.list('pods', { namespace: set.metadata.namespace })) {
      const ref = controllerRef(pod);
      const match = matchesLabels(reqs, labelsOf(pod));
      let refs: OwnerRef[] | undefined;
      if (ref?.uid === set.metadata.uid && !match && !pod.metadata.deletionTimestamp) refs = ownerRefs(pod).filter((r) => r.uid !== set.metadata.uid);
      else if (!ref && match && ordinalOf(name, pod) >= 0 && !pod.metadata.deletionTimestamp && isPodActive(pod)) refs = [...ownerRefs(pod), setRef(set)];
      if (refs) patchOwnerRefs(ctx, COMPONENT, pod, refs);
    }
  }

  interface Revisions {
    current: string;
    update: string;
    currentTemplate: Obj;
    updateTemplate: Obj;
  }

  /** updateStatefulSet's pod management; returns false when an API call failed. */
  function sync(set: KObject, pods: KObject[], rev: Revisions): boolean {
    const spec = specOf(set);
    const replicaCount = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const start = typeof spec.ordinals?.start === 'number' ? spec.ordinals.start : 0;
    const end = start + replicaCount;
    const monotonic = (spec.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
    const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
    const partition = strategy === 'RollingUpdate' ? Number(spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
    const setName = set.metadata.name!;

    const replicas = new Map<number, KObject>();
    const condemned: KObject[] = [];
    for (const p of pods) {
      const ord = ordinalOf(setName, p);
      if (ord >= start && ord < end) replicas.set(ord, p);
      else condemned.push(p);
    }
    condemned.sort((a, b) => ordinalOf(setName, b) - ordinalOf(setName, a));
    if (set.metadata.deletionTimestamp) return true;

    // newVersionedStatefulSetPod: below the partition a pod is (re)created at the current revision.
    const create = (ord: number) =>
      strategy === 'RollingUpdate' && ord < start + partition ? createPod(set, ord, rev.current, rev.currentTemplate) : createPod(set, ord, rev.update, rev.updateTemplate);

    // Scale up / replace failed pods, lowest ordinal first.
    for (let ord = start; ord < end; ord++) {
      const pod = replicas.get(ord);
      if (!pod) {
        if (!create(ord)) return false;
        if (monotonic) return true;
        continue;
      }
      if (isFailed(pod) && !isTerminating(pod)) {
        if (!deletePod(set, pod)) return false;
        if (monotonic) return true;
        continue;
      }
      if (!isTerminating(pod)) {
        if (!createClaims(set, ord, pod.metadata.name!)) return false;
        if (!updateClaimOwners(set, ord, pod, true)) return false;
      }
      if (monotonic && (isTerminating(pod) || !isRunningReady(pod))) return true;
    }

    // Scale down, highest ordinal first; a condemned pod's claims change owner first.
    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return true;
        continue;
      }
      if (monotonic && condemned.some((p) => p !== pod && !isHealthy(p))) return true;
      if (!updateClaimOwners(set, ordinalOf(setName, pod), pod, false)) return false;
      if (!deletePod(set, pod)) return false;
      if (monotonic) return true;
    }

    // RollingUpdate: replace out-of-date pods from the highest ordinal down to the partition.
    if (strategy !== 'RollingUpdate') return true;
    const updateMin = start + partition;
    const maxUnavailableRaw = spec.updateStrategy?.rollingUpdate?.maxUnavailable;
    if (maxUnavailableRaw === undefined) {
      for (let ord = end - 1; ord >= updateMin; ord--) {
        const pod = replicas.get(ord);
        if (!pod) return true;
        if (revisionOf(pod) !== rev.update && !isTerminating(pod)) return deletePod(set, pod);
        if (!isHealthy(pod)) return true;
      }
      return true;
    }
    // MaxUnavailableStatefulSet: up to maxUnavailable pods (counting the unhealthy ones) at a time.
    const maxUnavailable = Math.max(scaledUp(maxUnavailableRaw, replicaCount, 1), 1);
    let unavailable = 0;
    for (let ord = start; ord < end; ord++) {
      const pod = replicas.get(ord);
      if (!pod || !isHealthy(pod)) unavailable++;
    }
    let budget = maxUnavailable - unavailable;
    for (let ord = end - 1; ord >= updateMin && budget > 0; ord--) {
      const pod = replicas.get(ord);
      if (!pod || revisionOf(pod) === rev.update || isTerminating(pod)) continue;
      if (!deletePod(set, pod)) return false;
      budget--;
    }
    return true;
  }

  /**
   * getStatefulSetRevisions: the update revision is the newest revision when its data equals the
   * set's template, an equal older one renumbered (rollback), or a new one; the current revision is
   * the one status.currentRevision names.
   */
  function revisionsFor(set: KObject, revisions: KObject[]): { current: KObject; update: KObject; collisionCount: number } | { error: string } {
    const data = templatePatch(set);
    const collisionCount = Number((set.status as Obj | undefined)?.collisionCount ?? 0);
    const next = nextRevision(revisions);
    const equal = revisions.filter((r) => equalData(r, data));
    let update: KObject | undefined;
    let count = collisionCount;
    if (equal.length && equal[equal.length - 1] === revisions[revisions.length - 1]) update = equal[equal.length - 1];
    else if (equal.length) {
      update = bumpRevision(ctx, COMPONENT, equal[equal.length - 1], next);
      if (!update) return { error: 'updating ControllerRevision failed' };
    } else {
      const made = createRevision(ctx, set, revisionOwner, data, next, collisionCount, (c) => hashRevision(data, c));
      if ('error' in made) return made;
      update = made.revision;
      count = made.collisionCount;
    }
    const currentName = (set.status as Obj | undefined)?.currentRevision;
    const current = revisions.find((r) => r.metadata.name === currentName) ?? update;
    return { current, update, collisionCount: count };
  }

  return {
    name: 'statefulset',
    keysFor(e: StoredEvent) {
      if (e.resource === RESOURCE) return [`${e.namespace}/${e.name}`];
      if (e.resource !== 'pods') return [];
      const keys = new Set<string>();
      const cur = controllerRef(e.object);
      const prev = controllerRef(e.prev);
      if (isOurs(cur)) keys.add(`${e.namespace}/${cur.name}`);
      if (isOurs(prev)) keys.add(`${e.namespace}/${prev.name}`);
      return [...keys];
    },
    reconcile(key, now) {
      const { namespace, name } = splitKey(key);
      const set = ctx.store.get(RESOURCE, namespace, name);
      if (!set) {
        failures.delete(key);
        return;
      }
      const spec = specOf(set);
      const uid = set.metadata.uid;
      const owned = () => [...ctx.store.list('pods', { namespace })].filter((p) => controllerRef(p)?.uid === uid && ordinalOf(name, p) >= 0);
      const status0 = (set.status ?? {}) as Obj;
      // A set being deleted gets no new revisions (they would only be collected again).
      if (set.metadata.deletionTimestamp) return;
      const revisions = revisionsOf(ctx, set, revisionOwner);
      claimPods(set);
      const resolved = revisionsFor(set, revisions);
      let ok = !('error' in resolved);
      let next: number | undefined;
      if ('error' in resolved) {
        event(set, 'Warning', 'FailedCreate', `create ControllerRevision for StatefulSet ${name} failed error: ${resolved.error}`);
      } else {
        const rev: Revisions = {
          current: resolved.current.metadata.name!,
          update: resolved.update.metadata.name!,
          currentTemplate: templateOf(resolved.current),
          updateTemplate: (spec.template ?? {}) as Obj,
        };
        ok = sync(set, owned(), rev);

        // Status from the pods as they are now.
        const { timeScale } = sandboxConfig(ctx.store);
        const minReadyMs = ((spec.minReadySeconds ?? 0) * 1000) / timeScale;
        let currentRevision = rev.current;
        let replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
        const pods = owned();
        for (const p of pods) {
          if (isTerminating(p)) continue;
          replicas++;
          if (isRunningReady(p)) {
            ready++;
            const t = Date.parse(readyCondition(p)?.lastTransitionTime ?? '');
            if (minReadyMs <= 0) available++;
            else if (!Number.isNaN(t)) {
              if (t + minReadyMs <= now) available++;
              else next = Math.min(next ?? Infinity, t + minReadyMs + 1);
            }
          }
          if (revisionOf(p) === currentRevision) current++;
          if (revisionOf(p) === rev.update) updated++;
        }
        // completeRollingUpdate (RollingUpdate only, as upstream: OnDelete keeps its current revision).
        const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
        if (strategy === 'RollingUpdate' && updated === replicas && ready === replicas && currentRevision !== rev.update) {
          currentRevision = rev.update;
          current = updated;
        }
        const newStatus: Obj = {
          ...clone(status0),
          replicas,
          availableReplicas: available,
          currentRevision,
          updateRevision: rev.update,
          collisionCount: resolved.collisionCount,
        };
        // omitempty int32 fields
        for (const [f, n] of [['readyReplicas', ready], ['currentReplicas', current], ['updatedReplicas', updated]] as const) {
          if (n) newStatus[f] = n;
          else delete newStatus[f];
        }
        if (set.metadata.generation !== undefined) newStatus.observedGeneration = set.metadata.generation;
        if (sortedJson(newStatus) !== sortedJson(set.status ?? {})) {
          systemCall(ctx, COMPONENT, { ...API, verb: 'update', subresource: 'status', namespace, name, body: { ...set, status: newStatus } });
        }

        // truncateHistory: revisions the pods, the current and the update revision use are live.
        const live = new Set([currentRevision, rev.update, ...pods.map(revisionOf)]);
        const all = revisionsOf(ctx, set);
        truncateHistory(ctx, COMPONENT, all, (r) => live.has(r.metadata.name!), Number(spec.revisionHistoryLimit ?? 10));
      }

      if (!ok) {
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        next = Math.min(next ?? Infinity, now + Math.min(ERROR_RETRY_MS * 2 ** (n - 1), 5 * 60_000));
      } else failures.delete(key);
      return next;
    },
  };
}
