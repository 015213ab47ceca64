// VolumeBinding, its PreFilter checks of the pod's claims (pkg/scheduler/framework/plugins/volumebinding,
// podHasPVCs): a claim that is missing, lost or being deleted makes the pod unschedulable on every
// node until the claim changes. Binding claims to volumes is the provisioner's (src/controllers).
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import { newStatus, SUCCESS, type FilterPlugin, type PreFilterResult, type Snapshot, type Status } from '../types';

export const NAME = 'VolumeBinding';

/** The claims a pod's volumes name: persistentVolumeClaim volumes and generic ephemeral ones (`<pod>-<volume>`). */
export function podClaims(pod: Pod): { name: string; ephemeral: boolean }[] {
  const out: { name: string; ephemeral: boolean }[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if (v.ephemeral) out.push({ name: `${pod.metadata?.name ?? ''}-${v.name}`, ephemeral: true });
  }
  return out;
}

/** Why the pod's claims keep it from being scheduled (upstream's error texts), or undefined. */
export function claimProblem(pod: Pod, claim: (namespace: string, name: string) => PersistentVolumeClaim | undefined): string | undefined {
  for (const c of podClaims(pod)) {
    const pvc = claim(pod.metadata?.namespace ?? 'default', c.name);
    if (!pvc) return c.ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${c.name}"` : `persistentvolumeclaim "${c.name}" not found`;
    if (pvc.status?.phase === 'Lost') return `persistentvolumeclaim "${c.name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ''}"`;
    if (pvc.metadata?.deletionTimestamp) return `persistentvolumeclaim "${c.name}" is being deleted`;
  }
  return undefined;
}

export function volumeBinding(): FilterPlugin {
  return {
    name: NAME,
    events: ['PvcAdd', 'PvcUpdate'],
    preFilter(_state, pod: Pod, snapshot: Snapshot): PreFilterResult | void {
      if (!snapshot.claims || podClaims(pod).length === 0) return { skip: true };
      const problem = claimProblem(pod, snapshot.claims);
      if (problem) return { status: newStatus('UnschedulableAndUnresolvable', problem) };
      return { skip: true };
    },
    filter(): Status {
      return SUCCESS;
    },
  };
}
