// Pod subresources with behaviour of their own (kube-apiserver's BindingREST): binding a pod to a
// node. Eviction, logs and the rest follow the issues that need them.
import type { ApiCall, ApiReply } from '../api/call';
import { errors, success } from '../api/status';
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
