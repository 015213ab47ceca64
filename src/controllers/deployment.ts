// kube-controller-manager's Deployment controller (pkg/controller/deployment): owns ReplicaSets named
// <deployment>-<pod-template-hash>, rolls them with the RollingUpdate (maxSurge / maxUnavailable) or
// Recreate strategy, scales proportionally, prunes old ReplicaSets past revisionHistoryLimit, and
// writes the Deployment's status with the Available and Progressing conditions (the progress
// deadline is a timer). Rollback is kubectl's business: it copies an old ReplicaSet's template back.
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import type { StoredEvent } from '../durable/store';
import { matchesLabels } from '../machinery/labels';
import { clone, selectorOf, type Obj } from '../registry/common';
import type { KObject, OwnerReference } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, trySystemCall, type ClusterContext } from './context';
import { eventRecorder } from './events';

const COMPONENT = 'deployment-controller';
const RS = 'replicasets.apps';
const DEPLOY = 'deployments.apps';
const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_INT32 = 2147483647;

// Condition reasons (deploymentutil).
const NEW_RS_REASON = 'NewReplicaSetCreated';
const FOUND_NEW_RS_REASON = 'FoundNewReplicaSet';
const NEW_RS_AVAILABLE_REASON = 'NewReplicaSetAvailable';
const RS_UPDATED_REASON = 'ReplicaSetUpdated';
const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';
const PAUSED_REASON = 'DeploymentPaused';
const RESUMED_REASON = 'DeploymentResumed';
const FAILED_RS_CREATE_REASON = 'ReplicaSetCreateError';
const MIN_AVAILABLE = 'MinimumReplicasAvailable';
const MIN_UNAVAILABLE = 'MinimumReplicasUnavailable';

interface Condition {
  type: string;
  status: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

interface DStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  collisionCount?: number;
}

type OwnerRef = OwnerReference;

// ---------------------------------------------------------------------------------------------
// Small accessors

const spec = (o: KObject): Obj => (o.spec ?? {}) as Obj;
const rsStatus = (o: KObject): Obj => (o.status ?? {}) as Obj;
const replicasOf = (o: KObject): number => (typeof spec(o).replicas === 'number' ? spec(o).replicas : 1);
const annotation = (o: KObject, k: string): string | undefined => (o.metadata.annotations as Record<string, string> | undefined)?.[k];
const controllerOf = (o: KObject): OwnerRef | undefined => ((o.metadata.ownerReferences ?? []) as OwnerRef[]).find((r) => r.controller);
const created = (o: KObject): number => Date.parse(o.metadata.creationTimestamp ?? '') || 0;
const revisionOf = (o: KObject): number => {
  const n = Number(annotation(o, REVISION) ?? '0');
  return Number.isFinite(n) ? n : 0;
};
const sum = (rss: KObject[], f: (rs: KObject) => number): number => rss.reduce((a, rs) => a + f(rs), 0);
const specReplicas = (rss: KObject[]) => sum(rss, replicasOf);
const actualReplicas = (rss: KObject[]) => sum(rss, (rs) => Number(rsStatus(rs).replicas ?? 0));
const readyReplicas = (rss: KObject[]) => sum(rss, (rs) => Number(rsStatus(rs).readyReplicas ?? 0));
const availableReplicas = (rss: KObject[]) => sum(rss, (rs) => Number(rsStatus(rs).availableReplicas ?? 0));
const active = (rss: KObject[]) => rss.filter((rs) => replicasOf(rs) > 0);
/** Oldest first, ties by name (controller.ReplicaSetsByCreationTimestamp). */
const byCreation = (a: KObject, b: KObject) => created(a) - created(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1);

// ---------------------------------------------------------------------------------------------
// Pod template hash (controller.ComputeHash + rand.SafeEncodeString)

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Key-sorted JSON; null fields count as absent (Go decodes `creationTimestamp: null` to the zero value). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined && o[k] !== null)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let text = canonical(template);
  if (collisionCount !== undefined) text += String(collisionCount);
  return [...String(fnv32a(text))].map((c) => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]).join('');
}

/** deploymentutil.EqualIgnoreHash: templates equal once the pod-template-hash label is dropped. */
function equalIgnoreHash(a: unknown, b: unknown): boolean {
  const strip = (t: unknown) => {
    const c = clone((t ?? {}) as Obj);
    const labels = c.metadata?.labels as Record<string, string> | undefined;
    if (labels) {
      delete labels[HASH_LABEL];
      if (!Object.keys(labels).length) delete c.metadata.labels;
    }
    return canonical(c);
  };
  return strip(a) === strip(b);
}

// ---------------------------------------------------------------------------------------------
// Strategy arithmetic (deploymentutil)

function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) {
    const p = Number(v.slice(0, -1));
    if (!Number.isFinite(p)) return 0;
    return roundUp ? Math.ceil((p * total) / 100) : Math.floor((p * total) / 100);
  }
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

const isRolling = (d: KObject) => (spec(d).strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
const desired = (d: KObject) => replicasOf(d);

function fenceposts(d: KObject): [number, number] {
  const ru = (spec(d).strategy?.rollingUpdate ?? {}) as Obj;
  const n = desired(d);
  const surge = scaledValue(ru.maxSurge ?? '25%', n, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', n, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

const maxSurge = (d: KObject) => (isRolling(d) ? fenceposts(d)[0] : 0);
function maxUnavailable(d: KObject): number {
  if (!isRolling(d) || desired(d) === 0) return 0;
  return Math.min(fenceposts(d)[1], desired(d));
}

const hasProgressDeadline = (d: KObject) => {
  const s = spec(d).progressDeadlineSeconds;
  return typeof s === 'number' && s !== MAX_INT32;
};

// ---------------------------------------------------------------------------------------------
// Conditions

function getCondition(s: DStatus, type: string): Condition | undefined {
  return s.conditions?.find((c) => c.type === type);
}

function newCondition(type: string, status: string, reason: string, message: string): Condition {
  const now = nowTimestamp();
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

function setCondition(s: DStatus, c: Condition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), c];
}

function removeCondition(s: DStatus, type: string): void {
  if (s.conditions) s.conditions = s.conditions.filter((c) => c.type !== type);
}

function deploymentComplete(d: KObject, s: DStatus): boolean {
  const n = desired(d);
  return (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

function deploymentProgressing(d: KObject, s: DStatus): boolean {
  const old = (d.status ?? {}) as DStatus;
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

// ---------------------------------------------------------------------------------------------

export function deploymentController(ctx: ClusterContext): Controller {

  const recorder = eventRecorder(ctx, COMPONENT);
  const event = (d: KObject, type: 'Normal' | 'Warning', reason: string, message: string) =>
    recorder.event(d, 'Deployment', 'apps/v1', type, reason, message);

  function ok(r: { status: number; body: unknown }, what: string): KObject {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body as KObject;
  }

  function updateRS(rs: KObject): KObject {
    return ok(systemCall(ctx, COMPONENT, { verb: 'update', group: 'apps', resource: 'replicasets', namespace: rs.metadata.namespace, name: rs.metadata.name, body: rs }), `update replicaset ${rs.metadata.name}`);
  }

  function updateStatus(d: KObject, status: DStatus): KObject {
    return ok(
      systemCall(ctx, COMPONENT, { verb: 'update', subresource: 'status', group: 'apps', resource: 'deployments', namespace: d.metadata.namespace, name: d.metadata.name, body: { ...d, status } }),
      `update deployment status ${d.metadata.name}`,
    );
  }

  /** deploymentutil.SetDeploymentRevision: the Deployment carries its newest revision (metadata: a plain update). */
  function setDeploymentRevision(d: KObject, revision: string): KObject {
    if (annotation(d, REVISION) === revision) return d;
    const next = clone(d);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: revision };
    const r = systemCall(ctx, COMPONENT, { verb: 'update', group: 'apps', resource: 'deployments', namespace: d.metadata.namespace, name: d.metadata.name, body: next });
    return r.status < 300 ? (r.body as KObject) : d;
  }

  /** ReplicaSets this Deployment controls, adopting orphans its selector matches. */
  function replicaSetsFor(d: KObject): KObject[] {
    const reqs = selectorOf(spec(d).selector);
    const out: KObject[] = [];
    for (const rs of ctx.store.list(RS, { namespace: d.metadata.namespace })) {
      const ref = controllerOf(rs);
      if (ref) {
        if (ref.uid === d.metadata.uid) out.push(rs);
        continue;
      }
      if (!reqs || d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp) continue;
      if (!matchesLabels(reqs, rs.metadata.labels as Record<string, string> | undefined)) continue;
      const adopted = clone(rs);
      adopted.metadata.ownerReferences = [
        ...((rs.metadata.ownerReferences ?? []) as OwnerRef[]),
        { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true },
      ];
      const r = systemCall(ctx, COMPONENT, { verb: 'update', group: 'apps', resource: 'replicasets', namespace: rs.metadata.namespace, name: rs.metadata.name, body: adopted });
      if (r.status < 300) out.push(r.body as KObject);
    }
    return out;
  }

  /** deploymentutil.FindNewReplicaSet: the oldest one whose template equals the Deployment's. */
  function findNewRS(d: KObject, rss: KObject[]): KObject | undefined {
    return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(spec(rs).template, spec(d).template));
  }

  /** SetNewReplicaSetAnnotations: Deployment annotations copied, revision raised; true when changed. */
  function setNewRSAnnotations(d: KObject, rs: KObject, newRevision: string, exists: boolean): boolean {
    const ann: Record<string, string> = { ...((rs.metadata.annotations ?? {}) as Record<string, string>) };
    const before = JSON.stringify(ann);
    for (const [k, v] of Object.entries((d.metadata.annotations ?? {}) as Record<string, string>)) {
      if (k === LAST_APPLIED || k === REVISION || k === REVISION_HISTORY || k === DESIRED || k === MAX_REPLICAS) continue;
      ann[k] = v;
    }
    const old = ann[REVISION];
    const oldNum = Number(old ?? '0');
    if (old === undefined || oldNum < Number(newRevision)) {
      ann[REVISION] = newRevision;
      if (old !== undefined && old !== '') ann[REVISION_HISTORY] = ann[REVISION_HISTORY] ? `${ann[REVISION_HISTORY]},${old}` : old;
    }
    if (!exists) {
      ann[DESIRED] = String(desired(d));
      ann[MAX_REPLICAS] = String(desired(d) + maxSurge(d));
    }
    rs.metadata.annotations = ann;
    return JSON.stringify(ann) !== before;
  }

  function newRSNewReplicas(d: KObject, all: KObject[], newRS: KObject): number {
    if (!isRolling(d)) return desired(d);
    const current = specReplicas(all);
    const maxTotal = desired(d) + maxSurge(d);
    if (current >= maxTotal) return replicasOf(newRS);
    const up = Math.min(maxTotal - current, desired(d) - replicasOf(newRS));
    return replicasOf(newRS) + up;
  }

  interface Sync {
    d: KObject;
    newRS?: KObject;
    oldRSs: KObject[];
  }

  /** getAllReplicaSetsAndSyncRevision (+ getNewReplicaSet): returns false when the caller should stop (collision). */
  function getAll(d: KObject, rss: KObject[], create: boolean): Sync | undefined {
    const existing = findNewRS(d, rss);
    const oldRSs = rss.filter((rs) => rs !== existing);
    const maxOld = Math.max(0, ...oldRSs.map(revisionOf));
    const newRevision = String(maxOld + 1);
    let status = clone((d.status ?? {}) as DStatus);

    if (existing) {
      const rs = clone(existing);
      const annotationsChanged = setNewRSAnnotations(d, rs, newRevision, true);
      const minReady = spec(d).minReadySeconds ?? 0;
      const minReadyChanged = (spec(rs).minReadySeconds ?? 0) !== minReady;
      let newRS = existing;
      if (annotationsChanged || minReadyChanged) {
        (rs.spec as Obj).minReadySeconds = minReady;
        newRS = updateRS(rs);
      }
      d = setDeploymentRevision(d, annotation(newRS, REVISION) ?? newRevision);
      if (hasProgressDeadline(d) && !getCondition(status, 'Progressing')) {
        setCondition(status, newCondition('Progressing', 'True', FOUND_NEW_RS_REASON, `Found new replica set "${newRS.metadata.name}"`));
        d = updateStatus(d, status);
      }
      return { d, newRS, oldRSs };
    }
    if (!create) return { d, oldRSs };

    const template = clone(spec(d).template ?? {}) as Obj;
    const hash = podTemplateHash(spec(d).template, status.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = clone((spec(d).selector ?? {}) as Obj);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const name = `${d.metadata.name}-${hash}`;
    const rs: KObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, minReadySeconds: spec(d).minReadySeconds ?? 0, selector, template },
    } as KObject;
    const count = newRSNewReplicas(d, [...oldRSs, rs], rs);
    (rs.spec as Obj).replicas = count;
    setNewRSAnnotations(d, rs, newRevision, false);
    const r = trySystemCall(ctx, COMPONENT, { verb: 'create', group: 'apps', resource: 'replicasets', namespace: d.metadata.namespace, body: rs });
    let createdRS: KObject;
    let alreadyExists = false;
    if (r.status === 409) {
      alreadyExists = true;
      const live = ctx.store.get(RS, d.metadata.namespace!, name);
      if (live && controllerOf(live)?.uid === d.metadata.uid && equalIgnoreHash(spec(d).template, spec(live).template)) {
        createdRS = live;
      } else {
        // A hash collision: count it so the next attempt names the ReplicaSet differently.
        status = { ...status, collisionCount: (status.collisionCount ?? 0) + 1 };
        updateStatus(d, status);
        return undefined;
      }
    } else if (r.status >= 300) {
      const msg = `Failed to create new replica set "${name}": ${(r.body as { message?: string })?.message ?? r.status}`;
      if (hasProgressDeadline(d)) {
        setCondition(status, newCondition('Progressing', 'False', FAILED_RS_CREATE_REASON, msg));
        updateStatus(d, status);
      }
      event(d, 'Warning', FAILED_RS_CREATE_REASON, msg);
      throw new Error(msg);
    } else createdRS = r.body as KObject;
    if (!alreadyExists && count > 0) event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${createdRS.metadata.name} from 0 to ${count}`);
    d = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition(status, newCondition('Progressing', 'True', NEW_RS_REASON, `Created new replica set "${createdRS.metadata.name}"`));
      d = updateStatus(d, status);
    }
    return { d, newRS: createdRS, oldRSs };
  }

  // --- scaling ---------------------------------------------------------------------------------

  /** scaleReplicaSet: size and the desired/max annotations; the event when the size changed. */
  function scaleRS(s: Sync, rs: KObject, newScale: number, op?: string): KObject {
    const d = s.d;
    const sizeChanges = replicasOf(rs) !== newScale;
    const want = { [DESIRED]: String(desired(d)), [MAX_REPLICAS]: String(desired(d) + maxSurge(d)) };
    const annChanges = annotation(rs, DESIRED) !== want[DESIRED] || annotation(rs, MAX_REPLICAS) !== want[MAX_REPLICAS];
    if (!sizeChanges && !annChanges) return rs;
    const oldScale = replicasOf(rs);
    const next = clone(rs);
    (next.spec as Obj).replicas = newScale;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...want };
    const updated = updateRS(next);
    if (sizeChanges) {
      const operation = op ?? (oldScale < newScale ? 'up' : 'down');
      event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
    }
    replaceRS(s, updated);
    return updated;
  }

  function scaleRSAndRecord(s: Sync, rs: KObject, newScale: number): boolean {
    if (replicasOf(rs) === newScale) return false;
    scaleRS(s, rs, newScale);
    return true;
  }

  function replaceRS(s: Sync, rs: KObject): void {
    if (s.newRS && s.newRS.metadata.uid === rs.metadata.uid) s.newRS = rs;
    s.oldRSs = s.oldRSs.map((o) => (o.metadata.uid === rs.metadata.uid ? rs : o));
  }

  const allOf = (s: Sync) => (s.newRS ? [...s.oldRSs, s.newRS] : [...s.oldRSs]);

  function isSaturated(d: KObject, rs: KObject | undefined): boolean {
    if (!rs) return false;
    return annotation(rs, DESIRED) === String(desired(d)) && replicasOf(rs) === desired(d) && Number(rsStatus(rs).availableReplicas ?? 0) === desired(d);
  }

  /** isScalingEvent: an active ReplicaSet was sized for another replica count. */
  function isScalingEvent(d: KObject, rss: KObject[]): boolean {
    return active(rss).some((rs) => {
      const v = annotation(rs, DESIRED);
      return v !== undefined && v !== String(desired(d));
    });
  }

  /** dc.scale: proportional scaling across active ReplicaSets. */
  function scale(s: Sync): void {
    const d = s.d;
    // FindActiveOrLatest
    if (s.newRS || s.oldRSs.length) {
      const olds = [...s.oldRSs].sort(byCreation).reverse();
      const all = active(s.newRS ? [...olds, s.newRS] : olds);
      const target = all.length === 0 ? (s.newRS ?? olds[0]) : all.length === 1 ? all[0] : undefined;
      if (target) {
        if (replicasOf(target) !== desired(d)) scaleRS(s, target, desired(d));
        return;
      }
    }
    if (isSaturated(d, s.newRS)) {
      for (const old of active(s.oldRSs)) scaleRSAndRecord(s, old, 0);
      return;
    }
    if (!isRolling(d)) return;
    const all = active(allOf(s));
    const allReplicas = specReplicas(all);
    const allowed = desired(d) > 0 ? desired(d) + maxSurge(d) : 0;
    const toAdd = allowed - allReplicas;
    if (toAdd === 0 || !all.length) return;
    // Larger first; ties: newer first to grow, older first to shrink.
    all.sort((a, b) => replicasOf(b) - replicasOf(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
    const sizes = new Map<string, number>();
    let added = 0;
    for (const rs of all) {
      let proportion = 0;
      if (toAdd !== 0) {
        const fraction = replicaSetFraction(rs, d);
        const left = toAdd - added;
        proportion = toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
      }
      sizes.set(rs.metadata.name!, replicasOf(rs) + proportion);
      added += proportion;
    }
    const first = all[0].metadata.name!;
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
    const op = toAdd > 0 ? 'up' : 'down';
    for (const rs of all) scaleRS(s, rs, sizes.get(rs.metadata.name!)!, op);
  }

  function replicaSetFraction(rs: KObject, d: KObject): number {
    if (desired(d) === 0) return -replicasOf(rs);
    const deploymentReplicas = desired(d) + maxSurge(d);
    const ann = Number(annotation(rs, MAX_REPLICAS));
    const annotated = Number.isInteger(ann) && annotation(rs, MAX_REPLICAS) !== undefined ? ann : Number((d.status as DStatus | undefined)?.replicas ?? 0);
    if (!annotated) return 0;
    return Math.round((replicasOf(rs) * deploymentReplicas) / annotated) - replicasOf(rs);
  }

  // --- status ------------------------------------------------------------------------------------

  function calculateStatus(s: Sync): DStatus {
    const d = s.d;
    const all = allOf(s);
    const available = availableReplicas(all);
    const prev = (d.status ?? {}) as DStatus;
    const status: DStatus = {
      observedGeneration: d.metadata.generation,
      replicas: actualReplicas(all),
      updatedReplicas: s.newRS ? actualReplicas([s.newRS]) : 0,
      readyReplicas: readyReplicas(all),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, specReplicas(all) - available),
      conditions: clone(prev.conditions ?? []),
    };
    if (prev.collisionCount !== undefined) status.collisionCount = prev.collisionCount;
    if (available >= desired(d) - maxUnavailable(d)) setCondition(status, newCondition('Available', 'True', MIN_AVAILABLE, 'Deployment has minimum availability.'));
    else setCondition(status, newCondition('Available', 'False', MIN_UNAVAILABLE, 'Deployment does not have minimum availability.'));
    return status;
  }

  const sameStatus = (a: unknown, b: DStatus) => canonical(a ?? {}) === canonical(compact(b));
  function compact(s: DStatus): DStatus {
    const out: DStatus = { ...s };
    for (const k of Object.keys(out) as (keyof DStatus)[]) {
      if (out[k] === undefined || out[k] === 0 && k !== 'observedGeneration') delete out[k];
    }
    if (out.conditions && !out.conditions.length) delete out.conditions;
    return out;
  }

  function writeStatus(s: Sync, status: DStatus): boolean {
    if (sameStatus(s.d.status, status)) return false;
    s.d = updateStatus(s.d, compact(status));
    return true;
  }

  /** syncDeploymentStatus (scaling and paused paths). */
  function syncStatus(s: Sync): void {
    writeStatus(s, calculateStatus(s));
  }

  /** syncRolloutStatus: Progressing condition; the progress deadline as a timer. */
  function syncRolloutStatus(s: Sync, now: number): number | undefined {
    const d = s.d;
    const status = calculateStatus(s);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const cur = getCondition((d.status ?? {}) as DStatus, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && cur?.reason === NEW_RS_AVAILABLE_REASON;
    const rsName = s.newRS?.metadata.name;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, status)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
        setCondition(status, newCondition('Progressing', 'True', NEW_RS_AVAILABLE_REASON, msg));
      } else if (deploymentProgressing(d, status)) {
        const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
        const c = newCondition('Progressing', 'True', RS_UPDATED_REASON, msg);
        if (cur) {
          if (cur.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
          removeCondition(status, 'Progressing');
        }
        setCondition(status, c);
      } else if (timedOut(d, now)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
        setCondition(status, newCondition('Progressing', 'False', TIMED_OUT_REASON, msg));
      }
    }
    if (writeStatus(s, status)) return undefined; // our own status event brings us back
    return stuckDeadline(s.d, now);
  }

  function deadlineMs(d: KObject): number {
    return (Number(spec(d).progressDeadlineSeconds) * 1000) / sandboxConfig(ctx.store).timeScale;
  }

  function timedOut(d: KObject, now: number): boolean {
    if (!hasProgressDeadline(d)) return false;
    const c = getCondition((d.status ?? {}) as DStatus, 'Progressing');
    if (!c || c.reason === NEW_RS_AVAILABLE_REASON) return false;
    if (c.reason === TIMED_OUT_REASON) return true;
    const from = Date.parse(c.lastUpdateTime ?? '');
    return Number.isFinite(from) && from + deadlineMs(d) < now;
  }

  /** requeueStuckDeployment: when the Progressing condition would time out. */
  function stuckDeadline(d: KObject, now: number): number | undefined {
    const c = getCondition((d.status ?? {}) as DStatus, 'Progressing');
    if (!hasProgressDeadline(d) || !c || c.reason === NEW_RS_AVAILABLE_REASON || c.reason === TIMED_OUT_REASON) return undefined;
    if (deploymentComplete(d, (d.status ?? {}) as DStatus)) return undefined;
    const from = Date.parse(c.lastUpdateTime ?? '');
    if (!Number.isFinite(from)) return undefined;
    return Math.max(now + 1, from + deadlineMs(d) + 1);
  }

  // --- history -------------------------------------------------------------------------------------

  function cleanup(s: Sync): void {
    const limit = spec(s.d).revisionHistoryLimit;
    if (typeof limit !== 'number') return;
    const cleanable = s.oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      const st = rsStatus(rs);
      if (Number(st.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > Number(st.observedGeneration ?? 0)) continue;
      const r = trySystemCall(ctx, COMPONENT, {
        verb: 'delete',
        group: 'apps',
        resource: 'replicasets',
        namespace: rs.metadata.namespace,
        name: rs.metadata.name,
        body: { preconditions: { uid: rs.metadata.uid } },
      });
      if (r.status < 300 || r.status === 404) s.oldRSs = s.oldRSs.filter((o) => o.metadata.uid !== rs.metadata.uid);
    }
  }

  // --- strategies ------------------------------------------------------------------------------

  function rolloutRolling(s: Sync, now: number): number | undefined {
    const d = s.d;
    const newRS = s.newRS!;
    // reconcileNewReplicaSet
    let scaledUp = false;
    if (replicasOf(newRS) > desired(d)) scaledUp = scaleRSAndRecord(s, newRS, desired(d));
    else if (replicasOf(newRS) < desired(d)) scaledUp = scaleRSAndRecord(s, newRS, newRSNewReplicas(d, allOf(s), newRS));
    if (scaledUp) return syncRolloutStatus(s, now);
    if (reconcileOld(s)) return syncRolloutStatus(s, now);
    if (deploymentComplete(d, (d.status ?? {}) as DStatus)) cleanup(s);
    return syncRolloutStatus(s, now);
  }

  function reconcileOld(s: Sync): boolean {
    const d = s.d;
    const olds = active(s.oldRSs);
    if (specReplicas(olds) === 0) return false;
    const newRS = s.newRS!;
    const minAvailable = desired(d) - maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - Number(rsStatus(newRS).availableReplicas ?? 0);
    const maxScaledDown = specReplicas(allOf(s)) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // cleanupUnhealthyReplicas: unavailable old pods go first.
    let cleaned = 0;
    for (const rs of [...olds].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      const cur = s.oldRSs.find((o) => o.metadata.uid === rs.metadata.uid)!;
      const avail = Number(rsStatus(cur).availableReplicas ?? 0);
      if (replicasOf(cur) === 0 || replicasOf(cur) === avail) continue;
      const n = Math.min(maxScaledDown - cleaned, replicasOf(cur) - avail);
      scaleRS(s, cur, replicasOf(cur) - n);
      cleaned += n;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: keep minAvailable available pods.
    const availableCount = availableReplicas(allOf(s));
    let scaledDown = 0;
    if (availableCount > minAvailable) {
      const total = availableCount - minAvailable;
      for (const rs of [...s.oldRSs].sort(byCreation)) {
        if (scaledDown >= total) break;
        if (replicasOf(rs) === 0) continue;
        const n = Math.min(replicasOf(rs), total - scaledDown);
        scaleRS(s, rs, replicasOf(rs) - n);
        scaledDown += n;
      }
    }
    return cleaned + scaledDown > 0;
  }

  function oldPodsRunning(s: Sync): boolean {
    if (actualReplicas(s.oldRSs) > 0) return true;
    const uids = new Set(s.oldRSs.map((rs) => rs.metadata.uid));
    if (!uids.size) return false;
    for (const p of ctx.store.list('pods', { namespace: s.d.metadata.namespace })) {
      const ref = controllerOf(p);
      if (!ref || !uids.has(ref.uid)) continue;
      const phase = (p.status as { phase?: string } | undefined)?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
    return false;
  }

  function rolloutRecreate(s: Sync, rss: KObject[], now: number): number | undefined {
    let scaledDown = false;
    for (const rs of active(s.oldRSs)) if (scaleRSAndRecord(s, rs, 0)) scaledDown = true;
    if (scaledDown) return syncRolloutStatus(s, now);
    if (oldPodsRunning(s)) return syncRolloutStatus(s, now);
    if (!s.newRS) {
      const got = getAll(s.d, rss, true);
      if (!got) return undefined;
      Object.assign(s, got);
    }
    scaleRSAndRecord(s, s.newRS!, desired(s.d));
    if (deploymentComplete(s.d, (s.d.status ?? {}) as DStatus)) cleanup(s);
    return syncRolloutStatus(s, now);
  }

  function checkPausedConditions(d: KObject): KObject {
    if (!hasProgressDeadline(d)) return d;
    const status = clone((d.status ?? {}) as DStatus);
    const cond = getCondition(status, 'Progressing');
    if (cond?.reason === TIMED_OUT_REASON) return d;
    const pausedExists = cond?.reason === PAUSED_REASON;
    if (spec(d).paused && !pausedExists) setCondition(status, newCondition('Progressing', 'Unknown', PAUSED_REASON, 'Deployment is paused'));
    else if (!spec(d).paused && pausedExists) setCondition(status, newCondition('Progressing', 'Unknown', RESUMED_REASON, 'Deployment is resumed'));
    else return d;
    return updateStatus(d, status);
  }

  function reconcile(key: string, now: number): number | undefined {
    const { namespace, name } = splitKey(key);
    let d = ctx.store.get(DEPLOY, namespace, name);
    if (!d) return undefined;
    const rss = replicaSetsFor(d);
    if (d.metadata.deletionTimestamp) {
      const got = getAll(d, rss, false);
      if (got) syncStatus(got);
      return undefined;
    }
    d = checkPausedConditions(d);
    if (spec(d).paused || isScalingEvent(d, rss)) {
      const s = getAll(d, rss, false);
      if (!s) return undefined;
      scale(s);
      if (spec(s.d).paused) cleanup(s);
      syncStatus(s);
      return undefined;
    }
    if (!isRolling(d)) {
      const s = getAll(d, rss, false);
      if (!s) return undefined;
      return rolloutRecreate(s, rss, now);
    }
    const s = getAll(d, rss, true);
    if (!s) return undefined;
    return rolloutRolling(s, now);
  }

  return {
    name: 'deployment',
    keysFor(e: StoredEvent) {
      if (e.resource === DEPLOY) return [`${e.namespace}/${e.name}`];
      if (e.resource === RS) {
        const keys = new Set<string>();
        for (const o of [e.object, e.prev]) {
          const ref = o && controllerOf(o);
          if (ref?.kind === 'Deployment') keys.add(`${e.namespace}/${ref.name}`);
        }
        if (!keys.size && e.type === 'ADDED') {
          // An orphan: any Deployment whose selector matches may adopt it.
          for (const d of ctx.store.list(DEPLOY, { namespace: e.namespace })) {
            const reqs = selectorOf(spec(d).selector);
            if (reqs && matchesLabels(reqs, e.object.metadata.labels as Record<string, string> | undefined)) keys.add(`${e.namespace}/${d.metadata.name}`);
          }
        }
        return [...keys];
      }
      if (e.resource === 'pods' && e.type === 'DELETED') {
        // Recreate waits for old pods to be gone: a deleted pod of a Deployment's ReplicaSet wakes it.
        const ref = controllerOf(e.object);
        if (ref?.kind !== 'ReplicaSet') return [];
        const rs = ctx.store.get(RS, e.namespace, ref.name);
        const dref = rs && controllerOf(rs);
        return dref?.kind === 'Deployment' ? [`${e.namespace}/${dref.name}`] : [];
      }
      return [];
    },
    reconcile,
  };
}
