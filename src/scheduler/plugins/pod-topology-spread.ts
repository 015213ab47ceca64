// PodTopologySpread (pkg/scheduler/framework/plugins/podtopologyspread): DoNotSchedule constraints filter nodes
// by skew (maxSkew, minDomains, nodeAffinityPolicy, nodeTaintsPolicy, matchLabelKeys); ScheduleAnyway constraints
// score them. Pods without constraints get the system defaults (hostname maxSkew 3, zone maxSkew 5, both
// ScheduleAnyway) when a selector can be derived for them (helper.DefaultSelector):
//  - with snapshot.workloads set: the selectors of the services matching the pod, plus the selector of its
//    controlling ReplicaSet / StatefulSet / ReplicationController, exactly as upstream;
//  - without workloads: only pods controlled by a ReplicaSet, StatefulSet or ReplicationController get defaults,
//    with the pod's own labels minus the per-pod ones (statefulset.kubernetes.io/pod-name,
//    apps.kubernetes.io/pod-index, controller-revision-hash) as the selector — what those controllers' selectors
//    select in practice.
// Counting pods per node is memoized on the NodeInfo, so a cycle costs O(nodes) once nodes are warm.
import type { Pod, Taint, TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import { doNotScheduleTaints, findUntoleratedTaint, labelsMatch, podNamespace, requiredNodeAffinity, safeSelector, selectorFromSet, selectorKey, type RequiredNodeAffinity } from '../helpers';
import { NOTHING, type Requirement } from '../../machinery/labels';
import { MAX_NODE_SCORE, newStatus, SUCCESS, type CycleState, type FilterPlugin, type NodeInfo, type NodeScore, type PreFilterResult, type ScorePlugin, type Snapshot, type Status } from '../types';

export const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;
const LABEL_HOSTNAME = 'kubernetes.io/hostname';
const LABEL_ZONE = 'topology.kubernetes.io/zone';

export const SYSTEM_DEFAULT_CONSTRAINTS: TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** Labels that differ between pods of one controller and so can't be part of a derived selector. */
const PER_POD_LABELS = new Set(['statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'controller-revision-hash']);

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Requirement[];
  selectorKey: string;
  minDomains: number;
  nodeAffinityPolicy: string;
  nodeTaintsPolicy: string;
}

function withKey(c: Omit<Constraint, 'selectorKey'>): Constraint {
  return { ...c, selectorKey: selectorKey(c.selector) };
}

/** filterTopologySpreadConstraints: the constraints with the given action, matchLabelKeys merged in. */
function filterConstraints(list: TopologySpreadConstraint[], podLabels: Record<string, string>, action: string): Constraint[] {
  const out: Constraint[] = [];
  for (const c of list) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = safeSelector(c.labelSelector);
    const keys = c.matchLabelKeys ?? [];
    if (keys.length > 0 && selector !== NOTHING) {
      const set: Record<string, string> = {};
      for (const k of keys) if (Object.prototype.hasOwnProperty.call(podLabels, k)) set[k] = podLabels[k];
      if (Object.keys(set).length > 0) selector = sortByKey([...selectorFromSet(set), ...selector]);
    }
    out.push(
      withKey({
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        selector,
        minDomains: c.minDomains ?? 1,
        nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
        nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
      }),
    );
  }
  return out;
}

function sortByKey(reqs: Requirement[]): Requirement[] {
  return [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function setMatches(set: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(set)) if (labels[k] !== v) return false;
  return true;
}

/** helper.DefaultSelector (see the file comment for the fallback without workloads). */
export function defaultSelector(pod: Pod, snapshot: Snapshot): Requirement[] {
  const labels = pod.metadata?.labels ?? {};
  const ns = podNamespace(pod);
  const owner = (pod.metadata?.ownerReferences ?? []).find((o) => o.controller);
  const w = snapshot.workloads;
  if (!w) {
    if (!owner || !['ReplicaSet', 'StatefulSet', 'ReplicationController'].includes(owner.kind)) return [];
    const set: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) if (!PER_POD_LABELS.has(k)) set[k] = v;
    return selectorFromSet(set);
  }
  const set: Record<string, string> = {};
  for (const svc of w.services ?? []) {
    if ((svc.metadata?.namespace ?? 'default') !== ns) continue;
    const sel = svc.spec?.selector ?? {};
    if (setMatches(sel, labels)) Object.assign(set, sel);
  }
  let selector = selectorFromSet(set);
  if (!owner) return selector;
  const sameNs = (o: { metadata?: { namespace?: string; name?: string } }) => (o.metadata?.namespace ?? 'default') === ns && o.metadata?.name === owner.name;
  const addSelector = (sel: Parameters<typeof safeSelector>[0]) => {
    const other = safeSelector(sel);
    if (other !== NOTHING) selector = sortByKey([...selector, ...other]);
  };
  if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
    const rc = (w.replicationControllers ?? []).find(sameNs);
    if (rc) selector = selectorFromSet({ ...set, ...(rc.spec?.selector ?? {}) });
  } else if (owner.apiVersion === 'apps/v1' && owner.kind === 'ReplicaSet') {
    const rs = (w.replicaSets ?? []).find(sameNs);
    if (rs) addSelector(rs.spec?.selector);
  } else if (owner.apiVersion === 'apps/v1' && owner.kind === 'StatefulSet') {
    const ss = (w.statefulSets ?? []).find(sameNs);
    if (ss) addSelector(ss.spec?.selector);
  }
  return selector;
}

export interface PodTopologySpreadOptions {
  weight?: number;
  /** Cluster-level default constraints; default: the system defaults. [] disables defaulting. */
  defaultConstraints?: TopologySpreadConstraint[];
}

function buildDefaultConstraints(defaults: TopologySpreadConstraint[], pod: Pod, action: string, snapshot: Snapshot): Constraint[] {
  const constraints = filterConstraints(defaults, pod.metadata?.labels ?? {}, action);
  if (constraints.length === 0) return [];
  const selector = defaultSelector(pod, snapshot);
  if (selector.length === 0) return [];
  const key = selectorKey(selector);
  return constraints.map((c) => ({ ...c, selector, selectorKey: key }));
}

function nodeHasAllKeys(labels: Record<string, string>, constraints: Constraint[]): boolean {
  for (const c of constraints) if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return false;
  return true;
}

function matchNodeInclusionPolicies(c: Constraint, pod: Pod, nodeInfo: NodeInfo, req: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !req.match(nodeInfo.node)) return false;
  if (c.nodeTaintsPolicy === 'Honor') {
    const taints: Taint[] | undefined = nodeInfo.node.spec?.taints;
    if (findUntoleratedTaint(taints, pod.spec?.tolerations, doNotScheduleTaints)) return false;
  }
  return true;
}

/** countPodsMatchSelector: pods in `ns`, not terminating, matching; memoized per node under `memoKey`. */
function countPodsMatchSelector(nodeInfo: NodeInfo, c: Constraint, ns: string, memoKey: string, epoch: number): number {
  if (c.selector.length === 0) return 0;
  return nodeInfo.memoized(memoKey, epoch, () => {
    let n = 0;
    for (const p of nodeInfo.pods) {
      if (p.metadata?.deletionTimestamp || podNamespace(p) !== ns) continue;
      if (labelsMatch(c.selector, p.metadata?.labels)) n++;
    }
    return n;
  });
}

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;
const memoKeyOf = (ns: string, c: Constraint) => `pts\u0000${ns}\u0000${c.selectorKey}`;

interface CriticalPath {
  value: string;
  num: number;
}

const MAX_INT32 = 2147483647;

/** The two domains with the fewest matching pods (criticalPaths). */
class CriticalPaths {
  p: [CriticalPath, CriticalPath] = [
    { value: '', num: MAX_INT32 },
    { value: '', num: MAX_INT32 },
  ];

  update(value: string, num: number): void {
    const p = this.p;
    let i = -1;
    if (value === p[0].value) i = 0;
    else if (value === p[1].value) i = 1;
    if (i >= 0) {
      p[i].num = num;
      if (p[0].num > p[1].num) this.p = [p[1], p[0]];
    } else if (num < p[0].num) {
      this.p = [{ value, num }, { ...p[0] }];
    } else if (num < p[1].num) {
      p[1] = { value, num };
    }
  }

  copy(): CriticalPaths {
    const c = new CriticalPaths();
    c.p = [{ ...this.p[0] }, { ...this.p[1] }];
    return c;
  }
}

class PreFilterState {
  constructor(
    public constraints: Constraint[],
    public criticalPaths: Map<string, CriticalPaths>,
    public domainsNum: Map<string, number>,
    public pairToMatchNum: Map<string, number>,
    public requiredAffinity: RequiredNodeAffinity,
  ) {}

  minMatchNum(key: string, minDomains: number): number | undefined {
    const paths = this.criticalPaths.get(key);
    if (!paths) return undefined;
    let min = paths.p[0].num;
    // Fewer eligible domains than minDomains: the global minimum counts as 0.
    if ((this.domainsNum.get(key) ?? 0) < minDomains) min = 0;
    return min;
  }

  clone(): PreFilterState {
    const paths = new Map<string, CriticalPaths>();
    for (const [k, v] of this.criticalPaths) paths.set(k, v.copy());
    return new PreFilterState(this.constraints, paths, this.domainsNum, new Map(this.pairToMatchNum), this.requiredAffinity);
  }
}

interface PreScoreState {
  constraints: Constraint[];
  ignoredNodes: Set<string>;
  topologyValueToPodCounts: Map<string, number>[];
  topologyNormalizingWeight: number[];
  namespace: string;
  memoKeys: string[];
  epoch: number;
}

export function podTopologySpread(opts: PodTopologySpreadOptions = {}): FilterPlugin & ScorePlugin {
  const defaults = opts.defaultConstraints ?? SYSTEM_DEFAULT_CONSTRAINTS;
  const systemDefaulted = opts.defaultConstraints === undefined;

  function updateWithPod(s: PreFilterState, updated: Pod, preemptor: Pod, nodeInfo: NodeInfo, delta: number): void {
    if (podNamespace(updated) !== podNamespace(preemptor)) return;
    const labels = nodeInfo.labels;
    if (!nodeHasAllKeys(labels, s.constraints)) return;
    for (const c of s.constraints) {
      if (!labelsMatch(c.selector, updated.metadata?.labels)) continue;
      if (!matchNodeInclusionPolicies(c, preemptor, nodeInfo, s.requiredAffinity)) continue;
      const v = labels[c.topologyKey];
      const k = pairKey(c.topologyKey, v);
      const n = (s.pairToMatchNum.get(k) ?? 0) + delta;
      s.pairToMatchNum.set(k, n);
      s.criticalPaths.get(c.topologyKey)?.update(v, n);
    }
  }

  return {
    name: NAME,
    weight: opts.weight ?? 2,
    events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate', 'NodeDelete'],

    preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): PreFilterResult | void {
      const explicit = pod.spec?.topologySpreadConstraints ?? [];
      const constraints =
        explicit.length > 0 ? filterConstraints(explicit, pod.metadata?.labels ?? {}, 'DoNotSchedule') : buildDefaultConstraints(defaults, pod, 'DoNotSchedule', snapshot);
      if (constraints.length === 0) return { skip: true };
      const ns = podNamespace(pod);
      const req = requiredNodeAffinity(pod);
      const pairToMatchNum = new Map<string, number>();
      const memoKeys = constraints.map((c) => memoKeyOf(ns, c));
      for (const nodeInfo of snapshot.nodes) {
        const labels = nodeInfo.labels;
        if (!nodeHasAllKeys(labels, constraints)) continue;
        const tpCounts = new Map<string, number>();
        constraints.forEach((c, i) => {
          if (!matchNodeInclusionPolicies(c, pod, nodeInfo, req)) return;
          tpCounts.set(pairKey(c.topologyKey, labels[c.topologyKey]), countPodsMatchSelector(nodeInfo, c, ns, memoKeys[i], snapshot.epoch));
        });
        for (const [k, n] of tpCounts) pairToMatchNum.set(k, (pairToMatchNum.get(k) ?? 0) + n);
      }
      const domainsNum = new Map<string, number>();
      const criticalPaths = new Map<string, CriticalPaths>();
      for (const c of constraints) criticalPaths.set(c.topologyKey, new CriticalPaths());
      for (const [k, n] of pairToMatchNum) {
        const i = k.indexOf('\u0000');
        const key = k.slice(0, i);
        domainsNum.set(key, (domainsNum.get(key) ?? 0) + 1);
        criticalPaths.get(key)!.update(k.slice(i + 1), n);
      }
      state.write(PRE_FILTER_KEY, new PreFilterState(constraints, criticalPaths, domainsNum, pairToMatchNum, req));
    },

    addPod(state: CycleState, podToSchedule: Pod, podToAdd: Pod, nodeInfo: NodeInfo): void {
      const s = state.read<PreFilterState>(PRE_FILTER_KEY);
      if (s) updateWithPod(s, podToAdd, podToSchedule, nodeInfo, 1);
    },

    removePod(state: CycleState, podToSchedule: Pod, podToRemove: Pod, nodeInfo: NodeInfo): void {
      const s = state.read<PreFilterState>(PRE_FILTER_KEY);
      if (s) updateWithPod(s, podToRemove, podToSchedule, nodeInfo, -1);
    },

    filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
      const s = state.read<PreFilterState>(PRE_FILTER_KEY);
      if (!s || s.constraints.length === 0) return SUCCESS;
      const labels = nodeInfo.labels;
      const podLabels = pod.metadata?.labels;
      for (const c of s.constraints) {
        if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return newStatus('UnschedulableAndUnresolvable', ERR_REASON_NODE_LABEL_NOT_MATCH);
        const min = s.minMatchNum(c.topologyKey, c.minDomains);
        if (min === undefined) continue;
        const self = labelsMatch(c.selector, podLabels) ? 1 : 0;
        const matchNum = s.pairToMatchNum.get(pairKey(c.topologyKey, labels[c.topologyKey])) ?? 0;
        if (matchNum + self - min > c.maxSkew) return newStatus('Unschedulable', ERR_REASON_CONSTRAINTS_NOT_MATCH);
      }
      return SUCCESS;
    },

    preScore(state: CycleState, pod: Pod, filteredNodes: NodeInfo[], snapshot: Snapshot): 'skip' | void {
      if (snapshot.nodes.length === 0) return 'skip';
      const explicit = pod.spec?.topologySpreadConstraints ?? [];
      const requireAll = explicit.length > 0 || !systemDefaulted;
      const constraints =
        explicit.length > 0 ? filterConstraints(explicit, pod.metadata?.labels ?? {}, 'ScheduleAnyway') : buildDefaultConstraints(defaults, pod, 'ScheduleAnyway', snapshot);
      if (constraints.length === 0) return 'skip';
      const ignoredNodes = new Set<string>();
      const counts = constraints.map(() => new Map<string, number>());
      const topoSize = constraints.map(() => 0);
      for (const n of filteredNodes) {
        const labels = n.labels;
        if (requireAll && !nodeHasAllKeys(labels, constraints)) {
          ignoredNodes.add(n.name);
          continue;
        }
        constraints.forEach((c, i) => {
          if (c.topologyKey === LABEL_HOSTNAME) return;
          const v = labels[c.topologyKey] ?? '';
          if (!counts[i].has(v)) {
            counts[i].set(v, 0);
            topoSize[i]++;
          }
        });
      }
      const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - ignoredNodes.size : topoSize[i]) + 2));
      const ns = podNamespace(pod);
      const req = requiredNodeAffinity(pod);
      const memoKeys = constraints.map((c) => memoKeyOf(ns, c));
      for (const nodeInfo of snapshot.nodes) {
        const labels = nodeInfo.labels;
        if (requireAll && !nodeHasAllKeys(labels, constraints)) continue;
        constraints.forEach((c, i) => {
          if (!matchNodeInclusionPolicies(c, pod, nodeInfo, req)) return;
          const v = labels[c.topologyKey] ?? '';
          const cur = counts[i].get(v);
          if (cur === undefined) return;
          counts[i].set(v, cur + countPodsMatchSelector(nodeInfo, c, ns, memoKeys[i], snapshot.epoch));
        });
      }
      const s: PreScoreState = { constraints, ignoredNodes, topologyValueToPodCounts: counts, topologyNormalizingWeight: weights, namespace: ns, memoKeys, epoch: snapshot.epoch };
      state.write(PRE_SCORE_KEY, s);
    },

    score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
      const s = state.read<PreScoreState>(PRE_SCORE_KEY);
      if (!s || s.ignoredNodes.has(nodeInfo.name)) return 0;
      const labels = nodeInfo.labels;
      let score = 0;
      s.constraints.forEach((c, i) => {
        if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return;
        const cnt = c.topologyKey === LABEL_HOSTNAME ? countPodsMatchSelector(nodeInfo, c, s.namespace, s.memoKeys[i], s.epoch) : (s.topologyValueToPodCounts[i].get(labels[c.topologyKey]) ?? 0);
        // scoreForCount: maxSkew-1 waters down small skews.
        score += cnt * s.topologyNormalizingWeight[i] + (c.maxSkew - 1);
      });
      return Math.round(score);
    },

    normalize(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
      const s = state.read<PreScoreState>(PRE_SCORE_KEY);
      if (!s) return;
      let min = Number.MAX_SAFE_INTEGER;
      let max = 0;
      const invalid = new Set<number>();
      scores.forEach((sc, i) => {
        if (s.ignoredNodes.has(sc.name)) {
          invalid.add(i);
          return;
        }
        if (sc.score < min) min = sc.score;
        if (sc.score > max) max = sc.score;
      });
      scores.forEach((sc, i) => {
        if (invalid.has(i)) sc.score = 0;
        else if (max === 0) sc.score = MAX_NODE_SCORE;
        else sc.score = Math.trunc((MAX_NODE_SCORE * (max + min - sc.score)) / max);
      });
    },
  };
}
