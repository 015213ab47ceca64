// autoscaling: horizontalpodautoscalers served as autoscaling/v2 (preferred) and autoscaling/v1, both
// kept in one storage in the v2 shape. v1 ⇄ v2 follows pkg/apis/autoscaling/v1/conversion.go: the CPU
// utilization target maps to a Resource metric, everything v1 cannot express travels in the
// autoscaling.alpha.kubernetes.io/* annotations (metrics in the v1 MetricSpec shape). Printer as
// pkg/printers/internalversion, defaults after pkg/apis/autoscaling/v{1,2}/defaults.go, validation
// worded like pkg/apis/autoscaling/validation.
import { age } from '../machinery/duration';
import { field, isQualifiedName } from '../machinery/validation';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  asArray,
  clone,
  col,
  ensureObj,
  isObj,
  isSet,
  isUpdate,
  isValidPathSegmentName,
  specOf,
  statusOf,
  statusSubresource,
  type Obj,
} from './common';
import { ALL_VERBS, type FieldError, type KObject, type ResourceDef } from './types';

const GROUP = 'autoscaling';
const STORAGE_KEY = 'horizontalpodautoscalers.autoscaling';

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP_ANNOTATIONS = [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

const DEFAULT_CPU_UTILIZATION = 80;

/** Assign only the defined values, in order (Go struct field order with omitempty). */
function compact(entries: [string, unknown][]): Obj {
  const out: Obj = {};
  for (const [k, v] of entries) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// v2 defaults

/** GenerateHPAScaleUpRules' defaults (the HPA controller reads the same ones for an HPA without behavior). */
export const SCALE_UP_DEFAULT = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max' as const,
  policies: [
    { type: 'Pods' as const, value: 4, periodSeconds: 15 },
    { type: 'Percent' as const, value: 100, periodSeconds: 15 },
  ],
};
/** GenerateHPAScaleDownRules' defaults: no stabilization window (the controller's flag supplies it). */
export const SCALE_DOWN_DEFAULT = { selectPolicy: 'Max' as const, policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }] };

/** GenerateHPAScale{Up,Down}Rules: the defaults overridden by every non-nil field given. */
function scalingRules(given: unknown, defaults: Obj): Obj {
  const out: Obj = clone(defaults);
  if (!isObj(given)) return out;
  for (const k of ['selectPolicy', 'stabilizationWindowSeconds', 'policies', 'tolerance']) if (isSet(given[k])) out[k] = given[k];
  // Keep the Go struct field order.
  return compact([
    ['stabilizationWindowSeconds', out.stabilizationWindowSeconds],
    ['selectPolicy', out.selectPolicy],
    ['policies', out.policies],
    ['tolerance', out.tolerance],
  ]);
}

function cpuUtilizationMetric(utilization: number): Obj {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } } };
}

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2). */
function defaultV2(obj: KObject): void {
  const spec = ensureObj(obj, 'spec');
  spec.minReplicas ??= 1;
  if (asArray(spec.metrics).length === 0) spec.metrics = [cpuUtilizationMetric(DEFAULT_CPU_UTILIZATION)];
  if (isObj(spec.behavior)) {
    spec.behavior.scaleUp = scalingRules(spec.behavior.scaleUp, SCALE_UP_DEFAULT);
    spec.behavior.scaleDown = scalingRules(spec.behavior.scaleDown, SCALE_DOWN_DEFAULT);
  }
}

// ---------------------------------------------------------------------------------------------
// Metric conversions: v2 MetricSpec/MetricStatus ⇄ v1 (v2beta1-style) MetricSpec/MetricStatus

function metricSpecToV1(m: Obj): Obj {
  const out: Obj = { type: m.type };
  if (isObj(m.object)) {
    const o = m.object;
    const target = isObj(o.target) ? o.target : {};
    const metric = isObj(o.metric) ? o.metric : {};
    out.object = compact([
      ['target', o.describedObject ?? {}],
      ['metricName', metric.name ?? ''],
      ['targetValue', target.value ?? '0'],
      ['selector', metric.selector],
      ['averageValue', target.averageValue],
    ]);
  }
  if (isObj(m.pods)) {
    const target = isObj(m.pods.target) ? m.pods.target : {};
    const metric = isObj(m.pods.metric) ? m.pods.metric : {};
    out.pods = compact([
      ['metricName', metric.name ?? ''],
      ['targetAverageValue', target.averageValue ?? '0'],
      ['selector', metric.selector],
    ]);
  }
  if (isObj(m.resource)) {
    const target = isObj(m.resource.target) ? m.resource.target : {};
    out.resource = compact([
      ['name', m.resource.name ?? ''],
      ['targetAverageUtilization', target.averageUtilization],
      ['targetAverageValue', target.averageValue],
    ]);
  }
  if (isObj(m.containerResource)) {
    const target = isObj(m.containerResource.target) ? m.containerResource.target : {};
    out.containerResource = compact([
      ['name', m.containerResource.name ?? ''],
      ['targetAverageUtilization', target.averageUtilization],
      ['targetAverageValue', target.averageValue],
      ['container', m.containerResource.container ?? ''],
    ]);
  }
  if (isObj(m.external)) {
    const target = isObj(m.external.target) ? m.external.target : {};
    const metric = isObj(m.external.metric) ? m.external.metric : {};
    out.external = compact([
      ['metricName', metric.name ?? ''],
      ['metricSelector', metric.selector],
      ['targetValue', target.value],
      ['targetAverageValue', target.averageValue],
    ]);
  }
  return out;
}

function metricSpecFromV1(m: Obj): Obj {
  const out: Obj = { type: m.type };
  if (isObj(m.object)) {
    const o = m.object;
    out.object = {
      describedObject: o.target ?? {},
      target: compact([
        ['type', isSet(o.averageValue) ? 'AverageValue' : 'Value'],
        ['value', o.targetValue],
        ['averageValue', o.averageValue],
      ]),
      metric: compact([
        ['name', o.metricName ?? ''],
        ['selector', o.selector],
      ]),
    };
  }
  if (isObj(m.pods)) {
    out.pods = {
      metric: compact([
        ['name', m.pods.metricName ?? ''],
        ['selector', m.pods.selector],
      ]),
      target: compact([
        ['type', 'AverageValue'],
        ['averageValue', m.pods.targetAverageValue],
      ]),
    };
  }
  for (const key of ['resource', 'containerResource']) {
    const r = m[key];
    if (!isObj(r)) continue;
    out[key] = compact([
      ['name', r.name ?? ''],
      [
        'target',
        compact([
          ['type', isSet(r.targetAverageUtilization) ? 'Utilization' : 'AverageValue'],
          ['averageValue', r.targetAverageValue],
          ['averageUtilization', r.targetAverageUtilization],
        ]),
      ],
      ['container', key === 'containerResource' ? (r.container ?? '') : undefined],
    ]);
  }
  if (isObj(m.external)) {
    const e = m.external;
    out.external = {
      metric: compact([
        ['name', e.metricName ?? ''],
        ['selector', e.metricSelector],
      ]),
      target: compact([
        ['type', isSet(e.targetAverageValue) ? 'AverageValue' : 'Value'],
        ['value', e.targetValue],
        ['averageValue', e.targetAverageValue],
      ]),
    };
  }
  return out;
}

function metricStatusToV1(m: Obj): Obj {
  const out: Obj = { type: m.type };
  if (isObj(m.object)) {
    const o = m.object;
    const current = isObj(o.current) ? o.current : {};
    const metric = isObj(o.metric) ? o.metric : {};
    out.object = compact([
      ['target', o.describedObject ?? {}],
      ['metricName', metric.name ?? ''],
      ['currentValue', current.value ?? '0'],
      ['selector', metric.selector],
      ['averageValue', current.averageValue],
    ]);
  }
  if (isObj(m.pods)) {
    const current = isObj(m.pods.current) ? m.pods.current : {};
    const metric = isObj(m.pods.metric) ? m.pods.metric : {};
    out.pods = compact([
      ['metricName', metric.name ?? ''],
      ['currentAverageValue', current.averageValue ?? '0'],
      ['selector', metric.selector],
    ]);
  }
  for (const key of ['resource', 'containerResource']) {
    const r = m[key];
    if (!isObj(r)) continue;
    const current = isObj(r.current) ? r.current : {};
    out[key] = compact([
      ['name', r.name ?? ''],
      ['currentAverageUtilization', current.averageUtilization],
      ['currentAverageValue', current.averageValue ?? '0'],
      ['container', key === 'containerResource' ? (r.container ?? '') : undefined],
    ]);
  }
  if (isObj(m.external)) {
    const current = isObj(m.external.current) ? m.external.current : {};
    const metric = isObj(m.external.metric) ? m.external.metric : {};
    out.external = compact([
      ['metricName', metric.name ?? ''],
      ['metricSelector', metric.selector],
      ['currentValue', current.value ?? '0'],
      ['currentAverageValue', current.averageValue],
    ]);
  }
  return out;
}

function metricStatusFromV1(m: Obj): Obj {
  const out: Obj = { type: m.type };
  if (isObj(m.object)) {
    const o = m.object;
    out.object = {
      metric: compact([
        ['name', o.metricName ?? ''],
        ['selector', o.selector],
      ]),
      current: compact([
        ['value', o.currentValue],
        ['averageValue', o.averageValue],
      ]),
      describedObject: o.target ?? {},
    };
  }
  if (isObj(m.pods)) {
    out.pods = {
      metric: compact([
        ['name', m.pods.metricName ?? ''],
        ['selector', m.pods.selector],
      ]),
      current: compact([['averageValue', m.pods.currentAverageValue]]),
    };
  }
  for (const key of ['resource', 'containerResource']) {
    const r = m[key];
    if (!isObj(r)) continue;
    out[key] = compact([
      ['name', r.name ?? ''],
      [
        'current',
        compact([
          ['averageValue', r.currentAverageValue],
          ['averageUtilization', r.currentAverageUtilization],
        ]),
      ],
      ['container', key === 'containerResource' ? (r.container ?? '') : undefined],
    ]);
  }
  if (isObj(m.external)) {
    const e = m.external;
    out.external = {
      metric: compact([
        ['name', e.metricName ?? ''],
        ['selector', e.metricSelector],
      ]),
      current: compact([
        ['value', e.currentValue],
        ['averageValue', e.currentAverageValue],
      ]),
    };
  }
  return out;
}

/** Go's json.Marshal of the internal HorizontalPodAutoscalerBehavior (no json tags: Go field names). */
function goFieldNames(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(goFieldNames);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toUpperCase() + k.slice(1), goFieldNames(x)]));
  return v;
}
/** json.Unmarshal matches field names case-insensitively: back to the v2 JSON names. */
function jsonFieldNames(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(jsonFieldNames);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), jsonFieldNames(x)]));
  return v;
}

function parseAnnotation(annotations: Obj, key: string): unknown {
  const raw = annotations[key];
  if (typeof raw !== 'string') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

const isCPU = (m: unknown): m is Obj => isObj(m) && m.type === 'Resource' && isObj(m.resource) && m.resource.name === 'cpu';

/** autoscaling/v1 → the stored (autoscaling/v2) shape. */
export function hpaV1ToV2(obj: KObject): KObject {
  const metadata = clone(obj.metadata);
  const annotations: Obj = isObj(metadata.annotations) ? metadata.annotations : {};
  const v1spec = specOf(obj);
  const spec: Obj = compact([
    ['scaleTargetRef', clone(v1spec.scaleTargetRef)],
    ['minReplicas', v1spec.minReplicas],
    ['maxReplicas', v1spec.maxReplicas ?? 0],
  ]);
  let metrics: Obj[] = isSet(v1spec.targetCPUUtilizationPercentage) ? [cpuUtilizationMetric(v1spec.targetCPUUtilizationPercentage)] : [];
  const other = parseAnnotation(annotations, METRIC_SPECS_ANNOTATION);
  if (Array.isArray(other)) metrics = [...other.filter(isObj).map(metricSpecFromV1), ...metrics];
  const behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION);
  if (isObj(behavior)) spec.behavior = jsonFieldNames(behavior);
  // autoscaling/v1 formerly had an implicit default applied in the controller.
  spec.metrics = metrics.length ? metrics : [cpuUtilizationMetric(DEFAULT_CPU_UTILIZATION)];

  let status: Obj | undefined;
  if (isObj(obj.status)) {
    const s = obj.status;
    status = compact([
      ['observedGeneration', s.observedGeneration],
      ['lastScaleTime', s.lastScaleTime],
      ['currentReplicas', s.currentReplicas || undefined],
      ['desiredReplicas', s.desiredReplicas ?? 0],
    ]);
    if (isSet(s.currentCPUUtilizationPercentage)) {
      status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: s.currentCPUUtilizationPercentage } } }];
    }
  }
  const current = parseAnnotation(annotations, METRIC_STATUSES_ANNOTATION);
  if (Array.isArray(current)) {
    const metrics = current.filter(isObj).map(metricStatusFromV1);
    // Upstream lets the annotation win. Our status writes start from the stored object, so its annotation
    // can be stale: keep the explicit v1 CPU utilization authoritative.
    const cpu = isObj(obj.status) ? obj.status.currentCPUUtilizationPercentage : undefined;
    if (isSet(cpu)) {
      const entry = metrics.find(isCPU);
      if (entry) entry.resource.current = { ...(isObj(entry.resource.current) ? entry.resource.current : {}), averageUtilization: cpu };
      else metrics.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpu } } });
    }
    (status ??= { desiredReplicas: 0 }).currentMetrics = metrics;
  }
  const conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION);
  if (Array.isArray(conditions)) (status ??= { desiredReplicas: 0 }).conditions = conditions;

  for (const k of ROUND_TRIP_ANNOTATIONS) delete annotations[k];
  if (isObj(metadata.annotations) && Object.keys(metadata.annotations).length === 0) delete metadata.annotations;

  const out: KObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec };
  if (status) out.status = status;
  defaultV2(out);
  return out;
}

/** The stored (autoscaling/v2) shape → autoscaling/v1. */
export function hpaV2ToV1(obj: KObject): KObject {
  const metadata = clone(obj.metadata);
  const annotations: Obj = isObj(metadata.annotations) ? { ...metadata.annotations } : {};
  for (const k of ROUND_TRIP_ANNOTATIONS) delete annotations[k];
  const v2spec = specOf(obj);
  const v2status = statusOf(obj);
  const metrics = asArray(v2spec.metrics).filter(isObj);

  let targetCPU: number | undefined;
  const cpu = metrics.find(isCPU);
  if (cpu && isObj(cpu.resource.target) && isSet(cpu.resource.target.averageUtilization)) targetCPU = cpu.resource.target.averageUtilization;
  const other = metrics.filter((m) => !(isCPU(m) && isObj(m.resource.target) && isSet(m.resource.target.averageUtilization)));
  if (other.length) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(other.map(metricSpecToV1));
  const currentMetrics = asArray(v2status.currentMetrics).filter(isObj);
  if (currentMetrics.length) annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  if (isObj(v2spec.behavior)) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(goFieldNames(v2spec.behavior));
  const conditions = asArray(v2status.conditions).filter(isObj);
  if (conditions.length) {
    annotations[CONDITIONS_ANNOTATION] = JSON.stringify(
      conditions.map((c) =>
        compact([
          ['type', c.type],
          ['status', c.status],
          ['lastTransitionTime', c.lastTransitionTime],
          ['reason', c.reason],
          ['message', c.message],
        ]),
      ),
    );
  }
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;

  const spec = compact([
    ['scaleTargetRef', clone(v2spec.scaleTargetRef)],
    ['minReplicas', v2spec.minReplicas],
    ['maxReplicas', v2spec.maxReplicas ?? 0],
    ['targetCPUUtilizationPercentage', targetCPU],
  ]);
  const out: KObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec };
  if (isObj(obj.status)) {
    let currentCPU: number | undefined;
    for (const m of currentMetrics) {
      if (isCPU(m) && isObj(m.resource.current) && isSet(m.resource.current.averageUtilization)) currentCPU = m.resource.current.averageUtilization;
    }
    out.status = compact([
      ['observedGeneration', v2status.observedGeneration],
      ['lastScaleTime', v2status.lastScaleTime],
      ['currentReplicas', v2status.currentReplicas ?? 0],
      ['desiredReplicas', v2status.desiredReplicas ?? 0],
      ['currentCPUUtilizationPercentage', currentCPU],
    ]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation (on the v2 shape, with upstream's internal field paths)

const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

/** A quantity's sign: 1, 0 or -1 (NaN-free best effort on the string form). */
function quantitySign(q: unknown): number {
  const n = parseFloat(String(q));
  if (Number.isNaN(n)) return 1;
  return Math.sign(n);
}

function validateMetricTarget(t: unknown, path: string): FieldError[] {
  const mt = isObj(t) ? t : {};
  const errs: FieldError[] = [];
  if (!mt.type) errs.push(field.required(`${path}.type`, 'must specify a metric target type'));
  if (mt.type !== 'Utilization' && mt.type !== 'Value' && mt.type !== 'AverageValue') {
    errs.push(field.invalid(`${path}.type`, mt.type ?? '', 'must be either Utilization, Value, or AverageValue'));
  }
  if (isSet(mt.value) && quantitySign(mt.value) !== 1) errs.push(field.invalid(`${path}.value`, mt.value, 'must be positive'));
  if (isSet(mt.averageValue) && quantitySign(mt.averageValue) !== 1) errs.push(field.invalid(`${path}.averageValue`, mt.averageValue, 'must be positive'));
  if (typeof mt.averageUtilization === 'number' && mt.averageUtilization < 1) {
    errs.push(field.invalid(`${path}.averageUtilization`, mt.averageUtilization, 'must be greater than 0'));
  }
  return errs;
}

function validateMetricIdentifier(id: unknown, path: string): FieldError[] {
  const m = isObj(id) ? id : {};
  const name = typeof m.name === 'string' ? m.name : '';
  if (!name) return [field.required(`${path}.name`, 'must specify a metric name')];
  return [];
}

function validateMetricSource(kind: string, src: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const target = isObj(src.target) ? src.target : {};
  switch (kind) {
    case 'Object':
      if (!isObj(src.describedObject) || !src.describedObject.kind) errs.push(field.required(`${path}.describedObject.kind`));
      if (!isObj(src.describedObject) || !src.describedObject.name) errs.push(field.required(`${path}.describedObject.name`));
      errs.push(...validateMetricIdentifier(src.metric, `${path}.metric`));
      errs.push(...validateMetricTarget(src.target, `${path}.target`));
      if (!isSet(target.value) && !isSet(target.averageValue)) errs.push(field.required(`${path}.target.averageValue`, 'must set either a target value or averageValue'));
      break;
    case 'Pods':
      errs.push(...validateMetricIdentifier(src.metric, `${path}.metric`));
      errs.push(...validateMetricTarget(src.target, `${path}.target`));
      if (!isSet(target.averageValue)) errs.push(field.required(`${path}.target.averageValue`, 'must specify a positive target averageValue'));
      break;
    case 'External':
      errs.push(...validateMetricIdentifier(src.metric, `${path}.metric`));
      errs.push(...validateMetricTarget(src.target, `${path}.target`));
      if (!isSet(target.value) && !isSet(target.averageValue)) errs.push(field.required(`${path}.target.averageValue`, 'must set either a target value for metric or a per-pod target'));
      if (isSet(target.value) && isSet(target.averageValue)) errs.push(field.forbidden(`${path}.target.value`, 'may not set both a target value for metric and a per-pod target'));
      break;
    case 'Resource':
    case 'ContainerResource': {
      const name = typeof src.name === 'string' ? src.name : '';
      if (!name) errs.push(field.required(`${path}.name`, 'must specify a resource name'));
      else for (const m of isQualifiedName(name)) errs.push(field.invalid(`${path}.name`, name, m));
      if (kind === 'ContainerResource' && !src.container) errs.push(field.required(`${path}.container`, 'must specify a container'));
      errs.push(...validateMetricTarget(src.target, `${path}.target`));
      if (!isSet(target.averageUtilization) && !isSet(target.averageValue)) {
        errs.push(field.required(`${path}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
      }
      if (isSet(target.averageUtilization) && isSet(target.averageValue)) {
        errs.push(field.forbidden(`${path}.target.averageValue`, 'may not set both a target raw value and a target utilization'));
      }
      break;
    }
  }
  return errs;
}

const SOURCE_FIELDS: [string, string][] = [
  ['Object', 'object'],
  ['External', 'external'],
  ['Pods', 'pods'],
  ['Resource', 'resource'],
  ['ContainerResource', 'containerResource'],
];

function validateMetricSpec(m: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = typeof m.type === 'string' ? m.type : '';
  if (!type) errs.push(field.required(`${path}.type`, 'must specify a metric source type'));
  const present = SOURCE_FIELDS.filter(([, f]) => isObj(m[f]));
  if (present.length === 1) errs.push(...validateMetricSource(present[0][0], m[present[0][1]], `${path}.${present[0][1]}`));
  const expected = SOURCE_FIELDS.find(([t]) => t === type);
  if (!expected) {
    errs.push(field.notSupported(`${path}.type`, type, METRIC_SOURCE_TYPES));
  } else if (!isObj(m[expected[1]])) {
    errs.push(field.required(`${path}.${expected[1]}`, 'must populate information for the given metric source'));
  }
  if (present.length !== 1) {
    for (const [t, f] of present) if (t !== type) errs.push(field.forbidden(`${path}.${f.toLowerCase()}`, 'must populate the given metric source only'));
  }
  return errs;
}

function validateScalingRules(rules: unknown, path: string): FieldError[] {
  if (!isObj(rules)) return [];
  const errs: FieldError[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (typeof w === 'number' && w < 0) errs.push(field.invalid(`${path}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'));
  if (typeof w === 'number' && w > MAX_STABILIZATION_WINDOW_SECONDS) {
    errs.push(field.invalid(`${path}.stabilizationWindowSeconds`, w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  }
  if (isSet(rules.selectPolicy) && !SELECT_POLICIES.includes(rules.selectPolicy)) {
    errs.push(field.notSupported(`${path}.selectPolicy`, rules.selectPolicy, SELECT_POLICIES));
  }
  const policies = asArray(rules.policies);
  if (policies.length === 0) errs.push(field.required(`${path}.policies`, 'must specify at least one Policy'));
  policies.forEach((raw, i) => {
    const p = isObj(raw) ? raw : {};
    const pp = `${path}.policies[${i}]`;
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(field.notSupported(`${pp}.type`, p.type ?? '', POLICY_TYPES));
    if (!(typeof p.value === 'number' && p.value > 0)) errs.push(field.invalid(`${pp}.value`, p.value ?? 0, 'must be greater than zero'));
    if (!(typeof p.periodSeconds === 'number' && p.periodSeconds > 0)) {
      errs.push(field.invalid(`${pp}.periodSeconds`, p.periodSeconds ?? 0, 'must be greater than zero'));
    } else if (p.periodSeconds > MAX_PERIOD_SECONDS) {
      errs.push(field.invalid(`${pp}.periodSeconds`, p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
    }
  });
  return errs;
}

/** validateHorizontalPodAutoscalerSpec (minReplicas lower bound 1: HPAScaleToZero is off in 1.33). */
function validateHPA(obj: KObject, old?: KObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const oldMin = old ? specOf(old).minReplicas : undefined;
  const lowerBound = oldMin === 0 ? 0 : 1;
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < lowerBound) {
    errs.push(field.invalid('spec.minReplicas', spec.minReplicas, `must be greater than or equal to ${lowerBound}`));
  }
  const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : 0;
  if (max < 1) errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof spec.minReplicas === 'number' && max < spec.minReplicas) {
    errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  }
  const ref = isObj(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
  for (const k of ['kind', 'name']) {
    const v = typeof ref[k] === 'string' ? ref[k] : '';
    if (!v) errs.push(field.required(`spec.scaleTargetRef.${k}`));
    else for (const m of isValidPathSegmentName(v)) errs.push(field.invalid(`spec.scaleTargetRef.${k}`, v, m));
  }
  asArray(spec.metrics).forEach((m, i) => errs.push(...validateMetricSpec(isObj(m) ? m : {}, `spec.metrics[${i}]`)));
  if (isObj(spec.behavior)) {
    errs.push(...validateScalingRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'));
    errs.push(...validateScalingRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Printer (on the v2 shape)

function targetText(t: Obj): string {
  return t.averageValue !== undefined ? String(t.averageValue) : String(t.value ?? '');
}

/** formatHPAMetrics */
export function formatHPAMetrics(specs: unknown, statuses: unknown): string {
  const metrics = asArray(specs);
  const current = asArray(statuses);
  if (metrics.length === 0) return '<none>';
  const list: string[] = [];
  metrics.forEach((raw, i) => {
    const m = isObj(raw) ? raw : {};
    const st = isObj(current[i]) ? (current[i] as Obj) : undefined;
    const src = (k: string): Obj | undefined => (st && isObj(st[k]) ? st[k] : undefined);
    const cur = (k: string): Obj => {
      const s = src(k);
      return s && isObj(s.current) ? s.current : {};
    };
    switch (m.type) {
      case 'External':
      case 'Object': {
        const key = m.type === 'External' ? 'external' : 'object';
        const target = isObj(m[key]) && isObj(m[key].target) ? m[key].target : {};
        if (isSet(target.averageValue)) {
          const c = src(key) && isSet(cur(key).averageValue) ? String(cur(key).averageValue) : '<unknown>';
          list.push(`${c}/${target.averageValue} (avg)`);
        } else {
          const c = src(key) ? String(cur(key).value ?? '0') : '<unknown>';
          list.push(`${c}/${target.value ?? '0'}`);
        }
        break;
      }
      case 'Pods': {
        const target = isObj(m.pods) && isObj(m.pods.target) ? m.pods.target : {};
        const c = src('pods') ? String(cur('pods').averageValue ?? '0') : '<unknown>';
        list.push(`${c}/${target.averageValue ?? '0'}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const key = m.type === 'Resource' ? 'resource' : 'containerResource';
        const r = isObj(m[key]) ? m[key] : {};
        const target = isObj(r.target) ? r.target : {};
        if (isSet(target.averageValue)) {
          const c = src(key) ? String(cur(key).averageValue ?? '0') : '<unknown>';
          list.push(`${r.name ?? ''}: ${c}/${targetText(target)}`);
        } else {
          const c = src(key) && isSet(cur(key).averageUtilization) ? `${cur(key).averageUtilization}%` : '<unknown>';
          const t = isSet(target.averageUtilization) ? `${target.averageUtilization}%` : '<auto>';
          list.push(`${r.name ?? ''}: ${c}/${t}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

function hpaCells(obj: KObject, now: number): unknown[] {
  const spec = specOf(obj);
  const status = statusOf(obj);
  const ref = isObj(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
  return [
    obj.metadata.name ?? '',
    `${ref.kind ?? ''}/${ref.name ?? ''}`,
    formatHPAMetrics(spec.metrics, status.currentMetrics),
    isSet(spec.minReplicas) ? String(spec.minReplicas) : '<unset>',
    typeof spec.maxReplicas === 'number' ? spec.maxReplicas : 0,
    typeof status.currentReplicas === 'number' ? status.currentReplicas : 0,
    age(obj.metadata.creationTimestamp, now),
  ];
}

const COLUMNS = [
  NAME_COLUMN,
  col('Reference', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
  col('Targets', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.'),
  col('MinPods', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.'),
  col('MaxPods', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.'),
  col('Replicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
  AGE_COLUMN,
];

const SHARED = {
  resource: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  kind: 'HorizontalPodAutoscaler',
  scope: 'Namespaced' as const,
  verbs: ALL_VERBS,
  shortNames: ['hpa'],
  categories: ['all'],
  statusSubresource: true,
};

const v2: ResourceDef = {
  ...SHARED,
  group: GROUP,
  version: 'v2',
  subresources: [statusSubresource(GROUP, 'v2', 'HorizontalPodAutoscaler')],
  storage: { key: STORAGE_KEY },
  printer: { columns: COLUMNS, cells: hpaCells },
  defaults: defaultV2,
  prepareForCreate(obj) {
    obj.status = { desiredReplicas: 0 };
  },
  // Update rules depend on the old object (minReplicas 0 stays allowed): validateUpdate does them all.
  validate: (obj) => (isUpdate(obj) ? [] : validateHPA(obj)),
  validateUpdate: (obj, old) => validateHPA(obj, old),
};

const v1: ResourceDef = {
  ...SHARED,
  group: GROUP,
  version: 'v1',
  subresources: [statusSubresource(GROUP, 'v1', 'HorizontalPodAutoscaler')],
  storage: { key: STORAGE_KEY, toStored: hpaV1ToV2, fromStored: hpaV2ToV1 },
  printer: { columns: COLUMNS, cells: (obj, now) => hpaCells(hpaV1ToV2(obj), now) },
  defaults(obj) {
    ensureObj(obj, 'spec').minReplicas ??= 1;
  },
  prepareForCreate(obj) {
    obj.status = { currentReplicas: 0, desiredReplicas: 0 };
  },
  validate: (obj) => (isUpdate(obj) ? [] : validateHPA(hpaV1ToV2(obj))),
  validateUpdate: (obj, old) => validateHPA(hpaV1ToV2(obj), hpaV1ToV2(old)),
};

export const resources: ResourceDef[] = [v2, v1];
