// kubeadm's addon phase, run once right after a sandbox is created: the control plane's mirror
// pods, CoreDNS, kube-proxy, Calico and metrics-server (src/durable/kube-system.ts). It runs from a
// timer rather than inside init so that creating a sandbox stays fast; whatever is missing is
// created, whatever exists is left alone (safe to run twice).
import type { Controller } from '../durable/control-loop';
import { kubeSystemObjects, proxyModeOf, seedNode } from '../durable/kube-system';
import { nowTimestamp } from '../durable/generic-registry';
import { systemCall, type ClusterContext } from './context';

export const ADDONS_CONTROLLER = 'kube-system-addons';
export const ADDONS_KEY = 'kube-system';

export function kubeSystemAddons(ctx: ClusterContext): Controller {
  return {
    name: ADDONS_CONTROLLER,
    keysFor: () => [],
    reconcile() {
      const nodes = [...ctx.store.list('nodes')].map(seedNode);
      const mode = proxyModeOf(ctx.store.get('configmaps', 'kube-system', 'kube-proxy'));
      for (const { resource, group, object } of kubeSystemObjects(nodes, nowTimestamp(), mode)) {
        const key = group ? `${resource}.${group}` : resource;
        if (ctx.store.get(key, object.metadata.namespace ?? '', object.metadata.name!)) continue;
        const version = object.apiVersion!.split('/').pop()!;
        systemCall(ctx, 'kubeadm', { verb: 'create', group, version, resource, namespace: object.metadata.namespace, body: object });
      }
    },
  };
}
