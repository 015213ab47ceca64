// The HorizontalPodAutoscaler controller (autoscaling/v2) on the simulated metrics: every sync
// period (15 s, divided by timeScale) it samples the target's pods from the kubelet model (the
// `kubedo.dev/cpu-usage` / `memory-usage` knobs), computes the replicas for each Resource metric
// (utilization or average value, 10% tolerance, missing and unready pods as upstream), stabilizes
// and rate-limits them (spec.behavior, or the legacy rules when it is unset), and writes the
// target's replicas through its scale subresource. Recommendations and scale events live in memory
// like kube-controller-manager's (lost on a restart, which only restarts the windows).
import type { Pod } from 'kubernetes-types/core/v1';
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import { podUsage } from '../kubelet/metrics';
import { labelSelectorFromObject, matchesLabels, type Requirement } from '../machinery/labels';
import { parseQuantity } from '../machinery/quantity';
import { selectorOf } from '../registry/common';
import type { KObject } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, trySystemCall, type ClusterContext } from './context';
import { eventRecorder } from './events';
import { isPodReady, phaseOf } from './podutil';
import {
  DEFAULT_SCALE_DOWN,
  DEFAULT_SCALE_UP,
  normalizeLegacy,
  normalizeWithBehaviors,
  resourceReplicas,
  rulesWithDefaults,
  toleranceOf,
  type Decision,
  type MetricTarget,
  type PodSample,
  type Recommendation,
  type ScaleEvent,
  type ScalingRules,
} from './replica-calculator';

const HPAS = 'horizontalpodautoscalers.autoscaling';
const SYNC_PERIOD_MS = 15_000;

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
  behavior?: { scaleUp?: ScalingRules; scaleDown?: ScalingRules };
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

const DEFAULT_METRIC: MetricSpec = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };

/** A resource quantity as metrics report it: whole units when integral, else milli-units. */
function quantityText(v: number): string {
  const milli = Math.round(v * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** The pods' samples for one resource (groupPods + calculatePodRequests); throws upstream's texts. */
function samplesOf(pods: Pod[], resource: string, needRequests: boolean, now: number, timeScale: number): PodSample[] {
  const out: PodSample[] = [];
  for (const p of pods) {
    let request = 0;
    for (const c of p.spec?.containers ?? []) {
      const q = c.resources?.requests?.[resource];
      if (q !== undefined) request += parseQuantity(String(q)) ?? 0;
      else if (needRequests) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${p.metadata?.name}`);
    }
    if (p.status?.phase === 'Pending') {
      out.push({ usage: 0, request, unready: true });
      continue;
    }
    const u = podUsage(p, now, { timeScale });
    if (!u) {
      out.push({ request, unready: false });
      continue;
    }
    // Only CPU distrusts pods that are not ready yet (start-up spikes).
    out.push({ usage: resource === 'cpu' ? u.cpu : u.memory, request, unready: resource === 'cpu' && !isPodReady(p as unknown as KObject) });
  }
  return out;
}

export function horizontalPodAutoscalerController(ctx: ClusterContext): Controller {
  const recommendations = new Map<string, Recommendation[]>();
  const upEvents = new Map<string, ScaleEvent[]>();
  const downEvents = new Map<string, ScaleEvent[]>();
  const recorder = eventRecorder(ctx, 'horizontal-pod-autoscaler');

  function forget(key: string): void {
    recommendations.delete(key);
    upEvents.delete(key);
    downEvents.delete(key);
  }

  return {
    name: 'horizontal-pod-autoscaler',
    keysFor(e) {
      if (e.resource !== HPAS) return [];
      // Its own status writes must not re-run the algorithm ahead of the sync period.
      if (e.type === 'MODIFIED' && e.prev?.metadata.generation === e.object.metadata.generation) return [];
      return [`${e.namespace}/${e.name}`];
    },
    reconcile(key, now) {
      const { namespace, name } = splitKey(key);
      const hpa = ctx.store.get(HPAS, namespace, name);
      if (!hpa || hpa.metadata.deletionTimestamp) {
        forget(key);
        return;
      }
      const { timeScale } = sandboxConfig(ctx.store);
      const next = now + SYNC_PERIOD_MS / timeScale;
      const spec = hpa.spec as HpaSpec;
      const status = (hpa.status ?? {}) as Record<string, unknown>;
      const conditions = new Map<string, Condition>(((status.conditions ?? []) as Condition[]).map((c) => [c.type, c]));
      const set = (type: string, s: 'True' | 'False', reason: string, message: string) => conditions.set(type, { type, status: s, reason, message });
      const warn = (reason: string, message: string) => recorder.event(hpa, 'HorizontalPodAutoscaler', 'autoscaling/v2', 'Warning', reason, message);
      const finish = (fields: Record<string, unknown>) => {
        const order = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];
        const list = [...conditions.values()].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
        writeStatus(hpa, {
          ...status,
          ...fields,
          conditions: list.map((c) => {
            const prev = ((status.conditions ?? []) as Condition[]).find((x) => x.type === c.type);
            return { ...c, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : nowTimestamp(now) };
          }),
        });
        return next;
      };

      const ref = spec.scaleTargetRef;
      const t = TARGETS[ref.kind];
      const target = t && ctx.store.get(t.key, namespace, ref.name);
      if (!t || !target) {
        const what = t ? `${t.resource}${t.group ? `.${t.group}` : ''}` : ref.kind.toLowerCase();
        const message = `the HPA controller was unable to get the target's current scale: ${what} "${ref.name}" not found`;
        set('AbleToScale', 'False', 'FailedGetScale', message);
        warn('FailedGetScale', `${what} "${ref.name}" not found`);
        return finish({});
      }
      set('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
      const current = (target.spec as { replicas?: number }).replicas ?? 1;
      const min = spec.minReplicas ?? 1;
      // recordInitialRecommendation: a new HPA does not scale down within its first window.
      if (!recommendations.has(key)) recommendations.set(key, [{ at: now, replicas: current }]);

      let desired = 0;
      let rescaleReason = '';
      let currentMetrics: Record<string, unknown>[] | undefined = (status.currentMetrics as Record<string, unknown>[] | undefined);
      if (current === 0 && min !== 0) {
        set('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
        return finish({ observedGeneration: hpa.metadata.generation, currentReplicas: current, desiredReplicas: 0 });
      } else if (current > spec.maxReplicas) {
        rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
        desired = spec.maxReplicas;
      } else if (current < min) {
        rescaleReason = 'Current number of replicas below Spec.MinReplicas';
        desired = min;
      } else {
        const computed = computeMetrics(spec, target, namespace, current, now, timeScale);
        currentMetrics = computed.statuses;
        for (const e of computed.errors) warn(e.reason, e.message);
        if (computed.desired < 0) {
          const first = computed.errors[0];
          set('ScalingActive', 'False', first.reason, `the HPA was unable to compute the replica count: ${first.message}`);
          warn('FailedComputeMetricsReplicas', `invalid metrics (${computed.errors.length} invalid out of ${computed.total}), first error is: ${first.message}`);
          return finish({ observedGeneration: hpa.metadata.generation, currentReplicas: current, desiredReplicas: status.desiredReplicas ?? current, currentMetrics });
        }
        set('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${computed.metricName}`);
        desired = computed.desired;
        if (desired > current) rescaleReason = `${computed.metricName} above target`;
        if (desired < current) rescaleReason = 'All metrics below target';
        const decision = normalize(key, spec, now, current, desired, min, timeScale);
        set('AbleToScale', 'True', decision.able.reason, decision.able.message);
        set('ScalingLimited', decision.limited.status, decision.limited.reason, decision.limited.message);
        desired = decision.replicas;
      }

      let lastScaleTime = status.lastScaleTime;
      if (desired !== current) {
        const r = trySystemCall(ctx, 'horizontal-pod-autoscaler', {
          verb: 'patch',
          patchType: 'merge',
          group: t.group,
          resource: t.resource,
          subresource: 'scale',
          namespace,
          name: ref.name,
          body: { spec: { replicas: desired } },
        });
        if (r.status < 300) {
          lastScaleTime = nowTimestamp(now);
          set('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
          recorder.event(hpa, 'HorizontalPodAutoscaler', 'autoscaling/v2', 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${rescaleReason}`);
          const events = desired > current ? upEvents : downEvents;
          events.set(key, [...(events.get(key) ?? []), { at: now, change: Math.abs(desired - current) }]);
        } else {
          const message = String((r.body as { message?: string } | undefined)?.message ?? `status ${r.status}`);
          set('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${message}`);
          warn('FailedRescale', `New size: ${desired}; reason: ${rescaleReason}; error: ${message}`);
          desired = current;
        }
      }
      return finish({
        observedGeneration: hpa.metadata.generation,
        ...(lastScaleTime ? { lastScaleTime } : {}),
        currentReplicas: current,
        desiredReplicas: desired,
        ...(currentMetrics ? { currentMetrics } : {}),
      });
    },
  };

  /** computeReplicasForMetrics: the largest proposal over the metrics; desired -1 when none could be computed. */
  function computeMetrics(spec: HpaSpec, target: KObject, namespace: string, current: number, now: number, timeScale: number) {
    const sel = (target.spec as { selector?: unknown }).selector;
    let reqs: Requirement[] | undefined;
    if (spec.scaleTargetRef.kind === 'ReplicationController') {
      try {
        reqs = labelSelectorFromObject({ matchLabels: (sel ?? {}) as Record<string, string> });
      } catch {
        reqs = undefined;
      }
    } else reqs = selectorOf(sel);
    const pods: Pod[] = [];
    if (reqs) {
      for (const p of ctx.store.list('pods', { namespace })) {
        if (p.metadata.deletionTimestamp || phaseOf(p) === 'Failed' || phaseOf(p) === 'Succeeded') continue;
        if (matchesLabels(reqs, p.metadata.labels)) pods.push(p as unknown as Pod);
      }
    }
    const up = toleranceOf(spec.behavior?.scaleUp?.tolerance, (s) => parseQuantity(s));
    const down = toleranceOf(spec.behavior?.scaleDown?.tolerance, (s) => parseQuantity(s));
    const metrics = spec.metrics?.length ? spec.metrics : [DEFAULT_METRIC];
    const statuses: Record<string, unknown>[] = [];
    const errors: { reason: string; message: string }[] = [];
    let desired = -1;
    let metricName = '';
    for (const m of metrics) {
      if (m.type !== 'Resource' || !m.resource) {
        statuses.push({ type: '' });
        errors.push({ reason: 'InvalidMetricSourceType', message: `unsupported metric source type "${m.type}" (kubedo simulates Resource metrics)` });
        continue;
      }
      const { name: resource, target: mt } = m.resource;
      const utilization = mt.type === 'Utilization';
      try {
        let goal: MetricTarget;
        if (utilization) goal = { utilization: mt.averageUtilization ?? 0 };
        else {
          const v = parseQuantity(String(mt.averageValue ?? ''));
          if (v === undefined) throw new Error(`invalid averageValue ${mt.averageValue}`);
          goal = { averageValue: v };
        }
        const r = resourceReplicas(current, samplesOf(pods, resource, utilization, now, timeScale), goal, { up, down });
        statuses.push({
          type: 'Resource',
          resource: { name: resource, current: { ...(r.utilization !== undefined ? { averageUtilization: r.utilization } : {}), averageValue: quantityText(r.averageValue) } },
        });
        if (r.replicas > desired) {
          desired = r.replicas;
          metricName = utilization ? `${resource} resource utilization (percentage of request)` : `${resource} resource`;
        }
      } catch (err) {
        statuses.push({ type: '' });
        errors.push({ reason: 'FailedGetResourceMetric', message: `failed to get ${resource} ${utilization ? 'utilization' : 'usage'}: ${(err as Error).message}` });
      }
    }
    return { desired, metricName, statuses, errors, total: metrics.length };
  }

  /** Stabilization and rate limits; remembers the recommendation and forgets what left every window. */
  function normalize(key: string, spec: HpaSpec, now: number, current: number, desired: number, min: number, timeScale: number): Decision {
    const recs = recommendations.get(key) ?? [];
    let decision: Decision;
    let keepMs: number;
    if (!spec.behavior) {
      decision = normalizeLegacy({ now, current, desired, min, max: spec.maxReplicas, recs, scale: timeScale });
      keepMs = DEFAULT_SCALE_DOWN.stabilizationWindowSeconds * 1000;
    } else {
      const up = rulesWithDefaults(spec.behavior.scaleUp, DEFAULT_SCALE_UP);
      const down = rulesWithDefaults(spec.behavior.scaleDown, DEFAULT_SCALE_DOWN);
      decision = normalizeWithBehaviors({ now, current, desired, min, max: spec.maxReplicas, up, down, recs, upEvents: upEvents.get(key) ?? [], downEvents: downEvents.get(key) ?? [], scale: timeScale });
      keepMs = Math.max(up.stabilizationWindowSeconds, down.stabilizationWindowSeconds) * 1000;
      const periodMs = Math.max(0, ...up.policies.map((p) => p.periodSeconds), ...down.policies.map((p) => p.periodSeconds)) * 1000;
      for (const m of [upEvents, downEvents]) m.set(key, (m.get(key) ?? []).filter((e) => e.at > now - periodMs / timeScale));
    }
    recommendations.set(key, [...recs.filter((r) => r.at >= now - keepMs / timeScale), { at: now, replicas: desired }]);
    return decision;
  }

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
