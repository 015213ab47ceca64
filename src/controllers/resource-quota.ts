// The resource quota controller: each ResourceQuota's status.hard mirrors spec.hard and status.used
// is recounted from the namespace's objects whenever something it may charge changes (a pod comes,
// goes or turns terminal; a service changes type; a claim grows; any counted object appears or
// disappears). Level-triggered: it recounts from the store, so admission's eager charges are
// corrected here when a charged write did not happen after all.
import type { Controller } from '../durable/control-loop';
import { canonicalQuantity } from '../machinery/quantity';
import { calculateUsed, fromUsage, prettyPrint, storageKeysFor, usageOf } from '../machinery/quota';
import type { KObject } from '../registry/types';
import { splitKey, systemCall, type ClusterContext } from './context';

const QUOTAS = 'resourcequotas';

export function resourceQuotaController(ctx: ClusterContext): Controller {
  // How many quotas each namespace has: most namespaces have none, and then an event costs nothing.
  let quotaCount: Map<string, number> | undefined;
  const counts = () => {
    if (!quotaCount) {
      quotaCount = new Map();
      for (const q of ctx.store.list(QUOTAS)) quotaCount.set(q.metadata.namespace!, (quotaCount.get(q.metadata.namespace!) ?? 0) + 1);
    }
    return quotaCount;
  };
  return {
    name: 'resourcequota',
    keysFor(e) {
      if (e.resource === QUOTAS) {
        if (e.type !== 'MODIFIED' && quotaCount) quotaCount.set(e.namespace, Math.max(0, (quotaCount.get(e.namespace) ?? 0) + (e.type === 'ADDED' ? 1 : -1)));
        return e.type === 'DELETED' ? [] : [`${e.namespace}/${e.name}`];
      }
      if (!e.namespace || !counts().get(e.namespace)) return [];
      // A change that charges nothing new (a pod's status heartbeat) needs no recount.
      if (e.type === 'MODIFIED' && e.prev && prettyPrint(usageOf(e.resource, e.prev)) === prettyPrint(usageOf(e.resource, e.object))) return [];
      const keys: string[] = [];
      for (const q of ctx.store.list(QUOTAS, { namespace: e.namespace })) {
        const hard = Object.keys(((q.spec ?? {}) as { hard?: object }).hard ?? {});
        if (hard.some((h) => storageKeysFor(h).includes(e.resource))) keys.push(`${e.namespace}/${q.metadata.name}`);
      }
      return keys;
    },
    reconcile(key, now) {
      const { namespace, name } = splitKey(key);
      const quota = ctx.store.get(QUOTAS, namespace, name);
      if (!quota || quota.metadata.deletionTimestamp) return;
      const spec = (quota.spec ?? {}) as { hard?: Record<string, string> };
      const used = calculateUsed(quota, (storageKey) => ctx.store.list(storageKey, { namespace }), now);
      // Quantities in their canonical text, as kube-apiserver stores them (1024Mi → 1Gi).
      const hard = Object.fromEntries(Object.entries(spec.hard ?? {}).map(([k, v]) => [k, canonicalQuantity(v) ?? v]));
      const status = { hard, used: fromUsage(used) };
      const old = (quota.status ?? {}) as { hard?: Record<string, string>; used?: Record<string, string> };
      if (sameList(old.hard, status.hard) && sameList(old.used, status.used)) return;
      systemCall(ctx, 'resourcequota-controller', {
        verb: 'update',
        subresource: 'status',
        resource: QUOTAS,
        namespace,
        name,
        body: { ...quota, status } as KObject,
      });
    },
  };
}

function sameList(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ak = Object.keys(a ?? {}).sort();
  const bk = Object.keys(b).sort();
  return ak.length === bk.length && ak.every((k, i) => k === bk[i] && a![k] === b[k]);
}
