// kube-controller-manager's ControllerRefManager for pods: adopt matching orphans, release owned
// pods that stopped matching, by patching ownerReferences with the pod's uid and
// resourceVersion as preconditions (a concurrent change makes the patch fail, not clobber).
import type { Requirement } from '../machinery/labels';
import { matchesLabels } from '../machinery/labels';
import type { KObject, OwnerReference } from '../registry/types';
import { systemCall, type ClusterContext } from './context';
import { controllerRef, labelsOf, ownerRefs } from './podutil';

/** Replace a pod's ownerReferences; the patched pod, or undefined when the patch was refused. */
export function patchOwnerRefs(ctx: ClusterContext, manager: string, pod: KObject, refs: OwnerReference[]): KObject | undefined {
  const r = systemCall(ctx, manager, {
    verb: 'patch',
    patchType: 'merge',
    resource: 'pods',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    body: { metadata: { ownerReferences: refs.length ? refs : null, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion } },
  });
  return r.status < 300 ? (r.body as KObject) : undefined;
}

/**
 * ClaimPods: owned pods that match, plus adopted orphans; owned pods that no longer match are
 * released. `canAdopt` narrows which matching orphans may be adopted (an owner being deleted
 * adopts nothing).
 */
export function claimPods(
  ctx: ClusterContext,
  manager: string,
  owner: KObject,
  ref: { apiVersion: string; kind: string },
  reqs: Requirement[],
  pods: Iterable<KObject>,
  canAdopt: (pod: KObject) => boolean = () => true,
): KObject[] {
  const uid = owner.metadata.uid!;
  const claimed: KObject[] = [];
  for (const pod of pods) {
    const current = controllerRef(pod);
    const match = matchesLabels(reqs, labelsOf(pod));
    if (current) {
      if (current.uid !== uid) continue;
      if (match) claimed.push(pod);
      else if (!pod.metadata.deletionTimestamp) patchOwnerRefs(ctx, manager, pod, ownerRefs(pod).filter((r) => r.uid !== uid));
      continue;
    }
    if (!match || owner.metadata.deletionTimestamp || pod.metadata.deletionTimestamp || !canAdopt(pod)) continue;
    const mine: OwnerReference = { ...ref, name: owner.metadata.name!, uid, controller: true, blockOwnerDeletion: true };
    const adopted = patchOwnerRefs(ctx, manager, pod, [...ownerRefs(pod).filter((r) => r.uid !== uid), mine]);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}
