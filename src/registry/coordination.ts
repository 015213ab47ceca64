// coordination.k8s.io/v1: leases (node heartbeats, leader election). Discovery facts as kube-apiserver
// 1.33 serves them, printer as pkg/printers/internalversion, validation worded like
// pkg/apis/coordination/validation.
import { age } from '../machinery/duration';
import { field } from '../machinery/validation';
import { AGE_COLUMN, NAME_COLUMN, col, nonNegative, specOf } from './common';
import { ALL_VERBS, type FieldError, type KObject, type ResourceDef } from './types';

const STRATEGIES = ['OldestEmulationVersion'];

/** ValidateLeaseSpec */
function validateLease(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    errs.push(field.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...nonNegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  if (spec.strategy !== undefined && spec.strategy !== null && !STRATEGIES.includes(spec.strategy)) {
    errs.push(field.notSupported('spec.strategy', spec.strategy, STRATEGIES));
  }
  if (typeof spec.preferredHolder === 'string' && spec.preferredHolder !== '' && !spec.strategy) {
    errs.push(field.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

const leases: ResourceDef = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  singular: 'lease',
  kind: 'Lease',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  printer: {
    columns: [
      NAME_COLUMN,
      col('Holder', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const holder = specOf(obj).holderIdentity;
      return [obj.metadata.name ?? '', typeof holder === 'string' ? holder : '', age(obj.metadata.creationTimestamp, now)];
    },
  },
  validate: validateLease,
};

export const resources: ResourceDef[] = [leases];
