// metrics.k8s.io answers, computed from the simulated kubelets' usage model at read time.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { ApiCall, ApiReply } from '../api/call';
import { errors } from '../api/status';
import { matches, parsePredicate } from '../machinery/predicate';
import { nodeUsage, podUsage, toNodeMetrics, toPodMetrics } from '../kubelet/metrics';
import type { KObject, ResourceDef } from '../registry/types';
import type { PodsByNode } from './caches';
import type { Store } from './store';

export function metricsReply(store: Store, pods: PodsByNode, def: ResourceDef, call: ApiCall, timeScale: number): ApiReply {
  const now = Date.now();
  const opts = { timeScale };
  const pred = parsePredicate(def, call.query.labelSelector, call.query.fieldSelector);
  const list = (items: Record<string, unknown>[]) => ({
    status: 200,
    body: { kind: `${def.kind}List`, apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items },
  });
  if (def.resource === 'pods') {
    const one = (p: KObject) => {
      const u = podUsage(p as unknown as Pod, now, opts);
      return u ? toPodMetrics(p as unknown as Pod, u, now) : undefined;
    };
    if (call.name) {
      const p = store.get('pods', call.namespace ?? '', call.name);
      const m = p && one(p);
      if (!m) throw errors.notFound({ group: 'metrics.k8s.io', resource: 'pods' }, call.name);
      return { status: 200, body: m };
    }
    const items: Record<string, unknown>[] = [];
    for (const p of store.list('pods', { namespace: call.namespace })) {
      if (!matches(def, pred, p)) continue;
      const m = one(p);
      if (m) items.push(m);
    }
    return list(items);
  }
  const one = (n: KObject) => {
    const onNode = pods.podsOn(n.metadata.name!).map((e) => {
      const i = e.key.indexOf('/');
      return store.get('pods', e.key.slice(0, i), e.key.slice(i + 1));
    });
    const ps = onNode.filter((p): p is KObject => !!p) as unknown as Pod[];
    return toNodeMetrics(n as unknown as Node, nodeUsage(n as unknown as Node, ps, now, opts), now);
  };
  if (call.name) {
    const n = store.get('nodes', '', call.name);
    if (!n) throw errors.notFound({ group: 'metrics.k8s.io', resource: 'nodes' }, call.name);
    return { status: 200, body: one(n) };
  }
  const items: Record<string, unknown>[] = [];
  for (const n of store.list('nodes')) if (matches(def, pred, n)) items.push(one(n));
  return list(items);
}
