// apps/v1: deployments, statefulsets, daemonsets, replicasets, controllerrevisions. Discovery facts as
// kube-apiserver 1.33 serves them, printers as pkg/printers/internalversion, defaults after
// pkg/apis/apps/v1/defaults.go, strategies after pkg/registry/apps/*, validation worded like
// pkg/apis/apps/validation.
import { age } from '../machinery/duration';
import { matchesLabels, type Requirement } from '../machinery/labels';
import { deepEqual, field, validateAnnotations, validateImmutableField, validateLabels } from '../machinery/validation';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  asArray,
  col,
  containerCells,
  ensureObj,
  formatLabels,
  formatSelector,
  goIntOrString,
  goLabelSelector,
  immutableSelector,
  intOrPercentValue,
  invalidRendered,
  isObj,
  nonNegative,
  notMoreThan100Percent,
  num,
  selectorMismatch,
  selectorOf,
  selectorString,
  specOf,
  statusOf,
  statusSubresource,
  templateLabels,
  validateLabelSelector,
  validatePositiveIntOrPercent,
  type Obj,
} from './common';
import { defaultPodTemplateSpec, validateWorkloadPodTemplate } from './core';
import { ALL_VERBS, type FieldError, type KObject, type ResourceDef, type SubresourceDef } from './types';

const SELECTOR_DESC =
  'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template\'s labels.';

function selectorIsEmpty(sel: Obj): boolean {
  return Object.keys(isObj(sel.matchLabels) ? sel.matchLabels : {}).length + asArray(sel.matchExpressions).length === 0;
}

const SCALE: SubresourceDef = { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };

const GROUP = 'apps';
const VERSION = 'v1';

// ---------------------------------------------------------------------------------------------
// Shared pieces of the replicated workloads

/** Selector required, valid, non-empty (`empty selector is invalid for <what>`); returns its requirements. */
function validateWorkloadSelector(sel: unknown, path: string, what: string, errs: FieldError[]): Requirement[] | undefined {
  if (sel === undefined || sel === null) {
    errs.push(field.required(path));
  } else {
    errs.push(...validateLabelSelector(sel, path, { stringValues: true }));
    if (isObj(sel) && selectorIsEmpty(sel)) errs.push(invalidRendered(path, goLabelSelector(sel), `empty selector is invalid for ${what}`));
  }
  return selectorOf(sel);
}

/** ValidatePodTemplateSpecForReplicaSet */
function validateTemplateForReplicaSet(template: unknown, reqs: Requirement[], path: string, what: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(template)) return [field.required(path)];
  const labels = templateLabels(template);
  if (reqs.length > 0 && !matchesLabels(reqs, labels as Record<string, string> | undefined)) {
    errs.push(selectorMismatch(`${path}.metadata.labels`, labels));
  }
  errs.push(...validateWorkloadPodTemplate(template, path));
  const spec = isObj(template.spec) ? template.spec : {};
  if (spec.restartPolicy !== 'Always') errs.push(field.notSupported(`${path}.spec.restartPolicy`, spec.restartPolicy ?? '', ['Always']));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden(`${path}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${what} is not Supported`));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Deployments

function defaultDeployment(obj: KObject): void {
  const spec = ensureObj(obj, 'spec');
  spec.replicas ??= 1;
  const strategy = ensureObj(spec, 'strategy');
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec(spec);
}

function validateDeploymentStrategy(strategy: unknown, path: string): FieldError[] {
  const s = isObj(strategy) ? strategy : {};
  const errs: FieldError[] = [];
  switch (s.type) {
    case 'Recreate':
      if (s.rollingUpdate !== undefined && s.rollingUpdate !== null) {
        errs.push(field.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
      }
      break;
    case 'RollingUpdate': {
      if (!isObj(s.rollingUpdate)) {
        errs.push(field.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil'));
        break;
      }
      const ru = s.rollingUpdate;
      const rp = `${path}.rollingUpdate`;
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${rp}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${rp}.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalidRendered(`${rp}.maxUnavailable`, goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${rp}.maxUnavailable`));
      break;
    }
    default:
      errs.push(field.notSupported(path, s, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

function validateDeploymentSpec(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  const reqs = validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment', errs);
  if (!reqs) errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'));
  else errs.push(...validateTemplateForReplicaSet(spec.template, reqs, 'spec.template', 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= num(spec.minReadySeconds)) {
      errs.push(field.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

const deployments: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: [SCALE, statusSubresource(GROUP, VERSION, 'Deployment')],
  generation: true,
  statusSubresource: true,
  printer: {
    columns: [
      NAME_COLUMN,
      col('Ready', 'Number of the pod with ready state'),
      col('Up-to-date', 'Total number of non-terminating pods targeted by this deployment that have the desired template spec.'),
      col('Available', 'Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.'),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      col('Selector', SELECTOR_DESC, 'string', 1),
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      const status = statusOf(obj);
      const [names, images] = containerCells(spec.template);
      const reqs = selectorOf(spec.selector);
      return [
        obj.metadata.name ?? '',
        `${num(status.readyReplicas)}/${num(spec.replicas)}`,
        num(status.updatedReplicas),
        num(status.availableReplicas),
        age(obj.metadata.creationTimestamp, now),
        names,
        images,
        reqs ? selectorString(reqs) : '<invalid>',
      ];
    },
  },
  defaults: defaultDeployment,
  prepareForCreate(obj) {
    obj.status = {};
  },
  // The store runs validate on updates too: validateUpdate adds what only updates check.
  validate: validateDeploymentSpec,
  validateUpdate: (obj, old) => immutableSelector(specOf(obj).selector, specOf(old).selector, 'spec.selector'),
};

// ---------------------------------------------------------------------------------------------
// ReplicaSets

function validateReplicaSetSpec(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  // Upstream says "deployment" here too.
  const reqs = validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment', errs);
  if (!reqs) errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'));
  else errs.push(...validateTemplateForReplicaSet(spec.template, reqs, 'spec.template', 'ReplicaSet'));
  return errs;
}

const replicasets: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'replicasets',
  singular: 'replicaset',
  kind: 'ReplicaSet',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: [SCALE, statusSubresource(GROUP, VERSION, 'ReplicaSet')],
  generation: true,
  statusSubresource: true,
  fieldSelectors: {
    'status.replicas': (obj) => String(num(statusOf(obj).replicas)),
  },
  printer: {
    columns: [
      NAME_COLUMN,
      col('Desired', 'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#how-a-replicaset-works', 'integer'),
      col('Current', 'Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#how-a-replicaset-works', 'integer'),
      col('Ready', 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.', 'integer'),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      col('Selector', 'Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 'string', 1),
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      const status = statusOf(obj);
      const [names, images] = containerCells(spec.template);
      return [
        obj.metadata.name ?? '',
        num(spec.replicas),
        num(status.replicas),
        num(status.readyReplicas),
        age(obj.metadata.creationTimestamp, now),
        names,
        images,
        formatSelector(spec.selector),
      ];
    },
  },
  defaults(obj) {
    const spec = ensureObj(obj, 'spec');
    spec.replicas ??= 1;
    defaultPodTemplateSpec(spec);
  },
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
  validate: validateReplicaSetSpec,
  validateUpdate: (obj, old) => immutableSelector(specOf(obj).selector, specOf(old).selector, 'spec.selector'),
};

// ---------------------------------------------------------------------------------------------
// StatefulSets

function defaultStatefulSet(obj: KObject): void {
  const spec = ensureObj(obj, 'spec');
  spec.podManagementPolicy ||= 'OrderedReady';
  const us = ensureObj(spec, 'updateStrategy');
  if (!us.type) {
    us.type = 'RollingUpdate';
    ensureObj(us, 'rollingUpdate');
  }
  if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate)) us.rollingUpdate.partition ??= 0;
  const retention = ensureObj(spec, 'persistentVolumeClaimRetentionPolicy');
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec(spec);
  for (const raw of asArray(spec.volumeClaimTemplates)) {
    if (!isObj(raw)) continue;
    raw.apiVersion ||= 'v1';
    raw.kind ||= 'PersistentVolumeClaim';
    ensureObj(raw, 'spec').volumeMode ||= 'Filesystem';
    ensureObj(raw, 'status').phase ||= 'Pending';
  }
}

const RETENTION_TYPES = ['Delete', 'Retain'];

function validateStatefulSetSpec(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy ?? '';
  if (pmp === '') errs.push(field.required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(field.invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  switch (us.type ?? '') {
    case '':
      errs.push(field.required('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (us.rollingUpdate !== undefined && us.rollingUpdate !== null) {
        errs.push(field.invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    case 'RollingUpdate':
      if (isObj(us.rollingUpdate)) errs.push(...nonNegative(us.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      break;
    default:
      errs.push(field.invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = isObj(spec.persistentVolumeClaimRetentionPolicy) ? spec.persistentVolumeClaimRetentionPolicy : undefined;
  if (retention) {
    for (const k of ['whenDeleted', 'whenScaled']) {
      const v = retention[k] ?? '';
      if (!RETENTION_TYPES.includes(v)) errs.push(field.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v, RETENTION_TYPES));
    }
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  if (isObj(spec.ordinals)) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const reqs = validateWorkloadSelector(spec.selector, 'spec.selector', 'statefulset', errs);
  const template = spec.template;
  if (!reqs) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), ''));
  } else if (!isObj(template)) {
    errs.push(field.required('spec.template'));
  } else {
    const labels = templateLabels(template);
    if (reqs.length > 0 && !matchesLabels(reqs, labels as Record<string, string> | undefined)) {
      errs.push(selectorMismatch('spec.template.metadata.labels', labels));
    }
    // ValidatePodTemplateSpecForStatefulSet: upstream leaves the pod spec itself unvalidated (its volumes
    // would not include the volumeClaimTemplates); pods that cannot be created fail in the controller.
    const meta = isObj(template.metadata) ? template.metadata : {};
    errs.push(...validateLabels(isObj(meta.labels) ? meta.labels : undefined, 'spec.template.labels'));
    errs.push(...validateAnnotations(isObj(meta.annotations) ? meta.annotations : undefined, 'spec.template.annotations'));
  }
  const tspec = isObj(template) && isObj(template.spec) ? template.spec : {};
  if (tspec.restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', tspec.restartPolicy ?? '', ['Always']));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

/** Spec fields a StatefulSet update may change. */
const STS_MUTABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy'];

const statefulsets: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'statefulsets',
  singular: 'statefulset',
  kind: 'StatefulSet',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  shortNames: ['sts'],
  categories: ['all'],
  subresources: [SCALE, statusSubresource(GROUP, VERSION, 'StatefulSet')],
  generation: true,
  statusSubresource: true,
  printer: {
    columns: [NAME_COLUMN, col('Ready', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
    cells(obj, now) {
      const spec = specOf(obj);
      const [names, images] = containerCells(spec.template);
      return [obj.metadata.name ?? '', `${num(statusOf(obj).readyReplicas)}/${num(spec.replicas)}`, age(obj.metadata.creationTimestamp, now), names, images];
    },
  },
  defaults: defaultStatefulSet,
  prepareForCreate(obj) {
    obj.status = { replicas: 0, availableReplicas: 0 };
  },
  validate: validateStatefulSetSpec,
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    const strip = (s: Obj) => Object.fromEntries(Object.entries(s).filter(([k]) => !STS_MUTABLE.includes(k)));
    if (!deepEqual(strip(specOf(obj)), strip(specOf(old)))) {
      errs.push(
        field.forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// DaemonSets

function defaultDaemonSet(obj: KObject): void {
  const spec = ensureObj(obj, 'spec');
  const us = ensureObj(spec, 'updateStrategy');
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = ensureObj(us, 'rollingUpdate');
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec(spec);
}

function validateDaemonSetSpec(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector', { stringValues: true }));
  const reqs = selectorOf(spec.selector);
  const labels = templateLabels(spec.template);
  if (reqs && !matchesLabels(reqs, labels as Record<string, string> | undefined)) {
    errs.push(selectorMismatch('spec.template.metadata.labels', labels));
  }
  if (isObj(spec.selector) && selectorIsEmpty(spec.selector)) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'));
  }
  errs.push(...validateWorkloadPodTemplate(spec.template, 'spec.template'));
  const tspec = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : {};
  if (tspec.restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', tspec.restartPolicy ?? '', ['Always']));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null) {
    errs.push(field.invalid('spec.template.spec.activeDeadlineSeconds', tspec.activeDeadlineSeconds, 'activeDeadlineSeconds must be nil for daemon sets'));
  }
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.templateGeneration, 'spec.templateGeneration'));
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  switch (us.type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      if (!isObj(us.rollingUpdate)) {
        errs.push(field.required('spec.updateStrategy.rollingUpdate'));
        break;
      }
      const ru = us.rollingUpdate;
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) {
        errs.push(invalidRendered(`${p}.maxSurge`, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      } else if (!hasUnavailable && !hasSurge) {
        errs.push(field.required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      }
      break;
    }
    default:
      errs.push(field.notSupported('spec.updateStrategy', us, ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

const daemonsets: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'daemonsets',
  singular: 'daemonset',
  kind: 'DaemonSet',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: [statusSubresource(GROUP, VERSION, 'DaemonSet')],
  generation: true,
  statusSubresource: true,
  printer: {
    columns: [
      NAME_COLUMN,
      col('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/', 'integer'),
      col('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/', 'integer'),
      col('Ready', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', 'integer'),
      col('Up-to-date', 'The total number of nodes that are running updated daemon pod', 'integer'),
      col('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', 'integer'),
      col('Node Selector', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      col('Selector', "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 'string', 1),
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      const status = statusOf(obj);
      const [names, images] = containerCells(spec.template);
      const tspec = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : {};
      return [
        obj.metadata.name ?? '',
        num(status.desiredNumberScheduled),
        num(status.currentNumberScheduled),
        num(status.numberReady),
        num(status.updatedNumberScheduled),
        num(status.numberAvailable),
        formatLabels(tspec.nodeSelector),
        age(obj.metadata.creationTimestamp, now),
        names,
        images,
        formatSelector(spec.selector),
      ];
    },
  },
  defaults: defaultDaemonSet,
  prepareForCreate(obj) {
    obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  },
  validate: validateDaemonSetSpec,
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    const n = specOf(obj).templateGeneration;
    const o = specOf(old).templateGeneration;
    if (typeof n === 'number' && typeof o === 'number' && n < o) errs.push(field.invalid('spec.templateGeneration', n, 'must not be decremented'));
    errs.push(...immutableSelector(specOf(obj).selector, specOf(old).selector, 'spec.selector'));
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// ControllerRevisions

/** "statefulset.apps/web": the controller owner as formatResourceName prints it. */
function controllerOf(obj: KObject): string {
  const ref = (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const kind = ref.kind ?? '';
  if (!kind && !group) return ref.name;
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name}`;
}

const controllerrevisions: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'controllerrevisions',
  singular: 'controllerrevision',
  kind: 'ControllerRevision',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  printer: {
    columns: [
      NAME_COLUMN,
      col('Controller', 'Controller of the object'),
      col('Revision', 'Revision indicates the revision of the state represented by Data.'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      return [obj.metadata.name ?? '', controllerOf(obj), num(obj.revision), age(obj.metadata.creationTimestamp, now)];
    },
  },
  validate(obj) {
    const errs: FieldError[] = [];
    if (obj.data === undefined || obj.data === null) errs.push(field.required('data', 'data is mandatory'));
    errs.push(...nonNegative(obj.revision, 'revision'));
    return errs;
  },
  validateUpdate: (obj, old) => validateImmutableField(obj.data ?? null, old.data ?? null, 'data'),
};

export const resources: ResourceDef[] = [controllerrevisions, daemonsets, deployments, replicasets, statefulsets];
