// The simulated kubelets: for every pod bound to a node whose kubelet runs, report the status the
// time-driven model says (src/kubelet/lifecycle.ts), record its events, and remove the pod when a
// graceful deletion is over. One timer per pod, for the next change only: a steady pod arms nothing.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { profiled, type Controller } from '../durable/control-loop';
import type { PodsByNode } from '../durable/caches';
import { eventKey, toEventObject } from '../kubelet/events';
import { podStatusAt } from '../kubelet/lifecycle';
import type { KObject } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, trySystemCall, type ClusterContext } from './context';

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

/** `<pod>.<hex>` → `<pod>.<hex + 1>`. */
function nextNanoName(name: string): string {
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}.${(BigInt(`0x${name.slice(dot + 1)}`) + 1n).toString(16)}`;
}

export function kubeletController(ctx: ClusterContext, pods: PodsByNode): Controller {
  const lastEval = new Map<string, number>();
  /** When this kubelet first saw each pod's deletion (by key, with the pod's uid): the start of its graceful termination. */
  const deletionSeen = new Map<string, { uid: string; at: number }>();
  /** Per pod key: the Events recorded for its current incarnation (uid), by correlator key, to count repeats. */
  const recorded = new Map<string, { uid: string; names: Map<string, { name: string; count: number; firstAt: number }> }>();
  const eventNamesOf = (key: string, pod: Pod) => {
    const uid = pod.metadata?.uid ?? '';
    let r = recorded.get(key);
    if (r?.uid !== uid) recorded.set(key, (r = { uid, names: new Map() }));
    return r.names;
  };

  /**
   * The Event this kubelet already recorded for `ev` before the Durable Object restarted (its
   * in-memory names are gone, the store keeps the Events): same deterministic name, same pod uid.
   */
  function recordedBefore(pod: Pod, name: string, ev: ReturnType<typeof podStatusAt>['events'][number]): KObject | undefined {
    const existing = ctx.store.get('events', pod.metadata!.namespace!, name) as (KObject & { reason?: string; message?: string; involvedObject?: { uid?: string } }) | undefined;
    return existing && existing.involvedObject?.uid === pod.metadata!.uid && existing.reason === ev.reason && existing.message === ev.message ? existing : undefined;
  }

  /** `fresh`: the first look at this pod since the object started (events may already be stored). */
  function recordEvents(key: string, pod: Pod, nodeName: string, events: ReturnType<typeof podStatusAt>['events'], fresh: boolean): void {
    if (!events.length) return;
    const eventNames = eventNamesOf(key, pod);
    for (const ev of events) {
      const evKey = eventKey(pod, nodeName, ev);
      const seen = eventNames.get(evKey);
      if (seen) {
        seen.count++;
        const body = toEventObject(pod, nodeName, ev, seen.count, seen.firstAt);
        (body.metadata as { name: string }).name = seen.name;
        const r = systemCall(ctx, 'kubelet', { verb: 'update', resource: 'events', namespace: pod.metadata!.namespace, name: seen.name, body });
        if (r.status < 300) continue;
      }
      const body = toEventObject(pod, nodeName, ev);
      const name = (body.metadata as { name: string }).name;
      const before = fresh ? recordedBefore(pod, name, ev) : undefined;
      if (before) {
        eventNames.set(evKey, { name, count: Number((before as { count?: number }).count ?? 1), firstAt: ev.at });
        continue;
      }
      let r = trySystemCall(ctx, 'kubelet', { verb: 'create', resource: 'events', namespace: pod.metadata!.namespace, body });
      for (let tries = 0; r.status === 409 && tries < 8; tries++) {
        // Taken (a hash clash): the next nanosecond, still `<pod>.<hex UnixNano>` like the recorder's.
        (body.metadata as { name: string }).name = nextNanoName((body.metadata as { name: string }).name);
        r = trySystemCall(ctx, 'kubelet', { verb: 'create', resource: 'events', namespace: pod.metadata!.namespace, body });
      }
      if (r.status < 300) eventNames.set(evKey, { name: (body.metadata as { name: string }).name, count: 1, firstAt: ev.at });
    }
  }

  /**
   * Graceful termination starts when the kubelet sees the deletion, like upstream's. The
   * deletionTimestamp alone cannot say when: it has whole seconds (up to 999 ms early), which
   * took that much off `shutdown-after` and the grace period. Unseen before (the object
   * restarted): the latest start that timestamp allows, never earlier than the real one.
   */
  function deletionStartedAt(key: string, pod: KObject, now: number): number | undefined {
    const m = pod.metadata;
    if (!m.deletionTimestamp) return undefined;
    const uid = m.uid ?? '';
    const seen = deletionSeen.get(key);
    if (seen?.uid === uid) return seen.at;
    const latest = Date.parse(m.deletionTimestamp) - (m.deletionGracePeriodSeconds ?? 0) * 1000 + 999;
    const at = Number.isNaN(latest) ? now : Math.min(now, latest);
    deletionSeen.set(key, { uid, at });
    return at;
  }

  /**
   * The pod whose status or removal this kubelet is writing: that write's own event needs no second
   * look (the reconcile that writes has already asked for its next change).
   */
  let writing: string | undefined;
  const write = (key: string, call: Parameters<typeof systemCall>[2]) => {
    writing = key;
    try {
      systemCall(ctx, 'kubelet', call);
    } finally {
      writing = undefined;
    }
  };

  return {
    name: 'kubelet',
    keysFor(e) {
      if (e.resource === 'pods' && writing === `${e.namespace}/${e.name}`) return [];
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
        deletionSeen.delete(key);
        recorded.delete(key);
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
      const result = profiled('kubelet.sim', () => podStatusAt(pod as unknown as Pod, node as unknown as Node, boundAt(pod, now), now, {
        podIP,
        hostIP: internalIP(node!),
        timeScale,
        eventsSince: since,
        deletionStartedAt: deletionStartedAt(key, pod, now),
      }));
      lastEval.set(key, now);
      profiled('kubelet.events', () => recordEvents(key, pod as unknown as Pod, nodeName, result.events, since === undefined));
      if (result.removeAt !== undefined && result.removeAt <= now) {
        write(key, { verb: 'delete', resource: 'pods', namespace, name, body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } } });
        lastEval.delete(key);
        deletionSeen.delete(key);
        recorded.delete(key);
        return;
      }
      if (JSON.stringify(result.status) !== JSON.stringify(pod.status)) {
        write(key, {
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
