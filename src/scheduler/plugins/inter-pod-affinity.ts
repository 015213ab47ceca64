// InterPodAffinity (pkg/scheduler/framework/plugins/interpodaffinity): required pod affinity / anti-affinity of the
// incoming pod and required anti-affinity of existing pods as a Filter; preferred terms of both sides (and existing
// pods' required affinity, hardPodAffinityWeight 1) as a Score. PreFilter/PreScore precompute topology-pair counts
// once per cycle; the per-node "pods matching this term" counts are memoized on NodeInfo, so a cycle costs
// O(nodes + pods with affinity) instead of O(all pods) once the memo is warm.
import type { Pod } from 'kubernetes-types/core/v1';
import { podNamespace } from '../helpers';
import { podInfo, termMatches, type AffinityTerm, type PodInfo } from '../pod-info';
import { MAX_NODE_SCORE, newStatus, SUCCESS, type CycleState, type FilterPlugin, type NodeInfo, type NodeScore, type PreFilterResult, type ScorePlugin, type Snapshot, type Status } from '../types';

export const NAME = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;
const has = (labels: Record<string, string>, k: string) => Object.prototype.hasOwnProperty.call(labels, k);

type NsLabels = (ns: string) => Record<string, string>;

function podMatchesAllTerms(terms: AffinityTerm[], pod: Pod, nsLabels: NsLabels): boolean {
  if (terms.length === 0) return false;
  const labels = nsLabels(podNamespace(pod));
  for (const t of terms) if (!termMatches(t, pod, labels)) return false;
  return true;
}

function bump(m: Map<string, number>, k: string, delta: number): void {
  const n = (m.get(k) ?? 0) + delta;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

/** Pods on the node matching one term (memoized). */
function countMatchingTerm(nodeInfo: NodeInfo, t: AffinityTerm, nsLabels: NsLabels, epoch: number): number {
  return nodeInfo.memoized(t.memoKey, epoch, () => {
    let n = 0;
    for (const p of nodeInfo.pods) if (termMatches(t, p, nsLabels(podNamespace(p)))) n++;
    return n;
  });
}

/** Pods on the node matching all the terms (memoized). */
function countMatchingAllTerms(nodeInfo: NodeInfo, terms: AffinityTerm[], memoKey: string, nsLabels: NsLabels, epoch: number): number {
  return nodeInfo.memoized(memoKey, epoch, () => {
    let n = 0;
    for (const p of nodeInfo.pods) if (podMatchesAllTerms(terms, p, nsLabels)) n++;
    return n;
  });
}

class PreFilterState {
  constructor(
    public info: PodInfo,
    public nsLabels: NsLabels,
    /** Topology pairs → existing pods whose required anti-affinity terms match the incoming pod. */
    public existingAntiAffinityCounts: Map<string, number>,
    /** Topology pairs → existing pods matching all the incoming pod's required affinity terms. */
    public affinityCounts: Map<string, number>,
    /** Topology pairs → existing pods matching the incoming pod's required anti-affinity terms. */
    public antiAffinityCounts: Map<string, number>,
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(this.info, this.nsLabels, new Map(this.existingAntiAffinityCounts), new Map(this.affinityCounts), new Map(this.antiAffinityCounts));
  }

  updateWithPod(updated: Pod, nodeInfo: NodeInfo, delta: number): void {
    const labels = nodeInfo.labels;
    const incoming = this.info.pod;
    const incomingNs = this.nsLabels(this.info.namespace);
    for (const t of podInfo(updated).requiredAntiAffinityTerms) {
      if (termMatches(t, incoming, incomingNs) && has(labels, t.topologyKey)) bump(this.existingAntiAffinityCounts, pairKey(t.topologyKey, labels[t.topologyKey]), delta);
    }
    if (podMatchesAllTerms(this.info.requiredAffinityTerms, updated, this.nsLabels)) {
      for (const t of this.info.requiredAffinityTerms) if (has(labels, t.topologyKey)) bump(this.affinityCounts, pairKey(t.topologyKey, labels[t.topologyKey]), delta);
    }
    const updatedNs = this.nsLabels(podNamespace(updated));
    for (const t of this.info.requiredAntiAffinityTerms) {
      if (termMatches(t, updated, updatedNs) && has(labels, t.topologyKey)) bump(this.antiAffinityCounts, pairKey(t.topologyKey, labels[t.topologyKey]), delta);
    }
  }
}

function satisfyPodAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
  const labels = nodeInfo.labels;
  let podsExist = true;
  for (const t of s.info.requiredAffinityTerms) {
    if (!has(labels, t.topologyKey)) return false;
    if ((s.affinityCounts.get(pairKey(t.topologyKey, labels[t.topologyKey])) ?? 0) <= 0) podsExist = false;
  }
  if (!podsExist) {
    // The first pod of a group with affinity to itself: no pod anywhere matches, but the pod matches its own terms.
    return s.affinityCounts.size === 0 && podMatchesAllTerms(s.info.requiredAffinityTerms, s.info.pod, s.nsLabels);
  }
  return true;
}

function satisfyPodAntiAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
  const labels = nodeInfo.labels;
  for (const t of s.info.requiredAntiAffinityTerms) {
    if (has(labels, t.topologyKey) && (s.antiAffinityCounts.get(pairKey(t.topologyKey, labels[t.topologyKey])) ?? 0) > 0) return false;
  }
  return true;
}

function satisfyExistingPodsAntiAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  for (const [k, v] of Object.entries(nodeInfo.labels)) if ((s.existingAntiAffinityCounts.get(pairKey(k, v)) ?? 0) > 0) return false;
  return true;
}

interface PreScoreState {
  /** topologyKey → topology value → score. */
  topologyScore: Map<string, Map<string, number>>;
}

export interface InterPodAffinityOptions {
  weight?: number;
  /** Score weight of existing pods' required affinity terms the incoming pod matches (default 1). */
  hardPodAffinityWeight?: number;
  ignorePreferredTermsOfExistingPods?: boolean;
}

export function interPodAffinity(opts: InterPodAffinityOptions = {}): FilterPlugin & ScorePlugin {
  const hardWeight = opts.hardPodAffinityWeight ?? 1;
  return {
    name: NAME,
    weight: opts.weight ?? 2,
    events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],

    preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): PreFilterResult | void {
      const info = podInfo(pod);
      const nsLabels: NsLabels = (ns) => snapshot.namespaceLabels(ns);
      const incomingNs = nsLabels(info.namespace);
      const existing = new Map<string, number>();
      for (const nodeInfo of snapshot.havePodsWithRequiredAntiAffinity()) {
        // Pods with the same namespace and labels match the same terms: memoize per node and identity.
        const pairs = nodeInfo.memoized(info.memoKeys.existingAnti, snapshot.epoch, () => {
          const m = new Map<string, number>();
          const labels = nodeInfo.labels;
          for (const p of nodeInfo.podsWithRequiredAntiAffinity) {
            for (const t of podInfo(p).requiredAntiAffinityTerms) {
              if (has(labels, t.topologyKey) && termMatches(t, pod, incomingNs)) bump(m, pairKey(t.topologyKey, labels[t.topologyKey]), 1);
            }
          }
          return [...m];
        });
        for (const [k, n] of pairs) bump(existing, k, n);
      }
      const affinity = new Map<string, number>();
      const anti = new Map<string, number>();
      const aff = info.requiredAffinityTerms;
      const antiTerms = info.requiredAntiAffinityTerms;
      if (aff.length > 0 || antiTerms.length > 0) {
        for (const nodeInfo of snapshot.nodes) {
          if (nodeInfo.pods.length === 0) continue;
          const labels = nodeInfo.labels;
          if (aff.length > 0) {
            const n = countMatchingAllTerms(nodeInfo, aff, info.memoKeys.allAffinityTerms, nsLabels, snapshot.epoch);
            if (n > 0) for (const t of aff) if (has(labels, t.topologyKey)) bump(affinity, pairKey(t.topologyKey, labels[t.topologyKey]), n);
          }
          for (const t of antiTerms) {
            if (!has(labels, t.topologyKey)) continue;
            const n = countMatchingTerm(nodeInfo, t, nsLabels, snapshot.epoch);
            if (n > 0) bump(anti, pairKey(t.topologyKey, labels[t.topologyKey]), n);
          }
        }
      }
      if (existing.size === 0 && aff.length === 0 && antiTerms.length === 0) return { skip: true };
      state.write(PRE_FILTER_KEY, new PreFilterState(info, nsLabels, existing, affinity, anti));
    },

    addPod(state: CycleState, _pod: Pod, podToAdd: Pod, nodeInfo: NodeInfo): void {
      state.read<PreFilterState>(PRE_FILTER_KEY)?.updateWithPod(podToAdd, nodeInfo, 1);
    },

    removePod(state: CycleState, _pod: Pod, podToRemove: Pod, nodeInfo: NodeInfo): void {
      state.read<PreFilterState>(PRE_FILTER_KEY)?.updateWithPod(podToRemove, nodeInfo, -1);
    },

    filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Status {
      const s = state.read<PreFilterState>(PRE_FILTER_KEY);
      if (!s) return SUCCESS;
      if (!satisfyPodAffinity(s, nodeInfo)) return newStatus('UnschedulableAndUnresolvable', ERR_REASON_AFFINITY_RULES_NOT_MATCH);
      if (!satisfyPodAntiAffinity(s, nodeInfo)) return newStatus('Unschedulable', ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
      if (!satisfyExistingPodsAntiAffinity(s, nodeInfo)) return newStatus('Unschedulable', ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
      return SUCCESS;
    },

    preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[], snapshot: Snapshot): 'skip' | void {
      const info = podInfo(pod);
      const hasConstraints = info.preferredAffinityTerms.length > 0 || info.preferredAntiAffinityTerms.length > 0;
      if (opts.ignorePreferredTermsOfExistingPods && !hasConstraints) return 'skip';
      const nsLabels: NsLabels = (ns) => snapshot.namespaceLabels(ns);
      const incomingNs = nsLabels(info.namespace);
      const topologyScore = new Map<string, Map<string, number>>();
      const add = (key: string, value: string, delta: number) => {
        let m = topologyScore.get(key);
        if (!m) topologyScore.set(key, (m = new Map()));
        m.set(value, (m.get(value) ?? 0) + delta);
      };
      const nodes = hasConstraints ? snapshot.nodes : snapshot.havePodsWithAffinity();
      const scoreKey = hardWeight === 1 ? info.memoKeys.scoreContributions : `${info.memoKeys.scoreContributions}\u0000${hardWeight}`;
      for (const nodeInfo of nodes) {
        const labels = nodeInfo.labels;
        if (Object.keys(labels).length === 0 || nodeInfo.pods.length === 0) continue;
        if (hasConstraints) {
          // The incoming pod's preferred terms against every existing pod.
          for (const t of info.preferredAffinityTerms) {
            if (!t.topologyKey || !has(labels, t.topologyKey)) continue;
            const n = countMatchingTerm(nodeInfo, t, nsLabels, snapshot.epoch);
            if (n > 0) add(t.topologyKey, labels[t.topologyKey], t.weight * n);
          }
          for (const t of info.preferredAntiAffinityTerms) {
            if (!t.topologyKey || !has(labels, t.topologyKey)) continue;
            const n = countMatchingTerm(nodeInfo, t, nsLabels, snapshot.epoch);
            if (n > 0) add(t.topologyKey, labels[t.topologyKey], -t.weight * n);
          }
        }
        // Existing pods' terms against the incoming pod (memoized per node and incoming pod identity).
        if (nodeInfo.podsWithAffinity.length === 0) continue;
        const contributions = nodeInfo.memoized(scoreKey, snapshot.epoch, () => {
          const out: [string, string, number][] = [];
          for (const p of nodeInfo.podsWithAffinity) {
            const pi = podInfo(p);
            const apply = (terms: AffinityTerm[], weightOf: (t: AffinityTerm) => number) => {
              for (const t of terms) {
                if (!t.topologyKey || !has(labels, t.topologyKey)) continue;
                if (termMatches(t, pod, incomingNs)) out.push([t.topologyKey, labels[t.topologyKey], weightOf(t)]);
              }
            };
            if (hardWeight > 0) apply(pi.requiredAffinityTerms, () => hardWeight);
            apply(pi.preferredAffinityTerms, (t) => t.weight);
            apply(pi.preferredAntiAffinityTerms, (t) => -t.weight);
          }
          return out;
        });
        for (const [k, v, d] of contributions) add(k, v, d);
      }
      if (topologyScore.size === 0) return 'skip';
      state.write(PRE_SCORE_KEY, { topologyScore } satisfies PreScoreState);
    },

    score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
      const s = state.read<PreScoreState>(PRE_SCORE_KEY);
      if (!s) return 0;
      const labels = nodeInfo.labels;
      let score = 0;
      for (const [key, values] of s.topologyScore) if (has(labels, key)) score += values.get(labels[key]) ?? 0;
      return score;
    },

    normalize(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
      const s = state.read<PreScoreState>(PRE_SCORE_KEY);
      if (!s || s.topologyScore.size === 0) return;
      let min = Infinity;
      let max = -Infinity;
      for (const sc of scores) {
        if (sc.score > max) max = sc.score;
        if (sc.score < min) min = sc.score;
      }
      const diff = max - min;
      for (const sc of scores) sc.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((sc.score - min) / diff)) : 0;
    },
  };
}
