// scheduling.k8s.io/v1: priorityclasses. Facts as kube-apiserver 1.33 serves them; printer as
// pkg/printers/internalversion; defaults and validation after pkg/apis/scheduling.
import { age } from '../machinery/duration';
import { field, validateImmutableField } from '../machinery/validation';
import { AGE_COLUMN, NAME_COLUMN, col } from './common';
import { ALL_VERBS, type FieldError, type ResourceDef } from './types';

const GROUP = 'scheduling.k8s.io';
const VERSION = 'v1';

/** scheduling.SystemPriorityClassPrefix and the two built-in classes (pkg/apis/scheduling). */
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
export const SYSTEM_PRIORITY_CLASSES = [
  {
    name: 'system-node-critical',
    value: SYSTEM_CRITICAL_PRIORITY + 1000,
    globalDefault: false,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    name: 'system-cluster-critical',
    value: SYSTEM_CRITICAL_PRIORITY,
    globalDefault: false,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

/** schedulingapiv1.IsKnownSystemPriorityClass: undefined when known, else the error text. */
function knownSystemPriorityClassError(name: string, value: unknown, globalDefault: boolean): string | undefined {
  const spc = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!spc) return `${name} is not a known system priority class`;
  if (spc.value !== value) return `value of ${spc.name} PriorityClass must be ${spc.value}`;
  if (spc.globalDefault !== globalDefault) return `globalDefault of ${spc.name} PriorityClass must be ${spc.globalDefault}`;
  return undefined;
}

const priorityclasses: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'priorityclasses',
  singular: 'priorityclass',
  kind: 'PriorityClass',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  shortNames: ['pc'],
  printer: {
    // PreemptionPolicy has priority 0 upstream: `kubectl get pc` shows it without -o wide.
    columns: [
      NAME_COLUMN,
      col(
        'Value',
        'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.',
        'integer',
      ),
      col(
        'Global-Default',
        'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.',
        'boolean',
      ),
      AGE_COLUMN,
      col(
        'PreemptionPolicy',
        'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.',
      ),
    ],
    cells(obj, now) {
      return [
        obj.metadata.name,
        typeof obj.value === 'number' ? obj.value : 0,
        obj.globalDefault === true,
        age(obj.metadata.creationTimestamp, now),
        typeof obj.preemptionPolicy === 'string' ? obj.preemptionPolicy : '',
      ];
    },
  },
  defaults(obj) {
    // `value` is a plain int32 upstream: absent decodes as 0.
    if (obj.value === undefined || obj.value === null) obj.value = 0;
    if (obj.preemptionPolicy === undefined || obj.preemptionPolicy === null) obj.preemptionPolicy = 'PreemptLowerPriority';
  },
  validate(obj) {
    const errs: FieldError[] = [];
    const name = obj.metadata.name ?? '';
    if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
      const err = knownSystemPriorityClassError(name, obj.value, obj.globalDefault === true);
      if (err) {
        errs.push(
          field.forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${err}`),
        );
      }
    } else if (typeof obj.value === 'number' && obj.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
      errs.push(field.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
    }
    if (obj.preemptionPolicy !== undefined && obj.preemptionPolicy !== null) {
      if (obj.preemptionPolicy === '') errs.push(field.required('preemptionPolicy', ''));
      else if (obj.preemptionPolicy !== 'PreemptLowerPriority' && obj.preemptionPolicy !== 'Never') {
        errs.push(field.notSupported('preemptionPolicy', obj.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
      }
    }
    return errs;
  },
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    if (obj.value !== old.value) errs.push(field.forbidden('value', 'may not be changed in an update.'));
    errs.push(...validateImmutableField(obj.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'));
    return errs;
  },
};

export const resources: ResourceDef[] = [priorityclasses];
