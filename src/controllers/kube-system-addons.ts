// kubeadm's addon phase, run right after a sandbox is created: the control plane's mirror pods,
// CoreDNS, kube-proxy, Calico and metrics-server (src/durable/kube-system.ts). It runs from a timer
// rather than inside init so that creating a sandbox stays fast, one group per run so that the
// pods each group starts never hold the sandbox for long; whatever is missing is created,
// whatever exists is left alone (safe to run twice).
import type { Controller } from '../durable/control-loop';
import { addonNetwork, kubeSystemGroups, seedNode, type Seeded } from '../durable/kube-system';
import { nowTimestamp } from '../durable/generic-registry';
import type { Store } from '../durable/store';
import { systemCall, type ClusterContext } from './context';

export const ADDONS_CONTROLLER = 'kube-system-addons';
export const ADDONS_KEY = 'kube-system';
/** Pause between two groups. */
const GROUP_GAP_MS = 20;

const missing = (store: Store, { resource, group, object }: Seeded) =>
  !store.get(group ? `${resource}.${group}` : resource, object.metadata.namespace ?? '', object.metadata.name!);

export function kubeSystemAddons(ctx: ClusterContext): Controller {
  return {
    name: ADDONS_CONTROLLER,
    keysFor: () => [],
    reconcile(_key, now) {
      const nodes = [...ctx.store.list('nodes')].map(seedNode);
      const net = addonNetwork(ctx.store.get('servicecidrs.networking.k8s.io', '', 'kubernetes'));
      const groups = kubeSystemGroups(nodes, nowTimestamp(), net).map((g) => g.filter((s) => missing(ctx.store, s)));
      const next = groups.findIndex((g) => g.length > 0);
      if (next < 0) return undefined;
      for (const { resource, group, object } of groups[next]) {
        const version = object.apiVersion!.split('/').pop()!;
        systemCall(ctx, 'kubeadm', { verb: 'create', group, version, resource, namespace: object.metadata.namespace, body: object });
      }
      return groups.slice(next + 1).some((g) => g.length > 0) ? now + GROUP_GAP_MS : undefined;
    },
  };
}
