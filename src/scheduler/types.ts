// The scheduler framework's data model, after pkg/scheduler/framework/types.go and interface.go:
// Status, NodeInfo (a node with the pods bound to it and their aggregated requests/ports), the Snapshot the
// plugins read, CycleState, and the plugin interfaces. Pure data structures: no I/O.
import type { Namespace, Node, PersistentVolumeClaim, Pod, ReplicationController, Service } from 'kubernetes-types/core/v1';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1';
import { isTerminal, podKey } from './helpers';
import { podInfo } from './pod-info';
import { addResources, cloneResources, emptyResources, nodeAllocatable, type Resources } from './resources';

export type { Resources } from './resources';

// ---------------------------------------------------------------------------------------------
// Status

export type StatusCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';

/** framework.Status: a code, the reasons (the texts counted in FailedScheduling messages) and the plugin. */
export interface Status {
  code: StatusCode;
  reasons: string[];
  plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: [] as string[] }) as Status;

export function newStatus(code: StatusCode, ...reasons: string[]): Status {
  return { code, reasons };
}

export function isSuccess(s: Status | undefined | void): boolean {
  return !s || s.code === 'Success';
}

/** Status.IsRejected: Unschedulable or UnschedulableAndUnresolvable. */
export function isRejected(s: Status | undefined): boolean {
  return !!s && (s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable');
}

/** Status.Message(): the reasons joined with ", ". */
export function statusMessage(s: Status | undefined): string {
  return s ? s.reasons.join(', ') : '';
}

// ---------------------------------------------------------------------------------------------
// Host ports (framework.HostPortInfo)

const BIND_ALL = '0.0.0.0';

export class HostPortInfo {
  /** ip → "PROTOCOL/port" → number of pods using it. */
  private readonly byIP = new Map<string, Map<string, number>>();

  add(ip: string, protocol: string, port: number, delta = 1): void {
    if (port <= 0) return;
    const key = `${protocol || 'TCP'}/${port}`;
    const addr = ip || BIND_ALL;
    let m = this.byIP.get(addr);
    if (!m) this.byIP.set(addr, (m = new Map()));
    const n = (m.get(key) ?? 0) + delta;
    if (n > 0) m.set(key, n);
    else m.delete(key);
    if (m.size === 0) this.byIP.delete(addr);
  }

  /** CheckConflict: 0.0.0.0 conflicts with any address; a specific address with itself and 0.0.0.0. */
  checkConflict(ip: string, protocol: string, port: number): boolean {
    if (port <= 0) return false;
    const key = `${protocol || 'TCP'}/${port}`;
    const addr = ip || BIND_ALL;
    if (addr === BIND_ALL) {
      for (const m of this.byIP.values()) if (m.has(key)) return true;
      return false;
    }
    return !!(this.byIP.get(BIND_ALL)?.has(key) || this.byIP.get(addr)?.has(key));
  }

  get size(): number {
    let n = 0;
    for (const m of this.byIP.values()) n += m.size;
    return n;
  }

  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [ip, m] of this.byIP) c.byIP.set(ip, new Map(m));
    return c;
  }
}

// ---------------------------------------------------------------------------------------------
// NodeInfo

const MEMO_LIMIT = 512;

/** framework.NodeInfo: a node, the pods assigned to it and what they use. */
export class NodeInfo {
  node!: Node;
  pods: Pod[] = [];
  /** Pods with podAffinity or podAntiAffinity. */
  podsWithAffinity: Pod[] = [];
  /** Pods with required pod anti-affinity terms. */
  podsWithRequiredAntiAffinity: Pod[] = [];
  /** Sum of the pods' requests; `pods` is the number of pods. */
  requested: Resources = emptyResources();
  /** Sum of the pods' requests with the scoring defaults for missing cpu/memory requests. */
  nonZeroRequested = { milliCPU: 0, memory: 0 };
  allocatable: Resources = emptyResources();
  usedPorts = new HostPortInfo();
  /** Incremented on every change. */
  generation = 0;
  /** Memoized per-node values (e.g. pods matching a selector), valid while pods and the snapshot epoch are unchanged. */
  private memo = new Map<string, unknown>();
  private memoEpoch = -1;

  constructor(node: Node) {
    this.setNode(node);
  }

  get name(): string {
    return this.node.metadata?.name ?? '';
  }

  get labels(): Record<string, string> {
    return this.node.metadata?.labels ?? {};
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = nodeAllocatable((node.status?.allocatable ?? node.status?.capacity) as Record<string, unknown> | undefined);
    this.touch();
  }

  private touch(): void {
    this.generation++;
    this.memo.clear();
  }

  /**
   * A memoized value for `key`; `compute` runs when pods (or the snapshot epoch) changed since it was stored.
   * The memo is bounded: it is dropped when it grows past MEMO_LIMIT entries.
   */
  memoized<T>(key: string, epoch: number, compute: () => T): T {
    if (this.memoEpoch !== epoch) {
      this.memo.clear();
      this.memoEpoch = epoch;
    }
    let v = this.memo.get(key) as T | undefined;
    if (v === undefined) {
      v = compute();
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(key, v);
    }
    return v;
  }

  addPod(pod: Pod): void {
    const info = podInfo(pod);
    this.pods.push(pod);
    if (info.hasAffinity) this.podsWithAffinity.push(pod);
    if (info.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.push(pod);
    addResources(this.requested, info.requests);
    this.requested.pods++;
    this.nonZeroRequested.milliCPU += info.nonZeroCPU;
    this.nonZeroRequested.memory += info.nonZeroMemory;
    for (const p of info.hostPorts) this.usedPorts.add(p.ip, p.protocol, p.port);
    this.touch();
  }

  /** Removes the pod with the same key (uid, else namespace/name); false when it isn't here. */
  removePod(pod: Pod): boolean {
    const key = podKey(pod);
    const i = this.pods.findIndex((p) => podKey(p) === key);
    if (i < 0) return false;
    const existing = this.pods[i];
    const info = podInfo(existing);
    this.pods.splice(i, 1);
    const drop = (list: Pod[]) => {
      const j = list.indexOf(existing);
      if (j >= 0) list.splice(j, 1);
    };
    if (info.hasAffinity) drop(this.podsWithAffinity);
    if (info.hasRequiredAntiAffinity) drop(this.podsWithRequiredAntiAffinity);
    addResources(this.requested, info.requests, -1);
    this.requested.pods--;
    this.nonZeroRequested.milliCPU -= info.nonZeroCPU;
    this.nonZeroRequested.memory -= info.nonZeroMemory;
    for (const p of info.hostPorts) this.usedPorts.add(p.ip, p.protocol, p.port, -1);
    this.touch();
    return true;
  }

  /** NodeInfo.Snapshot(): an independent copy (preemption and nominated pods work on copies). */
  clone(): NodeInfo {
    const c = Object.create(NodeInfo.prototype) as NodeInfo;
    c.node = this.node;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.requested = cloneResources(this.requested);
    c.nonZeroRequested = { ...this.nonZeroRequested };
    c.allocatable = this.allocatable;
    c.usedPorts = this.usedPorts.clone();
    c.generation = this.generation;
    c.memo = new Map();
    c.memoEpoch = -1;
    return c;
  }
}

// ---------------------------------------------------------------------------------------------
// Snapshot

/** utilnode.GetZoneKey: region and zone (GA labels, else the deprecated failure-domain ones). */
function zoneKey(labels: Record<string, string>): string {
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}

/** Objects the PodTopologySpread system defaults derive a pod's selector from (helper.DefaultSelector). */
export interface Workloads {
  services?: Service[];
  replicaSets?: ReplicaSet[];
  statefulSets?: StatefulSet[];
  replicationControllers?: ReplicationController[];
}

export interface SnapshotOptions extends Workloads {
  /** Namespaces, for affinity terms with a namespaceSelector. Unknown namespaces get kubernetes.io/metadata.name only. */
  namespaces?: Namespace[];
}

/**
 * The cluster as the scheduler sees it: one NodeInfo per node, pods bound to nodes (terminal pods excluded) and
 * pods nominated to nodes by preemption. Keep one across cycles and apply changes with addPod/removePod/updatePod/
 * setNode/removeNode (e.g. addPod right after a successful bind) instead of rebuilding it for every pod.
 */
export class Snapshot {
  workloads?: Workloads;
  /** PersistentVolumeClaims by namespace and name (the VolumeBinding plugin's lister); absent: claims are not checked. */
  claims?: (namespace: string, name: string) => PersistentVolumeClaim | undefined;
  /** Bumped when namespace labels or workloads change (invalidates memoized counts). */
  epoch = 0;
  private byName = new Map<string, NodeInfo>();
  /** pod key → node name, for bound pods. */
  private podNode = new Map<string, string>();
  /** Pods bound to nodes the snapshot doesn't have (yet). */
  private orphans = new Map<string, Map<string, Pod>>();
  private nominatedByNode = new Map<string, Map<string, Pod>>();
  private nominatedNodeOf = new Map<string, string>();
  private nsLabels = new Map<string, Record<string, string>>();
  /** Zone key → its nodes in order of addition; zones in order of first appearance. */
  private zones = new Map<string, NodeInfo[]>();
  private ordered: NodeInfo[] = [];
  private orderDirty = false;

  /** All nodes, interleaved by zone like kube-scheduler's nodeTree (one node of each zone in turn). */
  get nodes(): NodeInfo[] {
    if (this.orderDirty) this.rebuildOrder();
    return this.ordered;
  }

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  /** Adds the node or replaces its object (its pods stay). */
  setNode(node: Node): NodeInfo {
    const name = node.metadata?.name ?? '';
    let ni = this.byName.get(name);
    if (ni) {
      const oldZone = zoneKey(ni.labels);
      ni.setNode(node);
      if (zoneKey(ni.labels) !== oldZone) {
        this.removeFromZone(ni, oldZone);
        this.addToZone(ni);
      }
      return ni;
    }
    ni = new NodeInfo(node);
    this.byName.set(name, ni);
    this.addToZone(ni);
    const waiting = this.orphans.get(name);
    if (waiting) {
      this.orphans.delete(name);
      for (const p of waiting.values()) ni.addPod(p);
    }
    return ni;
  }

  removeNode(name: string): void {
    const ni = this.byName.get(name);
    if (!ni) return;
    this.byName.delete(name);
    this.removeFromZone(ni, zoneKey(ni.labels));
    if (ni.pods.length) {
      const m = new Map<string, Pod>();
      for (const p of ni.pods) m.set(podKey(p), p);
      this.orphans.set(name, m);
    }
  }

  private addToZone(ni: NodeInfo): void {
    const z = zoneKey(ni.labels);
    let list = this.zones.get(z);
    if (!list) this.zones.set(z, (list = []));
    list.push(ni);
    this.orderDirty = true;
  }

  private removeFromZone(ni: NodeInfo, z: string): void {
    const list = this.zones.get(z);
    if (list) {
      const i = list.indexOf(ni);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.zones.delete(z);
    }
    this.orderDirty = true;
  }

  /** nodeTree.list(): zones in order of appearance, taking one node of each zone in turn. */
  private rebuildOrder(): void {
    const lists = [...this.zones.values()];
    const out: NodeInfo[] = [];
    for (let i = 0; out.length < this.byName.size; i++) {
      let any = false;
      for (const l of lists) {
        if (i < l.length) {
          out.push(l[i]);
          any = true;
        }
      }
      if (!any) break;
    }
    this.ordered = out;
    this.orderDirty = false;
  }

  /**
   * Accounts for a pod: bound pods (spec.nodeName) count on their node unless terminal; unbound pods with
   * status.nominatedNodeName are remembered as nominated. Replaces an earlier version with the same key.
   */
  addPod(pod: Pod): void {
    this.removePod(pod);
    if (isTerminal(pod)) return;
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      this.podNode.set(key, nodeName);
      const ni = this.byName.get(nodeName);
      if (ni) ni.addPod(pod);
      else {
        let m = this.orphans.get(nodeName);
        if (!m) this.orphans.set(nodeName, (m = new Map()));
        m.set(key, pod);
      }
      return;
    }
    const nominated = pod.status?.nominatedNodeName;
    if (nominated && !pod.metadata?.deletionTimestamp) {
      let m = this.nominatedByNode.get(nominated);
      if (!m) this.nominatedByNode.set(nominated, (m = new Map()));
      m.set(key, pod);
      this.nominatedNodeOf.set(key, nominated);
    }
  }

  /** Same as addPod: the new version replaces the old one (a pod whose phase became terminal is dropped). */
  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = this.podNode.get(key);
    if (nodeName !== undefined) {
      this.podNode.delete(key);
      const ni = this.byName.get(nodeName);
      if (ni) ni.removePod(pod);
      else {
        const m = this.orphans.get(nodeName);
        m?.delete(key);
        if (m && m.size === 0) this.orphans.delete(nodeName);
      }
    }
    const nominated = this.nominatedNodeOf.get(key);
    if (nominated !== undefined) {
      this.nominatedNodeOf.delete(key);
      const m = this.nominatedByNode.get(nominated);
      m?.delete(key);
      if (m && m.size === 0) this.nominatedByNode.delete(nominated);
    }
  }

  /** Pods nominated to run on the node (status.nominatedNodeName set, not yet bound). */
  nominatedPodsFor(nodeName: string): Pod[] {
    const m = this.nominatedByNode.get(nodeName);
    return m ? [...m.values()] : [];
  }

  setNamespaces(namespaces: Namespace[]): void {
    this.nsLabels.clear();
    for (const ns of namespaces) {
      const name = ns.metadata?.name;
      if (name) this.nsLabels.set(name, ns.metadata?.labels ?? { 'kubernetes.io/metadata.name': name });
    }
    this.epoch++;
  }

  /** A namespace's labels (GetNamespaceLabelsSnapshot); unknown namespaces carry kubernetes.io/metadata.name. */
  namespaceLabels(ns: string): Record<string, string> {
    return this.nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
  }

  setWorkloads(workloads: Workloads | undefined): void {
    this.workloads = workloads;
    this.epoch++;
  }

  /** Nodes with at least one pod with (anti-)affinity (HavePodsWithAffinityList). */
  havePodsWithAffinity(): NodeInfo[] {
    return this.nodes.filter((n) => n.podsWithAffinity.length > 0);
  }

  /** Nodes with at least one pod with required anti-affinity (HavePodsWithRequiredAntiAffinityList). */
  havePodsWithRequiredAntiAffinity(): NodeInfo[] {
    return this.nodes.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
  }
}

/**
 * Builds a snapshot: every node, pods with spec.nodeName counted on their node (Succeeded/Failed pods don't
 * count), unbound pods with status.nominatedNodeName remembered as nominated. `options` adds namespaces (for
 * namespaceSelector terms) and the services/ReplicaSets/StatefulSets/ReplicationControllers the topology spread
 * system defaults derive selectors from.
 */
export function buildSnapshot(nodes: Node[], pods: Pod[], options: SnapshotOptions = {}): Snapshot {
  const s = new Snapshot();
  for (const n of nodes) s.setNode(n);
  for (const p of pods) s.addPod(p);
  if (options.namespaces) s.setNamespaces(options.namespaces);
  const { services, replicaSets, statefulSets, replicationControllers } = options;
  if (services || replicaSets || statefulSets || replicationControllers) s.setWorkloads({ services, replicaSets, statefulSets, replicationControllers });
  return s;
}

// ---------------------------------------------------------------------------------------------
// CycleState

interface Cloneable {
  clone(): unknown;
}

function isCloneable(v: unknown): v is Cloneable {
  return typeof v === 'object' && v !== null && typeof (v as Cloneable).clone === 'function';
}

/** framework.CycleState: per-cycle plugin data; Clone deep-copies entries that implement clone(). */
export class CycleState {
  private data = new Map<string, unknown>();
  /** Plugins whose PreFilter returned Skip: their Filter (and PreFilter extensions) don't run. */
  skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip. */
  skipScorePlugins = new Set<string>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, isCloneable(v) ? v.clone() : v);
    c.skipFilterPlugins = new Set(this.skipFilterPlugins);
    c.skipScorePlugins = new Set(this.skipScorePlugins);
    return c;
  }
}

// ---------------------------------------------------------------------------------------------
// Plugins

/** Cluster events that can make an unschedulable pod schedulable (the queue moves pods on them). */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'NodeDelete'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  /** The unscheduled pod itself changed (labels, tolerations, scheduling gates...). */
  | 'PodUpdate'
  | 'PvcAdd'
  | 'PvcUpdate';

/** What PreFilter returns: a rejection, a narrowed node set, or Skip (Filter then doesn't run for this pod). */
export interface PreFilterResult {
  status?: Status;
  nodeNames?: Set<string>;
  skip?: boolean;
}

export interface FilterPlugin {
  readonly name: string;
  preFilter?(state: CycleState, pod: Pod, snapshot: Snapshot): PreFilterResult | void;
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
  /** PreFilterExtensions.AddPod: `podToAdd` is now on `nodeInfo` (nominated pods, preemption reprieve). */
  addPod?(state: CycleState, podToSchedule: Pod, podToAdd: Pod, nodeInfo: NodeInfo): void;
  /** PreFilterExtensions.RemovePod: `podToRemove` is no longer on `nodeInfo` (preemption). */
  removePod?(state: CycleState, podToSchedule: Pod, podToRemove: Pod, nodeInfo: NodeInfo): void;
  /** EventsToRegister: events that may make pods this plugin rejected schedulable. */
  readonly events?: readonly ClusterEvent[];
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin {
  readonly name: string;
  weight: number;
  /** Returns 'skip' when the plugin has nothing to score for this pod (its scores then count as 0). */
  preScore?(state: CycleState, pod: Pod, nodes: NodeInfo[], snapshot: Snapshot): 'skip' | Status | void;
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** NormalizeScore: rewrites scores in place to 0..100. */
  normalize?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}

export interface PreEnqueuePlugin {
  readonly name: string;
  preEnqueue(pod: Pod): Status;
  readonly events?: readonly ClusterEvent[];
}

/** framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;
