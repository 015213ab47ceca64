// TaintToleration: Filter rejects nodes with an untolerated NoSchedule/NoExecute taint; Score prefers nodes with
// fewer untolerated PreferNoSchedule taints (pkg/scheduler/framework/plugins/tainttoleration).
import type { Pod, Toleration } from 'kubernetes-types/core/v1';
import { doNotScheduleTaints, findUntoleratedTaint, tolerationsTolerateTaint } from '../helpers';
import { newStatus, SUCCESS, type CycleState, type FilterPlugin, type NodeInfo, type NodeScore, type ScorePlugin, type Status } from '../types';
import { defaultNormalizeScore } from './normalize';

export const NAME = 'TaintToleration';
const PRE_SCORE_KEY = `PreScore${NAME}`;

export function taintToleration(weight = 3): FilterPlugin & ScorePlugin {
  return {
    name: NAME,
    weight,
    events: ['NodeAdd', 'NodeUpdate', 'PodUpdate'],
    filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
      const taint = findUntoleratedTaint(nodeInfo.node.spec?.taints, pod.spec?.tolerations, doNotScheduleTaints);
      if (!taint) return SUCCESS;
      return newStatus('UnschedulableAndUnresolvable', `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    },
    preScore(state: CycleState, pod: Pod): void {
      // Tolerations with PreferNoSchedule or no effect (an empty effect matches every effect).
      const tolerations: Toleration[] = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      state.write(PRE_SCORE_KEY, tolerations);
    },
    score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
      const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? pod.spec?.tolerations ?? [];
      let intolerable = 0;
      for (const taint of nodeInfo.node.spec?.taints ?? []) {
        if (taint.effect !== 'PreferNoSchedule') continue;
        if (!tolerationsTolerateTaint(tolerations, taint)) intolerable++;
      }
      return intolerable;
    },
    normalize(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
      defaultNormalizeScore(scores, true);
    },
  };
}
