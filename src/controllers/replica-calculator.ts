// The HorizontalPodAutoscaler's arithmetic (pkg/controller/podautoscaler: replica_calculator.go and
// the behavior part of horizontal.go), as pure functions: replicas from per-pod samples with the
// missing/unready pod rules, the stabilization windows, and the scaling policies' rate limits.
import { SCALE_DOWN_DEFAULT, SCALE_UP_DEFAULT } from '../registry/autoscaling';

/** One pod's sample of a resource metric. */
export interface PodSample {
  /** usage (cores or bytes); undefined when metrics-server has none for the pod */
  usage?: number;
  /** the pod's request for the resource (sum over its containers) */
  request: number;
  /** for cpu: the pod is not Ready yet (its usage is not trusted for a scale-up) */
  unready: boolean;
}

export type MetricTarget = { utilization: number } | { averageValue: number };

export interface Tolerances {
  /** a ratio above 1 within this much is no change */
  up: number;
  /** a ratio below 1 within this much is no change */
  down: number;
}

export const DEFAULT_TOLERANCE = 0.1;

export interface ResourceReplicas {
  replicas: number;
  /** utilization in percent of the request (integer, truncated like upstream), for Utilization targets */
  utilization?: number;
  /** average usage per pod (cores or bytes) over the pods with metrics */
  averageValue: number;
}

const within = (ratio: number, t: Tolerances) => (ratio >= 1 ? ratio - 1 <= t.up : 1 - ratio <= t.down);

/** usage ratio of samples against the target (GetResourceUtilizationRatio / GetMetricUsageRatio). */
function ratioOf(samples: { usage: number; request: number }[], target: MetricTarget): { ratio: number; utilization?: number; average: number } {
  const usage = samples.reduce((a, s) => a + s.usage, 0);
  const average = samples.length ? usage / samples.length : 0;
  if ('utilization' in target) {
    const requests = samples.reduce((a, s) => a + s.request, 0);
    const utilization = requests > 0 ? Math.trunc((usage * 100) / requests) : 0;
    return { ratio: utilization / target.utilization, utilization, average };
  }
  return { ratio: target.averageValue > 0 ? average / target.averageValue : 0, average };
}

/**
 * ReplicaCalculator.GetResourceReplicas / GetRawResourceReplicas: the ratio over the ready pods with
 * metrics; on a scale-down pods without metrics count as using the target (at least 100% of their
 * request), on a scale-up as using nothing, and unready pods as using nothing; if that reverses the
 * direction or lands within the tolerance, the current count stays. Throws upstream's error texts.
 */
export function resourceReplicas(current: number, samples: PodSample[], target: MetricTarget, tol: Tolerances): ResourceReplicas {
  if (!samples.length) throw new Error('no pods returned by selector while calculating replica count');
  const ready = samples.filter((s) => s.usage !== undefined && !s.unready) as { usage: number; request: number }[];
  const unready = samples.filter((s) => s.usage !== undefined && s.unready);
  const missing = samples.filter((s) => s.usage === undefined);
  if (!ready.length) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const first = ratioOf(ready, target);
  const result = (replicas: number): ResourceReplicas => ({ replicas, utilization: first.utilization, averageValue: first.average });
  const scaleUpWithUnready = unready.length > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && !missing.length) {
    if (within(first.ratio, tol)) return result(current);
    return result(Math.ceil(first.ratio * ready.length));
  }
  const adjusted = [...ready];
  if (first.ratio < 1) {
    const fallback = 'utilization' in target ? Math.max(100, target.utilization) / 100 : undefined;
    for (const m of missing) adjusted.push({ usage: fallback !== undefined ? m.request * fallback : (target as { averageValue: number }).averageValue, request: m.request });
  } else if (first.ratio > 1) {
    for (const m of missing) adjusted.push({ usage: 0, request: m.request });
  }
  if (scaleUpWithUnready) for (const u of unready) adjusted.push({ usage: 0, request: u.request });
  const next = ratioOf(adjusted, target).ratio;
  if (within(next, tol) || (first.ratio < 1 && next > 1) || (first.ratio > 1 && next < 1)) return result(current);
  const replicas = Math.ceil(next * adjusted.length);
  if ((next < 1 && replicas > current) || (next > 1 && replicas < current)) return result(current);
  return result(replicas);
}

// ---------------------------------------------------------------------------------------------
// Behavior (autoscaling/v2 HPAScalingRules)

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
  tolerance?: string | number;
}

/** The API server's defaults (GenerateHPAScaleUpRules / GenerateHPAScaleDownRules). */
export const DEFAULT_SCALE_UP: Required<Omit<ScalingRules, 'tolerance'>> = SCALE_UP_DEFAULT;
/** Scale-down adds kube-controller-manager's --horizontal-pod-autoscaler-downscale-stabilization (5m). */
export const DEFAULT_SCALE_DOWN: Required<Omit<ScalingRules, 'tolerance'>> = { ...SCALE_DOWN_DEFAULT, stabilizationWindowSeconds: 300 };

/** Given rules over the defaults (an HPA created before its behavior was defaulted has none). */
export function rulesWithDefaults(given: ScalingRules | undefined, defaults: typeof DEFAULT_SCALE_UP): typeof DEFAULT_SCALE_UP {
  return {
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: given?.selectPolicy ?? defaults.selectPolicy,
    policies: given?.policies ?? defaults.policies,
  };
}

export interface Recommendation {
  at: number;
  replicas: number;
}

export interface ScaleEvent {
  at: number;
  /** replicas added (scale-up events) or removed (scale-down events), positive */
  change: number;
}

export interface Decision {
  replicas: number;
  /** AbleToScale reason/message before a rescale (ScaleUpStabilized, ScaleDownStabilized, ReadyForNewScale) */
  able: { reason: string; message: string };
  /** ScalingLimited: status True when the rate or the bounds changed the stabilized recommendation */
  limited: { status: 'True' | 'False'; reason: string; message: string };
}

/** Sum of the changes newer than the period (getReplicasChangePerPeriod). */
function changeInPeriod(events: ScaleEvent[], periodMs: number, now: number): number {
  return events.reduce((a, e) => (e.at > now - periodMs ? a + e.change : a), 0);
}

/**
 * normalizeDesiredReplicasWithBehaviors: the stabilization window (lowest recent recommendation when
 * going up, highest when going down), then the policies' rate limits and min/max. `recs` holds the
 * recent recommendations (the caller appends `desired` afterwards); `scale` divides every duration
 * (the sandbox's timeScale).
 */
export function normalizeWithBehaviors(args: {
  now: number;
  current: number;
  desired: number;
  min: number;
  max: number;
  up: typeof DEFAULT_SCALE_UP;
  down: typeof DEFAULT_SCALE_UP;
  recs: Recommendation[];
  upEvents: ScaleEvent[];
  downEvents: ScaleEvent[];
  scale: number;
}): Decision {
  const { now, current, desired, min, max, up, down, upEvents, downEvents, scale } = args;
  const goingUp = desired >= current;
  const windowMs = ((goingUp ? up : down).stabilizationWindowSeconds * 1000) / scale;
  let stabilized = desired;
  for (const r of args.recs) if (r.at > now - windowMs) stabilized = goingUp ? Math.min(stabilized, r.replicas) : Math.max(stabilized, r.replicas);
  const able =
    stabilized !== desired
      ? goingUp
        ? { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
        : { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
      : { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };

  const periodStart = (p: ScalingPolicy) => {
    const periodMs = (p.periodSeconds * 1000) / scale;
    return current - changeInPeriod(upEvents, periodMs, now) + changeInPeriod(downEvents, periodMs, now);
  };
  let replicas = stabilized;
  let reason = 'DesiredWithinRange';
  let message = 'the desired count is within the acceptable range';
  if (stabilized > current) {
    let limit = current;
    if (up.selectPolicy !== 'Disabled') {
      const proposals = up.policies.map((p) => (p.type === 'Pods' ? periodStart(p) + p.value : Math.ceil(periodStart(p) * (1 + p.value / 100))));
      limit = up.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
    }
    limit = Math.max(limit, current); // no further scale-up until old events leave the period
    const [bound, r, m] =
      max > limit
        ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
        : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    if (stabilized > bound) [replicas, reason, message] = [bound, r, m];
  } else if (stabilized < current) {
    let limit = current;
    if (down.selectPolicy !== 'Disabled') {
      const proposals = down.policies.map((p) => (p.type === 'Pods' ? periodStart(p) - p.value : Math.trunc(periodStart(p) * (1 - p.value / 100))));
      // For scale-down "Max" means the largest change: the lowest count.
      limit = down.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
    }
    limit = Math.min(limit, current);
    const [bound, r, m] =
      min < limit
        ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
        : [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    if (stabilized < bound) [replicas, reason, message] = [bound, r, m];
  }
  return { replicas, able, limited: { status: replicas === stabilized ? 'False' : 'True', reason, message } };
}

/**
 * normalizeDesiredReplicas, for an HPA without spec.behavior: the highest recommendation of the
 * downscale stabilization window (5 min), then min/max and the fixed scale-up limit max(2×current, 4).
 */
export function normalizeLegacy(args: { now: number; current: number; desired: number; min: number; max: number; recs: Recommendation[]; scale: number }): Decision {
  const { now, current, desired, min, max, scale } = args;
  const windowMs = (DEFAULT_SCALE_DOWN.stabilizationWindowSeconds * 1000) / scale;
  let stabilized = desired;
  for (const r of args.recs) if (r.at >= now - windowMs) stabilized = Math.max(stabilized, r.replicas);
  const able =
    stabilized !== desired
      ? { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
      : { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  const scaleUpLimit = Math.max(2 * current, 4);
  const [upper, upReason, upMessage] =
    max > scaleUpLimit
      ? [scaleUpLimit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
      : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
  let replicas = stabilized;
  let reason = 'DesiredWithinRange';
  let message = 'the desired count is within the acceptable range';
  if (stabilized < min) [replicas, reason, message] = [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
  else if (stabilized > upper) [replicas, reason, message] = [upper, upReason, upMessage];
  return { replicas, able, limited: { status: replicas === stabilized ? 'False' : 'True', reason, message } };
}

/** A tolerance field (a quantity such as "0.05"), else the default. */
export function toleranceOf(v: string | number | undefined, parse: (s: string) => number | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const q = parse(v);
    if (q !== undefined && q >= 0) return q;
  }
  return DEFAULT_TOLERANCE;
}
