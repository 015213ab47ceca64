// NodeAffinity: spec.nodeSelector and required node affinity as a Filter, preferred node affinity as a Score
// (pkg/scheduler/framework/plugins/nodeaffinity). PreFilter narrows the nodes to metadata.name matchFields.
import type { Pod } from 'kubernetes-types/core/v1';
import { preferredSchedulingScore, requiredNodeAffinity, type RequiredNodeAffinity } from '../helpers';
import { newStatus, SUCCESS, type CycleState, type FilterPlugin, type NodeInfo, type NodeScore, type PreFilterResult, type ScorePlugin, type Status } from '../types';
import { defaultNormalizeScore } from './normalize';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';
const PRE_FILTER_KEY = `PreFilter${NAME}`;

export function nodeAffinity(weight = 2): FilterPlugin & ScorePlugin {
  return {
    name: NAME,
    weight,
    events: ['NodeAdd', 'NodeUpdate'],
    preFilter(state: CycleState, pod: Pod): PreFilterResult | void {
      const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      if (!required && pod.spec?.nodeSelector == null) return { skip: true };
      state.write(PRE_FILTER_KEY, requiredNodeAffinity(pod));
      const terms = required?.nodeSelectorTerms ?? [];
      if (!required || terms.length === 0) return;
      // Affinity to specific node names (matchFields metadata.name In): the union over terms of the
      // intersection within a term. A term without such a field allows every node.
      let nodeNames: Set<string> | undefined;
      for (const t of terms) {
        let termNames: Set<string> | undefined;
        for (const r of t.matchFields ?? []) {
          if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
          const s = new Set(r.values ?? []);
          termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
        }
        if (!termNames) return;
        nodeNames = new Set([...(nodeNames ?? []), ...termNames]);
      }
      if (nodeNames && nodeNames.size === 0) return { status: newStatus('UnschedulableAndUnresolvable', ERR_REASON_CONFLICT) };
      if (nodeNames && nodeNames.size > 0) return { nodeNames };
    },
    filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
      const req = state.read<RequiredNodeAffinity>(PRE_FILTER_KEY) ?? requiredNodeAffinity(pod);
      return req.match(nodeInfo.node) ? SUCCESS : newStatus('UnschedulableAndUnresolvable', ERR_REASON_POD);
    },
    preScore(_state: CycleState, pod: Pod): 'skip' | void {
      const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
      if (!preferred) return 'skip';
    },
    score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
      return preferredSchedulingScore(pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution, nodeInfo.node);
    },
    normalize(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
      defaultNormalizeScore(scores, false);
    },
  };
}
