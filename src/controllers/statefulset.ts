// kube-controller-manager's StatefulSet controller (pkg/controller/statefulset), level-triggered per
// "ns/name": pods `<set>-<ordinal>` with stable hostnames, PVCs from volumeClaimTemplates created
// before their pod, OrderedReady (one at a time, lowest first up, highest first down) or Parallel
// pod management, RollingUpdate (highest ordinal first, down to the partition, waiting for each
// replacement to be Running and Ready) or OnDelete updates, and status. ControllerRevisions are not
// kept: revisions are `<set>-<hash of the template>`, and recreated pods always get the update
// revision.
import type { Controller } from '../durable/control-loop';
import type { StoredEvent } from '../durable/store';
import { clone } from '../registry/common';
import type { KObject } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, type ClusterContext } from './context';
import { podTemplateHash } from './deployment';
import { controllerRef, ownerRefs, phaseOf, readyCondition, sortedJson } from './podutil';
import { eventRecorder } from './events';

const RESOURCE = 'statefulsets.apps';
const COMPONENT = 'statefulset-controller';
const API = { group: 'apps', version: 'v1', resource: 'statefulsets' };
const REVISION_LABEL = 'controller-revision-hash';
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

export function statefulSetController(ctx: ClusterContext): Controller {
  const failures = new Map<string, number>();
  const recorder = eventRecorder(ctx, COMPONENT);
  const event = (set: KObject, type: 'Normal' | 'Warning', reason: string, message: string) => recorder.event(set, 'StatefulSet', 'apps/v1', type, reason, message);

  const specOf = (set: KObject): Obj => (set.spec ?? {}) as Obj;
  const claimName = (tmpl: Obj, set: KObject, ordinal: number) => `${tmpl.metadata?.name}-${set.metadata.name}-${ordinal}`;

  function errorText(r: { status: number; body: unknown }): string {
    return String((r.body as Obj | undefined)?.message ?? `status ${r.status}`);
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
      if (spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') {
        claim.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name, uid: set.metadata.uid, blockOwnerDeletion: true }];
      }
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

  function newPod(set: KObject, ordinal: number, revision: string): Obj {
    const spec = specOf(set);
    const template = clone(spec.template ?? {}) as Obj;
    const tm = template.metadata ?? {};
    const name = `${set.metadata.name}-${ordinal}`;
    const podSpec = (template.spec ?? {}) as Obj;
    podSpec.hostname = name;
    if (spec.serviceName) podSpec.subdomain = spec.serviceName;
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
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name, uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }],
    };
    if (tm.annotations) metadata.annotations = tm.annotations;
    if (tm.finalizers) metadata.finalizers = tm.finalizers;
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec };
  }

  function createPod(set: KObject, ordinal: number, revision: string): boolean {
    const podName = `${set.metadata.name}-${ordinal}`;
    if (!createClaims(set, ordinal, podName)) return false;
    const r = systemCall(ctx, COMPONENT, { verb: 'create', resource: 'pods', namespace: set.metadata.namespace, body: newPod(set, ordinal, revision) });
    if (r.status < 300) {
      event(set, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} successful`);
      return true;
    }
    if (r.status === 409) return true;
    event(set, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${errorText(r)}`);
    return false;
  }

  function deletePod(set: KObject, pod: KObject, scaledDown: boolean): boolean {
    const spec = specOf(set);
    if (scaledDown && spec.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') {
      // The condemned pod owns its claims, so the garbage collector removes them after it.
      const ordinal = ordinalOf(set.metadata.name!, pod);
      for (const tmpl of (spec.volumeClaimTemplates ?? []) as Obj[]) {
        const claim = ctx.store.get('persistentvolumeclaims', set.metadata.namespace!, claimName(tmpl, set, ordinal));
        if (!claim || ownerRefs(claim).some((r) => r.uid === pod.metadata.uid)) continue;
        const refs = [...ownerRefs(claim), { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid!, blockOwnerDeletion: true }];
        systemCall(ctx, COMPONENT, { verb: 'patch', patchType: 'merge', resource: 'persistentvolumeclaims', namespace: claim.metadata.namespace, name: claim.metadata.name, body: { metadata: { ownerReferences: refs } } });
      }
    }
    const r = systemCall(ctx, COMPONENT, { verb: 'delete', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name, body: { preconditions: { uid: pod.metadata.uid } } });
    if (r.status < 300) {
      event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
      return true;
    }
    if (r.status === 404) return true;
    event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(r)}`);
    return false;
  }

  /** updateStatefulSet's pod management; returns false when an API call failed. */
  function sync(set: KObject, pods: KObject[], updateRevision: string): boolean {
    const spec = specOf(set);
    const replicaCount = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const start = typeof spec.ordinals?.start === 'number' ? spec.ordinals.start : 0;
    const end = start + replicaCount;
    const monotonic = (spec.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
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

    // Scale up / replace failed pods, lowest ordinal first.
    for (let ord = start; ord < end; ord++) {
      const pod = replicas.get(ord);
      if (!pod) {
        if (!createPod(set, ord, updateRevision)) return false;
        if (monotonic) return true;
        continue;
      }
      if (isFailed(pod) && !isTerminating(pod)) {
        if (!deletePod(set, pod, false)) return false;
        if (monotonic) return true;
        continue;
      }
      if (!isTerminating(pod) && !createClaims(set, ord, pod.metadata.name!)) return false;
      if (monotonic && (isTerminating(pod) || !isRunningReady(pod))) return true;
    }

    // Scale down, highest ordinal first.
    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return true;
        continue;
      }
      if (monotonic && condemned.some((p) => p !== pod && !isHealthy(p))) return true;
      if (!deletePod(set, pod, true)) return false;
      if (monotonic) return true;
    }

    // RollingUpdate: replace out-of-date pods from the highest ordinal down to the partition.
    const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
    if (strategy !== 'RollingUpdate') return true;
    const partition = Number(spec.updateStrategy?.rollingUpdate?.partition ?? 0);
    for (let ord = end - 1; ord >= start + partition; ord--) {
      const pod = replicas.get(ord);
      if (!pod) return true;
      if (revisionOf(pod) !== updateRevision && !isTerminating(pod)) return deletePod(set, pod, false);
      if (!isHealthy(pod)) return true;
    }
    return true;
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
      const updateRevision = `${name}-${podTemplateHash(spec.template ?? {}, status0.collisionCount ?? 0)}`;
      const ok = sync(set, owned(), updateRevision);

      // Status from the pods as they are now.
      const replicaCount = typeof spec.replicas === 'number' ? spec.replicas : 1;
      const { timeScale } = sandboxConfig(ctx.store);
      const minReadyMs = ((spec.minReadySeconds ?? 0) * 1000) / timeScale;
      let currentRevision = status0.currentRevision || updateRevision;
      let replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
      let next: number | undefined;
      for (const p of owned()) {
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
        if (revisionOf(p) === updateRevision) updated++;
      }
      // completeRollingUpdate (and OnDelete once every pod is updated).
      if (updated === replicas && replicas === replicaCount && ready === replicas && currentRevision !== updateRevision) {
        currentRevision = updateRevision;
        current = updated;
      }
      const newStatus: Obj = {
        ...clone(status0),
        replicas,
        availableReplicas: available,
        currentRevision,
        updateRevision,
        collisionCount: status0.collisionCount ?? 0,
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

      if (!ok) {
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        next = Math.min(next ?? Infinity, now + Math.min(ERROR_RETRY_MS * 2 ** (n - 1), 5 * 60_000));
      } else failures.delete(key);
      return next;
    },
  };
}
