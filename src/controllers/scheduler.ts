// kube-scheduler for a sandbox: an in-memory snapshot and scheduling queue fed by store events
// (rebuilt lazily after the DO wakes), one scheduling run per wake-up that pops pods, binds them
// through pods/binding, or records FailedScheduling and PodScheduled=False; preemption nominates a
// node and deletes victims. The next backoff deadline is the run's timer.
import type { Node, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import type { StoredEvent } from '../durable/store';
import { bindPod } from '../durable/subresources';
import type { KObject } from '../registry/types';
import {
  buildSnapshot,
  compactPod,
  createProfile,
  disruptionTargetCondition,
  preemptedMessage,
  scheduledMessage,
  scheduleOne,
  SchedulingQueue,
  type Profile,
  type Snapshot,
} from '../scheduler';
import { systemCall, type ClusterContext } from './context';
import { eventRecorder } from './events';

export const SCHEDULER_NAME = 'default-scheduler';
const RUN = 'run';
/** Pods per run before yielding (other requests get a turn; the run continues at once). */
const BATCH = 2000;

const asPod = (o: KObject) => o as unknown as Pod;

function isUnscheduled(p: KObject): boolean {
  const spec = p.spec as { nodeName?: string; schedulerName?: string };
  const phase = (p.status as { phase?: string } | undefined)?.phase;
  return !spec.nodeName && (spec.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME && !p.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

export function schedulerController(ctx: ClusterContext): Controller {
  let state: { snapshot: Snapshot; queue: SchedulingQueue; profile: Profile } | undefined;

  function load() {
    if (state) return state;
    const nodes = [...ctx.store.list('nodes')].map((n) => n as unknown as Node);
    const all = [...ctx.store.list('pods')];
    const bound = all.filter((p) => (p.spec as { nodeName?: string }).nodeName).map((p) => compactPod(asPod(p)));
    const priorityClasses = [...ctx.store.list('priorityclasses.scheduling.k8s.io')] as never[];
    const profile = createProfile({ seed: 1 });
    const snapshot = buildSnapshot(nodes, bound);
    snapshot.claims = (namespace, name) => ctx.store.get('persistentvolumeclaims', namespace, name) as unknown as PersistentVolumeClaim | undefined;
    const queue = new SchedulingQueue({ profile, priorityClasses });
    const now = Date.now();
    for (const p of all) if (isUnscheduled(p)) queue.add(asPod(p), now);
    state = { snapshot, queue, profile };
    return state;
  }

  const recorder = eventRecorder(ctx, SCHEDULER_NAME, SCHEDULER_NAME);
  const event = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) =>
    recorder.event(pod as unknown as KObject, 'Pod', 'v1', type, reason, message);

  /** PodScheduled=False with the reason and message, written only when they change. */
  function markUnschedulable(pod: KObject, reason: string, message: string, nominated: string | null | undefined): void {
    const status = (pod.status ?? {}) as { conditions?: { type: string; status: string; reason?: string; message?: string }[]; nominatedNodeName?: string };
    const cur = status.conditions?.find((c) => c.type === 'PodScheduled');
    const nominationChanges = nominated !== undefined && (nominated ?? undefined) !== status.nominatedNodeName;
    if (cur?.status === 'False' && cur.reason === reason && cur.message === message && !nominationChanges) return;
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: nowTimestamp(), reason, message } as never);
    const next: Record<string, unknown> = { ...status, conditions };
    if (nominated === null) delete next.nominatedNodeName;
    else if (nominated) next.nominatedNodeName = nominated;
    systemCall(ctx, SCHEDULER_NAME, { verb: 'update', subresource: 'status', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name, body: { ...pod, status: next } });
  }

  function preemptVictims(preemptor: Pod, nodeName: string, victims: Pod[]): void {
    for (const v of victims) {
      const live = ctx.store.get('pods', v.metadata!.namespace!, v.metadata!.name!);
      if (!live) continue;
      const status = (live.status ?? {}) as { conditions?: { type: string }[] };
      const conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), { ...disruptionTargetCondition(), lastTransitionTime: nowTimestamp() }];
      systemCall(ctx, SCHEDULER_NAME, { verb: 'update', subresource: 'status', resource: 'pods', namespace: live.metadata.namespace, name: live.metadata.name, body: { ...live, status: { ...status, conditions } } });
      event(asPod(live), 'Normal', 'Preempted', preemptedMessage(preemptor, nodeName));
      systemCall(ctx, SCHEDULER_NAME, { verb: 'delete', resource: 'pods', namespace: live.metadata.namespace, name: live.metadata.name, body: { preconditions: { uid: live.metadata.uid } } });
    }
  }

  function observe(e: StoredEvent, now: number): boolean {
    if (!state) return true; // loads everything at the next run
    const { snapshot, queue } = state;
    if (e.resource === 'nodes') {
      if (e.type === 'DELETED') {
        snapshot.removeNode(e.name);
        queue.moveAllToActiveOrBackoff('NodeDelete', now);
      } else {
        snapshot.setNode(e.object as unknown as Node);
        queue.moveAllToActiveOrBackoff(e.type === 'ADDED' ? 'NodeAdd' : 'NodeUpdate', now);
      }
      return true;
    }
    if (e.resource === 'persistentvolumeclaims') {
      // A claim that appears, or changes (its deletion cancelled...), may unblock pods VolumeBinding rejected.
      if (e.type === 'DELETED') return false;
      return queue.moveAllToActiveOrBackoff(e.type === 'ADDED' ? 'PvcAdd' : 'PvcUpdate', now) > 0;
    }
    if (e.resource !== 'pods') return false;
    const pod = asPod(e.object);
    const wasBound = !!(e.prev?.spec as { nodeName?: string } | undefined)?.nodeName;
    const bound = !!(e.object.spec as { nodeName?: string }).nodeName;
    if (e.type === 'DELETED') {
      if (bound) {
        snapshot.removePod(pod);
        queue.moveAllToActiveOrBackoff('AssignedPodDelete', now);
      } else queue.delete(pod);
      return true;
    }
    if (bound) {
      if (!wasBound) queue.delete(pod);
      snapshot.updatePod(compactPod(pod));
      queue.moveAllToActiveOrBackoff(wasBound ? 'AssignedPodUpdate' : 'AssignedPodAdd', now);
      return true;
    }
    if (isUnscheduled(e.object)) {
      // Our own status writes (PodScheduled=False) must not requeue the pod.
      const specChanged = JSON.stringify({ ...e.object, status: undefined, metadata: { ...e.object.metadata, resourceVersion: undefined, managedFields: undefined } }) !==
        JSON.stringify({ ...e.prev, status: undefined, metadata: { ...e.prev?.metadata, resourceVersion: undefined, managedFields: undefined } });
      if (e.type === 'ADDED' || specChanged) queue.add(pod, now);
      return e.type === 'ADDED' || specChanged;
    }
    queue.delete(pod);
    return false;
  }

  return {
    name: 'scheduler',
    keysFor(e) {
      if (e.resource !== 'pods' && e.resource !== 'nodes' && e.resource !== 'persistentvolumeclaims') return [];
      return observe(e, Date.now()) ? [RUN] : [];
    },
    reconcile(_key, now) {
      const { snapshot, queue, profile } = load();
      for (let i = 0; i < BATCH; i++) {
        const info = queue.pop(now);
        if (!info) break;
        const live = ctx.store.get('pods', info.pod.metadata!.namespace!, info.pod.metadata!.name!);
        if (!live || !isUnscheduled(live)) {
          queue.done(info.pod);
          continue;
        }
        const pdbs = [...ctx.store.list('poddisruptionbudgets.policy')] as never[];
        const out = scheduleOne(asPod(live), snapshot, profile, { pdbs, now } as never);
        if (out.nodeName !== undefined) {
          try {
            const boundPod = bindPod(ctx.store, live.metadata.namespace!, live.metadata.name!, out.nodeName);
            snapshot.addPod(compactPod(asPod(boundPod)));
            event(asPod(boundPod), 'Normal', 'Scheduled', scheduledMessage(asPod(boundPod), out.nodeName));
          } catch {
            queue.markUnschedulable(info.pod, now);
            continue;
          }
          queue.done(info.pod);
          continue;
        }
        if (out.victims?.length && out.nominatedNodeName) preemptVictims(asPod(live), out.nominatedNodeName, out.victims);
        for (const p of out.clearNominatedNodeName ?? []) {
          const cur = ctx.store.get('pods', p.metadata!.namespace!, p.metadata!.name!);
          if (cur) markUnschedulable(cur, 'Unschedulable', ((cur.status as { conditions?: { type: string; message?: string }[] }).conditions ?? []).find((c) => c.type === 'PodScheduled')?.message ?? '', null);
        }
        markUnschedulable(live, out.reason, out.message, out.nominatedNodeName);
        event(asPod(live), 'Warning', 'FailedScheduling', out.message);
        queue.markUnschedulable(info.pod, now, out.unschedulablePlugins);
      }
      const next = queue.nextDeadline();
      return next === undefined ? undefined : Math.max(next, now + 1);
    },
  };
}
