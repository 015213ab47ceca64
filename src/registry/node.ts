// node.k8s.io/v1: runtimeclasses. Facts as kube-apiserver 1.33 serves them; printer as
// pkg/printers/internalversion; validation after pkg/apis/node/validation.
import { age } from '../machinery/duration';
import { field, isDNS1123Label, validateImmutableField, validateLabels } from '../machinery/validation';
import { AGE_COLUMN, NAME_COLUMN, col } from './common';
import { ALL_VERBS, type FieldError, type ResourceDef } from './types';

const GROUP = 'node.k8s.io';
const VERSION = 'v1';

const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

const runtimeclasses: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'runtimeclasses',
  singular: 'runtimeclass',
  kind: 'RuntimeClass',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  printer: {
    columns: [
      NAME_COLUMN,
      // Upstream takes this description from ObjectMeta's (missing) "handler" doc: an empty string.
      col('Handler', ''),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      return [obj.metadata.name, typeof obj.handler === 'string' ? obj.handler : '', age(obj.metadata.creationTimestamp, now)];
    },
  },
  validate(obj) {
    const errs: FieldError[] = [];
    // `handler` is a plain string upstream: a missing one validates as "" (not a DNS label).
    const handler = typeof obj.handler === 'string' ? obj.handler : '';
    for (const m of isDNS1123Label(handler)) errs.push(field.invalid('handler', handler, m));
    const scheduling = obj.scheduling as { nodeSelector?: Record<string, string>; tolerations?: unknown[] } | undefined;
    if (scheduling && typeof scheduling === 'object') {
      if (scheduling.nodeSelector) errs.push(...validateLabels(scheduling.nodeSelector, 'scheduling.nodeSelector'));
      (Array.isArray(scheduling.tolerations) ? scheduling.tolerations : []).forEach((raw, i) => {
        const t = (raw ?? {}) as Record<string, unknown>;
        const p = `scheduling.tolerations[${i}]`;
        if (t.operator !== undefined && t.operator !== '' && !TOLERATION_OPERATORS.includes(String(t.operator))) {
          errs.push(field.notSupported(`${p}.operator`, t.operator, TOLERATION_OPERATORS));
        }
        if (t.effect !== undefined && t.effect !== '' && !TAINT_EFFECTS.includes(String(t.effect))) {
          errs.push(field.notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
        }
      });
    }
    return errs;
  },
  validateUpdate(obj, old) {
    return validateImmutableField(obj.handler, old.handler, 'handler');
  },
};

export const resources: ResourceDef[] = [runtimeclasses];
