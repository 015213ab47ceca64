// Admission plugins that need the store (kube-apiserver's Priority plugin): they run on create,
// after defaults and before validation.
import { errors } from '../api/status';
import type { KObject } from '../registry/types';
import type { Store } from './store';

interface PriorityClass {
  metadata: { name?: string };
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

/** Priority: spec.priority (and preemptionPolicy) from the pod's PriorityClass or the global default. */
export function admitPodPriority(store: Store, pod: KObject): void {
  const spec = pod.spec as { priorityClassName?: string; priority?: number; preemptionPolicy?: string };
  let pc: PriorityClass | undefined;
  if (spec.priorityClassName) {
    pc = store.get('priorityclasses.scheduling.k8s.io', '', spec.priorityClassName) as PriorityClass | undefined;
    if (!pc) {
      if (spec.priorityClassName.startsWith('system-')) return; // the built-in ones are defaulted statically
      throw errors.forbidden({ group: '', resource: 'pods' }, pod.metadata.name ?? '', `no PriorityClass with name ${spec.priorityClassName} was found`);
    }
  } else {
    for (const c of store.list('priorityclasses.scheduling.k8s.io') as Iterable<PriorityClass & KObject>) {
      if (c.globalDefault && (!pc || (c.value ?? 0) > (pc.value ?? 0))) pc = c;
    }
    if (!pc) return;
    spec.priorityClassName = pc.metadata.name;
  }
  spec.priority = pc.value ?? 0;
  spec.preemptionPolicy = pc.preemptionPolicy ?? spec.preemptionPolicy ?? 'PreemptLowerPriority';
}

/**
 * DefaultTolerationSeconds with the sandbox's setting: the pod strategy added the not-ready and
 * unreachable tolerations with the stock 300 s; kubedo-config may ask for another value.
 */
export function admitDefaultTolerationSeconds(pod: KObject, seconds: number): void {
  if (seconds === 300) return;
  const tolerations = ((pod.spec as { tolerations?: { key?: string; operator?: string; effect?: string; tolerationSeconds?: number }[] }).tolerations ?? []);
  for (const t of tolerations) {
    if ((t.key === 'node.kubernetes.io/not-ready' || t.key === 'node.kubernetes.io/unreachable') && t.operator === 'Exists' && t.effect === 'NoExecute' && t.tolerationSeconds === 300) {
      t.tolerationSeconds = seconds;
    }
  }
}

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/**
 * StorageObjectInUseProtection: new claims and volumes get the finalizer that keeps them while in
 * use (the pvc-protection and pv-protection controllers remove it).
 */
export function admitStorageProtection(resource: string, obj: KObject): void {
  const finalizer = resource === 'persistentvolumeclaims' ? PVC_PROTECTION_FINALIZER : resource === 'persistentvolumes' ? PV_PROTECTION_FINALIZER : undefined;
  if (!finalizer) return;
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(finalizer)) obj.metadata.finalizers = [...list, finalizer];
}
