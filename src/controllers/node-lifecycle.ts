// Node lifecycle (kube-controller-manager's node lifecycle controller and taint eviction): heartbeats
// are computed on read while a node's kubelet runs, so a healthy sandbox writes nothing. When a
// kubelet stops, its Lease freezes; after the node monitor grace period the node goes Unknown with
// the unreachable taints, and pods are evicted when their toleration of the NoExecute taint expires.
// A kubelet that runs again makes the node Ready and lifts the taints.
import type { Controller } from '../durable/control-loop';
import type { PodsByNode } from '../durable/caches';
import { nowTimestamp } from '../durable/generic-registry';
import type { KObject, ResourceDef } from '../registry/types';
import { kubeletNodeStatus, podCIDRFor } from '../durable/seed';
import { sandboxConfig } from './config';
import { splitKey, systemCall, type ClusterContext } from './context';
import { KUBELET_ANNOTATION, kubeletRunning } from './kubelet';

export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
/** On the node's Lease: renewals stopped at its renewTime (the kubelet was stopped). */
const FROZEN_ANNOTATION = 'kubedo.dev/renewal-stopped';
const LEASE_NS = 'kube-node-lease';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

interface Taint {
  key: string;
  effect: string;
  value?: string;
  timeAdded?: string;
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** What a reader sees: a running kubelet's lease and node conditions are always fresh. */
export function presentHeartbeat(store: { get(r: string, ns: string, n: string): KObject | undefined }, def: ResourceDef, obj: KObject, now: number): void {
  if (def.group === 'coordination.k8s.io' && def.resource === 'leases' && obj.metadata.namespace === LEASE_NS) {
    if (obj.metadata.annotations?.[FROZEN_ANNOTATION]) return;
    const node = store.get('nodes', '', obj.metadata.name!);
    if (node && kubeletRunning(node)) obj.spec = { ...(obj.spec as object), renewTime: microTime(now) };
  } else if (def.group === '' && def.resource === 'nodes' && kubeletRunning(obj)) {
    const conds = ((obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);
    const ready = conds.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') for (const c of conds) c.lastHeartbeatTime = nowTimestamp(now);
  }
}

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

export function nodeLifecycleController(ctx: ClusterContext, pods: PodsByNode): Controller {
  const leaseOf = (name: string) => ctx.store.get('leases.coordination.k8s.io', LEASE_NS, name);

  function freezeLease(name: string, now: number): number {
    const lease = leaseOf(name);
    if (!lease) return now;
    const frozen = lease.metadata.annotations?.[FROZEN_ANNOTATION];
    if (frozen) return Date.parse((lease.spec as { renewTime?: string } | undefined)?.renewTime ?? '') || now;
    const body = {
      ...lease,
      metadata: { ...lease.metadata, annotations: { ...lease.metadata.annotations, [FROZEN_ANNOTATION]: 'true' } },
      spec: { ...(lease.spec as object), renewTime: microTime(now) },
    };
    systemCall(ctx, 'kube-controller-manager', { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: LEASE_NS, name, body });
    return now;
  }

  function thawLease(name: string): void {
    const lease = leaseOf(name);
    if (!lease?.metadata.annotations?.[FROZEN_ANNOTATION]) return;
    const annotations = { ...lease.metadata.annotations };
    delete annotations[FROZEN_ANNOTATION];
    systemCall(ctx, 'kubelet', { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: LEASE_NS, name, body: { ...lease, metadata: { ...lease.metadata, annotations } } });
  }

  function writeNode(node: KObject, conditions: Condition[], taints: Taint[]): void {
    const name = node.metadata.name!;
    const spec = { ...(node.spec as object) } as { taints?: Taint[] };
    if (taints.length) spec.taints = taints;
    else delete spec.taints;
    if (JSON.stringify(spec.taints ?? []) !== JSON.stringify((node.spec as { taints?: Taint[] } | undefined)?.taints ?? [])) {
      const r = systemCall(ctx, 'kube-controller-manager', { verb: 'update', resource: 'nodes', name, body: { ...node, spec } });
      if (r.status >= 300) return;
      node = r.body as KObject;
    }
    const status = (node.status ?? {}) as { conditions?: Condition[] };
    if (JSON.stringify(status.conditions) !== JSON.stringify(conditions)) {
      systemCall(ctx, 'kube-controller-manager', { verb: 'update', subresource: 'status', resource: 'nodes', name, body: { ...node, status: { ...status, conditions } } });
    }
  }

  /** Evict pods that do not tolerate the NoExecute taints long enough; returns the next eviction time. */
  function evict(node: KObject, now: number, timeScale: number): number | undefined {
    const taints = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (!taints.length) return undefined;
    let next: number | undefined;
    for (const entry of pods.podsOn(node.metadata.name!)) {
      const { namespace, name } = splitKey(entry.key);
      const pod = ctx.store.get('pods', namespace, name);
      if (!pod || pod.metadata.deletionTimestamp) continue;
      const tolerations = ((pod.spec as { tolerations?: Toleration[] }).tolerations ?? []);
      let evictAt = Infinity;
      for (const taint of taints) {
        const matching = tolerations.filter((t) => tolerates(t, taint));
        if (!matching.length) {
          evictAt = now;
          break;
        }
        const seconds = Math.min(...matching.map((t) => (t.tolerationSeconds === undefined ? Infinity : Math.max(0, t.tolerationSeconds))));
        const added = Date.parse(taint.timeAdded ?? '') || now;
        evictAt = Math.min(evictAt, added + (seconds * 1000) / timeScale);
      }
      if (evictAt <= now) {
        systemCall(ctx, 'taint-eviction-controller', { verb: 'delete', resource: 'pods', namespace, name, body: { preconditions: { uid: pod.metadata.uid } } });
      } else if (evictAt !== Infinity) {
        next = Math.min(next ?? Infinity, evictAt);
      }
    }
    return next;
  }

  /**
   * A Node created with kubectl gets a pod CIDR (node IPAM), a Lease, and the status a simulated
   * kubelet registers (what it leaves out), so it takes pods like the sandbox's own nodes.
   */
  function adopt(node: KObject | undefined, now: number): KObject | undefined {
    if (!node || !kubeletRunning(node)) return node;
    const name = node.metadata.name!;
    const spec = (node.spec ?? {}) as { podCIDR?: string };
    if (!spec.podCIDR) {
      const used = new Set<string>();
      for (const n of ctx.store.list('nodes')) {
        const c = (n.spec as { podCIDR?: string } | undefined)?.podCIDR;
        if (c) used.add(c);
      }
      let i = 0;
      while (used.has(podCIDRFor(i))) i++;
      const r = systemCall(ctx, 'kube-controller-manager', { verb: 'update', resource: 'nodes', name, body: { ...node, spec: { ...spec, podCIDR: podCIDRFor(i), podCIDRs: [podCIDRFor(i)] } } });
      if (r.status < 300) node = r.body as KObject;
    }
    const status = (node.status ?? {}) as Record<string, unknown>;
    if (!status.nodeInfo || !Array.isArray(status.conditions) || !(status.conditions as Condition[]).some((c) => c.type === 'Ready')) {
      const index = Number(((node.spec as { podCIDR?: string }).podCIDR ?? '').split('.')[2] ?? 0);
      const registered = kubeletNodeStatus(name, index + 1000, (status.capacity as Record<string, string>) ?? { cpu: '8', memory: '16Gi', pods: '110' }, nowTimestamp(now));
      const r = systemCall(ctx, 'kubelet', { verb: 'update', subresource: 'status', resource: 'nodes', name, body: { ...node, status: { ...registered, ...status, conditions: registered.conditions } } });
      if (r.status < 300) node = r.body as KObject;
    }
    if (!leaseOf(name)) {
      systemCall(ctx, 'kubelet', {
        verb: 'create',
        group: 'coordination.k8s.io',
        resource: 'leases',
        namespace: LEASE_NS,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: LEASE_NS }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) } },
      });
    }
    return node;
  }

  return {
    name: 'node-lifecycle',
    keysFor(e) {
      if (e.resource === 'nodes' && e.type !== 'DELETED') {
        const before = e.prev?.metadata.annotations?.[KUBELET_ANNOTATION];
        const after = e.object.metadata.annotations?.[KUBELET_ANNOTATION];
        const taintsChanged = JSON.stringify((e.prev?.spec as { taints?: unknown } | undefined)?.taints) !== JSON.stringify((e.object.spec as { taints?: unknown } | undefined)?.taints);
        return e.type === 'ADDED' || before !== after || taintsChanged ? [e.name] : [];
      }
      // A new pod on a tainted node is subject to eviction too.
      if (e.resource === 'pods' && e.type === 'MODIFIED' && !(e.prev?.spec as { nodeName?: string } | undefined)?.nodeName) {
        const nodeName = (e.object.spec as { nodeName?: string }).nodeName;
        if (nodeName) return [nodeName];
      }
      return [];
    },
    reconcile(name, now) {
      const node = adopt(ctx.store.get('nodes', '', name), now);
      if (!node) return;
      const { nodeMonitorGracePeriodMs, timeScale } = sandboxConfig(ctx.store);
      const conds = ((node.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).map((c) => ({ ...c }));
      const taints = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []).map((t) => ({ ...t }));
      if (kubeletRunning(node)) {
        thawLease(name);
        const wasUnknown = conds.some((c) => c.status === 'Unknown');
        if (wasUnknown || taints.some((t) => t.key === UNREACHABLE_TAINT)) {
          const ts = nowTimestamp(now);
          const healthy: Record<string, [string, string, string]> = {
            Ready: ['True', 'KubeletReady', 'kubelet is posting ready status'],
            MemoryPressure: ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
            DiskPressure: ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
            PIDPressure: ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
          };
          const next = conds.map((c) => {
            const h = healthy[c.type];
            return h && c.status !== h[0] ? { ...c, status: h[0], reason: h[1], message: h[2], lastHeartbeatTime: ts, lastTransitionTime: ts } : c;
          });
          writeNode(node, next, taints.filter((t) => t.key !== UNREACHABLE_TAINT));
        }
        return evict(ctx.store.get('nodes', '', name) ?? node, now, timeScale);
      }
      // The kubelet is stopped: renewals stop now; Unknown once the grace period has passed.
      const lastRenew = freezeLease(name, now);
      const deadline = lastRenew + nodeMonitorGracePeriodMs / timeScale;
      if (now < deadline) return deadline;
      if (!conds.every((c) => c.status === 'Unknown')) {
        const ts = nowTimestamp(now);
        const unknown = conds.map((c) =>
          c.status === 'Unknown'
            ? c
            : { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ts },
        );
        const withTaints = taints.filter((t) => t.key !== UNREACHABLE_TAINT);
        withTaints.push({ key: UNREACHABLE_TAINT, effect: 'NoSchedule', timeAdded: ts }, { key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: ts });
        writeNode(node, unknown, withTaints);
      }
      return evict(ctx.store.get('nodes', '', name) ?? node, now, timeScale);
    },
  };
}
