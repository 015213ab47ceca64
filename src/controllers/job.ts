// kube-controller-manager's Job controller (pkg/controller/job) for batch/v1 Jobs, level-triggered
// per "ns/name", plus the TTL-after-finished controller. Creates pods from the template (NonIndexed:
// min(parallelism, completions - succeeded) active; Indexed: one pod per missing index), counts
// finished pods, and sets the conditions 1.33 does: SuccessCriteriaMet then Complete, FailureTarget
// then Failed (BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy, FailedIndexes,
// MaxFailedIndexesExceeded), Suspended; podFailurePolicy, successPolicy and backoffLimitPerIndex.
// Pods carry the batch.kubernetes.io/job-tracking finalizer: a finished pod is recorded in
// status.uncountedTerminatedPods, loses the finalizer, then moves into succeeded/failed, so a pod
// deleted before it was counted is still counted exactly once.
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import type { StoredEvent } from '../durable/store';
import { clone } from '../registry/common';
import type { KObject, OwnerReference } from '../registry/types';
import { sandboxConfig } from './config';
import { removeFinalizer, splitKey, systemCall, type ClusterContext } from './context';
import { controllerRef, isPodActive, isPodReady, phaseOf, sortedJson } from './podutil';
import { eventRecorder } from './events';

const COMPONENT = 'job-controller';
const API_VERSION = 'batch/v1';
const API = { group: 'batch', version: 'v1', resource: 'jobs' } as const;
const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
const INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';
const INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
const INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Keys of pods that hold the tracking finalizer without a Job controller. */
const ORPHAN_KEY = 'orphan-pod:';
const ERROR_RETRY_MS = 5_000;

type OwnerRef = OwnerReference;

interface Condition {
  type: string;
  status: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  completionMode?: string;
  suspend?: boolean;
  podReplacementPolicy?: string;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  podFailurePolicy?: { rules?: unknown[] };
  successPolicy?: { rules?: unknown[] };
  ttlSecondsAfterFinished?: number;
  template?: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
}

const isJobRef = (r: OwnerRef | undefined): r is OwnerRef => !!r && r.kind === 'Job' && r.apiVersion.split('/')[0] === 'batch';
const hasTracking = (p: KObject | undefined): boolean => !!p && (p.metadata.finalizers ?? []).includes(TRACKING_FINALIZER);


/** The completion index of a pod (annotation, then label), or undefined. */
function indexOf(p: KObject): number | undefined {
  const v = (p.metadata.annotations as Record<string, string> | undefined)?.[INDEX_ANNOTATION] ?? (p.metadata.labels as Record<string, string> | undefined)?.[INDEX_LABEL];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** Parses "0-2,4" into a set of indexes (below `limit`). */
export function parseIndexes(s: string | undefined, limit: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = m[2] !== undefined ? Number(m[2]) : first;
    for (let i = first; i <= last && i < limit; i++) out.add(i);
  }
  return out;
}

/** Formats indexes as upstream's orderedIntervals.String(): "0-2,4". */
export function formatIndexes(set: Iterable<number>): string {
  const xs = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    // Two neighbours are written "1,2", longer runs "1-3" (orderedIntervals.String).
    parts.push(j > i + 1 ? `${xs[i]}-${xs[j]}` : j > i ? `${xs[i]},${xs[j]}` : `${xs[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export interface PodFailurePolicyRule {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count' | string;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn' | string; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

interface ContainerStatusLite {
  name: string;
  state?: { terminated?: { exitCode?: number } };
}

/**
 * matchPodFailurePolicy: the first rule a failed pod matches, with the message upstream puts on the
 * FailureTarget condition; undefined when none matches (the failure counts).
 */
export function matchPodFailurePolicy(rules: PodFailurePolicyRule[], pod: KObject): { action: string; message: string } | undefined {
  const st = (pod.status ?? {}) as { containerStatuses?: ContainerStatusLite[]; initContainerStatuses?: ContainerStatusLite[]; conditions?: { type: string; status: string }[] };
  const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [i, rule] of rules.entries()) {
    if (rule.onExitCodes) {
      const { containerName, operator, values } = rule.onExitCodes;
      for (const c of [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])]) {
        const code = c.state?.terminated?.exitCode;
        if (code === undefined || code === 0 || (containerName && c.name !== containerName)) continue;
        const inValues = values.includes(code);
        if ((operator === 'In' && inValues) || (operator === 'NotIn' && !inValues)) {
          return { action: rule.action, message: `Container ${c.name} for pod ${where} failed with exit code ${code} matching ${rule.action} rule at index ${i}` };
        }
      }
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const want = pattern.status ?? 'True';
      if ((st.conditions ?? []).some((c) => c.type === pattern.type && c.status === want)) {
        return { action: rule.action, message: `Pod ${where} has condition ${pattern.type} matching ${rule.action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}

export interface SuccessPolicyRule {
  succeededIndexes?: string;
  succeededCount?: number;
}

/** matchSuccessPolicy: the index of the first rule the succeeded indexes satisfy, or -1. */
export function matchSuccessPolicy(rules: SuccessPolicyRule[], completions: number, succeeded: Set<number>): number {
  for (const [i, rule] of rules.entries()) {
    const scope = rule.succeededIndexes !== undefined ? parseIndexes(rule.succeededIndexes, completions) : undefined;
    const hits = scope ? [...scope].filter((x) => succeeded.has(x)).length : succeeded.size;
    if (rule.succeededCount !== undefined ? hits >= rule.succeededCount : scope !== undefined && hits === scope.size) return i;
  }
  return -1;
}

export function jobController(ctx: ClusterContext): Controller {
  const recorder = eventRecorder(ctx, COMPONENT);
  const event = (job: KObject, type: 'Normal' | 'Warning', reason: string, message: string) => recorder.event(job, 'Job', API_VERSION, type, reason, message);
  const failures = new Map<string, number>();

  /** Index failure counts a replacement pod of `index` carries (getNewIndexFailureCounts). */
  function indexFailureCounts(pods: KObject[], index: number, rules: PodFailurePolicyRule[]): [number, number] {
    let last: KObject | undefined;
    for (const p of pods) {
      if (indexOf(p) !== index || phaseOf(p) !== 'Failed') continue;
      if (!last || Date.parse(p.metadata.creationTimestamp ?? '') >= Date.parse(last.metadata.creationTimestamp ?? '')) last = p;
    }
    if (!last) return [0, 0];
    const ann = (last.metadata.annotations ?? {}) as Record<string, string>;
    const count = Number(ann[INDEX_FAILURE_COUNT] ?? 0) || 0;
    const ignored = Number(ann[INDEX_IGNORED_FAILURE_COUNT] ?? 0) || 0;
    return matchPodFailurePolicy(rules, last)?.action === 'Ignore' ? [count, ignored + 1] : [count + 1, ignored];
  }

  function podFromTemplate(job: KObject, spec: JobSpec, index: number | undefined, counts?: [number, number]): Record<string, unknown> {
    const template = clone(spec.template ?? {});
    const tm = (template.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
    const podSpec = clone((template.spec ?? {}) as Record<string, unknown>);
    const name = job.metadata.name!;
    const metadata: Record<string, unknown> = {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata.namespace,
      ownerReferences: [{ apiVersion: API_VERSION, kind: 'Job', name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
      // Pods are counted from their finalizer, so one removed before being seen is still counted once.
      finalizers: [...(tm.finalizers ?? []).filter((f) => f !== TRACKING_FINALIZER), TRACKING_FINALIZER],
    };
    const labels = { ...(tm.labels ?? {}) };
    const annotations = { ...(tm.annotations ?? {}) };
    if (index !== undefined) {
      annotations[INDEX_ANNOTATION] = String(index);
      labels[INDEX_LABEL] = String(index);
      if (counts) {
        annotations[INDEX_FAILURE_COUNT] = String(counts[0]);
        if (counts[1]) annotations[INDEX_IGNORED_FAILURE_COUNT] = String(counts[1]);
      }
      podSpec.hostname = `${name}-${index}`;
      // addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the annotation, in every container.
      for (const field of ['initContainers', 'containers']) {
        for (const c of (podSpec[field] ?? []) as { env?: { name: string }[] }[]) {
          if ((c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
          c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${INDEX_ANNOTATION}']` } } } as { name: string }];
        }
      }
    }
    if (Object.keys(labels).length) metadata.labels = labels;
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec };
  }

  function createPod(job: KObject, spec: JobSpec, index: number | undefined, counts?: [number, number]): boolean {
    const r = systemCall(ctx, COMPONENT, { verb: 'create', resource: 'pods', namespace: job.metadata.namespace, body: podFromTemplate(job, spec, index, counts) });
    if (r.status < 300) {
      event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${(r.body as KObject).metadata.name}`);
      return true;
    }
    const message = String((r.body as { message?: string } | undefined)?.message ?? `status ${r.status}`);
    event(job, 'Warning', 'FailedCreate', `Error creating: ${message}`);
    return /is being terminated/.test(message);
  }

  function deletePod(job: KObject, pod: KObject): boolean {
    const r = systemCall(ctx, COMPONENT, {
      verb: 'delete',
      resource: 'pods',
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      body: { preconditions: { uid: pod.metadata.uid } },
    });
    if (r.status < 300) {
      event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      return true;
    }
    if (r.status === 404) return true;
    const message = String((r.body as { message?: string } | undefined)?.message ?? `status ${r.status}`);
    event(job, 'Warning', 'FailedDelete', `Error deleting: ${message}`);
    return false;
  }

  /** removeTrackingFinalizerPatch; false when the write failed (a later reconcile retries). */
  function releasePod(pod: KObject): boolean {
    return removeFinalizer(ctx, COMPONENT, 'pods', pod, TRACKING_FINALIZER);
  }

  /** Pods whose Job is gone (or that lost their controller) keep no tracking finalizer. */
  function releaseOrphans(namespace: string, pods: Iterable<KObject>): void {
    for (const p of pods) {
      if (!hasTracking(p)) continue;
      const ref = controllerRef(p);
      const job = isJobRef(ref) ? ctx.store.get('jobs.batch', namespace, ref.name) : undefined;
      if (!job || job.metadata.uid !== ref!.uid) releasePod(p);
    }
  }

  return {
    name: 'job',
    keysFor(e: StoredEvent) {
      if (e.resource === 'jobs.batch' || e.resource === 'jobs') return [`${e.namespace}/${e.name}`];
      if (e.resource !== 'pods') return [];
      const keys = new Set<string>();
      const cur = controllerRef(e.object);
      const prev = controllerRef(e.prev);
      if (isJobRef(cur)) keys.add(`${e.namespace}/${cur.name}`);
      if (isJobRef(prev)) keys.add(`${e.namespace}/${prev.name}`);
      if (!isJobRef(cur) && e.type !== 'DELETED' && hasTracking(e.object)) keys.add(`${ORPHAN_KEY}${e.namespace}/${e.name}`);
      return [...keys];
    },
    reconcile(key, now) {
      if (key.startsWith(ORPHAN_KEY)) {
        const { namespace, name } = splitKey(key.slice(ORPHAN_KEY.length));
        const pod = ctx.store.get('pods', namespace, name);
        if (pod) releaseOrphans(namespace, [pod]);
        return;
      }
      const { namespace, name } = splitKey(key);
      const job = ctx.store.get('jobs.batch', namespace, name);
      const owned = (uid: string | undefined) => [...ctx.store.list('pods', { namespace })].filter((p) => controllerRef(p)?.uid === uid);
      if (!job) {
        failures.delete(key);
        releaseOrphans(namespace, [...ctx.store.list('pods', { namespace })].filter((p) => isJobRef(controllerRef(p)) && controllerRef(p)!.name === name));
        return;
      }
      const { timeScale } = sandboxConfig(ctx.store);
      const spec = (job.spec ?? {}) as JobSpec;
      const status = clone((job.status ?? {}) as Record<string, unknown>);
      const conditions = ((status.conditions ?? []) as Condition[]).map((c) => ({ ...c }));
      const cond = (type: string) => conditions.find((c) => c.type === type && c.status === 'True');
      const ts = nowTimestamp(now);
      const uid = job.metadata.uid;
      const indexed = spec.completionMode === 'Indexed';
      const completions = typeof spec.completions === 'number' ? spec.completions : undefined;
      const parallelism = spec.parallelism ?? 1;
      const backoffLimit = spec.backoffLimit ?? 6;
      const perIndex = indexed && typeof spec.backoffLimitPerIndex === 'number' ? spec.backoffLimitPerIndex : undefined;
      const rules = (spec.podFailurePolicy?.rules ?? []) as PodFailurePolicyRule[];
      const onlyFailed = spec.podReplacementPolicy === 'Failed';
      /** isPodFailed: Failed, or (unless only Failed pods are replaced) deleted before succeeding. */
      const isPodFailed = (p: KObject) =>
        phaseOf(p) === 'Failed' || (!!p.metadata.deletionTimestamp && phaseOf(p) !== 'Succeeded' && (!onlyFailed || p.metadata.deletionGracePeriodSeconds === 0));
      let error = false;
      let next: number | undefined;

      // trackJobStatusAndRemoveFinalizers: finished pods are first recorded in
      // uncountedTerminatedPods, then lose their finalizer, then move into succeeded/failed.
      const uncounted0 = (status.uncountedTerminatedPods ?? {}) as { succeeded?: string[]; failed?: string[] };
      const uncountedSucceeded = new Set(uncounted0.succeeded ?? []);
      const uncountedFailed = new Set(uncounted0.failed ?? []);
      const completed = indexed ? parseIndexes(status.completedIndexes as string | undefined, completions ?? 0) : new Set<number>();
      const failedIndexes = perIndex !== undefined ? parseIndexes(status.failedIndexes as string | undefined, completions ?? 0) : new Set<number>();
      const pods0 = owned(uid);
      const release: KObject[] = [];
      let failJobMessage: string | undefined;
      let recorded = false;
      for (const p of pods0) {
        if (!hasTracking(p)) continue;
        const pid = p.metadata.uid!;
        if (uncountedSucceeded.has(pid) || uncountedFailed.has(pid)) {
          release.push(p);
          continue;
        }
        const i = indexOf(p);
        const validIndex = !indexed || (i !== undefined && i < (completions ?? 0));
        if (phaseOf(p) === 'Succeeded') {
          release.push(p);
          if (!validIndex || (indexed && (completed.has(i!) || failedIndexes.has(i!)))) continue;
          if (indexed) completed.add(i!);
          uncountedSucceeded.add(pid);
          recorded = true;
        } else if (isPodFailed(p)) {
          release.push(p);
          if (!validIndex) continue;
          const match = phaseOf(p) === 'Failed' ? matchPodFailurePolicy(rules, p) : undefined;
          if (match?.action === 'Ignore') continue;
          uncountedFailed.add(pid);
          recorded = true;
          if (match?.action === 'FailJob') failJobMessage ??= match.message;
          if (perIndex !== undefined && i !== undefined) {
            const count = Number(((p.metadata.annotations ?? {}) as Record<string, string>)[INDEX_FAILURE_COUNT] ?? 0) || 0;
            if (match?.action === 'FailIndex' || count + 1 > perIndex) failedIndexes.add(i);
          }
        } else if (job.metadata.deletionTimestamp) release.push(p);
      }
      const writeIndexes = () => {
        if (indexed) {
          const s = formatIndexes(completed);
          if (s) status.completedIndexes = s;
          else delete status.completedIndexes;
        }
        if (perIndex !== undefined) status.failedIndexes = formatIndexes(failedIndexes);
      };
      const writeUncounted = () => {
        const u: Record<string, string[]> = {};
        if (uncountedSucceeded.size) u.succeeded = [...uncountedSucceeded];
        if (uncountedFailed.size) u.failed = [...uncountedFailed];
        status.uncountedTerminatedPods = u;
      };
      let current = job;
      if (recorded) {
        writeUncounted();
        writeIndexes();
        const r = systemCall(ctx, COMPONENT, { ...API, verb: 'update', subresource: 'status', namespace, name, body: { ...job, status } });
        if (r.status < 300) current = r.body as KObject;
        else {
          error = true;
          release.length = 0; // nothing recorded: keep the finalizers
        }
      }
      for (const p of release) if (!releasePod(p)) error = true;
      const byUid = new Map(owned(uid).map((p) => [p.metadata.uid!, p]));
      let succeeded = (status.succeeded as number | undefined) ?? 0;
      let failed = (status.failed as number | undefined) ?? 0;
      for (const pid of [...uncountedSucceeded]) {
        const p = byUid.get(pid);
        if (p && hasTracking(p)) continue;
        succeeded++;
        uncountedSucceeded.delete(pid);
      }
      for (const pid of [...uncountedFailed]) {
        const p = byUid.get(pid);
        if (p && hasTracking(p)) continue;
        failed++;
        uncountedFailed.delete(pid);
      }
      writeUncounted();
      writeIndexes();
      const allCounted = uncountedSucceeded.size === 0 && uncountedFailed.size === 0;

      const pods = [...byUid.values()];
      const active = pods.filter(isPodActive);
      const terminating = pods.filter((p) => p.metadata.deletionTimestamp && phaseOf(p) !== 'Succeeded' && phaseOf(p) !== 'Failed');
      const finished = cond('Complete') ?? cond('Failed');

      // TTL after finished (the ttl-after-finished controller).
      if (finished) {
        const ttl = spec.ttlSecondsAfterFinished;
        if (typeof ttl !== 'number' || job.metadata.deletionTimestamp) return error ? now + ERROR_RETRY_MS : undefined;
        const finishedAt = Date.parse(((status.completionTime as string | undefined) ?? finished.lastTransitionTime) ?? '') || now;
        const due = finishedAt + (ttl * 1000) / timeScale;
        if (due > now) return due;
        systemCall(ctx, COMPONENT, {
          ...API,
          verb: 'delete',
          namespace,
          name,
          body: { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } },
        });
        return;
      }

      const suspended = spec.suspend === true;

      // Suspension.
      const suspendedCond = conditions.find((c) => c.type === 'Suspended');
      if (suspended) {
        if (suspendedCond?.status !== 'True') {
          const c = { type: 'Suspended', status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason: 'JobSuspended', message: 'Job suspended' };
          if (suspendedCond) Object.assign(suspendedCond, c);
          else conditions.push(c);
          event(job, 'Normal', 'Suspended', 'Job suspended');
        }
      } else if (suspendedCond?.status === 'True') {
        Object.assign(suspendedCond, { status: 'False', lastProbeTime: ts, lastTransitionTime: ts, reason: 'JobResumed', message: 'Job resumed' });
        event(job, 'Normal', 'Resumed', 'Job resumed');
        status.startTime = ts; // the active deadline counts from the resumption
      }
      if (!suspended && !status.startTime) status.startTime = ts;

      // Failure criteria: a FailJob rule, the backoff limit (OnFailure counts container restarts),
      // too many failed indexes, then the active deadline.
      const addFailureTarget = (reason: string, message: string) => {
        const c = { type: 'FailureTarget', status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason, message };
        conditions.push(c);
        event(job, 'Warning', reason, message);
        return c;
      };
      let failure = cond('FailureTarget');
      if (!failure && failJobMessage) failure = addFailureTarget('PodFailurePolicy', failJobMessage);
      if (!failure && !suspended) {
        const restartPolicy = (spec.template?.spec as { restartPolicy?: string } | undefined)?.restartPolicy;
        let restarts = 0;
        if (restartPolicy === 'OnFailure') {
          for (const p of active) {
            for (const cs of ((p.status ?? {}) as { containerStatuses?: { restartCount?: number }[] }).containerStatuses ?? []) restarts += cs.restartCount ?? 0;
          }
        }
        if (failed > backoffLimit || (restartPolicy === 'OnFailure' && backoffLimit > 0 ? restarts >= backoffLimit : restartPolicy === 'OnFailure' && restarts > 0)) {
          failure = addFailureTarget('BackoffLimitExceeded', 'Job has reached the specified backoff limit');
        } else if (perIndex !== undefined && typeof spec.maxFailedIndexes === 'number' && failedIndexes.size > spec.maxFailedIndexes) {
          failure = addFailureTarget('MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes');
        } else if (typeof spec.activeDeadlineSeconds === 'number' && status.startTime) {
          const deadline = Date.parse(status.startTime as string) + (spec.activeDeadlineSeconds * 1000) / timeScale;
          if (now >= deadline) failure = addFailureTarget('DeadlineExceeded', 'Job was active longer than specified deadline');
          else next = deadline;
        }
        if (failure) next = undefined;
      }

      // Success criteria: a successPolicy rule (Indexed), else the completions.
      let success = cond('SuccessCriteriaMet');
      if (!failure && !success && !suspended) {
        const successRules = (spec.successPolicy?.rules ?? []) as SuccessPolicyRule[];
        const matched = indexed && successRules.length ? matchSuccessPolicy(successRules, completions ?? 0, completed) : -1;
        const addSuccess = (reason: string, message: string) => {
          const c = { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason, message };
          conditions.push(c);
          return c;
        };
        if (matched >= 0) success = addSuccess('SuccessPolicy', `Matched rules at index ${matched}`);
        else if (indexed && completions !== undefined && completed.size + failedIndexes.size >= completions && failedIndexes.size > 0) {
          failure = addFailureTarget('FailedIndexes', 'Job has failed indexes');
        } else {
          const done = completions === undefined ? succeeded > 0 && active.length === 0 : indexed ? completed.size >= completions : succeeded >= completions;
          if (done) success = addSuccess('CompletionsReached', 'Reached expected number of succeeded pods');
        }
      }

      // Managing pods.
      const deleteAll = (list: KObject[]) => {
        for (const p of list) if (!deletePod(job, p)) error = true;
      };
      let remaining = active;
      if (failure || success || suspended) {
        deleteAll(active);
        remaining = [];
      } else if (!job.metadata.deletionTimestamp) {
        const busy = onlyFailed ? active.length + terminating.length : active.length;
        if (indexed) {
          const n = completions ?? 0;
          const byIndex = new Map<number, KObject[]>();
          const surplus: KObject[] = [];
          for (const p of active) {
            const i = indexOf(p);
            if (i === undefined || i >= n || completed.has(i) || failedIndexes.has(i)) surplus.push(p);
            else byIndex.set(i, [...(byIndex.get(i) ?? []), p]);
          }
          for (const ps of byIndex.values()) surplus.push(...ps.slice(1));
          deleteAll(surplus);
          let room = parallelism - (busy - surplus.length);
          const busyIndexes = new Set(byIndex.keys());
          if (onlyFailed) for (const p of terminating) if (indexOf(p) !== undefined) busyIndexes.add(indexOf(p)!);
          for (let i = 0; i < n && room > 0; i++) {
            if (completed.has(i) || failedIndexes.has(i) || busyIndexes.has(i)) continue;
            if (!createPod(job, spec, i, perIndex !== undefined ? indexFailureCounts(pods, i, rules) : undefined)) error = true;
            room--;
          }
        } else {
          const want = completions === undefined ? (succeeded > 0 ? active.length : parallelism) : Math.min(parallelism, Math.max(completions - succeeded, 0));
          if (busy < want) {
            for (let i = 0; i < want - busy; i++) if (!createPod(job, spec, undefined)) error = true;
          } else if (active.length > want) {
            // Surplus (parallelism lowered): delete the newest first.
            const sorted = [...active].sort((a, b) => Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''));
            deleteAll(sorted.slice(0, active.length - want));
          }
        }
      }

      // Final conditions once no pod is left running and every finished pod is counted.
      const stillRunning = remaining.length + terminating.length;
      if (failure && !cond('Failed') && stillRunning === 0 && allCounted) {
        conditions.push({ ...failure, type: 'Failed', lastProbeTime: ts, lastTransitionTime: ts });
      }
      if (success && !cond('Complete') && stillRunning === 0 && allCounted) {
        conditions.push({ ...success, type: 'Complete', lastProbeTime: ts, lastTransitionTime: ts });
        status.completionTime = ts;
        event(job, 'Normal', 'Completed', 'Job completed');
      }

      // Status.
      const live = owned(uid);
      const liveActive = live.filter(isPodActive);
      const liveTerminating = live.filter((p) => p.metadata.deletionTimestamp && phaseOf(p) !== 'Succeeded' && phaseOf(p) !== 'Failed').length;
      const setCount = (field: string, n: number) => {
        if (n) status[field] = n;
        else delete status[field];
      };
      setCount('active', liveActive.length);
      setCount('succeeded', succeeded);
      setCount('failed', failed);
      status.ready = liveActive.filter(isPodReady).length;
      status.terminating = liveTerminating;
      if (conditions.length) status.conditions = conditions;
      else delete status.conditions;
      if (sortedJson(status) !== sortedJson(current.status ?? {})) {
        const r = systemCall(ctx, COMPONENT, { ...API, verb: 'update', subresource: 'status', namespace, name, body: { ...current, status } });
        if (r.status >= 300) error = true;
      }

      if (error) {
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        next = Math.min(next ?? Infinity, now + Math.min(ERROR_RETRY_MS * 2 ** (n - 1), 5 * 60_000));
      } else failures.delete(key);
      // A finished job with a TTL: come back for the deletion.
      if ((cond('Complete') || cond('Failed')) && typeof spec.ttlSecondsAfterFinished === 'number') {
        next = Math.min(next ?? Infinity, now + (spec.ttlSecondsAfterFinished * 1000) / timeScale);
      }
      return next;
    },
  };
}
