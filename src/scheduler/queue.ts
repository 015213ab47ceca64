// The scheduling queue (pkg/scheduler/backend/queue/scheduling_queue.go) as a pure data structure driven by the
// caller's clock:
//  - activeQ: pods ready to be scheduled, highest priority first, then the earliest queued (PrioritySort), then
//    the oldest creationTimestamp;
//  - backoffQ: pods waiting out their backoff (1s doubling up to 10s per attempt), moved to activeQ when it
//    expires; with SchedulerPopFromBackoffQ (beta, on in 1.33) pop() takes from backoffQ when activeQ is empty,
//    except pods whose attempt failed with an error (podErrorBackoffQ), which wait out their whole backoff;
//  - unschedulable pods: parked until a cluster event one of their rejecting plugins registered for
//    (moveAllToActiveOrBackoff) or for at most 5 minutes (podMaxInUnschedulablePodsDuration);
//  - gated pods: rejected by PreEnqueue (scheduling gates) until an update clears the gates.
// A pod that failed while a move request happened during its cycle goes to backoffQ instead of unschedulable.
import type { Pod } from 'kubernetes-types/core/v1';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1';
import { createProfile, runPreEnqueuePlugins, type Profile } from './framework';
import { podKey, timeOf } from './helpers';
import { statusMessage, type ClusterEvent, type Status } from './types';

/** Built-in priority classes the API server creates. */
const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/**
 * A pod's priority: spec.priority when set (the Priority admission plugin fills it in), else the value of its
 * priorityClassName, else the globalDefault class (the lowest value among several), else 0.
 */
export function priorityOf(pod: Pod, priorityClasses: PriorityClass[] | ReadonlyMap<string, PriorityClass> = []): number {
  const p = pod.spec?.priority;
  if (typeof p === 'number') return p;
  const classes = Array.isArray(priorityClasses) ? priorityClasses : [...(priorityClasses as ReadonlyMap<string, PriorityClass>).values()];
  const name = pod.spec?.priorityClassName;
  if (name) {
    const pc = classes.find((c) => c.metadata?.name === name);
    if (pc) return pc.value;
    if (name in SYSTEM_PRIORITY_CLASSES) return SYSTEM_PRIORITY_CLASSES[name];
    return 0;
  }
  let def: number | undefined;
  for (const c of classes) if (c.globalDefault && (def === undefined || c.value < def)) def = c.value;
  return def ?? 0;
}

/** framework.QueuedPodInfo. */
export interface QueuedPodInfo {
  pod: Pod;
  key: string;
  priority: number;
  /** When the pod was last (re)queued: orders equal priorities, and backoff counts from it. */
  timestamp: number;
  /** When the pod was first added. */
  initialAttemptTimestamp: number;
  /** Scheduling attempts so far (incremented by pop). */
  attempts: number;
  /** Plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
  /** The PreEnqueue rejection keeping the pod gated. */
  gated?: Status;
  /** The scheduling cycle in which the pod was last popped. */
  cycle: number;
  /** backoffQ only: when the backoff expires. */
  backoffExpiry?: number;
  /** backoffQ only: the attempt failed with an error (podErrorBackoffQ: never popped before the backoff expires). */
  errorBackoff?: boolean;
}

export interface QueueOptions {
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulableMs?: number;
  /** Priority classes for pods without spec.priority. */
  priorityClasses?: PriorityClass[];
  /** The profile whose PreEnqueue plugins gate pods and whose plugins' events requeue pods (default profile). */
  profile?: Profile;
  /** SchedulerPopFromBackoffQ (default true, as in 1.33). */
  popFromBackoffQ?: boolean;
}

type Cmp<T> = (a: T, b: T) => number;

/** A binary heap with removal by key. */
class Heap<T extends { key: string }> {
  private items: T[] = [];
  private index = new Map<string, number>();
  constructor(private cmp: Cmp<T>) {}

  get size(): number {
    return this.items.length;
  }
  has(key: string): boolean {
    return this.index.has(key);
  }
  get(key: string): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i];
  }
  peek(): T | undefined {
    return this.items[0];
  }
  values(): T[] {
    return [...this.items];
  }
  push(item: T): void {
    this.remove(item.key);
    this.items.push(item);
    this.index.set(item.key, this.items.length - 1);
    this.up(this.items.length - 1);
  }
  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0];
    this.removeAt(0);
    return top;
  }
  remove(key: string): T | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const item = this.items[i];
    this.removeAt(i);
    return item;
  }
  private removeAt(i: number): void {
    const last = this.items.length - 1;
    this.index.delete(this.items[i].key);
    if (i !== last) {
      this.items[i] = this.items[last];
      this.index.set(this.items[i].key, i);
    }
    this.items.pop();
    if (i < this.items.length) {
      this.down(i);
      this.up(i);
    }
  }
  private swap(i: number, j: number): void {
    const t = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = t;
    this.index.set(this.items[i].key, i);
    this.index.set(this.items[j].key, j);
  }
  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(this.items[i], this.items[p]) >= 0) break;
      this.swap(i, p);
      i = p;
    }
  }
  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.cmp(this.items[l], this.items[m]) < 0) m = l;
      if (r < n && this.cmp(this.items[r], this.items[m]) < 0) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}

function creation(pod: Pod): number {
  return timeOf(pod.metadata?.creationTimestamp) ?? 0;
}

/** PrioritySort.Less, then creation time and key for a total order. */
const activeLess: Cmp<QueuedPodInfo> = (a, b) =>
  b.priority - a.priority || a.timestamp - b.timestamp || creation(a.pod) - creation(b.pod) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const backoffLess: Cmp<QueuedPodInfo> = (a, b) => (a.backoffExpiry ?? 0) - (b.backoffExpiry ?? 0) || activeLess(a, b);

/** The parts of a pod whose change may make it schedulable (isPodUpdated: all but status and bookkeeping). */
function schedulingRelevant(pod: Pod): string {
  const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...meta } = pod.metadata ?? {};
  return JSON.stringify([meta, pod.spec]);
}

export class SchedulingQueue {
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;
  private readonly priorityClasses: PriorityClass[];
  private readonly profile: Profile;
  private readonly popFromBackoffQ: boolean;
  private readonly pluginEvents = new Map<string, Set<ClusterEvent>>();

  private readonly activeQ = new Heap<QueuedPodInfo>(activeLess);
  private readonly backoffQ = new Heap<QueuedPodInfo>(backoffLess);
  private readonly errorBackoffQ = new Heap<QueuedPodInfo>(backoffLess);
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly gated = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(opts: QueueOptions = {}) {
    this.initialBackoff = opts.podInitialBackoffMs ?? 1000;
    this.maxBackoff = opts.podMaxBackoffMs ?? 10_000;
    this.maxInUnschedulable = opts.podMaxInUnschedulableMs ?? 5 * 60_000;
    this.priorityClasses = opts.priorityClasses ?? [];
    this.profile = opts.profile ?? createProfile();
    this.popFromBackoffQ = opts.popFromBackoffQ ?? true;
    for (const pl of [...this.profile.filterPlugins, ...this.profile.preEnqueuePlugins]) {
      if (pl.events) this.pluginEvents.set(pl.name, new Set(pl.events));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Adding, updating, deleting pods

  /** A new unscheduled pod (or one whose binding failed): gated, or into activeQ. */
  add(pod: Pod, now: number): void {
    const key = podKey(pod);
    if (this.has(pod)) {
      this.update(pod, now);
      return;
    }
    const info: QueuedPodInfo = {
      pod,
      key,
      priority: priorityOf(pod, this.priorityClasses),
      timestamp: now,
      initialAttemptTimestamp: now,
      attempts: 0,
      unschedulablePlugins: new Set(),
      cycle: 0,
    };
    this.enqueue(info, now, false);
  }

  /** Runs PreEnqueue and puts the pod into activeQ (or backoffQ when `backoff` and still backing off), or gates it. */
  private enqueue(info: QueuedPodInfo, now: number, backoff: boolean): void {
    const s = runPreEnqueuePlugins(this.profile, info.pod);
    if (s.code !== 'Success') {
      info.gated = s;
      this.gated.set(info.key, info);
      return;
    }
    info.gated = undefined;
    if (backoff && this.isBackingOff(info, now)) {
      info.backoffExpiry = this.backoffExpiry(info);
      this.backoffQ.push(info);
    } else {
      info.backoffExpiry = undefined;
      this.activeQ.push(info);
    }
  }

  /** The pod changed: replace it wherever it waits; a gated pod is re-checked; a parked pod whose spec/labels changed is retried. */
  update(pod: Pod, now: number): void {
    const key = podKey(pod);
    const inActive = this.activeQ.get(key);
    if (inActive) {
      inActive.pod = pod;
      return;
    }
    const inBackoff = this.backoffQ.get(key) ?? this.errorBackoffQ.get(key);
    if (inBackoff) {
      inBackoff.pod = pod;
      return;
    }
    const inFlight = this.inFlight.get(key);
    if (inFlight) {
      inFlight.pod = pod;
      return;
    }
    const g = this.gated.get(key);
    if (g) {
      this.gated.delete(key);
      g.pod = pod;
      this.enqueue(g, now, false);
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      const changed = schedulingRelevant(u.pod) !== schedulingRelevant(pod);
      u.pod = pod;
      if (changed) {
        this.unschedulable.delete(key);
        this.enqueue(u, now, true);
      }
      return;
    }
    this.add(pod, now);
  }

  /** The pod was deleted or bound by someone else: forget it. */
  delete(pod: Pod): void {
    const key = podKey(pod);
    this.activeQ.remove(key);
    this.backoffQ.remove(key);
    this.errorBackoffQ.remove(key);
    this.unschedulable.delete(key);
    this.gated.delete(key);
    this.inFlight.delete(key);
  }

  has(pod: Pod): boolean {
    const key = podKey(pod);
    return this.activeQ.has(key) || this.backoffQ.has(key) || this.errorBackoffQ.has(key) || this.unschedulable.has(key) || this.gated.has(key) || this.inFlight.has(key);
  }

  // -------------------------------------------------------------------------------------------
  // Scheduling cycle

  /**
   * The next pod to schedule (after moving expired backoffs and long-parked pods), or undefined. The pod stays
   * "in flight" until done() (bound) or markUnschedulable() (failed).
   */
  pop(now: number): QueuedPodInfo | undefined {
    this.flush(now);
    let info = this.activeQ.pop();
    if (!info && this.popFromBackoffQ) info = this.backoffQ.pop();
    if (!info) return undefined;
    info.backoffExpiry = undefined;
    info.attempts++;
    this.schedulingCycle++;
    info.cycle = this.schedulingCycle;
    this.inFlight.set(info.key, info);
    return info;
  }

  /** The popped pod was bound (or should be dropped): it leaves the queue. */
  done(pod: Pod): void {
    this.inFlight.delete(podKey(pod));
  }

  /**
   * AddUnschedulableIfNotPresent: the popped pod failed. `unschedulablePlugins` (Diagnosis.unschedulablePlugins)
   * decide which events requeue it; none (an error) sends it to backoffQ, as does a move request during its cycle.
   */
  markUnschedulable(pod: Pod, now: number, unschedulablePlugins: Iterable<string> = []): void {
    const key = podKey(pod);
    let info = this.inFlight.get(key);
    this.inFlight.delete(key);
    if (!info) {
      if (this.has(pod)) return;
      info = { pod, key, priority: priorityOf(pod, this.priorityClasses), timestamp: now, initialAttemptTimestamp: now, attempts: 1, unschedulablePlugins: new Set(), cycle: this.schedulingCycle };
    }
    info.pod = pod;
    info.timestamp = now;
    info.unschedulablePlugins = new Set(unschedulablePlugins);
    if (info.unschedulablePlugins.size === 0) {
      info.backoffExpiry = this.backoffExpiry(info);
      info.errorBackoff = true;
      this.errorBackoffQ.push(info);
    } else if (this.moveRequestCycle >= info.cycle) {
      info.backoffExpiry = this.backoffExpiry(info);
      this.backoffQ.push(info);
    } else {
      this.unschedulable.set(key, info);
    }
  }

  /**
   * MoveAllToActiveOrBackoffQueue: a cluster event happened; unschedulable pods rejected by a plugin registered for
   * it (or by none) go to activeQ, or to backoffQ while their backoff lasts.
   */
  moveAllToActiveOrBackoff(event: ClusterEvent, now: number): number {
    let moved = 0;
    for (const [key, info] of [...this.unschedulable]) {
      if (!this.matchesEvent(info, event)) continue;
      this.unschedulable.delete(key);
      this.enqueue(info, now, true);
      moved++;
    }
    this.moveRequestCycle = this.schedulingCycle;
    return moved;
  }

  private matchesEvent(info: QueuedPodInfo, event: ClusterEvent): boolean {
    if (info.unschedulablePlugins.size === 0) return true;
    for (const p of info.unschedulablePlugins) {
      const events = this.pluginEvents.get(p);
      if (!events || events.has(event)) return true;
    }
    return false;
  }

  /** Moves expired backoffs to activeQ and pods parked longer than podMaxInUnschedulable to activeQ/backoffQ. */
  flush(now: number): void {
    for (const q of [this.backoffQ, this.errorBackoffQ]) {
      for (;;) {
        const top = q.peek();
        if (!top || (top.backoffExpiry ?? 0) > now) break;
        q.pop();
        top.backoffExpiry = undefined;
        top.errorBackoff = undefined;
        this.activeQ.push(top);
      }
    }
    for (const [key, info] of [...this.unschedulable]) {
      if (now - info.timestamp < this.maxInUnschedulable) continue;
      this.unschedulable.delete(key);
      this.enqueue(info, now, true);
    }
  }

  /**
   * When the caller should call pop() next: 0 when a pod is ready now, else the earliest backoff expiry or
   * unschedulable-pod timeout, or undefined when only cluster events can bring work.
   */
  nextDeadline(): number | undefined {
    if (this.activeQ.size > 0) return 0;
    if (this.popFromBackoffQ && this.backoffQ.size > 0) return 0;
    let next: number | undefined;
    for (const q of [this.backoffQ, this.errorBackoffQ]) {
      const t = q.peek()?.backoffExpiry;
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    for (const info of this.unschedulable.values()) {
      const t = info.timestamp + this.maxInUnschedulable;
      if (next === undefined || t < next) next = t;
    }
    return next;
  }

  // -------------------------------------------------------------------------------------------
  // Backoff

  /** calculateBackoffDuration: initial * 2^(attempts-1), capped. */
  backoffDuration(attempts: number): number {
    if (attempts <= 0) return 0;
    let d = this.initialBackoff;
    for (let i = 1; i < attempts; i++) {
      if (d > this.maxBackoff - d) return this.maxBackoff;
      d += d;
    }
    return d;
  }

  private backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDuration(info.attempts);
  }

  private isBackingOff(info: QueuedPodInfo, now: number): boolean {
    return this.backoffExpiry(info) > now;
  }

  // -------------------------------------------------------------------------------------------
  // Introspection

  stats(): { active: number; backoff: number; unschedulable: number; gated: number; inFlight: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size + this.errorBackoffQ.size, unschedulable: this.unschedulable.size, gated: this.gated.size, inFlight: this.inFlight.size };
  }

  /** Where a pod waits. */
  where(pod: Pod): 'active' | 'backoff' | 'unschedulable' | 'gated' | 'inFlight' | undefined {
    const key = podKey(pod);
    if (this.activeQ.has(key)) return 'active';
    if (this.backoffQ.has(key) || this.errorBackoffQ.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    if (this.gated.has(key)) return 'gated';
    if (this.inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  /** Gated pods with their PreEnqueue message (for the SchedulingGated condition). */
  gatedPods(): { pod: Pod; message: string }[] {
    return [...this.gated.values()].map((i) => ({ pod: i.pod, message: statusMessage(i.gated) }));
  }

  /** Pods in activeQ in pop order (for tests and debugging). */
  activePods(): Pod[] {
    return this.activeQ
      .values()
      .sort(activeLess)
      .map((i) => i.pod);
  }
}
