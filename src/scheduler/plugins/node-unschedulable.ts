// NodeUnschedulable: filters out nodes with spec.unschedulable unless the pod tolerates the
// node.kubernetes.io/unschedulable:NoSchedule taint (pkg/scheduler/framework/plugins/nodeunschedulable).
import type { Pod } from 'kubernetes-types/core/v1';
import { tolerationsTolerateTaint } from '../helpers';
import { newStatus, SUCCESS, type CycleState, type FilterPlugin, type NodeInfo, type Status } from '../types';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeUnschedulable(): FilterPlugin {
  return {
    name: NAME,
    events: ['NodeAdd', 'NodeUpdate', 'PodUpdate'],
    filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
      if (!nodeInfo.node.spec?.unschedulable) return SUCCESS;
      if (tolerationsTolerateTaint(pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return SUCCESS;
      return newStatus('UnschedulableAndUnresolvable', ERR_REASON_UNSCHEDULABLE);
    },
  };
}
