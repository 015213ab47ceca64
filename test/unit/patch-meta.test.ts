import { describe, expect, it } from 'vitest';
import { definitionName } from '../../src/api/openapi';
import {
  definitionFields,
  definitionPatchMeta,
  fieldPatchMeta,
  fieldSchema,
  hasDefinition,
  patchMetaTable,
  patchStrategies,
} from '../../src/registry/patch-meta';

const CORE = 'io.k8s.api.core.v1.';
const APPS = 'io.k8s.api.apps.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';

describe('fieldPatchMeta', () => {
  const cases: [string, string, unknown][] = [
    [`${CORE}PodSpec`, 'containers', { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    [`${CORE}PodSpec`, 'initContainers', { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    [`${CORE}PodSpec`, 'volumes', { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    [`${CORE}PodSpec`, 'tolerations', { listType: 'atomic' }],
    [`${CORE}PodSpec`, 'nodeSelector', { mapType: 'atomic' }],
    [`${CORE}PodSpec`, 'imagePullSecrets', { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    [`${CORE}PodSpec`, 'topologySpreadConstraints', { patchStrategy: 'merge', patchMergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] }],
    [`${CORE}Container`, 'ports', { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] }],
    [`${CORE}Container`, 'env', { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    [`${CORE}Container`, 'volumeMounts', { patchStrategy: 'merge', patchMergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] }],
    [`${CORE}Container`, 'args', { listType: 'atomic' }],
    [`${CORE}EphemeralContainer`, 'env', { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    [`${CORE}PodStatus`, 'conditions', { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] }],
    [`${CORE}PodStatus`, 'podIPs', { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] }],
    [`${CORE}PodStatus`, 'containerStatuses', { listType: 'atomic' }],
    [`${CORE}ServiceSpec`, 'ports', { patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] }],
    [`${CORE}ServiceSpec`, 'selector', { mapType: 'atomic' }],
    [`${CORE}NodeStatus`, 'addresses', { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] }],
    [`${CORE}NodeSpec`, 'taints', { listType: 'atomic' }],
    [`${CORE}NodeSpec`, 'podCIDRs', { patchStrategy: 'merge', listType: 'set' }],
    [`${CORE}NamespaceSpec`, 'finalizers', { listType: 'atomic' }],
    [`${META}ObjectMeta`, 'finalizers', { patchStrategy: 'merge', listType: 'set' }],
    [`${META}ObjectMeta`, 'ownerReferences', { patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] }],
    [`${META}ObjectMeta`, 'managedFields', { listType: 'atomic' }],
    [`${META}LabelSelector`, 'matchExpressions', { listType: 'atomic' }],
    [`${APPS}DeploymentSpec`, 'strategy', { patchStrategy: 'retainKeys' }],
    [`${APPS}DeploymentStatus`, 'conditions', { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] }],
    ['io.k8s.api.batch.v1.JobStatus', 'conditions', { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' }],
    ['io.k8s.api.policy.v1.PodDisruptionBudgetSpec', 'selector', { patchStrategy: 'replace', structType: 'atomic' }],
    ['io.k8s.api.rbac.v1.ClusterRole', 'rules', { listType: 'atomic' }],
    ['io.k8s.api.discovery.v1.Endpoint', 'addresses', { listType: 'set' }],
    ['io.k8s.api.storage.v1.CSINodeSpec', 'drivers', { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    [`${APIEXT}CustomResourceDefinitionStatus`, 'conditions', { listType: 'map', listMapKeys: ['type'] }],
    [`${APIEXT}JSONSchemaProps`, 'x-kubernetes-validations', { patchStrategy: 'merge', patchMergeKey: 'rule', listType: 'map', listMapKeys: ['rule'] }],
    ['io.k8s.api.authorization.v1.FieldSelectorRequirement', 'values', { listType: 'atomic' }],
    // struct markers of the field's type are folded in
    [`${APPS}DeploymentSpec`, 'selector', { structType: 'atomic' }],
    [`${CORE}NodeAffinity`, 'requiredDuringSchedulingIgnoredDuringExecution', { structType: 'atomic' }],
    [`${CORE}EnvVarSource`, 'secretKeyRef', { structType: 'atomic' }],
    [`${CORE}PersistentVolumeSpec`, 'claimRef', { structType: 'granular' }],
    // nothing to say
    [`${META}ObjectMeta`, 'labels', undefined],
    [`${CORE}Container`, 'image', undefined],
    [`${CORE}PodSpec`, 'noSuchField', undefined],
    ['io.example.v1.Widget', 'spec', undefined],
  ];
  for (const [def, field, want] of cases) {
    it(`${def.split('.').pop()}.${field}`, () => {
      expect(fieldPatchMeta(def, field)).toEqual(want);
    });
  }

  it('patchStrategies splits the strategy', () => {
    expect(patchStrategies(fieldPatchMeta(`${CORE}PodSpec`, 'volumes'))).toEqual(['merge', 'retainKeys']);
    expect(patchStrategies(fieldPatchMeta(`${CORE}PodSpec`, 'tolerations'))).toEqual([]);
    expect(patchStrategies(undefined)).toEqual([]);
  });

  it('type-level markers', () => {
    expect(definitionPatchMeta(`${META}LabelSelector`)).toEqual({ structType: 'atomic' });
    expect(definitionPatchMeta(`${CORE}ObjectReference`)).toEqual({ structType: 'atomic' });
    expect(definitionPatchMeta(`${CORE}LocalObjectReference`)).toEqual({ structType: 'atomic' });
    expect(definitionPatchMeta(`${CORE}PodSpec`)).toBeUndefined();
  });
});

describe('the table is consistent with our schemas', () => {
  const table = patchMetaTable();

  it('covers the served groups', () => {
    const groups = new Set(Object.keys(table).map((d) => d.slice(0, d.lastIndexOf('.'))));
    for (const g of [
      'io.k8s.api.core.v1',
      'io.k8s.api.apps.v1',
      'io.k8s.api.batch.v1',
      'io.k8s.api.autoscaling.v2',
      'io.k8s.api.policy.v1',
      'io.k8s.api.discovery.v1',
      'io.k8s.api.networking.v1',
      'io.k8s.api.rbac.v1',
      'io.k8s.api.storage.v1',
      'io.k8s.api.node.v1',
      'io.k8s.apimachinery.pkg.apis.meta.v1',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
    ]) {
      expect(groups.has(g), g).toBe(true);
    }
  });

  it('every entry names an existing field of the right shape', () => {
    for (const [def, fields] of Object.entries(table)) {
      expect(hasDefinition(def), def).toBe(true);
      for (const [field, meta] of Object.entries(fields)) {
        const fs = fieldSchema(def, field);
        expect(fs, `${def}.${field}`).toBeDefined();
        if (meta.listType || meta.patchMergeKey || meta.patchStrategy?.startsWith('merge')) expect(fs!.kind, `${def}.${field}`).toBe('array');
        if (meta.mapType) expect(fs!.kind, `${def}.${field}`).toBe('map');
        if (meta.patchMergeKey) {
          expect(fs!.elementKind).toBe('object');
          expect(definitionFields(fs!.definition!), `${def}.${field}`).toContain(meta.patchMergeKey);
          // JobStatus.conditions and PodStatus.hostIPs merge by key but are atomic lists for SSA
          if (meta.listType === 'map') expect(meta.listMapKeys?.[0]).toBe(meta.patchMergeKey);
        }
        for (const k of meta.listMapKeys ?? []) expect(definitionFields(fs!.definition!), `${def}.${field} key ${k}`).toContain(k);
        if (meta.listType === 'map') expect(meta.listMapKeys?.length, `${def}.${field}`).toBeGreaterThan(0);
      }
    }
  });

  it('merge lists of scalars are sets, merge lists of objects have a key', () => {
    for (const [def, fields] of Object.entries(table)) {
      for (const [field, meta] of Object.entries(fields)) {
        if (meta.patchStrategy !== 'merge' && meta.patchStrategy !== 'merge,retainKeys') continue;
        const fs = fieldSchema(def, field)!;
        if (fs.elementKind === 'scalar') expect(meta.listType, `${def}.${field}`).toBe('set');
        else expect(meta.patchMergeKey, `${def}.${field}`).toBeTruthy();
      }
    }
  });
});

describe('fieldSchema', () => {
  const dep = definitionName({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
  const cases: [string, string, unknown][] = [
    [dep, 'spec', { kind: 'object', definition: `${APPS}DeploymentSpec` }],
    [dep, 'metadata', { kind: 'object', definition: `${META}ObjectMeta` }],
    [`${APPS}DeploymentSpec`, 'template', { kind: 'object', definition: `${CORE}PodTemplateSpec` }],
    [`${APPS}DeploymentSpec`, 'replicas', { kind: 'scalar' }],
    [`${CORE}PodSpec`, 'containers', { kind: 'array', elementKind: 'object', definition: `${CORE}Container` }],
    [`${CORE}Container`, 'command', { kind: 'array', elementKind: 'scalar' }],
    [`${CORE}Container`, 'resources', { kind: 'object', definition: `${CORE}ResourceRequirements` }],
    [`${CORE}ResourceRequirements`, 'limits', { kind: 'map', elementKind: 'scalar', definition: 'io.k8s.apimachinery.pkg.api.resource.Quantity' }],
    [`${META}ObjectMeta`, 'labels', { kind: 'map', elementKind: 'scalar' }],
    [`${META}ObjectMeta`, 'creationTimestamp', { kind: 'scalar', definition: `${META}Time` }],
    [`${CORE}ContainerPort`, 'containerPort', { kind: 'scalar' }],
    [`${CORE}HTTPGetAction`, 'port', { kind: 'scalar', definition: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString' }],
    [`${APPS}ControllerRevision`, 'data', { kind: 'object', definition: 'io.k8s.apimachinery.pkg.runtime.RawExtension', untyped: true }],
    [`${APIEXT}JSONSchemaProps`, 'properties', { kind: 'map', elementKind: 'object', definition: `${APIEXT}JSONSchemaProps` }],
    [`${APIEXT}JSONSchemaProps`, 'default', { kind: 'scalar', definition: `${APIEXT}JSON`, untyped: true }],
    ['io.k8s.api.authentication.v1.UserInfo', 'extra', { kind: 'map', elementKind: 'array' }],
    [`${CORE}PodSpec`, 'nope', undefined],
    ['io.example.v1.Widget', 'spec', undefined],
  ];
  for (const [def, field, want] of cases) {
    it(`${def.split('.').pop()}.${field}`, () => {
      expect(fieldSchema(def, field)).toEqual(want);
    });
  }

  it('hasDefinition / definitionFields', () => {
    expect(hasDefinition(`${CORE}Pod`)).toBe(true);
    expect(hasDefinition('io.example.v1.Widget')).toBe(false);
    expect(hasDefinition('constructor')).toBe(false);
    expect(definitionFields(`${CORE}Pod`).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(definitionFields('io.example.v1.Widget')).toEqual([]);
  });
});
