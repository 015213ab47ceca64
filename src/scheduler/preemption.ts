// DefaultPreemption (pkg/scheduler/framework/plugins/defaultpreemption + framework/preemption): for a pod that fits
// no node, find nodes where evicting lower-priority pods would make it fit, pick the minimal victim set per node
// (reprieving the most important pods first, PDB-violating ones before the others), and choose one node by the
// upstream criteria (fewest PDB violations, lowest highest victim priority, smallest priority sum, fewest
// victims, latest start time). Pure: the caller deletes the victims and sets status.nominatedNodeName.
import type { Pod } from 'kubernetes-types/core/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import { labelsMatch, podNamespace, podPriority, safeSelector, timeOf } from './helpers';
import { failedSchedulingMessage, newDiagnosis, nodeStatus, runFilterPluginsWithNominatedPods, runAddPod, runRemovePod, type Cycle, type Diagnosis } from './framework';
import { newStatus, type CycleState, type NodeInfo, type Status } from './types';

export const NAME = 'DefaultPreemption';
export const NOT_ELIGIBLE_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const NOT_ELIGIBLE_TERMINATING = 'not eligible due to a terminating pod on the nominated node.';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

export interface PreemptionOptions {
  pdbs?: PodDisruptionBudget[];
  /** Now in ms, for victims without status.startTime (default Date.now()). */
  now?: number;
  /** DefaultPreemptionArgs (defaults 10 and 100). */
  minCandidateNodesPercentage?: number;
  minCandidateNodesAbsolute?: number;
}

export interface Victims {
  pods: Pod[];
  numPDBViolations: number;
}

export type PreemptionResult =
  | {
      /** The node to nominate (status.nominatedNodeName). */
      nodeName: string;
      /** Pods to delete, most important first. */
      victims: Pod[];
      /** Lower-priority pods nominated to the same node: clear their status.nominatedNodeName. */
      clearNominatedNodeName: Pod[];
      /** PostFilter message: empty on success. */
      message: '';
    }
  | {
      nodeName?: undefined;
      victims?: undefined;
      /** `preemption: ...` for the FailedScheduling message (FitError's PostFilterMsg). */
      message: string;
      /** True when the pod's status.nominatedNodeName should be cleared (no candidate at all). */
      clearNomination: boolean;
    };

function startTime(pod: Pod, now: number): number {
  return timeOf(pod.status?.startTime) ?? now;
}

/** util.MoreImportantPod: higher priority, then the one that started earlier. */
export function moreImportantPod(a: Pod, b: Pod, now = Date.now()): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return startTime(a, now) < startTime(b, now);
}

function podTerminatingByPreemption(p: Pod): boolean {
  if (!p.metadata?.deletionTimestamp) return false;
  for (const c of p.status?.conditions ?? []) {
    if (c.type === 'DisruptionTarget') return c.status === 'True' && c.reason === 'PreemptionByScheduler';
  }
  return false;
}

/** PodEligibleToPreemptOthers. */
export function podEligibleToPreemptOthers(pod: Pod, cycle: Cycle, diagnosis: Diagnosis): { ok: boolean; message: string } {
  if (pod.spec?.preemptionPolicy === 'Never') return { ok: false, message: NOT_ELIGIBLE_NEVER };
  const nom = pod.status?.nominatedNodeName;
  if (nom) {
    // A nominated node the filters now reject outright: preempt again elsewhere.
    if (nodeStatus(diagnosis, nom).code === 'UnschedulableAndUnresolvable') return { ok: true, message: '' };
    const ni = cycle.snapshot.get(nom);
    if (ni) {
      const prio = podPriority(pod);
      for (const p of ni.pods) if (podPriority(p) < prio && podTerminatingByPreemption(p)) return { ok: false, message: NOT_ELIGIBLE_TERMINATING };
    }
  }
  return { ok: true, message: '' };
}

/** filterPodsWithPDBViolation: stable split of pods whose eviction would exceed a PDB's disruptionsAllowed. */
export function filterPodsWithPDBViolation(pods: Pod[], pdbs: PodDisruptionBudget[]): [Pod[], Pod[]] {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((p) => safeSelector(p.spec?.selector));
  const violating: Pod[] = [];
  const nonViolating: Pod[] = [];
  for (const pod of pods) {
    let violated = false;
    const labels = pod.metadata?.labels ?? {};
    if (Object.keys(labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if ((pdb.metadata?.namespace ?? 'default') !== podNamespace(pod)) return;
        const sel = selectors[i];
        // A nil or empty selector matches nothing.
        if (sel.length === 0 || !labelsMatch(sel, labels)) return;
        if (pod.metadata?.name && pdb.status?.disruptedPods && pod.metadata.name in pdb.status.disruptedPods) return;
        allowed[i]--;
        if (allowed[i] < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pod);
  }
  return [violating, nonViolating];
}

/** SelectVictimsOnNode: works on copies of the node and the cycle state. */
export function selectVictimsOnNode(cycle: Cycle, state: CycleState, nodeInfo: NodeInfo, pdbs: PodDisruptionBudget[], now: number): { victims: Pod[]; numPDBViolations: number; status: Status } {
  const { pod, profile, snapshot } = cycle;
  const prio = podPriority(pod);
  const potential = nodeInfo.pods.filter((p) => podPriority(p) < prio);
  for (const p of potential) {
    nodeInfo.removePod(p);
    runRemovePod(profile, state, pod, p, nodeInfo);
  }
  if (potential.length === 0) return { victims: [], numPDBViolations: 0, status: newStatus('UnschedulableAndUnresolvable', NO_VICTIMS) };
  // Doesn't fit even without every lower-priority pod: not a candidate (affinity to victims is not considered).
  const s = runFilterPluginsWithNominatedPods(profile, state, pod, nodeInfo, snapshot);
  if (s.code !== 'Success') return { victims: [], numPDBViolations: 0, status: s };
  const sorted = [...potential].sort((a, b) => (moreImportantPod(a, b, now) ? -1 : moreImportantPod(b, a, now) ? 1 : 0));
  const [violating, nonViolating] = filterPodsWithPDBViolation(sorted, pdbs);
  const victims: Pod[] = [];
  let numViolating = 0;
  const reprieve = (p: Pod): boolean => {
    nodeInfo.addPod(p);
    runAddPod(profile, state, pod, p, nodeInfo);
    const fits = runFilterPluginsWithNominatedPods(profile, state, pod, nodeInfo, snapshot).code === 'Success';
    if (!fits) {
      nodeInfo.removePod(p);
      runRemovePod(profile, state, pod, p, nodeInfo);
      victims.push(p);
    }
    return fits;
  };
  for (const p of violating) if (!reprieve(p)) numViolating++;
  for (const p of nonViolating) reprieve(p);
  if (violating.length > 0 && nonViolating.length > 0) victims.sort((a, b) => (moreImportantPod(a, b, now) ? -1 : moreImportantPod(b, a, now) ? 1 : 0));
  return { victims, numPDBViolations: numViolating, status: newStatus('Success') };
}

/** util.GetEarliestPodStartTime: the earliest start among the highest-priority victims. */
function earliestStartOfHighest(victims: Pod[], now: number): number {
  let maxPrio = podPriority(victims[0]);
  let earliest = startTime(victims[0], now);
  for (const p of victims) {
    const pr = podPriority(p);
    if (pr === maxPrio) earliest = Math.min(earliest, startTime(p, now));
    else if (pr > maxPrio) {
      maxPrio = pr;
      earliest = startTime(p, now);
    }
  }
  return earliest;
}

/** pickOneNodeForPreemption. */
export function pickOneNodeForPreemption(candidates: Map<string, Victims>, now = Date.now()): string | undefined {
  let names = [...candidates.keys()];
  if (names.length === 0) return undefined;
  const v = (n: string) => candidates.get(n)!;
  const scoreFuncs: ((n: string) => number)[] = [
    (n) => -v(n).numPDBViolations,
    (n) => -podPriority(v(n).pods[0]),
    // MaxInt32+1 is added to each priority so that negative priorities still sum up sensibly.
    (n) => -v(n).pods.reduce((sum, p) => sum + podPriority(p) + 2147483648, 0),
    (n) => -v(n).pods.length,
    (n) => earliestStartOfHighest(v(n).pods, now),
  ];
  for (const f of scoreFuncs) {
    let max = -Infinity;
    let selected: string[] = [];
    for (const n of names) {
      const s = f(n);
      if (s > max) {
        max = s;
        selected = [n];
      } else if (s === max) selected.push(n);
    }
    if (selected.length === 1) return selected[0];
    names = selected;
  }
  return names[0];
}

/**
 * Evaluator.Preempt for a pod that failed `cycle` with `diagnosis`. On success: the node to nominate and the victims.
 * Otherwise the PostFilter message (`preemption: 0/N nodes are available: ...`) to append to the FitError message.
 */
export function preempt(cycle: Cycle, diagnosis: Diagnosis, opts: PreemptionOptions = {}): PreemptionResult {
  const { pod, snapshot, profile } = cycle;
  const now = opts.now ?? Date.now();
  const pdbs = opts.pdbs ?? [];
  const eligible = podEligibleToPreemptOthers(pod, cycle, diagnosis);
  if (!eligible.ok) return { message: `preemption: ${eligible.message}`, clearNomination: false };

  const allNodes = snapshot.nodes;
  // Nodes that failed with Unschedulable (not ...AndUnresolvable) may be helped by removing pods.
  const potential = allNodes.filter((n) => nodeStatus(diagnosis, n.name).code === 'Unschedulable');
  const statuses = newDiagnosis();
  statuses.absentNodesStatus = newStatus('UnschedulableAndUnresolvable', NOT_HELPFUL);
  const candidates = new Map<string, Victims>();
  if (potential.length > 0) {
    const pct = opts.minCandidateNodesPercentage ?? 10;
    const abs = opts.minCandidateNodesAbsolute ?? 100;
    let numCandidates = Math.trunc((potential.length * pct) / 100);
    if (numCandidates < abs) numCandidates = abs;
    if (numCandidates > potential.length) numCandidates = potential.length;
    const offset = Math.floor(profile.random() * potential.length) % potential.length;
    const nonViolating: [string, Victims][] = [];
    const violating: [string, Victims][] = [];
    for (let i = 0; i < potential.length; i++) {
      const ni = potential[(offset + i) % potential.length];
      const r = selectVictimsOnNode(cycle, cycle.state.clone(), ni.clone(), pdbs, now);
      if (r.status.code === 'Success' && r.victims.length > 0) {
        const list = r.numPDBViolations === 0 ? nonViolating : violating;
        if (list.length < numCandidates) list.push([ni.name, { pods: r.victims, numPDBViolations: r.numPDBViolations }]);
        if (nonViolating.length > 0 && nonViolating.length + violating.length >= numCandidates) break;
        continue;
      }
      const st = r.status.code === 'Success' ? newStatus('Error', `expected at least one victim pod on node "${ni.name}"`) : r.status;
      statuses.nodeToStatus.set(ni.name, st);
    }
    for (const [n, v] of [...nonViolating, ...violating]) candidates.set(n, v);
  }
  if (candidates.size === 0) {
    return { message: `preemption: ${failedSchedulingMessage(statuses, allNodes.length, '')}`, clearNomination: true };
  }
  const nodeName = pickOneNodeForPreemption(candidates, now)!;
  const victims = candidates.get(nodeName)!.pods;
  const prio = podPriority(pod);
  const clearNominatedNodeName = snapshot.nominatedPodsFor(nodeName).filter((p) => podPriority(p) < prio);
  return { nodeName, victims, clearNominatedNodeName, message: '' };
}
