// The HPA's arithmetic: replicas from pod samples (tolerance, missing and unready pods), the
// stabilization windows and the scaling policies' rate limits, checked against upstream's rules.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCALE_DOWN,
  DEFAULT_SCALE_UP,
  normalizeLegacy,
  normalizeWithBehaviors,
  resourceReplicas,
  rulesWithDefaults,
  type PodSample,
} from '../../src/controllers/replica-calculator';

const tol = { up: 0.1, down: 0.1 };
const ready = (usage: number, request = 0.1): PodSample => ({ usage, request, unready: false });

describe('resourceReplicas', () => {
  it.each([
    ['one pod at 150% of its request, target 50%', 1, [ready(0.15)], 3, 150],
    ['within the 10% tolerance', 2, [ready(0.054), ready(0.054)], 2, 54],
    ['just past the tolerance', 2, [ready(0.056), ready(0.056)], 3, 56],
    ['scale down: 10% with 5 pods', 5, [0, 1, 2, 3, 4].map(() => ready(0.01)), 1, 10],
    ['utilization is truncated like upstream', 3, [ready(0.0333), ready(0.0333), ready(0.0334)], 2, 33],
  ])('%s', (_name, current, samples, replicas, utilization) => {
    expect(resourceReplicas(current, samples, { utilization: 50 }, tol)).toMatchObject({ replicas, utilization });
  });

  it('unready pods count as idle on a scale-up', () => {
    // 1 ready pod at 150%, 2 pending: (150 + 0 + 0) / 3 = 50% → exactly the target → no change.
    const samples = [ready(0.15), { usage: 0, request: 0.1, unready: true }, { usage: 0, request: 0.1, unready: true }];
    expect(resourceReplicas(3, samples, { utilization: 50 }, tol).replicas).toBe(3);
    // but the reported utilization is the ready pods'
    expect(resourceReplicas(3, samples, { utilization: 50 }, tol).utilization).toBe(150);
  });

  it('missing pods count as at the target (at least 100%) on a scale-down, as idle on a scale-up', () => {
    const missing: PodSample = { request: 0.1, unready: false };
    // down: 10% and a missing pod counted as 100% → 55% against 50% → within tolerance → no change
    expect(resourceReplicas(2, [ready(0.01), missing], { utilization: 50 }, tol).replicas).toBe(2);
    // up: 200% and a missing pod counted as 0 → 100% → ceil(2 × 2) = 4
    expect(resourceReplicas(2, [ready(0.2), missing], { utilization: 50 }, tol).replicas).toBe(4);
  });

  it('average value targets', () => {
    expect(resourceReplicas(2, [ready(0.3), ready(0.3)], { averageValue: 0.1 }, tol)).toMatchObject({ replicas: 6, averageValue: 0.3 });
  });

  it('fails like upstream without pods or metrics', () => {
    expect(() => resourceReplicas(1, [], { utilization: 50 }, tol)).toThrow('no pods returned by selector while calculating replica count');
    expect(() => resourceReplicas(1, [{ usage: 0, request: 0.1, unready: true }], { utilization: 50 }, tol)).toThrow('did not receive metrics for targeted pods (pods might be unready)');
  });
});

describe('normalizeLegacy (no spec.behavior)', () => {
  const base = { now: 1_000_000, min: 1, max: 10, recs: [], scale: 1 };
  it.each([
    ['within range', 2, 3, 3, 'False', 'DesiredWithinRange'],
    ['scale-up limit max(2×current, 4)', 1, 9, 4, 'True', 'ScaleUpLimit'],
    ['scale-up limit doubles', 4, 10, 8, 'True', 'ScaleUpLimit'],
    ['more than max', 8, 20, 10, 'True', 'TooManyReplicas'],
    ['less than min', 2, 0, 1, 'True', 'TooFewReplicas'],
  ])('%s', (_n, current, desired, replicas, status, reason) => {
    expect(normalizeLegacy({ ...base, current, desired })).toMatchObject({ replicas, limited: { status, reason } });
  });

  it('the 5-minute window keeps the highest recommendation', () => {
    const recs = [{ at: base.now - 200_000, replicas: 5 }];
    expect(normalizeLegacy({ ...base, current: 5, desired: 1, recs })).toMatchObject({ replicas: 5, able: { reason: 'ScaleDownStabilized' } });
    expect(normalizeLegacy({ ...base, current: 5, desired: 1, recs: [{ at: base.now - 301_000, replicas: 5 }] })).toMatchObject({ replicas: 1, able: { reason: 'ReadyForNewScale' } });
    // timeScale 30: the window is 10 s
    expect(normalizeLegacy({ ...base, current: 5, desired: 1, recs: [{ at: base.now - 11_000, replicas: 5 }], scale: 30 }).replicas).toBe(1);
    expect(normalizeLegacy({ ...base, current: 5, desired: 1, recs: [{ at: base.now - 9_000, replicas: 5 }], scale: 30 }).replicas).toBe(5);
  });
});

describe('normalizeWithBehaviors', () => {
  const base = { now: 1_000_000, min: 1, max: 100, recs: [], upEvents: [], downEvents: [], scale: 1, up: DEFAULT_SCALE_UP, down: DEFAULT_SCALE_DOWN };

  it('default scale-up: the larger of +4 pods and +100% per 15 s', () => {
    expect(normalizeWithBehaviors({ ...base, current: 1, desired: 50 })).toMatchObject({ replicas: 5, limited: { status: 'True', reason: 'ScaleUpLimit' } });
    expect(normalizeWithBehaviors({ ...base, current: 10, desired: 50 }).replicas).toBe(20);
    // 10 pods were added 5 s ago: the period started at 10, so at most 20 now
    expect(normalizeWithBehaviors({ ...base, current: 20, desired: 50, upEvents: [{ at: base.now - 5_000, change: 10 }] }).replicas).toBe(20);
    // once the event left the period, doubling again
    expect(normalizeWithBehaviors({ ...base, current: 20, desired: 50, upEvents: [{ at: base.now - 16_000, change: 10 }] }).replicas).toBe(40);
  });

  it('selectPolicy Min and Disabled', () => {
    const up = rulesWithDefaults({ selectPolicy: 'Min' }, DEFAULT_SCALE_UP);
    expect(normalizeWithBehaviors({ ...base, up, current: 10, desired: 50 }).replicas).toBe(14);
    const off = rulesWithDefaults({ selectPolicy: 'Disabled' }, DEFAULT_SCALE_UP);
    expect(normalizeWithBehaviors({ ...base, up: off, current: 10, desired: 50 }).replicas).toBe(10);
  });

  it('scale-down: the stabilization window, then the policies', () => {
    const recs = [{ at: base.now - 100_000, replicas: 8 }];
    expect(normalizeWithBehaviors({ ...base, current: 10, desired: 2, recs })).toMatchObject({ replicas: 8, able: { reason: 'ScaleDownStabilized' } });
    const down = rulesWithDefaults({ stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 3, periodSeconds: 60 }] }, DEFAULT_SCALE_DOWN);
    expect(normalizeWithBehaviors({ ...base, down, current: 10, desired: 2, recs })).toMatchObject({ replicas: 7, limited: { status: 'True', reason: 'ScaleDownLimit' } });
    expect(normalizeWithBehaviors({ ...base, down, current: 7, desired: 2, downEvents: [{ at: base.now - 30_000, change: 3 }] }).replicas).toBe(7);
    const pct = rulesWithDefaults({ stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 50, periodSeconds: 15 }] }, DEFAULT_SCALE_DOWN);
    expect(normalizeWithBehaviors({ ...base, down: pct, current: 9, desired: 1 }).replicas).toBe(4);
    expect(normalizeWithBehaviors({ ...base, down: pct, min: 6, current: 9, desired: 1 })).toMatchObject({ replicas: 6, limited: { reason: 'TooFewReplicas' } });
  });

  it('a scale-up stabilization window takes the lowest recent recommendation', () => {
    const up = rulesWithDefaults({ stabilizationWindowSeconds: 60 }, DEFAULT_SCALE_UP);
    const recs = [{ at: base.now - 30_000, replicas: 3 }];
    expect(normalizeWithBehaviors({ ...base, up, current: 2, desired: 6, recs })).toMatchObject({ replicas: 3, able: { reason: 'ScaleUpStabilized' } });
  });
});
