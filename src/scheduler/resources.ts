// Resource arithmetic of kube-scheduler: framework.Resource, resourcehelper.PodRequests (init containers, sidecars,
// overhead) and the non-zero defaults used for scoring (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest).
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { parseQuantity } from '../machinery/quantity';

/** framework.Resource: cpu in millicores, everything else in base units (bytes, counts). */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Allocatable: allowed pod number (status.allocatable.pods). Requested: number of pods on the node. */
  pods: number;
  /** Extended resources, hugepages-*, attachable-volumes-*, kubernetes.io/ prefixed native resources. */
  scalar: Record<string, number>;
}

/** schedutil.DefaultMilliCPURequest: a container without a cpu request counts as 0.1 core when scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** schedutil.DefaultMemoryRequest: a container without a memory request counts as 200 MiB when scoring. */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0, scalar: {} };
}

export function cloneResources(r: Resources): Resources {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, pods: r.pods, scalar: { ...r.scalar } };
}

/** v1helper.IsScalarResourceName: extended, hugepages, attachable volumes and prefixed native resources. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  // Extended resources and kubernetes.io/ prefixed native resources carry a domain; quota's "requests." does not count.
  return name.includes('/') && !name.startsWith('requests.');
}

/** Ceil that forgives float noise: 0.7 * 1000 is 700.0000000000001 in IEEE doubles. */
function ceilTolerant(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x))) return r;
  return Math.ceil(x);
}

function quantityBase(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return 0;
  return parseQuantity(q) ?? 0;
}

/** resource.Quantity.MilliValue(): rounded up. */
export function milliValue(q: unknown): number {
  return ceilTolerant(quantityBase(q) * 1000);
}

/** resource.Quantity.Value(): rounded up to an integer. */
export function intValue(q: unknown): number {
  return ceilTolerant(quantityBase(q));
}

/** A ResourceList in scheduler units: cpu in millicores, the rest as integers. */
export type ResourceMap = Map<string, number>;

function toMap(list: Record<string, unknown> | undefined): ResourceMap {
  const m: ResourceMap = new Map();
  if (!list) return m;
  for (const [name, q] of Object.entries(list)) m.set(name, name === 'cpu' ? milliValue(q) : intValue(q));
  return m;
}

function addInto(dst: ResourceMap, src: ResourceMap): void {
  for (const [k, v] of src) dst.set(k, (dst.get(k) ?? 0) + v);
}

function maxInto(dst: ResourceMap, src: ResourceMap): void {
  for (const [k, v] of src) {
    const cur = dst.get(k);
    if (cur === undefined || v > cur) dst.set(k, v);
  }
}

function applyNonMissing(reqs: ResourceMap): ResourceMap {
  const out = new Map(reqs);
  if (!out.has('cpu')) out.set('cpu', DEFAULT_MILLI_CPU_REQUEST);
  if (!out.has('memory')) out.set('memory', DEFAULT_MEMORY_REQUEST);
  return out;
}

function isRestartable(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

/**
 * resourcehelper.PodRequests: sum of containers, plus restartable init containers (sidecars) that keep running,
 * maxed with each regular init container (which runs alongside the sidecars started before it), plus overhead.
 * `nonMissing` fills absent cpu/memory container requests with the scoring defaults (0.1 core, 200 MiB).
 */
export function podRequests(pod: Pod, nonMissing = false): ResourceMap {
  const spec = pod.spec;
  const reqs: ResourceMap = new Map();
  if (!spec) return reqs;
  for (const c of spec.containers ?? []) {
    let r = toMap(c.resources?.requests as Record<string, unknown> | undefined);
    if (nonMissing) r = applyNonMissing(r);
    addInto(reqs, r);
  }
  const restartable: ResourceMap = new Map();
  const initMax: ResourceMap = new Map();
  for (const c of spec.initContainers ?? []) {
    let r = toMap(c.resources?.requests as Record<string, unknown> | undefined);
    if (nonMissing) r = applyNonMissing(r);
    let use: ResourceMap;
    if (isRestartable(c)) {
      addInto(reqs, r);
      addInto(restartable, r);
      use = new Map(restartable);
    } else {
      use = new Map(r);
      addInto(use, restartable);
    }
    maxInto(initMax, use);
  }
  maxInto(reqs, initMax);
  if (spec.overhead) addInto(reqs, toMap(spec.overhead as Record<string, unknown>));
  return reqs;
}

/** framework.Resource.Add(ResourceList) for a map in scheduler units. */
export function resourcesFromMap(m: ResourceMap): Resources {
  const r = emptyResources();
  for (const [name, v] of m) {
    switch (name) {
      case 'cpu':
        r.milliCPU += v;
        break;
      case 'memory':
        r.memory += v;
        break;
      case 'ephemeral-storage':
        r.ephemeralStorage += v;
        break;
      case 'pods':
        r.pods += v;
        break;
      default:
        if (isScalarResourceName(name)) r.scalar[name] = (r.scalar[name] ?? 0) + v;
    }
  }
  return r;
}

/** A node's allocatable resources (status.allocatable; status.capacity when allocatable is absent). */
export function nodeAllocatable(list: Record<string, unknown> | undefined): Resources {
  return resourcesFromMap(toMap(list));
}

export function addResources(dst: Resources, src: Resources, sign = 1): void {
  dst.milliCPU += sign * src.milliCPU;
  dst.memory += sign * src.memory;
  dst.ephemeralStorage += sign * src.ephemeralStorage;
  for (const [k, v] of Object.entries(src.scalar)) {
    const next = (dst.scalar[k] ?? 0) + sign * v;
    dst.scalar[k] = next;
  }
}
