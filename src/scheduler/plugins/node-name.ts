// NodeName: a pod with spec.nodeName fits only that node (pkg/scheduler/framework/plugins/nodename).
import type { Pod } from 'kubernetes-types/core/v1';
import { newStatus, SUCCESS, type CycleState, type FilterPlugin, type NodeInfo, type Status } from '../types';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

export function nodeName(): FilterPlugin {
  return {
    name: NAME,
    events: ['NodeAdd'],
    filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
      const want = pod.spec?.nodeName;
      if (!want || want === nodeInfo.name) return SUCCESS;
      return newStatus('UnschedulableAndUnresolvable', ERR_REASON);
    },
  };
}
