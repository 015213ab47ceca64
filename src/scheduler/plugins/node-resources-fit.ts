// NodeResourcesFit (Filter + LeastAllocated Score) and NodeResourcesBalancedAllocation (Score)
// (pkg/scheduler/framework/plugins/noderesources). Requests follow resourcehelper.PodRequests: containers summed,
// init containers maxed (each with the sidecars started before it), restartable init containers (sidecars)
// summed, overhead added.
import type { Pod } from 'kubernetes-types/core/v1';
import { podInfo } from '../pod-info';
import { intValue, isScalarResourceName, milliValue, podRequests, type Resources, type ResourceMap } from '../resources';
import { MAX_NODE_SCORE, newStatus, SUCCESS, type CycleState, type FilterPlugin, type NodeInfo, type ScorePlugin, type Status } from '../types';

export const NAME = 'NodeResourcesFit';
export const BALANCED_ALLOCATION_NAME = 'NodeResourcesBalancedAllocation';
const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;
const BA_PRE_SCORE_KEY = `PreScore${BALANCED_ALLOCATION_NAME}`;

/** config.ResourceSpec: the resources scoring looks at, with weights (the defaults: cpu 1, memory 1). */
export interface ResourceSpec {
  name: string;
  weight: number;
}

export const DEFAULT_SCORING_RESOURCES: ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

/** fitsRequest's InsufficientResource. */
export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
}

/** The pods' request vector the Filter checks (computePodResourceRequest). */
export function computePodResourceRequest(pod: Pod): Resources {
  return podInfo(pod).requests;
}

/** fitsRequest: which resources don't fit, in upstream's order (pods, cpu, memory, ephemeral-storage, scalars). */
export function fitsRequest(req: Resources, nodeInfo: NodeInfo, ignoredResources?: Set<string>): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.pods) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: alloc.pods });
  }
  const scalarNames = Object.keys(req.scalar).filter((k) => req.scalar[k] !== 0);
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && scalarNames.length === 0) return out;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) {
    out.push({ resourceName: 'cpu', reason: 'Insufficient cpu', requested: req.milliCPU, used: used.milliCPU, capacity: alloc.milliCPU });
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
    out.push({ resourceName: 'memory', reason: 'Insufficient memory', requested: req.memory, used: used.memory, capacity: alloc.memory });
  }
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    out.push({
      resourceName: 'ephemeral-storage',
      reason: 'Insufficient ephemeral-storage',
      requested: req.ephemeralStorage,
      used: used.ephemeralStorage,
      capacity: alloc.ephemeralStorage,
    });
  }
  // Go iterates a map here (random order); sorted names keep our reasons deterministic.
  for (const name of scalarNames.sort()) {
    if (ignoredResources?.has(name)) continue;
    const q = req.scalar[name];
    const a = alloc.scalar[name] ?? 0;
    const u = used.scalar[name] ?? 0;
    if (q > a - u) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: q, used: u, capacity: a });
  }
  return out;
}

/** Fits(pod, nodeInfo): the insufficient resources for a pod on a node. */
export function fits(pod: Pod, nodeInfo: NodeInfo): InsufficientResource[] {
  return fitsRequest(computePodResourceRequest(pod), nodeInfo);
}

// ---------------------------------------------------------------------------------------------
// Scoring (resource_allocation.go)

/** calculatePodResourceRequest: the pod's request for one resource; without useRequested, missing cpu/memory get defaults. */
function podRequestList(pod: Pod, resources: ResourceSpec[], useRequested: boolean): number[] {
  const reqs: ResourceMap = podRequests(pod, !useRequested);
  return resources.map((r) => reqs.get(r.name) ?? 0);
}

function allocatableAndRequested(nodeInfo: NodeInfo, resource: string, podRequest: number, useRequested: boolean): [number, number] {
  // An extended resource the pod doesn't request is left out of scoring.
  if (podRequest === 0 && isScalarResourceName(resource)) return [0, 0];
  switch (resource) {
    case 'cpu':
      return [nodeInfo.allocatable.milliCPU, (useRequested ? nodeInfo.requested.milliCPU : nodeInfo.nonZeroRequested.milliCPU) + podRequest];
    case 'memory':
      return [nodeInfo.allocatable.memory, (useRequested ? nodeInfo.requested.memory : nodeInfo.nonZeroRequested.memory) + podRequest];
    case 'ephemeral-storage':
      return [nodeInfo.allocatable.ephemeralStorage, nodeInfo.requested.ephemeralStorage + podRequest];
    default:
      if (resource in nodeInfo.allocatable.scalar) return [nodeInfo.allocatable.scalar[resource], (nodeInfo.requested.scalar[resource] ?? 0) + podRequest];
      return [0, 0];
  }
}

function allocationVectors(nodeInfo: NodeInfo, resources: ResourceSpec[], podReqs: number[], useRequested: boolean): [number[], number[]] {
  const requested = new Array<number>(resources.length).fill(0);
  const allocatable = new Array<number>(resources.length).fill(0);
  for (let i = 0; i < resources.length; i++) {
    const [a, r] = allocatableAndRequested(nodeInfo, resources[i].name, podReqs[i], useRequested);
    if (a === 0) continue;
    allocatable[i] = a;
    requested[i] = r;
  }
  return [requested, allocatable];
}

/** leastRequestedScore: unused capacity on a 0..100 scale. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function leastAllocatedScore(requested: number[], allocatable: number[], resources: ResourceSpec[]): number {
  let nodeScore = 0;
  let weightSum = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    nodeScore += leastRequestedScore(requested[i], allocatable[i]) * resources[i].weight;
    weightSum += resources[i].weight;
  }
  if (weightSum === 0) return 0;
  return Math.trunc(nodeScore / weightSum);
}

/** balancedResourceScorer: (1 - standard deviation of the requested fractions) * 100. */
export function balancedResourceScore(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(1, requested[i] / allocatable[i]);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export interface FitOptions {
  weight?: number;
  /** Scoring resources (LeastAllocated); default cpu and memory with weight 1. */
  resources?: ResourceSpec[];
  /** Extended resources the Filter ignores. */
  ignoredResources?: string[];
}

/** NodeResourcesFit: Filter on requests, Score with the LeastAllocated strategy (default weight 1). */
export function nodeResourcesFit(opts: FitOptions = {}): FilterPlugin & ScorePlugin {
  const resources = opts.resources ?? DEFAULT_SCORING_RESOURCES;
  const ignored = new Set(opts.ignoredResources ?? []);
  return {
    name: NAME,
    weight: opts.weight ?? 1,
    events: ['AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
    preFilter(state: CycleState, pod: Pod): void {
      state.write(PRE_FILTER_KEY, computePodResourceRequest(pod));
    },
    filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
      const req = state.read<Resources>(PRE_FILTER_KEY) ?? computePodResourceRequest(pod);
      const insufficient = fitsRequest(req, nodeInfo, ignored);
      if (insufficient.length === 0) return SUCCESS;
      return newStatus('Unschedulable', ...insufficient.map((r) => r.reason));
    },
    preScore(state: CycleState, pod: Pod): void {
      state.write(PRE_SCORE_KEY, podRequestList(pod, resources, false));
    },
    score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
      const podReqs = state.read<number[]>(PRE_SCORE_KEY) ?? podRequestList(pod, resources, false);
      const [requested, allocatable] = allocationVectors(nodeInfo, resources, podReqs, false);
      return leastAllocatedScore(requested, allocatable, resources);
    },
  };
}

/** NodeResourcesBalancedAllocation: favours nodes whose cpu and memory fractions stay close (default weight 1). */
export function nodeResourcesBalancedAllocation(opts: { weight?: number; resources?: ResourceSpec[] } = {}): ScorePlugin {
  const resources = opts.resources ?? DEFAULT_SCORING_RESOURCES;
  return {
    name: BALANCED_ALLOCATION_NAME,
    weight: opts.weight ?? 1,
    preScore(state: CycleState, pod: Pod): 'skip' | void {
      const podReqs = podRequestList(pod, resources, true);
      // Best-effort pods are not scored (kubernetes#129138): they would all pile onto one node.
      if (podReqs.every((r) => r === 0)) return 'skip';
      state.write(BA_PRE_SCORE_KEY, podReqs);
    },
    score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
      const podReqs = state.read<number[]>(BA_PRE_SCORE_KEY) ?? podRequestList(pod, resources, true);
      const [requested, allocatable] = allocationVectors(nodeInfo, resources, podReqs, true);
      return balancedResourceScore(requested, allocatable);
    },
  };
}

// Re-exported for tests and callers that format requests.
export { intValue, milliValue };
