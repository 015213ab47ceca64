// The HorizontalPodAutoscaler controller (autoscaling/v2) on the simulated metrics: every sync
// period (15 s, divided by timeScale) it reads the target's pods' usage from the kubelet model,
// computes the desired replicas (ratio of current to target utilization or average value, with the
// 10% tolerance), applies the scale-down stabilization window (300 s) and the default scale-up limit
// (double or +4), and writes the target's replicas through its scale subresource.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import { podUsage } from '../kubelet/metrics';
import { matchesLabels } from '../machinery/labels';
import { parseQuantity } from '../machinery/quantity';
import { selectorOf } from '../registry/common';
import type { KObject } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, type ClusterContext } from './context';
import { eventRecorder } from './events';

const HPAS = 'horizontalpodautoscalers.autoscaling';
const SYNC_PERIOD_MS = 15_000;
const TOLERANCE = 0.1;
const DOWNSCALE_WINDOW_MS = 300_000;

const TARGETS: Record<string, { group: string; resource: string; key: string }> = {
  Deployment: { group: 'apps', resource: 'deployments', key: 'deployments.apps' },
  ReplicaSet: { group: 'apps', resource: 'replicasets', key: 'replicasets.apps' },
  StatefulSet: { group: 'apps', resource: 'statefulsets', key: 'statefulsets.apps' },
  ReplicationController: { group: '', resource: 'replicationcontrollers', key: 'replicationcontrollers' },
};

interface MetricSpec {
  type: string;
  resource?: { name: string; target: { type: string; averageUtilization?: number; averageValue?: string } };
}

interface HpaSpec {
  scaleTargetRef: { kind: string; name: string; apiVersion?: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: MetricSpec[];
}

function requestOf(pod: Pod, resource: string): number {
  let sum = 0;
  for (const c of pod.spec?.containers ?? []) {
    const q = c.resources?.requests?.[resource];
    if (q !== undefined) sum += parseQuantity(String(q)) ?? 0;
  }
  return sum;
}

export function horizontalPodAutoscalerController(ctx: ClusterContext): Controller {
  const recommendations = new Map<string, { at: number; replicas: number }[]>();
  const recorder = eventRecorder(ctx, 'horizontal-pod-autoscaler');

  return {
    name: 'horizontal-pod-autoscaler',
    keysFor(e) {
      return e.resource === HPAS && e.type !== 'DELETED' ? [`${e.namespace}/${e.name}`] : [];
    },
    reconcile(key, now) {
      const { namespace, name } = splitKey(key);
      const hpa = ctx.store.get(HPAS, namespace, name);
      if (!hpa || hpa.metadata.deletionTimestamp) {
        recommendations.delete(key);
        return;
      }
      const { timeScale } = sandboxConfig(ctx.store);
      const next = now + SYNC_PERIOD_MS / timeScale;
      const spec = hpa.spec as HpaSpec;
      const t = TARGETS[spec.scaleTargetRef.kind];
      const target = t && ctx.store.get(t.key, namespace, spec.scaleTargetRef.name);
      const conditions: Record<string, unknown>[] = [];
      const status = (hpa.status ?? {}) as Record<string, unknown>;
      if (!t || !target) {
        conditions.push({ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${spec.scaleTargetRef.kind.toLowerCase()}s "${spec.scaleTargetRef.name}" not found` });
        writeStatus(hpa, { ...status, conditions });
        return next;
      }
      const current = ((target.spec as { replicas?: number }).replicas ?? 1);
      const reqs = selectorOf((target.spec as { selector?: unknown }).selector);
      const pods = [...ctx.store.list('pods', { namespace })].filter(
        (p) => reqs && matchesLabels(reqs, p.metadata.labels) && !p.metadata.deletionTimestamp && (p.status as { phase?: string } | undefined)?.phase === 'Running',
      ) as unknown as Pod[];
      let best: number | undefined;
      const currentMetrics: Record<string, unknown>[] = [];
      for (const m of spec.metrics ?? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]) {
        if (m.type !== 'Resource' || !m.resource) continue;
        const resource = m.resource.name;
        let usage = 0;
        let request = 0;
        let counted = 0;
        for (const p of pods) {
          const u = podUsage(p, now, { timeScale });
          if (!u) continue;
          counted++;
          usage += resource === 'cpu' ? u.cpu : u.memory;
          request += requestOf(p, resource);
        }
        if (!counted) continue;
        let ratio: number;
        if (m.resource.target.type === 'Utilization' && m.resource.target.averageUtilization && request > 0) {
          const utilization = Math.round((usage / request) * 100);
          ratio = utilization / m.resource.target.averageUtilization;
          currentMetrics.push({ type: 'Resource', resource: { name: resource, current: { averageUtilization: utilization, averageValue: String(Math.round((usage / counted) * (resource === 'cpu' ? 1000 : 1))) + (resource === 'cpu' ? 'm' : '') } } });
        } else if (m.resource.target.averageValue) {
          const perPod = parseQuantity(m.resource.target.averageValue) ?? 1;
          ratio = usage / counted / perPod;
          currentMetrics.push({ type: 'Resource', resource: { name: resource, current: { averageValue: String(usage / counted) } } });
        } else continue;
        const proposal = Math.abs(ratio - 1) <= TOLERANCE ? current : Math.ceil(ratio * counted);
        best = Math.max(best ?? 0, proposal); // several metrics: the largest proposal wins
      }
      let desired = best ?? current;
      const min = spec.minReplicas ?? 1;
      desired = Math.min(spec.maxReplicas, Math.max(min, desired));
      // Scale-down stabilization: the highest recommendation of the window wins.
      const window = DOWNSCALE_WINDOW_MS / timeScale;
      const recs = (recommendations.get(key) ?? []).filter((r) => now - r.at < window);
      recs.push({ at: now, replicas: desired });
      recommendations.set(key, recs);
      if (desired < current) desired = Math.min(current, Math.max(...recs.map((r) => r.replicas)));
      // Default scale-up policies: at most double, or +4 pods, per period.
      if (desired > current) desired = Math.min(desired, Math.max(current * 2, current + 4));
      const limited = desired === spec.maxReplicas || desired === min;
      conditions.push({ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale' });
      conditions.push(
        currentMetrics.length
          ? { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' }
          : { type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'the HPA was unable to compute the replica count: no running pods with metrics' },
      );
      conditions.push({ type: 'ScalingLimited', status: limited ? 'True' : 'False', reason: limited ? 'TooManyReplicas' : 'DesiredWithinRange', message: limited ? 'the desired replica count is at a limit' : 'the desired count is within the acceptable range' });
      let lastScaleTime = status.lastScaleTime;
      if (desired !== current) {
        const r = systemCall(ctx, 'horizontal-pod-autoscaler', {
          verb: 'patch',
          patchType: 'merge',
          group: t.group,
          resource: t.resource,
          subresource: 'scale',
          namespace,
          name: spec.scaleTargetRef.name,
          body: { spec: { replicas: desired } },
        });
        if (r.status < 300) {
          lastScaleTime = nowTimestamp(now);
          recorder.event(hpa, 'HorizontalPodAutoscaler', 'autoscaling/v2', 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: cpu resource utilization (percentage of request) ${desired > current ? 'above' : 'below'} target`);
        }
      }
      const stamp = (c: Record<string, unknown>) => {
        const prev = ((status.conditions ?? []) as Record<string, unknown>[]).find((x) => x.type === c.type);
        return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : nowTimestamp(now) };
      };
      writeStatus(hpa, {
        ...status,
        observedGeneration: hpa.metadata.generation,
        ...(lastScaleTime ? { lastScaleTime } : {}),
        currentReplicas: current,
        desiredReplicas: desired,
        currentMetrics,
        conditions: conditions.map(stamp),
      });
      return next;
    },
  };

  function writeStatus(hpa: KObject, status: Record<string, unknown>): void {
    if (JSON.stringify(status) === JSON.stringify(hpa.status)) return;
    systemCall(ctx, 'horizontal-pod-autoscaler', {
      verb: 'update',
      subresource: 'status',
      group: 'autoscaling',
      version: 'v2',
      resource: 'horizontalpodautoscalers',
      namespace: hpa.metadata.namespace,
      name: hpa.metadata.name,
      body: { ...hpa, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', status },
    });
  }
}
