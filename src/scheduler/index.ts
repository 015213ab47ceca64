// kube-scheduler's scheduling logic, pure: build a Snapshot, keep a SchedulingQueue and a Profile per cluster,
// and run scheduleOne for each popped pod. The caller does the I/O (bind, patch conditions, record events,
// delete preemption victims) and feeds cluster changes back into the snapshot and the queue.
import type { Pod } from 'kubernetes-types/core/v1';
import { failedSchedulingMessage, schedulePod, type Profile } from './framework';
import { preempt, type PreemptionOptions } from './preemption';
import { isRejected, type Snapshot } from './types';

export * from './types';
export {
  createProfile,
  failedSchedulingMessage,
  isScheduled,
  newDiagnosis,
  NO_NODES_AVAILABLE,
  numFeasibleNodesToFind,
  schedulePod,
  seededRandom,
  type Cycle,
  type Diagnosis,
  type Profile,
  type ProfileOptions,
  type ScheduleFailure,
  type ScheduleResult,
  type ScheduleSuccess,
} from './framework';
export { preempt, type PreemptionOptions, type PreemptionResult } from './preemption';
export { priorityOf, SchedulingQueue, type QueuedPodInfo, type QueueOptions } from './queue';
export { GATED_CONDITION } from './plugins/scheduling-gates';

/** What one scheduling cycle decided. */
export type SchedulingOutcome =
  | { nodeName: string }
  | {
      nodeName?: undefined;
      /** PodScheduled=False reason: Unschedulable (rejected) or SchedulerError. */
      reason: 'Unschedulable' | 'SchedulerError';
      /** The FailedScheduling event and PodScheduled condition message (FitError.Error() with the preemption part). */
      message: string;
      /** For queue.markUnschedulable. */
      unschedulablePlugins: Set<string>;
      /** Set status.nominatedNodeName to this node; null clears it; undefined leaves it. */
      nominatedNodeName?: string | null;
      /** Preemption victims to delete (DisruptionTarget condition first, like kube-scheduler). */
      victims?: Pod[];
      /** Lower-priority pods nominated to the chosen node: clear their nominatedNodeName. */
      clearNominatedNodeName?: Pod[];
    };

/**
 * One scheduling cycle for a popped pod: schedulePod, and on a FitError the DefaultPreemption PostFilter. On
 * success, bind the pod to `nodeName` and add it (with spec.nodeName set) to the snapshot.
 */
export function scheduleOne(pod: Pod, snapshot: Snapshot, profile?: Profile, preemption: PreemptionOptions = {}): SchedulingOutcome {
  const r = schedulePod(pod, snapshot, profile);
  if (r.nodeName !== undefined) return { nodeName: r.nodeName };
  if (!r.cycle || !isRejected(r.status)) {
    return {
      reason: isRejected(r.status) ? 'Unschedulable' : 'SchedulerError',
      message: r.status.reasons.join(', '),
      unschedulablePlugins: r.diagnosis.unschedulablePlugins,
    };
  }
  const p = preempt(r.cycle, r.diagnosis, preemption);
  r.diagnosis.postFilterMsg = p.message;
  const message = failedSchedulingMessage(r.diagnosis, r.numAllNodes);
  if (p.nodeName !== undefined) {
    return {
      reason: 'Unschedulable',
      message,
      unschedulablePlugins: r.diagnosis.unschedulablePlugins,
      nominatedNodeName: p.nodeName,
      victims: p.victims,
      clearNominatedNodeName: p.clearNominatedNodeName,
    };
  }
  return {
    reason: 'Unschedulable',
    message,
    unschedulablePlugins: r.diagnosis.unschedulablePlugins,
    nominatedNodeName: p.clearNomination && pod.status?.nominatedNodeName ? null : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Texts kube-scheduler writes, and a compact pod projection for long-lived snapshots

/** The Normal/Scheduled event message after binding. */
export function scheduledMessage(pod: Pod, nodeName: string): string {
  return `Successfully assigned ${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''} to ${nodeName}`;
}

/** The Normal/Preempted event recorded on each victim. */
export function preemptedMessage(preemptor: Pod, nodeName: string): string {
  return `Preempted by pod ${preemptor.metadata?.uid ?? ''} on node ${nodeName}`;
}

/** The condition kube-scheduler patches onto a victim before deleting it. */
export function disruptionTargetCondition(schedulerName = 'default-scheduler') {
  return {
    type: 'DisruptionTarget',
    status: 'True',
    reason: 'PreemptionByScheduler',
    message: `${schedulerName}: preempting to accommodate a higher priority pod`,
  } as const;
}

/**
 * The fields of a pod the scheduler reads (requests, ports, affinity, tolerations, spread constraints, priority,
 * labels, owners, phase, nomination...). Feed these to a snapshot kept in memory to hold far fewer bytes per pod.
 */
export function compactPod(pod: Pod): Pod {
  const m = pod.metadata ?? {};
  const s = pod.spec;
  const st = pod.status;
  const container = (c: NonNullable<Pod['spec']>['containers'][number]) => ({
    name: c.name,
    ...(c.resources?.requests ? { resources: { requests: c.resources.requests } } : {}),
    ...(c.ports?.some((p) => p.hostPort) ? { ports: c.ports.filter((p) => p.hostPort) } : {}),
    ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}),
  });
  return {
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      labels: m.labels,
      ownerReferences: m.ownerReferences,
      creationTimestamp: m.creationTimestamp,
      deletionTimestamp: m.deletionTimestamp,
    },
    spec: s && {
      containers: s.containers.map(container),
      initContainers: s.initContainers?.map(container),
      overhead: s.overhead,
      nodeName: s.nodeName,
      nodeSelector: s.nodeSelector,
      affinity: s.affinity,
      tolerations: s.tolerations,
      topologySpreadConstraints: s.topologySpreadConstraints,
      priority: s.priority,
      priorityClassName: s.priorityClassName,
      preemptionPolicy: s.preemptionPolicy,
      schedulingGates: s.schedulingGates,
      schedulerName: s.schedulerName,
    },
    status: st && {
      phase: st.phase,
      startTime: st.startTime,
      nominatedNodeName: st.nominatedNodeName,
      conditions: st.conditions?.filter((c) => c.type === 'DisruptionTarget'),
    },
  };
}
