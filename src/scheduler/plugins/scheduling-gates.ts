// SchedulingGates: PreEnqueue keeps pods with spec.schedulingGates out of the active queue
// (pkg/scheduler/framework/plugins/schedulinggates).
import type { Pod } from 'kubernetes-types/core/v1';
import { newStatus, SUCCESS, type PreEnqueuePlugin, type Status } from '../types';

export const NAME = 'SchedulingGates';

/** The PodScheduled condition kube-scheduler's queue reports for a gated pod. */
export const GATED_CONDITION = {
  type: 'PodScheduled',
  status: 'False',
  reason: 'SchedulingGated',
  message: 'Scheduling is blocked due to non-empty scheduling gates',
} as const;

export function schedulingGates(): PreEnqueuePlugin {
  return {
    name: NAME,
    events: ['PodUpdate'],
    preEnqueue(pod: Pod): Status {
      const gates = pod.spec?.schedulingGates ?? [];
      if (gates.length === 0) return SUCCESS;
      // fmt.Sprintf("waiting for scheduling gates: %v", gates) prints a Go slice: [a b].
      return newStatus('UnschedulableAndUnresolvable', `waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`);
    },
  };
}
