// The simulated kubelets: for every pod bound to a node whose kubelet runs, report the status the
// time-driven model says (src/kubelet/lifecycle.ts), record its events, and remove the pod when a
// graceful deletion is over. One timer per pod, for the next change only: a steady pod arms nothing.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { Controller, } from '../durable/control-loop';
import type { PodsByNode } from '../durable/caches';
import { eventKey, toEventObject } from '../kubelet/events';
import { podStatusAt } from '../kubelet/lifecycle';
import type { KObject } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, type ClusterContext } from './context';

export const KUBELET_ANNOTATION = 'kubedo.dev/kubelet';

export function kubeletRunning(node: KObject | undefined): boolean {
  return !!node && node.metadata.annotations?.[KUBELET_ANNOTATION] !== 'stopped';
}

function internalIP(node: KObject): string {
  const addrs = ((node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []);
  return addrs.find((a) => a.type === 'InternalIP')?.address ?? '';
}

/** Whole-second bind time: the PodScheduled condition's transition, else the pod's start time. */
function boundAt(pod: KObject, now: number): number {
  const status = (pod.status ?? {}) as { startTime?: string; conditions?: { type: string; lastTransitionTime?: string }[] };
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime;
  const t = Date.parse(status.startTime ?? scheduled ?? '');
  return Number.isNaN(t) ? Math.floor(now / 1000) * 1000 : t;
}

export function kubeletController(ctx: ClusterContext, pods: PodsByNode): Controller {
  const lastEval = new Map<string, number>();
  const eventNames = new Map<string, { name: string; count: number; firstAt: number }>();

  function recordEvents(pod: Pod, nodeName: string, events: ReturnType<typeof podStatusAt>['events']): void {
    for (const ev of events) {
      const key = eventKey(pod, nodeName, ev);
      const seen = eventNames.get(key);
      if (seen) {
        seen.count++;
        const body = toEventObject(pod, nodeName, ev, seen.count, seen.firstAt);
        (body.metadata as { name: string }).name = seen.name;
        const r = systemCall(ctx, 'kubelet', { verb: 'update', resource: 'events', namespace: pod.metadata!.namespace, name: seen.name, body });
        if (r.status < 300) continue;
      }
      const body = toEventObject(pod, nodeName, ev);
      let r = systemCall(ctx, 'kubelet', { verb: 'create', resource: 'events', namespace: pod.metadata!.namespace, body });
      if (r.status === 409) {
        // A pod recreated under the same name can repeat an event name: pick another.
        (body.metadata as { name: string }).name += crypto.getRandomValues(new Uint8Array(2)).reduce((a, b) => a + b.toString(16).padStart(2, '0'), '');
        r = systemCall(ctx, 'kubelet', { verb: 'create', resource: 'events', namespace: pod.metadata!.namespace, body });
      }
      if (r.status < 300) eventNames.set(key, { name: (body.metadata as { name: string }).name, count: 1, firstAt: ev.at });
    }
  }

  return {
    name: 'kubelet',
    keysFor(e) {
      if (e.resource === 'pods') return (e.object.spec as { nodeName?: string } | undefined)?.nodeName ? [`${e.namespace}/${e.name}`] : [];
      if (e.resource === 'nodes' && e.type !== 'DELETED') {
        // A kubelet that starts again catches up with its pods.
        const before = e.prev?.metadata.annotations?.[KUBELET_ANNOTATION];
        const after = e.object.metadata.annotations?.[KUBELET_ANNOTATION];
        if (before !== after) return pods.podsOn(e.name).map((p) => p.key);
      }
      return [];
    },
    reconcile(key, now) {
      const { namespace, name } = splitKey(key);
      const pod = ctx.store.get('pods', namespace, name);
      if (!pod) {
        lastEval.delete(key);
        return;
      }
      const nodeName = (pod.spec as { nodeName?: string }).nodeName;
      if (!nodeName) return;
      const node = ctx.store.get('nodes', '', nodeName);
      if (!kubeletRunning(node)) return; // a stopped kubelet reports nothing
      const status = (pod.status ?? {}) as { podIP?: string; phase?: string };
      // The CNI (Calico IPAM) gives the sandbox its address; host-network pods use the node's.
      const hostNetwork = (pod.spec as { hostNetwork?: boolean }).hostNetwork === true;
      const podIP = status.podIP ?? (hostNetwork ? '' : ctx.network.ipam.assign(key, pod.metadata.uid ?? '', nodeName)) ?? '';
      const { timeScale } = sandboxConfig(ctx.store);
      const since = lastEval.get(key);
      const result = podStatusAt(pod as unknown as Pod, node as unknown as Node, boundAt(pod, now), now, {
        podIP,
        hostIP: internalIP(node!),
        timeScale,
        eventsSince: since,
      });
      lastEval.set(key, now);
      recordEvents(pod as unknown as Pod, nodeName, result.events);
      if (result.removeAt !== undefined && result.removeAt <= now) {
        systemCall(ctx, 'kubelet', { verb: 'delete', resource: 'pods', namespace, name, body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } } });
        lastEval.delete(key);
        return;
      }
      if (JSON.stringify(result.status) !== JSON.stringify(pod.status)) {
        systemCall(ctx, 'kubelet', {
          verb: 'update',
          subresource: 'status',
          resource: 'pods',
          namespace,
          name,
          body: { ...pod, status: result.status },
        });
      }
      return result.nextChangeAt ?? result.removeAt;
    },
  };
}
