// NodePorts: rejects nodes where a requested hostPort (ip/protocol/port) is already taken
// (pkg/scheduler/framework/plugins/nodeports).
import type { Pod } from 'kubernetes-types/core/v1';
import { podInfo, type HostPort } from '../pod-info';
import { newStatus, SUCCESS, type CycleState, type FilterPlugin, type NodeInfo, type PreFilterResult, type Status } from '../types';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
const PRE_FILTER_KEY = `PreFilter${NAME}`;

export function nodePorts(): FilterPlugin {
  return {
    name: NAME,
    events: ['AssignedPodDelete', 'NodeAdd'],
    preFilter(state: CycleState, pod: Pod): PreFilterResult | void {
      const ports = podInfo(pod).hostPorts;
      if (ports.length === 0) return { skip: true };
      state.write(PRE_FILTER_KEY, ports);
    },
    filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
      const ports = state.read<HostPort[]>(PRE_FILTER_KEY) ?? podInfo(pod).hostPorts;
      for (const p of ports) if (nodeInfo.usedPorts.checkConflict(p.ip, p.protocol, p.port)) return newStatus('Unschedulable', ERR_REASON);
      return SUCCESS;
    },
  };
}
