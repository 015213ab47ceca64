// The ResourceQuota admission plugin (k8s.io/apiserver/pkg/admission/plugin/resourcequota): a write
// that would take a namespace's usage over a quota's hard limit is refused with 403 Forbidden and
// kube-apiserver's wording; an accepted one charges the quotas right away (status.used), as the
// plugin does, so a burst of creates cannot overrun a quota before the controller recounts.
import { errors } from '../../api/status';
import {
  addUsage,
  exceeded,
  fromUsage,
  maskUsage,
  matchingResources,
  podConstraints,
  prettyPrint,
  quotaMatches,
  removeZeros,
  subtractNonNegative,
  toUsage,
  usageOf,
} from '../../machinery/quota';
import { storageKey } from '../../registry';
import type { KObject, ResourceDef } from '../../registry/types';
import type { Store } from '../store';

const QUOTAS = 'resourcequotas';

/** Evaluator.Handles: pods on create only; services and claims on create and update; other kinds are counted on create. */
function handles(key: string, subresource: string | undefined, isUpdate: boolean): boolean {
  if (subresource) return false;
  if (!isUpdate) return true;
  return key === 'services' || key === 'persistentvolumeclaims';
}

/**
 * Check `obj` (being created, or replacing `old`) against every quota of its namespace. Throws the
 * Forbidden error; charges the quotas unless `dryRun`.
 */
export function admitResourceQuota(store: Store, def: ResourceDef, obj: KObject, old: KObject | undefined, subresource: string | undefined, dryRun: boolean): void {
  if (def.scope !== 'Namespaced') return;
  const key = storageKey(def);
  if (!handles(key, subresource, old !== undefined)) return;
  const ns = obj.metadata.namespace ?? '';
  const quotas = [...store.list(QUOTAS, { namespace: ns })];
  if (!quotas.length) return;
  const gr = { group: def.group, resource: def.resource };
  const name = obj.metadata.name ?? '';
  const now = Date.now();
  const input = usageOf(key, obj, now);
  const prev = old ? usageOf(key, old, now) : undefined;
  const charges: { quota: KObject; used: ReturnType<typeof toUsage> }[] = [];
  for (const quota of quotas) {
    if (!quotaMatches(quota, key, obj)) continue;
    const status = (quota.status ?? {}) as { hard?: Record<string, string>; used?: Record<string, string> };
    const hardNames = Object.keys(status.hard ?? {});
    const restricted = matchingResources(key, hardNames);
    if (key === 'pods') {
      const missing = podConstraints(restricted, obj);
      if (missing) throw errors.forbidden(gr, name, `failed quota: ${quota.metadata.name}: ${missing}`);
    }
    const unknown = restricted.filter((r) => !(r in (status.used ?? {})));
    if (unknown.length) throw errors.forbidden(gr, name, `status unknown for quota: ${quota.metadata.name}, resources: ${restricted.sort().join(',')}`);
    const delta = removeZeros(prev && quotaMatches(quota, key, old!) ? subtractNonNegative(input, prev) : input);
    const requested = maskUsage(delta, hardNames);
    if (!requested.size) continue;
    const used = toUsage(status.used);
    const hard = toUsage(status.hard);
    const next = addUsage(used, requested);
    const over = exceeded(maskUsage(next, requested.keys()), hard);
    if (over.length) {
      throw errors.forbidden(
        gr,
        name,
        `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(maskUsage(requested, over))}, used: ${prettyPrint(maskUsage(used, over))}, limited: ${prettyPrint(maskUsage(hard, over))}`,
      );
    }
    charges.push({ quota, used: next });
  }
  if (dryRun) return;
  for (const { quota, used } of charges) {
    store.update(QUOTAS, { namespace: ns, name: quota.metadata.name! }, Number(quota.metadata.resourceVersion), (rev, cur) => ({
      ...cur,
      status: { ...(cur.status as object), used: fromUsage(used) },
      metadata: { ...cur.metadata, resourceVersion: String(rev) },
    }));
  }
}
