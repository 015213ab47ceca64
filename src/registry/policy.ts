// policy/v1: poddisruptionbudgets. Discovery facts as kube-apiserver 1.33 serves them, printer as
// pkg/printers/internalversion, strategy after pkg/registry/policy/poddisruptionbudget (status reset on
// create, generation bumped on spec changes), validation worded like pkg/apis/policy/validation.
import { age } from '../machinery/duration';
import { field } from '../machinery/validation';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  col,
  intOrStringText,
  isSet,
  notMoreThan100Percent,
  specOf,
  statusOf,
  statusSubresource,
  validateLabelSelector,
  validatePositiveIntOrPercent,
} from './common';
import { ALL_VERBS, type FieldError, type KObject, type ResourceDef } from './types';

const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

/** ValidatePodDisruptionBudgetSpec */
function validatePDB(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    errs.push(field.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const k of ['minAvailable', 'maxUnavailable']) {
    if (!isSet(spec[k])) continue;
    errs.push(...validatePositiveIntOrPercent(spec[k], `spec.${k}`));
    errs.push(...notMoreThan100Percent(spec[k], `spec.${k}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector', { stringValues: true }));
  if (isSet(spec.unhealthyPodEvictionPolicy) && !UNHEALTHY_POD_EVICTION_POLICIES.includes(spec.unhealthyPodEvictionPolicy)) {
    errs.push(field.notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return errs;
}

const poddisruptionbudgets: ResourceDef = {
  group: 'policy',
  version: 'v1',
  resource: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  kind: 'PodDisruptionBudget',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  shortNames: ['pdb'],
  subresources: [statusSubresource('policy', 'v1', 'PodDisruptionBudget')],
  generation: true,
  statusSubresource: true,
  printer: {
    columns: [
      NAME_COLUMN,
      col('Min Available', 'The minimum number of pods that must be available.'),
      col('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
      col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', 'integer'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      const status = statusOf(obj);
      return [
        obj.metadata.name ?? '',
        isSet(spec.minAvailable) ? intOrStringText(spec.minAvailable) : 'N/A',
        isSet(spec.maxUnavailable) ? intOrStringText(spec.maxUnavailable) : 'N/A',
        typeof status.disruptionsAllowed === 'number' ? status.disruptionsAllowed : 0,
        age(obj.metadata.creationTimestamp, now),
      ];
    },
  },
  prepareForCreate(obj) {
    obj.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  },
  // Every spec field is mutable in policy/v1: updates get the same checks (the store runs validate on them).
  validate: validatePDB,
};

export const resources: ResourceDef[] = [poddisruptionbudgets];
