// kube-controller-manager's pvc-protection controller (pkg/controller/volume/pvcprotection),
// level-triggered per claim "ns/name": a claim keeps the `kubernetes.io/pvc-protection` finalizer
// (added on create by the StorageObjectInUseProtection admission plugin) while a scheduled pod that
// is not shut down uses it, so deleting a claim in use leaves it Terminating until its pods are gone.
import type { Controller } from '../durable/control-loop';
import { PVC_PROTECTION_FINALIZER } from '../durable/admission';
import type { StoredEvent } from '../durable/store';
import type { KObject } from '../registry/types';
import { addFinalizer, removeFinalizer, splitKey, type ClusterContext } from './context';
import { phaseOf } from './podutil';

const COMPONENT = 'pvc-protection-controller';

interface PodVolume {
  name: string;
  persistentVolumeClaim?: { claimName?: string };
  ephemeral?: unknown;
}

/** The claims a pod's volumes name: persistentVolumeClaim ones and generic ephemeral `<pod>-<volume>`. */
export function podClaimNames(pod: KObject): string[] {
  const out: string[] = [];
  for (const v of ((pod.spec as { volumes?: PodVolume[] } | undefined)?.volumes ?? [])) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata.name}-${v.name}`);
  }
  return out;
}

/** podIsShutDown: the kubelet is done with the pod (terminal phase) or it was force-deleted. */
export function podIsShutDown(pod: KObject): boolean {
  if (pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0) return true;
  const phase = phaseOf(pod);
  return phase === 'Failed' || phase === 'Succeeded';
}

/** podUsesPVC: only scheduled pods count (the kubelet refuses to start one on a claim being deleted). */
export const podUsesClaim = (pod: KObject, claim: string): boolean =>
  !!(pod.spec as { nodeName?: string } | undefined)?.nodeName && !podIsShutDown(pod) && podClaimNames(pod).includes(claim);

/** Remove `finalizer` from `obj` (optimistic: the resourceVersion must still match). */
export function pvcProtectionController(ctx: ClusterContext): Controller {
  return {
    name: 'pvc-protection',
    keysFor(e: StoredEvent) {
      if (e.resource === 'persistentvolumeclaims') return e.type === 'DELETED' ? [] : [`${e.namespace}/${e.name}`];
      if (e.resource !== 'pods') return [];
      // A pod that stopped using its claims: gone, shut down, or being deleted.
      if (e.type === 'DELETED' || podIsShutDown(e.object) || e.object.metadata.deletionTimestamp) return podClaimNames(e.object).map((c) => `${e.namespace}/${c}`);
      return [];
    },
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const pvc = ctx.store.get('persistentvolumeclaims', namespace, name);
      if (!pvc) return;
      const has = (pvc.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER);
      if (!pvc.metadata.deletionTimestamp) {
        // needToAddFinalizer: claims created before the admission plugin saw them.
        if (!has) addFinalizer(ctx, COMPONENT, 'persistentvolumeclaims', pvc, PVC_PROTECTION_FINALIZER);
        return;
      }
      if (!has) return;
      for (const pod of ctx.store.list('pods', { namespace })) if (podUsesClaim(pod, name)) return;
      removeFinalizer(ctx, COMPONENT, 'persistentvolumeclaims', pvc, PVC_PROTECTION_FINALIZER);
    },
  };
}
