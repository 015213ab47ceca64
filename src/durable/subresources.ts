// Pod subresources with behaviour of their own: binding a pod to a node (kube-apiserver's
// BindingREST) and eviction with PodDisruptionBudgets (EvictionREST).
import type { ApiCall, ApiReply } from '../api/call';
import { errors, failure, StatusError, success } from '../api/status';
import { matchesLabels } from '../machinery/labels';
import { selectorOf } from '../registry/common';
import type { KObject } from '../registry/types';
import { nowTimestamp } from './generic-registry';
import { StoreConflict, type Store } from './store';

interface Binding {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
  target?: { kind?: string; name?: string };
}

const PODS = { group: '', resource: 'pods' };

/** Bind a pod to a node: spec.nodeName and the PodScheduled condition, once (409 if already bound). */
export function bindPod(store: Store, namespace: string, podName: string, nodeName: string, preconditions?: Binding['metadata']): KObject {
  const pod = store.get('pods', namespace, podName);
  if (!pod) throw errors.notFound(PODS, podName);
  if (preconditions?.uid && preconditions.uid !== pod.metadata.uid) {
    throw errors.conflict(PODS, podName, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${pod.metadata.uid}`);
  }
  if (pod.metadata.deletionTimestamp) throw errors.conflict(PODS, podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
  const spec = pod.spec as { nodeName?: string };
  if (spec.nodeName) throw errors.conflict(PODS, podName, `pod ${podName} is already assigned to node "${spec.nodeName}"`);
  try {
    return store.update('pods', { namespace, name: podName }, Number(pod.metadata.resourceVersion), (rev, cur) => {
      const status = (cur.status ?? {}) as { conditions?: { type: string }[] };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() } as { type: string });
      return {
        ...cur,
        metadata: { ...cur.metadata, resourceVersion: String(rev) },
        spec: { ...(cur.spec as object), nodeName },
        status: { ...status, conditions },
      };
    }).object;
  } catch (e) {
    if (e instanceof StoreConflict) throw errors.conflict(PODS, podName, 'the object has been modified; please apply your changes to the latest version and try again');
    throw e;
  }
}

/** POST pods/{name}/binding and POST bindings: 201 with a Success Status. */
export function createBinding(store: Store, call: ApiCall): ApiReply {
  const body = (call.body ?? {}) as Binding;
  const podName = call.name ?? body.metadata?.name;
  if (!podName) throw errors.badRequest('a binding needs metadata.name (the pod)');
  if (call.name && body.metadata?.name && body.metadata.name !== call.name) {
    throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${call.name})`);
  }
  const nodeName = body.target?.name;
  if (!nodeName || (body.target?.kind && body.target.kind !== 'Node')) {
    throw errors.invalid('Binding', '', podName, [{ type: 'FieldValueNotSupported', field: 'target.kind', message: 'Unsupported value: "' + (body.target?.kind ?? '') + '": supported values: "Node", "<empty>"' }]);
  }
  bindPod(store, call.namespace ?? '', podName, nodeName, body.metadata);
  return { status: 201, body: success() };
}

// ---------------------------------------------------------------------------------------------
// Eviction (policy/v1): honours PodDisruptionBudgets, 429 when one blocks.

export interface Pdb {
  metadata: { name?: string };
  spec?: { selector?: unknown; minAvailable?: number | string; maxUnavailable?: number | string };
}

function isReady(pod: KObject): boolean {
  const conds = ((pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function scaled(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const pct = Number(v.replace('%', '')) / 100;
  return roundUp ? Math.ceil(pct * total) : Math.floor(pct * total);
}

/** How many more pods a budget lets go (the disruption controller's disruptionsAllowed), computed now. */
export function disruptionsAllowed(store: Store, pdb: Pdb, namespace: string): { allowed: number; desired: number; healthy: number; expected: number } {
  const reqs = selectorOf(pdb.spec?.selector);
  const matching = [...store.list('pods', { namespace })].filter((p) => reqs && matchesLabels(reqs, p.metadata.labels) && !p.metadata.deletionTimestamp);
  const expected = matching.length;
  const healthy = matching.filter(isReady).length;
  let desired: number;
  if (pdb.spec?.maxUnavailable !== undefined) desired = Math.max(0, expected - scaled(pdb.spec.maxUnavailable, expected, true));
  else desired = scaled(pdb.spec?.minAvailable ?? 1, expected, true);
  return { allowed: Math.max(0, healthy - desired), desired, healthy, expected };
}

/** POST pods/{name}/eviction: delete the pod unless a PodDisruptionBudget forbids it (429). */
export function createEviction(store: Store, call: ApiCall, deletePod: (opts: object) => ApiReply): ApiReply {
  const namespace = call.namespace ?? '';
  const pod = store.get('pods', namespace, call.name!);
  if (!pod) throw errors.notFound(PODS, call.name!);
  const body = (call.body ?? {}) as { deleteOptions?: object; metadata?: { name?: string } };
  if (body.metadata?.name && body.metadata.name !== call.name) {
    throw errors.badRequest(`name in URL does not match name in Eviction object`);
  }
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  // Terminal or already deleting pods go without consulting budgets, as upstream.
  if (phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp) {
    for (const pdb of store.list('poddisruptionbudgets.policy', { namespace }) as Iterable<Pdb & KObject>) {
      const reqs = selectorOf(pdb.spec?.selector);
      if (!reqs || !matchesLabels(reqs, pod.metadata.labels)) continue;
      const { allowed, desired, healthy } = disruptionsAllowed(store, pdb, namespace);
      if (allowed <= 0 && isReady(pod)) {
        const s = failure(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${desired} healthy pods and has ${healthy} currently` }],
        });
        throw new StatusError(s);
      }
    }
  }
  const r = deletePod(body.deleteOptions ?? {});
  if (r.status >= 300) return r;
  return { status: 201, body: success() };
}
