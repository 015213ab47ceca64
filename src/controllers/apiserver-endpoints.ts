// kube-apiserver's own Service: the `kubernetes` Service in `default` at the first address of the
// service CIDR (put back if deleted) and its Endpoints/EndpointSlice listing the apiservers, one per
// control-plane node at its InternalIP (the endpoint reconciler's view).
import type { Node } from 'kubernetes-types/core/v1';
import type { Controller } from '../durable/control-loop';
import { apiServerObjects } from '../durable/seed';
import { nowTimestamp } from '../durable/generic-registry';
import type { KObject } from '../registry/types';
import { systemCall, type ClusterContext } from './context';

const KEY = 'default/kubernetes';
const CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';
const SLICES = 'endpointslices.discovery.k8s.io';

function apiserverIP(node: KObject | undefined): string | undefined {
  if (!node || node.metadata.labels?.[CONTROL_PLANE] === undefined) return undefined;
  return (node as unknown as Node).status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

export function apiserverEndpointsController(ctx: ClusterContext): Controller {
  return {
    name: 'apiserver-endpoints',
    keysFor(e) {
      if (e.type === 'DELETED' && e.namespace === 'default' && e.name === 'kubernetes' && ['services', 'endpoints', SLICES].includes(e.resource)) return [KEY];
      if (e.resource === 'nodes' && apiserverIP(e.object) !== apiserverIP(e.prev)) return [KEY];
      if (e.resource === 'nodes' && e.type === 'DELETED' && apiserverIP(e.object)) return [KEY];
      return [];
    },
    reconcile() {
      const ips = new Set<string>();
      for (const n of ctx.store.list('nodes')) {
        const ip = apiserverIP(n);
        if (ip) ips.add(ip);
      }
      const want = apiServerObjects(ctx.network.settings.plan().serviceCIDR, [...ips].sort(), nowTimestamp());
      for (const { resource, group, object } of want) {
        if (resource === 'servicecidrs') continue;
        const storageKey = group ? `${resource}.${group}` : resource;
        const current = ctx.store.get(storageKey, 'default', 'kubernetes');
        if (!current) {
          systemCall(ctx, 'kube-apiserver', { verb: 'create', group, version: 'v1', resource, namespace: 'default', body: object });
          continue;
        }
        // The Service is the user's to adjust; the endpoints follow the apiservers.
        if (resource === 'services') continue;
        const field = resource === 'endpoints' ? 'subsets' : 'endpoints';
        if (JSON.stringify(current[field]) === JSON.stringify(object[field])) continue;
        systemCall(ctx, 'kube-apiserver', { verb: 'update', group, version: 'v1', resource, namespace: 'default', name: 'kubernetes', body: { ...current, [field]: object[field] } });
      }
    },
  };
}
