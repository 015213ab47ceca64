// Small readers shared by the workload controllers (k8s.io/kubernetes pkg/api/v1/pod and
// pkg/controller helpers): owner references, pod phase, readiness and availability.
import type { KObject, OwnerReference } from '../registry/types';

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const labelsOf = (o: KObject | undefined): Record<string, string> => (o?.metadata.labels ?? {}) as Record<string, string>;
export const ownerRefs = (o: KObject): OwnerReference[] => o.metadata.ownerReferences ?? [];
/** metav1.GetControllerOf */
export const controllerRef = (o: KObject | undefined): OwnerReference | undefined => (o ? ownerRefs(o).find((r) => r.controller) : undefined);
export const phaseOf = (p: KObject): string => ((p.status ?? {}) as { phase?: string }).phase ?? '';

/** controller.IsPodActive: not Succeeded/Failed and not being deleted. */
export function isPodActive(p: KObject): boolean {
  const phase = phaseOf(p);
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata.deletionTimestamp;
}

export function readyCondition(p: KObject): PodCondition | undefined {
  return (((p.status ?? {}) as { conditions?: PodCondition[] }).conditions ?? []).find((c) => c.type === 'Ready');
}

export const isPodReady = (p: KObject): boolean => readyCondition(p)?.status === 'True';

/** When a ready pod counts as available (podutil.IsPodAvailable), in ms; undefined when not ready. */
export function availableAt(p: KObject, minReadyMs: number): number | undefined {
  const c = readyCondition(p);
  if (c?.status !== 'True') return undefined;
  if (minReadyMs <= 0) return -Infinity;
  const t = Date.parse(c.lastTransitionTime ?? '');
  if (Number.isNaN(t)) return undefined;
  // Upstream: lastTransitionTime + minReadySeconds strictly before now.
  return t + minReadyMs + 1;
}

/** JSON with sorted object keys (status comparison regardless of field order). */
export function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}
