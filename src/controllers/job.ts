// kube-controller-manager's Job controller (pkg/controller/job) for batch/v1 Jobs, level-triggered
// per "ns/name", plus the TTL-after-finished controller. Creates pods from the template (NonIndexed:
// min(parallelism, completions - succeeded) active; Indexed: one pod per missing index), counts
// finished pods, and sets the conditions 1.33 does: SuccessCriteriaMet then Complete, FailureTarget
// then Failed (BackoffLimitExceeded, DeadlineExceeded), Suspended. No job-tracking finalizers:
// succeeded/failed never decrease (they keep the highest count seen), completedIndexes only grow.
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import type { StoredEvent } from '../durable/store';
import { clone } from '../registry/common';
import type { KObject, OwnerReference } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, type ClusterContext } from './context';
import { controllerRef, isPodActive, isPodReady, phaseOf, sortedJson } from './podutil';
import { eventRecorder } from './events';

const COMPONENT = 'job-controller';
const API_VERSION = 'batch/v1';
const API = { group: 'batch', version: 'v1', resource: 'jobs' } as const;
const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
const INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';
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
  ttlSecondsAfterFinished?: number;
  template?: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
}

const isJobRef = (r: OwnerRef | undefined): r is OwnerRef => !!r && r.kind === 'Job' && r.apiVersion.split('/')[0] === 'batch';


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
    parts.push(j > i ? `${xs[i]}-${xs[j]}` : `${xs[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function jobController(ctx: ClusterContext): Controller {
  const recorder = eventRecorder(ctx, COMPONENT);
  const event = (job: KObject, type: 'Normal' | 'Warning', reason: string, message: string) => recorder.event(job, 'Job', API_VERSION, type, reason, message);
  const failures = new Map<string, number>();

  function podFromTemplate(job: KObject, spec: JobSpec, index: number | undefined): Record<string, unknown> {
    const template = clone(spec.template ?? {});
    const tm = (template.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
    const podSpec = clone((template.spec ?? {}) as Record<string, unknown>);
    const name = job.metadata.name!;
    const metadata: Record<string, unknown> = {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata.namespace,
      ownerReferences: [{ apiVersion: API_VERSION, kind: 'Job', name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
    };
    const labels = { ...(tm.labels ?? {}) };
    const annotations = { ...(tm.annotations ?? {}) };
    if (index !== undefined) {
      annotations[INDEX_ANNOTATION] = String(index);
      labels[INDEX_LABEL] = String(index);
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
    if (tm.finalizers) metadata.finalizers = tm.finalizers;
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec };
  }

  function createPod(job: KObject, spec: JobSpec, index: number | undefined): boolean {
    const r = systemCall(ctx, COMPONENT, { verb: 'create', resource: 'pods', namespace: job.metadata.namespace, body: podFromTemplate(job, spec, index) });
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
      return [...keys];
    },
    reconcile(key, now) {
      const { namespace, name } = splitKey(key);
      const job = ctx.store.get('jobs.batch', namespace, name);
      if (!job) {
        failures.delete(key);
        return;
      }
      const { timeScale } = sandboxConfig(ctx.store);
      const spec = (job.spec ?? {}) as JobSpec;
      const status = clone((job.status ?? {}) as Record<string, unknown>);
      const conditions = ((status.conditions ?? []) as Condition[]).map((c) => ({ ...c }));
      const cond = (type: string) => conditions.find((c) => c.type === type && c.status === 'True');
      const ts = nowTimestamp(now);
      const finished = cond('Complete') ?? cond('Failed');

      // TTL after finished (the ttl-after-finished controller).
      if (finished) {
        const ttl = spec.ttlSecondsAfterFinished;
        if (typeof ttl !== 'number' || job.metadata.deletionTimestamp) return;
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

      const uid = job.metadata.uid;
      const pods = [...ctx.store.list('pods', { namespace })].filter((p) => controllerRef(p)?.uid === uid);
      const active = pods.filter(isPodActive);
      const terminating = pods.filter((p) => p.metadata.deletionTimestamp && phaseOf(p) !== 'Succeeded' && phaseOf(p) !== 'Failed');
      const indexed = spec.completionMode === 'Indexed';
      const completions = typeof spec.completions === 'number' ? spec.completions : undefined;
      const parallelism = spec.parallelism ?? 1;
      const backoffLimit = spec.backoffLimit ?? 6;

      // Counting finished pods (monotonic: without tracking finalizers, removed pods stay counted).
      const failedObserved = pods.filter((p) => phaseOf(p) === 'Failed').length;
      const failed = Math.max((status.failed as number | undefined) ?? 0, failedObserved);
      let succeeded: number;
      let completed = new Set<number>();
      if (indexed) {
        completed = parseIndexes(status.completedIndexes as string | undefined, completions ?? 0);
        for (const p of pods) {
          const i = indexOf(p);
          if (phaseOf(p) === 'Succeeded' && i !== undefined && i < (completions ?? 0)) completed.add(i);
        }
        const succeededObserved = pods.filter((p) => phaseOf(p) === 'Succeeded').length;
        succeeded = Math.max((status.succeeded as number | undefined) ?? 0, succeededObserved, completed.size);
      } else {
        succeeded = Math.max((status.succeeded as number | undefined) ?? 0, pods.filter((p) => phaseOf(p) === 'Succeeded').length);
      }

      let next: number | undefined;
      let error = false;
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

      // Failure: backoff limit (OnFailure counts container restarts), then the active deadline.
      let failure = cond('FailureTarget');
      if (!failure && !suspended) {
        const restartPolicy = (spec.template?.spec as { restartPolicy?: string } | undefined)?.restartPolicy;
        let restarts = 0;
        if (restartPolicy === 'OnFailure') {
          for (const p of active) {
            for (const cs of ((p.status ?? {}) as { containerStatuses?: { restartCount?: number }[] }).containerStatuses ?? []) restarts += cs.restartCount ?? 0;
          }
        }
        let reason: string | undefined, message = '';
        if (failed > backoffLimit || (restartPolicy === 'OnFailure' && backoffLimit > 0 ? restarts >= backoffLimit : restartPolicy === 'OnFailure' && restarts > 0)) {
          reason = 'BackoffLimitExceeded';
          message = 'Job has reached the specified backoff limit';
        } else if (typeof spec.activeDeadlineSeconds === 'number' && status.startTime) {
          const deadline = Date.parse(status.startTime as string) + (spec.activeDeadlineSeconds * 1000) / timeScale;
          if (now >= deadline) {
            reason = 'DeadlineExceeded';
            message = 'Job was active longer than specified deadline';
          } else next = deadline;
        }
        if (reason) {
          failure = { type: 'FailureTarget', status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason, message };
          conditions.push(failure);
          event(job, 'Warning', reason, message);
          next = undefined;
        }
      }

      // Success criteria.
      let success = cond('SuccessCriteriaMet');
      if (!failure && !success && !suspended) {
        const done = completions === undefined ? succeeded > 0 && active.length === 0 : indexed ? completed.size >= completions : succeeded >= completions;
        if (done) {
          success = { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
          conditions.push(success);
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
        const busy = spec.podReplacementPolicy === 'Failed' ? active.length + terminating.length : active.length;
        if (indexed) {
          const n = completions ?? 0;
          const byIndex = new Map<number, KObject[]>();
          const surplus: KObject[] = [];
          for (const p of active) {
            const i = indexOf(p);
            if (i === undefined || i >= n || completed.has(i)) surplus.push(p);
            else byIndex.set(i, [...(byIndex.get(i) ?? []), p]);
          }
          for (const ps of byIndex.values()) surplus.push(...ps.slice(1));
          deleteAll(surplus);
          let room = parallelism - (busy - surplus.length);
          const busyIndexes = new Set(byIndex.keys());
          if (spec.podReplacementPolicy === 'Failed') for (const p of terminating) if (indexOf(p) !== undefined) busyIndexes.add(indexOf(p)!);
          for (let i = 0; i < n && room > 0; i++) {
            if (completed.has(i) || busyIndexes.has(i)) continue;
            if (!createPod(job, spec, i)) error = true;
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

      // Final conditions once no pod is left running.
      const stillRunning = remaining.length + terminating.length;
      if (failure && !cond('Failed') && (remaining.length === 0 && terminating.length === 0)) {
        conditions.push({ ...failure, type: 'Failed', lastProbeTime: ts, lastTransitionTime: ts });
      }
      if (success && !cond('Complete') && stillRunning === 0) {
        conditions.push({ ...success, type: 'Complete', lastProbeTime: ts, lastTransitionTime: ts });
        status.completionTime = ts;
        event(job, 'Normal', 'Completed', 'Job completed');
      }

      // Status.
      const live = [...ctx.store.list('pods', { namespace })].filter((p) => controllerRef(p)?.uid === uid);
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
      if (indexed) {
        const s = formatIndexes(completed);
        if (s) status.completedIndexes = s;
        else delete status.completedIndexes;
      }
      if (conditions.length) status.conditions = conditions;
      else delete status.conditions;
      if (sortedJson(status) !== sortedJson(job.status ?? {})) {
        const r = systemCall(ctx, COMPONENT, { ...API, verb: 'update', subresource: 'status', namespace, name, body: { ...job, status } });
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
