// storage.k8s.io/v1: csidrivers, csinodes, csistoragecapacities, storageclasses, volumeattachments.
// (volumeattributesclasses is only v1beta1 in 1.33, so it is not served.) Facts as kube-apiserver 1.33
// serves them; printers as pkg/printers/internalversion; defaults and validation after pkg/apis/storage.
import { age } from '../machinery/duration';
import { deepEqual, field, isDNS1123Subdomain, isQualifiedName, validateImmutableField } from '../machinery/validation';
import { AGE_COLUMN, NAME_COLUMN, asArray, col, isObj, nonNegative, specOf, statusSubresource, validateLabelSelector, type Obj } from './common';
import { ALL_VERBS, type FieldError, type KObject, type ResourceDef } from './types';

const GROUP = 'storage.k8s.io';
const VERSION = 'v1';

/** storageutil.IsDefaultAnnotation */
export const DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
export function isDefaultStorageClass(obj: KObject): boolean {
  const a = obj.metadata.annotations ?? {};
  return a[DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true';
}

/** apivalidation.ValidateCSIDriverName */
function validateCSIDriverName(name: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (name.length === 0) errs.push(field.required(path, ''));
  if (name.length > 63) errs.push(field.tooLong(path, name, 63));
  for (const m of isDNS1123Subdomain(name.toLowerCase())) errs.push(field.invalid(path, name, m));
  return errs;
}

/** CSIDriver object names follow the driver-name rule (63 characters, case-insensitive DNS subdomain). */
function csiDriverObjectName(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 63) errs.push('must be no more than 63 characters');
  errs.push(...isDNS1123Subdomain(name.toLowerCase()));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// StorageClass

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const VOLUME_BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PROVISIONER_PARAMETER_SIZE = 256 * 1024;
const MAX_PROVISIONER_PARAMETER_LEN = 512;

const storageclasses: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'storageclasses',
  singular: 'storageclass',
  kind: 'StorageClass',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  shortNames: ['sc'],
  printer: {
    columns: [
      NAME_COLUMN,
      col('Provisioner', 'provisioner indicates the type of the provisioner.'),
      col('ReclaimPolicy', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
      col('VolumeBindingMode', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used.'),
      col('AllowVolumeExpansion', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const name = `${obj.metadata.name}${isDefaultStorageClass(obj) ? ' (default)' : ''}`;
      return [
        name,
        typeof obj.provisioner === 'string' ? obj.provisioner : '',
        typeof obj.reclaimPolicy === 'string' ? obj.reclaimPolicy : 'Delete',
        typeof obj.volumeBindingMode === 'string' ? obj.volumeBindingMode : 'Immediate',
        obj.allowVolumeExpansion === true,
        age(obj.metadata.creationTimestamp, now),
      ];
    },
  },
  defaults(obj) {
    if (obj.reclaimPolicy == null) obj.reclaimPolicy = 'Delete';
    if (obj.volumeBindingMode == null) obj.volumeBindingMode = 'Immediate';
  },
  validate(obj) {
    const errs: FieldError[] = [];
    const provisioner = typeof obj.provisioner === 'string' ? obj.provisioner : '';
    if (!provisioner) errs.push(field.required('provisioner', ''));
    else for (const m of isQualifiedName(provisioner.toLowerCase())) errs.push(field.invalid('provisioner', provisioner, m));
    const params = isObj(obj.parameters) ? obj.parameters : {};
    const keys = Object.keys(params);
    if (keys.length > MAX_PROVISIONER_PARAMETER_LEN) {
      errs.push(field.tooLong('parameters', 'Provisioner Parameters exceeded max allowed', MAX_PROVISIONER_PARAMETER_LEN));
    } else {
      let total = 0;
      for (const k of keys) {
        if (k.length < 1) errs.push(field.invalid('parameters', k, 'field can not be empty.'));
        total += k.length + String(params[k] ?? '').length;
      }
      if (total > MAX_PROVISIONER_PARAMETER_SIZE) errs.push(field.tooLong('parameters', '', MAX_PROVISIONER_PARAMETER_SIZE));
    }
    if (typeof obj.reclaimPolicy === 'string' && obj.reclaimPolicy !== '' && !RECLAIM_POLICIES.includes(obj.reclaimPolicy)) {
      errs.push(field.notSupported('reclaimPolicy', obj.reclaimPolicy, RECLAIM_POLICIES));
    }
    if (obj.volumeBindingMode == null) errs.push(field.required('volumeBindingMode', ''));
    else if (!VOLUME_BINDING_MODES.includes(String(obj.volumeBindingMode))) {
      errs.push(field.notSupported('volumeBindingMode', obj.volumeBindingMode, VOLUME_BINDING_MODES));
    }
    asArray(obj.allowedTopologies).forEach((raw, i) => {
      const term = isObj(raw) ? raw : {};
      const exprs = asArray(term.matchLabelExpressions);
      const tp = `allowedTopologies[${i}]`;
      if (exprs.length === 0) errs.push(field.required(`${tp}.matchLabelExpressions`, 'must have at least one label expression'));
      exprs.forEach((e, j) => {
        const r = isObj(e) ? e : {};
        const key = String(r.key ?? '');
        const ep = `${tp}.matchLabelExpressions[${j}]`;
        for (const m of isQualifiedName(key)) errs.push(field.invalid(`${ep}.key`, key, m));
        const values = asArray(r.values);
        if (values.length === 0) errs.push(field.required(`${ep}.values`, ''));
      });
    });
    return errs;
  },
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    if (!deepEqual(obj.parameters ?? {}, old.parameters ?? {})) errs.push(field.forbidden('parameters', 'updates to parameters are forbidden.'));
    if ((obj.provisioner ?? '') !== (old.provisioner ?? '')) errs.push(field.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if ((obj.reclaimPolicy ?? '') !== (old.reclaimPolicy ?? '')) errs.push(field.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    errs.push(...validateImmutableField(obj.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// CSIDriver

const FS_GROUP_POLICIES = ['File', 'None', 'ReadWriteOnceWithFSType'];
const LIFECYCLE_MODES = ['Ephemeral', 'Persistent'];

const csidrivers: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'csidrivers',
  singular: 'csidriver',
  kind: 'CSIDriver',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  nameValidator: csiDriverObjectName,
  printer: {
    columns: [
      NAME_COLUMN,
      col('AttachRequired', 'attachRequired indicates this CSI volume driver requires an attach operation.', 'boolean'),
      col('PodInfoOnMount', 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true.', 'boolean'),
      col('StorageCapacity', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report.', 'boolean'),
      col('TokenRequests', "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication."),
      col('RequiresRepublish', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.', 'boolean'),
      col('Modes', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      const modes = asArray(spec.volumeLifecycleModes).map(String).join(',');
      const tokenRequests = Array.isArray(spec.tokenRequests)
        ? spec.tokenRequests.map((t: unknown) => (isObj(t) ? String(t.audience ?? '') : '')).join(',')
        : '<unset>';
      return [
        obj.metadata.name,
        spec.attachRequired !== false,
        spec.podInfoOnMount === true,
        spec.storageCapacity === true,
        tokenRequests,
        spec.requiresRepublish === true,
        modes || '<none>',
        age(obj.metadata.creationTimestamp, now),
      ];
    },
  },
  defaults(obj) {
    if (!isObj(obj.spec)) obj.spec = {};
    const spec = obj.spec as Obj;
    if (spec.attachRequired == null) spec.attachRequired = true;
    if (spec.podInfoOnMount == null) spec.podInfoOnMount = false;
    if (spec.storageCapacity == null) spec.storageCapacity = false;
    if (spec.fsGroupPolicy == null) spec.fsGroupPolicy = 'ReadWriteOnceWithFSType';
    if (asArray(spec.volumeLifecycleModes).length === 0) spec.volumeLifecycleModes = ['Persistent'];
    if (spec.requiresRepublish == null) spec.requiresRepublish = false;
    // SELinuxMountReadWriteOncePod is on by default in 1.33, which defaults seLinuxMount.
    if (spec.seLinuxMount == null) spec.seLinuxMount = false;
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs: FieldError[] = [];
    if (spec.fsGroupPolicy != null && !FS_GROUP_POLICIES.includes(spec.fsGroupPolicy)) {
      errs.push(field.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, FS_GROUP_POLICIES));
    }
    asArray(spec.volumeLifecycleModes).forEach((m) => {
      if (!LIFECYCLE_MODES.includes(String(m))) errs.push(field.notSupported('spec.volumeLifecycleModes', m, LIFECYCLE_MODES));
    });
    const audiences = new Set<string>();
    asArray(spec.tokenRequests).forEach((raw, i) => {
      const audience = isObj(raw) ? String(raw.audience ?? '') : '';
      if (audiences.has(audience)) errs.push(field.duplicate(`spec.tokenRequests[${i}].audience`, audience));
      audiences.add(audience);
      const secs = isObj(raw) ? raw.expirationSeconds : undefined;
      if (typeof secs === 'number') {
        if (secs < 600) errs.push(field.invalid(`spec.tokenRequests[${i}].expirationSeconds`, secs, 'may not specify a duration less than 10 minutes'));
        if (secs > 2 ** 32) errs.push(field.invalid(`spec.tokenRequests[${i}].expirationSeconds`, secs, 'may not specify a duration larger than 2^32 seconds'));
      }
    });
    return errs;
  },
  validateUpdate(obj, old) {
    const a = specOf(obj);
    const b = specOf(old);
    return [
      ...validateImmutableField(a.attachRequired, b.attachRequired, 'spec.attachedRequired'),
      ...validateImmutableField(a.fsGroupPolicy, b.fsGroupPolicy, 'spec.fsGroupPolicy'),
      ...validateImmutableField(a.volumeLifecycleModes, b.volumeLifecycleModes, 'spec.volumeLifecycleModes'),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// CSINode

const csinodes: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'csinodes',
  singular: 'csinode',
  kind: 'CSINode',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  printer: {
    columns: [NAME_COLUMN, col('Drivers', 'Drivers indicates the number of CSI drivers registered on the node', 'integer'), AGE_COLUMN],
    cells(obj, now) {
      return [obj.metadata.name, asArray(specOf(obj).drivers).length, age(obj.metadata.creationTimestamp, now)];
    },
  },
  validate(obj) {
    const errs: FieldError[] = [];
    const seen = new Set<string>();
    asArray(specOf(obj).drivers).forEach((raw, i) => {
      const d = isObj(raw) ? raw : {};
      const p = `spec.drivers[${i}]`;
      const name = typeof d.name === 'string' ? d.name : '';
      errs.push(...validateCSIDriverName(name, `${p}.name`));
      const nodeID = typeof d.nodeID === 'string' ? d.nodeID : '';
      if (!nodeID) errs.push(field.required(`${p}.nodeID`, ''));
      if (nodeID.length > 128) errs.push(field.invalid(`${p}.nodeID`, nodeID, 'must be 128 characters or less'));
      const count = isObj(d.allocatable) ? d.allocatable.count : undefined;
      errs.push(...nonNegative(count, `${p}.allocatable.count`));
      if (seen.has(name)) errs.push(field.duplicate(`${p}.name`, name));
      seen.add(name);
      const keys = new Set<string>();
      for (const k of asArray(d.topologyKeys).map(String)) {
        if (!k) errs.push(field.required(p, k));
        if (keys.has(k)) errs.push(field.duplicate(p, k));
        keys.add(k);
        for (const m of isQualifiedName(k)) errs.push(field.invalid(p, d.topologyKeys, m));
      }
    });
    return errs;
  },
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    for (const o of asArray(specOf(old).drivers)) {
      for (const n of asArray(specOf(obj).drivers)) {
        if (isObj(o) && isObj(n) && o.name === n.name && !deepEqual(o, n)) errs.push(field.invalid('CSINodeDriver', n, 'field is immutable'));
      }
    }
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// CSIStorageCapacity

const csistoragecapacities: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'csistoragecapacities',
  singular: 'csistoragecapacity',
  kind: 'CSIStorageCapacity',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  printer: {
    // No Age column upstream.
    columns: [
      NAME_COLUMN,
      col('StorageClassName', 'storageClassName represents the name of the StorageClass that the reported capacity applies to.'),
      col('Capacity', 'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.'),
    ],
    cells(obj) {
      const capacity = obj.capacity === undefined || obj.capacity === null ? '<unset>' : String(obj.capacity);
      return [obj.metadata.name, typeof obj.storageClassName === 'string' ? obj.storageClassName : '', capacity];
    },
  },
  validate(obj) {
    const errs = validateLabelSelector(obj.nodeTopology, 'nodeTopology');
    const sc = typeof obj.storageClassName === 'string' ? obj.storageClassName : '';
    for (const m of isDNS1123Subdomain(sc)) errs.push(field.invalid('storageClassName', sc, m));
    if (typeof obj.capacity === 'string' && obj.capacity.trim().startsWith('-')) {
      errs.push(field.invalid('capacity', obj.capacity, 'must be greater than or equal to 0'));
    }
    return errs;
  },
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    if (!deepEqual(obj.nodeTopology ?? null, old.nodeTopology ?? null)) errs.push(field.invalid('nodeTopology', obj.nodeTopology ?? null, 'field is immutable'));
    if ((obj.storageClassName ?? '') !== (old.storageClassName ?? '')) {
      errs.push(field.invalid('storageClassName', obj.storageClassName ?? '', 'field is immutable'));
    }
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// VolumeAttachment

const volumeattachments: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'volumeattachments',
  singular: 'volumeattachment',
  kind: 'VolumeAttachment',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  subresources: [statusSubresource(GROUP, VERSION, 'VolumeAttachment')],
  statusSubresource: true,
  printer: {
    columns: [
      NAME_COLUMN,
      // Upstream marks this column with format "name" too.
      col('Attacher', 'attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().', 'string', 0, 'name'),
      col('PV', 'persistentVolumeName represents the name of the persistent volume to attach.'),
      col('Node', 'nodeName represents the node that the volume should be attached to.'),
      col('Attached', 'attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.', 'boolean'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      const source = isObj(spec.source) ? spec.source : {};
      const status = isObj(obj.status) ? obj.status : {};
      return [
        obj.metadata.name,
        typeof spec.attacher === 'string' ? spec.attacher : '',
        typeof source.persistentVolumeName === 'string' ? source.persistentVolumeName : '',
        typeof spec.nodeName === 'string' ? spec.nodeName : '',
        status.attached === true,
        age(obj.metadata.creationTimestamp, now),
      ];
    },
  },
  prepareForCreate(obj) {
    obj.status = { attached: false };
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs: FieldError[] = [];
    const attacher = typeof spec.attacher === 'string' ? spec.attacher : '';
    if (!attacher) errs.push(field.required('spec.attacher', ''));
    const source = isObj(spec.source) ? spec.source : {};
    const hasPV = source.persistentVolumeName != null;
    const hasInline = source.inlineVolumeSpec != null;
    if (!hasPV && !hasInline) errs.push(field.required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
    else if (hasPV && hasInline) errs.push(field.forbidden('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
    else if (hasPV && String(source.persistentVolumeName) === '') {
      errs.push(field.required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
    }
    const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
    for (const m of isDNS1123Subdomain(nodeName)) errs.push(field.invalid('spec.nodeName', nodeName, m));
    // v1-only checks (ValidateVolumeAttachmentV1)
    if (attacher) errs.push(...validateCSIDriverName(attacher, 'spec.attacher').filter((e) => e.type !== 'FieldValueRequired'));
    if (hasPV && String(source.persistentVolumeName) !== '') {
      const pv = String(source.persistentVolumeName);
      for (const m of isDNS1123Subdomain(pv)) errs.push(field.invalid('spec.source.persistentVolumeName', pv, m));
    }
    return errs;
  },
  validateUpdate(obj, old) {
    return deepEqual(obj.spec ?? null, old.spec ?? null) ? [] : [field.invalid('spec', obj.spec ?? null, 'field is immutable')];
  },
};

export const resources: ResourceDef[] = [csidrivers, csinodes, csistoragecapacities, storageclasses, volumeattachments];
