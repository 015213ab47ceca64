// One scheduling cycle, after pkg/scheduler/schedule_one.go and framework/runtime/framework.go: PreFilter,
// Filter over the nodes (starting where the previous cycle stopped, stopping once enough feasible nodes are found),
// PreScore/Score/NormalizeScore with plugin weights, and the host choice (uniformly random among the best scores,
// from a seeded generator so runs are reproducible). failedSchedulingMessage renders FitError.Error().
import type { Pod } from 'kubernetes-types/core/v1';
import { podKey, podPriority } from './helpers';
import { interPodAffinity } from './plugins/inter-pod-affinity';
import { nodeAffinity } from './plugins/node-affinity';
import { nodeName } from './plugins/node-name';
import { nodePorts } from './plugins/node-ports';
import { nodeResourcesBalancedAllocation, nodeResourcesFit } from './plugins/node-resources-fit';
import { nodeUnschedulable } from './plugins/node-unschedulable';
import { podTopologySpread } from './plugins/pod-topology-spread';
import { schedulingGates } from './plugins/scheduling-gates';
import { taintToleration } from './plugins/taint-toleration';
import { volumeBinding } from './plugins/volume-binding';
import {
  CycleState,
  isRejected,
  newStatus,
  statusMessage,
  SUCCESS,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type PreEnqueuePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
} from './types';

// ---------------------------------------------------------------------------------------------
// Profile

/** A scheduler profile: its plugins in upstream order, and the state kube-scheduler keeps between cycles. */
export interface Profile {
  schedulerName: string;
  preEnqueuePlugins: PreEnqueuePlugin[];
  /** PreFilter and Filter run in this order; a node's status is the first failing filter's. */
  filterPlugins: FilterPlugin[];
  scorePlugins: ScorePlugin[];
  /** percentageOfNodesToScore; 0 = adaptive (50% - nodes/125, at least 5%, at least 100 nodes). */
  percentageOfNodesToScore: number;
  /** Where the next cycle starts looking (sched.nextStartNodeIndex). */
  nextStartNodeIndex: number;
  /** Uniform [0, 1) source for tie-breaking and preemption offsets. */
  random: () => number;
}

export interface ProfileOptions {
  schedulerName?: string;
  /** Seed of the tie-breaking generator (default 1). */
  seed?: number;
  random?: () => number;
  percentageOfNodesToScore?: number;
}

/** mulberry32: a small seeded PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The default-scheduler profile of kube-scheduler 1.33 (of the volume plugins only VolumeBinding's claim checks;
 * ImageLocality left out): filters NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts,
 * NodeResourcesFit, VolumeBinding, PodTopologySpread,
 * InterPodAffinity; scores TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1 (LeastAllocated),
 * PodTopologySpread 2, InterPodAffinity 2, NodeResourcesBalancedAllocation 1.
 */
export function createProfile(opts: ProfileOptions = {}): Profile {
  const tt = taintToleration(3);
  const na = nodeAffinity(2);
  const fit = nodeResourcesFit({ weight: 1 });
  const pts = podTopologySpread({ weight: 2 });
  const ipa = interPodAffinity({ weight: 2 });
  return {
    schedulerName: opts.schedulerName ?? 'default-scheduler',
    preEnqueuePlugins: [schedulingGates()],
    filterPlugins: [nodeUnschedulable(), nodeName(), tt, na, nodePorts(), fit, volumeBinding(), pts, ipa],
    scorePlugins: [tt, na, fit, pts, ipa, nodeResourcesBalancedAllocation({ weight: 1 })],
    percentageOfNodesToScore: opts.percentageOfNodesToScore ?? 0,
    nextStartNodeIndex: 0,
    random: opts.random ?? seededRandom(opts.seed ?? 1),
  };
}

let defaultProfile: Profile | undefined;

function profileOrDefault(p?: Profile): Profile {
  return p ?? (defaultProfile ??= createProfile());
}

// ---------------------------------------------------------------------------------------------
// Diagnosis and FitError

/** framework.Diagnosis: why the pod fits no node. */
export interface Diagnosis {
  /** Nodes rejected by Filter (or PreFilterResult), with the rejecting status. */
  nodeToStatus: Map<string, Status>;
  /** The status of nodes not in nodeToStatus (set when PreFilter rejected the pod or narrowed the nodes). */
  absentNodesStatus: Status;
  /** Plugins that rejected the pod somewhere (the queue requeues it on their events). */
  unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new Map(), absentNodesStatus: newStatus('UnschedulableAndUnresolvable'), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

function addPluginStatus(d: Diagnosis, s: Status): void {
  if (s.plugin && isRejected(s)) d.unschedulablePlugins.add(s.plugin);
}

/** The status of a node in the diagnosis (explicit, else the absent nodes' status). */
export function nodeStatus(d: Diagnosis, nodeName: string): Status {
  return d.nodeToStatus.get(nodeName) ?? d.absentNodesStatus;
}

/**
 * FitError.Error(): `0/N nodes are available: <PreFilterMsg>.` or the sorted histogram of filter reasons
 * (`1 node(s) had untolerated taint {...}, 3 Insufficient cpu.`), then the PostFilter (preemption) message.
 */
export function failedSchedulingMessage(diagnosis: Diagnosis, numAllNodes: number, postFilterMsg: string = diagnosis.postFilterMsg): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (diagnosis.preFilterMsg) {
    msg += ` ${diagnosis.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const s of diagnosis.nodeToStatus.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = numAllNodes - diagnosis.nodeToStatus.size;
    if (absent > 0) for (const r of diagnosis.absentNodesStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}

/** ErrNoNodesAvailable. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

// ---------------------------------------------------------------------------------------------
// Running plugins

interface PreFilterOutcome {
  status: Status;
  nodeNames?: Set<string>;
  pluginsWithNodes: string[];
}

/** RunPreFilterPlugins: Skip results mark the plugin skipped; narrowed node sets intersect. */
export function runPreFilterPlugins(profile: Profile, state: CycleState, pod: Pod, snapshot: Snapshot): PreFilterOutcome {
  let nodeNames: Set<string> | undefined;
  const pluginsWithNodes: string[] = [];
  let returnStatus: Status = SUCCESS;
  for (const pl of profile.filterPlugins) {
    if (!pl.preFilter) continue;
    const r = pl.preFilter(state, pod, snapshot) ?? {};
    if (r.skip) {
      state.skipFilterPlugins.add(pl.name);
      continue;
    }
    if (r.status && r.status.code !== 'Success') {
      const s = { ...r.status, plugin: pl.name };
      if (s.code === 'UnschedulableAndUnresolvable') return { status: s, pluginsWithNodes: [] };
      if (s.code === 'Unschedulable') {
        returnStatus = s;
        continue;
      }
      return { status: { code: 'Error', reasons: [`running PreFilter plugin "${pl.name}": ${statusMessage(s)}`], plugin: pl.name }, pluginsWithNodes: [] };
    }
    if (r.nodeNames) {
      pluginsWithNodes.push(pl.name);
      nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => r.nodeNames!.has(n))) : new Set(r.nodeNames);
      if (nodeNames.size === 0) {
        const sorted = [...pluginsWithNodes].sort();
        const msg = sorted.length === 1 ? `node(s) didn't satisfy plugin ${sorted[0]}` : `node(s) didn't satisfy plugin(s) [${sorted.join(' ')}] simultaneously`;
        return { status: newStatus('UnschedulableAndUnresolvable', msg), nodeNames, pluginsWithNodes };
      }
    }
  }
  return { status: returnStatus, nodeNames, pluginsWithNodes };
}

/** RunFilterPlugins: the first non-success status, tagged with its plugin. */
export function runFilterPlugins(profile: Profile, state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
  for (const pl of profile.filterPlugins) {
    if (state.skipFilterPlugins.has(pl.name)) continue;
    const s = pl.filter(state, pod, nodeInfo);
    if (s.code !== 'Success') return { ...s, plugin: pl.name };
  }
  return SUCCESS;
}

/** RunPreFilterExtensionAddPod over the plugins that weren't skipped. */
export function runAddPod(profile: Profile, state: CycleState, pod: Pod, podToAdd: Pod, nodeInfo: NodeInfo): void {
  for (const pl of profile.filterPlugins) {
    if (pl.addPod && !state.skipFilterPlugins.has(pl.name)) pl.addPod(state, pod, podToAdd, nodeInfo);
  }
}

/** RunPreFilterExtensionRemovePod over the plugins that weren't skipped. */
export function runRemovePod(profile: Profile, state: CycleState, pod: Pod, podToRemove: Pod, nodeInfo: NodeInfo): void {
  for (const pl of profile.filterPlugins) {
    if (pl.removePod && !state.skipFilterPlugins.has(pl.name)) pl.removePod(state, pod, podToRemove, nodeInfo);
  }
}

/**
 * RunFilterPluginsWithNominatedPods: when pods of equal or higher priority are nominated to the node, the pod must
 * fit both with them (first pass) and without them (second pass).
 */
export function runFilterPluginsWithNominatedPods(profile: Profile, state: CycleState, pod: Pod, nodeInfo: NodeInfo, snapshot: Snapshot): Status {
  const nominated = snapshot.nominatedPodsFor(nodeInfo.name);
  if (nominated.length > 0) {
    const priority = podPriority(pod);
    const key = podKey(pod);
    let added = false;
    let nodeOut: NodeInfo | undefined;
    let stateOut: CycleState | undefined;
    for (const p of nominated) {
      if (podPriority(p) < priority || podKey(p) === key) continue;
      if (!nodeOut) {
        nodeOut = nodeInfo.clone();
        stateOut = state.clone();
      }
      nodeOut.addPod(p);
      runAddPod(profile, stateOut!, pod, p, nodeOut);
      added = true;
    }
    if (added) {
      const s = runFilterPlugins(profile, stateOut!, pod, nodeOut!);
      if (s.code !== 'Success') return s;
    }
  }
  return runFilterPlugins(profile, state, pod, nodeInfo);
}

/** numFeasibleNodesToFind. */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  const minFeasibleNodesToFind = 100;
  const minFeasibleNodesPercentageToFind = 5;
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < minFeasibleNodesPercentageToFind) percentage = minFeasibleNodesPercentageToFind;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

// ---------------------------------------------------------------------------------------------
// schedulePod

export interface ScheduleSuccess {
  nodeName: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

/** What preemption needs from a failed cycle: the cycle state after PreFilter. */
export interface Cycle {
  pod: Pod;
  state: CycleState;
  profile: Profile;
  snapshot: Snapshot;
}

export interface ScheduleFailure {
  nodeName?: undefined;
  /** Unschedulable (message = failedSchedulingMessage) or Error. */
  status: Status;
  diagnosis: Diagnosis;
  numAllNodes: number;
  /** Present when PreFilter ran, i.e. preemption can be tried. */
  cycle?: Cycle;
}

export type ScheduleResult = ScheduleSuccess | ScheduleFailure;

export function isScheduled(r: ScheduleResult): r is ScheduleSuccess {
  return r.nodeName !== undefined;
}

function findNodesThatPassFilters(profile: Profile, state: CycleState, pod: Pod, snapshot: Snapshot, diagnosis: Diagnosis, nodes: NodeInfo[], numAllNodes: number): { feasible: NodeInfo[]; error?: Status } {
  const n = nodes.length;
  const numNodesToFind = numFeasibleNodesToFind(profile.percentageOfNodesToScore, n);
  const feasible: NodeInfo[] = [];
  const start = profile.nextStartNodeIndex;
  let processed = 0;
  let error: Status | undefined;
  for (let i = 0; i < n && feasible.length < numNodesToFind; i++) {
    const nodeInfo = nodes[(start + i) % n];
    processed++;
    const s = runFilterPluginsWithNominatedPods(profile, state, pod, nodeInfo, snapshot);
    if (s.code === 'Success') feasible.push(nodeInfo);
    else if (s.code === 'Error') {
      error = s;
      break;
    } else {
      diagnosis.nodeToStatus.set(nodeInfo.name, s);
      addPluginStatus(diagnosis, s);
    }
  }
  if (numAllNodes > 0) profile.nextStartNodeIndex = (start + processed) % numAllNodes;
  return { feasible, error };
}

/** Scores of the feasible nodes: per plugin, normalized, times the plugin weight, summed. */
export function prioritizeNodes(profile: Profile, state: CycleState, pod: Pod, nodes: NodeInfo[], snapshot: Snapshot): NodeScore[] {
  const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
  for (const pl of profile.scorePlugins) {
    if (pl.preScore) {
      const r = pl.preScore(state, pod, nodes, snapshot);
      if (r === 'skip') {
        state.skipScorePlugins.add(pl.name);
        continue;
      }
    }
  }
  for (const pl of profile.scorePlugins) {
    if (state.skipScorePlugins.has(pl.name)) continue;
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: pl.score(state, pod, n) }));
    pl.normalize?.(state, pod, scores);
    for (let i = 0; i < scores.length; i++) totals[i].score += scores[i].score * pl.weight;
  }
  return totals;
}

/** selectHost: the highest total, ties broken uniformly at random (upstream: reservoir sampling). */
export function selectHost(scores: NodeScore[], random: () => number): string {
  let max = -Infinity;
  let best: string[] = [];
  for (const s of scores) {
    if (s.score > max) {
      max = s.score;
      best = [s.name];
    } else if (s.score === max) best.push(s.name);
  }
  return best[Math.min(best.length - 1, Math.floor(random() * best.length))];
}

/**
 * Schedules one pod: the name of the chosen node, or the status and diagnosis of the failure. Keep one profile
 * per cluster (it carries the round-robin start index and the seeded tie-breaker); without one a module-wide
 * default is used.
 */
export function schedulePod(pod: Pod, snapshot: Snapshot, profileArg?: Profile): ScheduleResult {
  const profile = profileOrDefault(profileArg);
  const diagnosis = newDiagnosis();
  const numAllNodes = snapshot.nodes.length;
  if (numAllNodes === 0) return { status: newStatus('UnschedulableAndUnresolvable', NO_NODES_AVAILABLE), diagnosis, numAllNodes };
  const state = new CycleState();
  const cycle: Cycle = { pod, state, profile, snapshot };

  const pre = runPreFilterPlugins(profile, state, pod, snapshot);
  if (pre.status.code !== 'Success') {
    if (!isRejected(pre.status)) return { status: pre.status, diagnosis, numAllNodes };
    diagnosis.absentNodesStatus = pre.status;
    diagnosis.preFilterMsg = statusMessage(pre.status);
    addPluginStatus(diagnosis, pre.status);
    return { status: { code: pre.status.code, reasons: [failedSchedulingMessage(diagnosis, numAllNodes)], plugin: pre.status.plugin }, diagnosis, numAllNodes, cycle };
  }
  for (const p of pre.pluginsWithNodes) diagnosis.unschedulablePlugins.add(p);

  // A node nominated by an earlier preemption is tried first.
  const nominated = pod.status?.nominatedNodeName;
  if (nominated) {
    const ni = snapshot.get(nominated);
    if (ni) {
      const s = runFilterPluginsWithNominatedPods(profile, state, pod, ni, snapshot);
      if (s.code === 'Success') return { nodeName: ni.name, evaluatedNodes: 1, feasibleNodes: 1 };
      if (s.code !== 'Error') {
        diagnosis.nodeToStatus.set(ni.name, s);
        addPluginStatus(diagnosis, s);
      }
    }
  }

  let nodes = snapshot.nodes;
  if (pre.nodeNames) {
    const names = pre.nodeNames;
    nodes = snapshot.nodes.filter((n) => names.has(n.name));
    diagnosis.absentNodesStatus = newStatus('UnschedulableAndUnresolvable', `node(s) didn't satisfy plugin(s) [${[...pre.pluginsWithNodes].sort().join(' ')}]`);
  }
  const { feasible, error } = findNodesThatPassFilters(profile, state, pod, snapshot, diagnosis, nodes, numAllNodes);
  if (error) return { status: error, diagnosis, numAllNodes };
  if (feasible.length === 0) {
    return { status: { code: 'Unschedulable', reasons: [failedSchedulingMessage(diagnosis, numAllNodes)] }, diagnosis, numAllNodes, cycle };
  }
  const evaluatedNodes = feasible.length + diagnosis.nodeToStatus.size;
  if (feasible.length === 1) return { nodeName: feasible[0].name, evaluatedNodes, feasibleNodes: 1 };
  const scores = prioritizeNodes(profile, state, pod, feasible, snapshot);
  return { nodeName: selectHost(scores, profile.random), evaluatedNodes, feasibleNodes: feasible.length };
}

/** PreEnqueue plugins of the profile: the first rejection, or success. */
export function runPreEnqueuePlugins(profile: Profile, pod: Pod): Status {
  for (const pl of profile.preEnqueuePlugins) {
    const s = pl.preEnqueue(pod);
    if (s.code !== 'Success') return { ...s, plugin: pl.name };
  }
  return SUCCESS;
}
