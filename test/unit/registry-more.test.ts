import { describe, expect, it } from 'vitest';
import { apiResourceList } from '../../src/api/discovery';
import { resources as apiextensions } from '../../src/registry/apiextensions';
import { formatIP, formatLabelSelector, parseIP, resources as networking } from '../../src/registry/networking';
import { resources as node } from '../../src/registry/node';
import { resources as rbac } from '../../src/registry/rbac';
import { resources as scheduling } from '../../src/registry/scheduling';
import { resources as storage } from '../../src/registry/storage';
import { ALL_VERBS, STATUS_VERBS, type FieldError, type KObject, type ResourceDef } from '../../src/registry/types';

const ALL: ResourceDef[] = [...networking, ...rbac, ...scheduling, ...storage, ...node, ...apiextensions];
const NOW = Date.parse('2025-05-01T12:00:00Z');
const CREATED = '2025-05-01T11:55:00Z'; // 5m before NOW

function def(group: string, resource: string): ResourceDef {
  const d = ALL.find((x) => x.group === group && x.resource === resource);
  if (!d) throw new Error(`no ${resource}.${group}`);
  return d;
}

function obj(fields: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject {
  return { metadata: { name: 'x', creationTimestamp: CREATED, ...meta }, ...fields } as KObject;
}

/** Apply defaults then validation, like the store does on create; `field: message` strings. */
function createErrors(d: ResourceDef, o: KObject): string[] {
  d.defaults?.(o);
  d.prepareForCreate?.(o);
  return (d.validate?.(o) ?? []).map(show);
}
function updateErrors(d: ResourceDef, next: KObject, old: KObject): string[] {
  d.defaults?.(next);
  return [...(d.validate?.(next) ?? []), ...(d.validateUpdate?.(next, old) ?? [])].map(show);
}
const show = (e: FieldError) => `${e.field}: ${e.message}`;

function table(d: ResourceDef, o: KObject): Record<string, unknown> {
  const cells = d.printer!.cells(o, NOW);
  expect(cells).toHaveLength(d.printer!.columns.length);
  return Object.fromEntries(d.printer!.columns.map((c, i) => [c.name, cells[i]]));
}

// ---------------------------------------------------------------------------------------------
// Discovery facts (kube-apiserver 1.33)

describe('discovery facts', () => {
  const facts: [string, string, string, string, string[], string[], string[]][] = [
    // group, resource, kind, scope, shortNames, categories, subresources
    ['networking.k8s.io', 'ingresses', 'Ingress', 'Namespaced', ['ing'], [], ['status']],
    ['networking.k8s.io', 'ingressclasses', 'IngressClass', 'Cluster', [], [], []],
    ['networking.k8s.io', 'networkpolicies', 'NetworkPolicy', 'Namespaced', ['netpol'], [], []],
    ['networking.k8s.io', 'servicecidrs', 'ServiceCIDR', 'Cluster', [], [], ['status']],
    ['networking.k8s.io', 'ipaddresses', 'IPAddress', 'Cluster', ['ip'], [], []],
    ['rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', 'Cluster', [], [], []],
    ['rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', 'Cluster', [], [], []],
    ['rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', 'Namespaced', [], [], []],
    ['rbac.authorization.k8s.io', 'roles', 'Role', 'Namespaced', [], [], []],
    ['scheduling.k8s.io', 'priorityclasses', 'PriorityClass', 'Cluster', ['pc'], [], []],
    ['storage.k8s.io', 'csidrivers', 'CSIDriver', 'Cluster', [], [], []],
    ['storage.k8s.io', 'csinodes', 'CSINode', 'Cluster', [], [], []],
    ['storage.k8s.io', 'csistoragecapacities', 'CSIStorageCapacity', 'Namespaced', [], [], []],
    ['storage.k8s.io', 'storageclasses', 'StorageClass', 'Cluster', ['sc'], [], []],
    ['storage.k8s.io', 'volumeattachments', 'VolumeAttachment', 'Cluster', [], [], ['status']],
    ['node.k8s.io', 'runtimeclasses', 'RuntimeClass', 'Cluster', [], [], []],
    ['apiextensions.k8s.io', 'customresourcedefinitions', 'CustomResourceDefinition', 'Cluster', ['crd', 'crds'], ['api-extensions'], ['status']],
  ];

  it('serves exactly these resources', () => {
    expect(ALL.map((d) => `${d.resource}.${d.group}`).sort()).toEqual(facts.map(([g, r]) => `${r}.${g}`).sort());
  });

  it.each(facts)('%s %s', (group, resource, kind, scope, shortNames, categories, subs) => {
    const d = def(group, resource);
    expect(d.version).toBe('v1');
    expect(d.kind).toBe(kind);
    expect(d.scope).toBe(scope);
    expect(d.verbs).toEqual(ALL_VERBS);
    expect(d.shortNames ?? []).toEqual(shortNames);
    expect(d.categories ?? []).toEqual(categories);
    expect((d.subresources ?? []).map((s) => s.name)).toEqual(subs);
    for (const s of d.subresources ?? []) expect(s).toEqual({ name: 'status', group, version: 'v1', kind, verbs: STATUS_VERBS });
    expect(d.statusSubresource ?? false).toBe(subs.includes('status'));
    expect(d.singular).toBe(kind.toLowerCase());
    // printers: first column Name/name, wide columns priority 1 only
    const cols = d.printer!.columns;
    expect(cols[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name', priority: 0 });
  });

  it('matches kube-apiserver legacy discovery for networking.k8s.io/v1', () => {
    const list = apiResourceList(networking, 'networking.k8s.io', 'v1')!;
    expect(list.resources.map((r) => [r.name, r.namespaced, r.kind, r.shortNames ?? []])).toEqual([
      ['ingressclasses', false, 'IngressClass', []],
      ['ingresses', true, 'Ingress', ['ing']],
      ['ingresses/status', true, 'Ingress', []],
      ['ipaddresses', false, 'IPAddress', ['ip']],
      ['networkpolicies', true, 'NetworkPolicy', ['netpol']],
      ['servicecidrs', false, 'ServiceCIDR', []],
      ['servicecidrs/status', false, 'ServiceCIDR', []],
    ]);
  });

  it('sets generation on the types whose strategies do', () => {
    const withGeneration = ALL.filter((d) => d.generation).map((d) => d.resource).sort();
    expect(withGeneration).toEqual(['customresourcedefinitions', 'ingressclasses', 'ingresses', 'networkpolicies']);
  });
});

// ---------------------------------------------------------------------------------------------
// Printers

describe('printers', () => {
  const headers: [string, string, string[]][] = [
    ['networking.k8s.io', 'ingresses', ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']],
    ['networking.k8s.io', 'ingressclasses', ['Name', 'Controller', 'Parameters', 'Age']],
    ['networking.k8s.io', 'networkpolicies', ['Name', 'Pod-Selector', 'Age']],
    ['networking.k8s.io', 'servicecidrs', ['Name', 'CIDRs', 'Age']],
    ['networking.k8s.io', 'ipaddresses', ['Name', 'ParentRef']],
    ['rbac.authorization.k8s.io', 'roles', ['Name', 'Created At']],
    ['rbac.authorization.k8s.io', 'clusterroles', ['Name', 'Created At']],
    ['rbac.authorization.k8s.io', 'rolebindings', ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts']],
    ['rbac.authorization.k8s.io', 'clusterrolebindings', ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts']],
    ['scheduling.k8s.io', 'priorityclasses', ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy']],
    ['storage.k8s.io', 'storageclasses', ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']],
    ['storage.k8s.io', 'csidrivers', ['Name', 'AttachRequired', 'PodInfoOnMount', 'StorageCapacity', 'TokenRequests', 'RequiresRepublish', 'Modes', 'Age']],
    ['storage.k8s.io', 'csinodes', ['Name', 'Drivers', 'Age']],
    ['storage.k8s.io', 'csistoragecapacities', ['Name', 'StorageClassName', 'Capacity']],
    ['storage.k8s.io', 'volumeattachments', ['Name', 'Attacher', 'PV', 'Node', 'Attached', 'Age']],
    ['node.k8s.io', 'runtimeclasses', ['Name', 'Handler', 'Age']],
    ['apiextensions.k8s.io', 'customresourcedefinitions', ['Name', 'Created At']],
  ];
  it.each(headers)('%s %s columns', (group, resource, names) => {
    const d = def(group, resource);
    expect(d.printer!.columns.map((c) => c.name)).toEqual(names);
    const wide = d.printer!.columns.filter((c) => c.priority === 1).map((c) => c.name);
    expect(wide).toEqual(resource.endsWith('rolebindings') ? ['Users', 'Groups', 'ServiceAccounts'] : []);
  });

  it('ingress', () => {
    const d = def('networking.k8s.io', 'ingresses');
    const ing = obj({
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }, {}, { host: 'c.example.com' }, { host: 'd.example.com' }],
        tls: [{ hosts: ['a.example.com'] }],
      },
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.1' }, { ip: '10.0.0.2' }] } },
    });
    expect(table(d, ing)).toEqual({
      Name: 'x',
      Class: 'nginx',
      Hosts: 'a.example.com,b.example.com,c.example.com + 2 more...',
      Address: '10.0.0.1,10.0.0.2,lb.example.com',
      Ports: '80, 443',
      Age: '5m',
    });
    expect(table(d, obj({ spec: { defaultBackend: {} } }))).toMatchObject({ Class: '<none>', Hosts: '*', Address: '', Ports: '80' });
  });

  it('ingressclass', () => {
    const d = def('networking.k8s.io', 'ingressclasses');
    expect(table(d, obj({ spec: { controller: 'k8s.io/ingress-nginx' } }))).toMatchObject({ Controller: 'k8s.io/ingress-nginx', Parameters: '<none>' });
    const withParams = obj({ spec: { controller: 'a.io/c', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } });
    expect(table(d, withParams).Parameters).toBe('IngressParameters.k8s.example.com/p');
  });

  const selectors: [string, unknown, string][] = [
    ['empty', {}, '<none>'],
    ['missing', undefined, '<none>'],
    ['matchLabels sorted', { matchLabels: { tier: 'db', app: 'web' } }, 'app=web,tier=db'],
    [
      'expressions',
      {
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'dev'] },
          { key: 'beta', operator: 'DoesNotExist' },
          { key: 'zone', operator: 'NotIn', values: ['a'] },
          { key: 'app', operator: 'Exists' },
        ],
      },
      'app,!beta,env in (dev,prod),zone notin (a)',
    ],
    ['bad operator', { matchExpressions: [{ key: 'a', operator: 'Like' }] }, '<error>'],
  ];
  it.each(selectors)('label selector: %s', (_n, sel, want) => {
    expect(formatLabelSelector(sel)).toBe(want);
  });

  it('networkpolicy', () => {
    const d = def('networking.k8s.io', 'networkpolicies');
    expect(table(d, obj({ spec: { podSelector: { matchLabels: { app: 'db' } } } }))).toEqual({ Name: 'x', 'Pod-Selector': 'app=db', Age: '5m' });
    expect(table(d, obj({ spec: { podSelector: {} } }))['Pod-Selector']).toBe('<none>');
  });

  it('servicecidr and ipaddress', () => {
    expect(table(def('networking.k8s.io', 'servicecidrs'), obj({ spec: { cidrs: ['10.96.0.0/12', 'fd00::/108'] } })).CIDRs).toBe('10.96.0.0/12,fd00::/108');
    const ip = def('networking.k8s.io', 'ipaddresses');
    expect(table(ip, obj({ spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'kubernetes' } } }))).toEqual({
      Name: 'x',
      ParentRef: 'services/default/kubernetes',
    });
    expect(table(ip, obj({ spec: { parentRef: { group: 'Gateway.Example.io', resource: 'Gateways', name: 'g' } } })).ParentRef).toBe('gateways.gateway.example.io/g');
  });

  it('roles and clusterroles use the default table', () => {
    const d = def('rbac.authorization.k8s.io', 'roles');
    expect(d.printer!.columns[1]).toMatchObject({ name: 'Created At', type: 'date', priority: 0 });
    expect(table(d, obj({}, { creationTimestamp: '2025-05-01T11:55:00Z' }))).toEqual({ Name: 'x', 'Created At': '2025-05-01T11:55:00Z' });
    expect(table(def('rbac.authorization.k8s.io', 'clusterroles'), obj({}, { creationTimestamp: undefined }))['Created At']).toBe('0001-01-01T00:00:00Z');
  });

  it('rolebinding', () => {
    const d = def('rbac.authorization.k8s.io', 'rolebindings');
    const rb = obj({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'ServiceAccount', name: 'sa1', namespace: 'ns1' },
        { kind: 'Group', name: 'devs' },
        { kind: 'User', name: 'bob' },
        { kind: 'ServiceAccount', name: 'sa2', namespace: 'ns2' },
      ],
    });
    expect(table(d, rb)).toEqual({
      Name: 'x',
      Role: 'ClusterRole/view',
      Age: '5m',
      Users: 'alice, bob',
      Groups: 'devs',
      ServiceAccounts: 'ns1/sa1, ns2/sa2',
    });
    expect(table(def('rbac.authorization.k8s.io', 'clusterrolebindings'), obj({ roleRef: { kind: 'ClusterRole', name: 'admin' } }))).toMatchObject({
      Role: 'ClusterRole/admin',
      Users: '',
      Groups: '',
      ServiceAccounts: '',
    });
  });

  it('priorityclass', () => {
    const d = def('scheduling.k8s.io', 'priorityclasses');
    const pc = obj({ value: 1000, globalDefault: true });
    d.defaults!(pc);
    expect(table(d, pc)).toEqual({ Name: 'x', Value: 1000, 'Global-Default': true, Age: '5m', PreemptionPolicy: 'PreemptLowerPriority' });
    expect(table(d, obj({ value: 5 }))['Global-Default']).toBe(false);
  });

  it('storageclass, with the default marker', () => {
    const d = def('storage.k8s.io', 'storageclasses');
    const sc = obj({ provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' }, {
      name: 'standard',
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    });
    d.defaults!(sc);
    expect(table(d, sc)).toEqual({
      Name: 'standard (default)',
      Provisioner: 'rancher.io/local-path',
      ReclaimPolicy: 'Delete',
      VolumeBindingMode: 'WaitForFirstConsumer',
      AllowVolumeExpansion: false,
      Age: '5m',
    });
    const beta = obj({ provisioner: 'p', allowVolumeExpansion: true }, { annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } });
    expect(table(d, beta)).toMatchObject({ Name: 'x (default)', ReclaimPolicy: 'Delete', VolumeBindingMode: 'Immediate', AllowVolumeExpansion: true });
    const notDefault = obj({ provisioner: 'p' }, { annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } });
    expect(table(d, notDefault).Name).toBe('x');
  });

  it('csidriver, csinode, csistoragecapacity, volumeattachment', () => {
    const drv = def('storage.k8s.io', 'csidrivers');
    const o = obj({ spec: {} });
    drv.defaults!(o);
    expect(table(drv, o)).toEqual({
      Name: 'x',
      AttachRequired: true,
      PodInfoOnMount: false,
      StorageCapacity: false,
      TokenRequests: '<unset>',
      RequiresRepublish: false,
      Modes: 'Persistent',
      Age: '5m',
    });
    expect(table(drv, obj({ spec: { tokenRequests: [{ audience: 'a' }, { audience: 'b' }], volumeLifecycleModes: [] } }))).toMatchObject({
      TokenRequests: 'a,b',
      Modes: '<none>',
    });
    expect(table(def('storage.k8s.io', 'csinodes'), obj({ spec: { drivers: [{ name: 'a' }, { name: 'b' }] } })).Drivers).toBe(2);
    const cap = def('storage.k8s.io', 'csistoragecapacities');
    expect(table(cap, obj({ storageClassName: 'fast', capacity: '10Gi' }))).toEqual({ Name: 'x', StorageClassName: 'fast', Capacity: '10Gi' });
    expect(table(cap, obj({ storageClassName: 'fast' })).Capacity).toBe('<unset>');
    const va = def('storage.k8s.io', 'volumeattachments');
    expect(va.printer!.columns[1].format).toBe('name');
    expect(table(va, obj({ spec: { attacher: 'csi.example.com', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } }, status: { attached: true } }))).toEqual({
      Name: 'x',
      Attacher: 'csi.example.com',
      PV: 'pv1',
      Node: 'n1',
      Attached: true,
      Age: '5m',
    });
  });

  it('runtimeclass and crd', () => {
    expect(table(def('node.k8s.io', 'runtimeclasses'), obj({ handler: 'runc' }))).toEqual({ Name: 'x', Handler: 'runc', Age: '5m' });
    expect(table(def('apiextensions.k8s.io', 'customresourcedefinitions'), obj({}, { name: 'foos.example.com' }))).toEqual({
      Name: 'foos.example.com',
      'Created At': CREATED,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Defaults

describe('defaults', () => {
  it('networkpolicy: protocol TCP, policyTypes from egress', () => {
    const d = def('networking.k8s.io', 'networkpolicies');
    const np = obj({ spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }], egress: [{}] } });
    d.defaults!(np);
    const spec = np.spec as { ingress: { ports: { protocol: string }[] }[]; policyTypes: string[] };
    expect(spec.ingress[0].ports.map((p) => p.protocol)).toEqual(['TCP', 'UDP']);
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const plain = obj({ spec: { podSelector: {} } });
    d.defaults!(plain);
    expect((plain.spec as { policyTypes: string[] }).policyTypes).toEqual(['Ingress']);
  });

  it('ingressclass parameters scope, ingress status', () => {
    const ic = obj({ spec: { controller: 'a.io/b', parameters: { kind: 'K', name: 'n' } } });
    def('networking.k8s.io', 'ingressclasses').defaults!(ic);
    expect((ic.spec as { parameters: { scope: string } }).parameters.scope).toBe('Cluster');
    const ing = obj({ spec: { defaultBackend: { service: { name: 's', port: { number: 80 } } } }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } });
    def('networking.k8s.io', 'ingresses').prepareForCreate!(ing);
    expect(ing.status).toEqual({ loadBalancer: {} });
  });

  it('rolebinding roleRef.apiGroup and subject apiGroups', () => {
    const rb = obj({ roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 's', namespace: 'n' }, { kind: 'Group', name: 'g' }] });
    def('rbac.authorization.k8s.io', 'rolebindings').defaults!(rb);
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
    expect((rb.subjects as { apiGroup: string }[]).map((s) => s.apiGroup)).toEqual(['rbac.authorization.k8s.io', '', 'rbac.authorization.k8s.io']);
  });

  it('priorityclass preemptionPolicy and value', () => {
    const pc = obj({});
    def('scheduling.k8s.io', 'priorityclasses').defaults!(pc);
    expect([pc.value, pc.preemptionPolicy]).toEqual([0, 'PreemptLowerPriority']);
    const never = obj({ value: 1, preemptionPolicy: 'Never' });
    def('scheduling.k8s.io', 'priorityclasses').defaults!(never);
    expect(never.preemptionPolicy).toBe('Never');
  });

  it('storageclass reclaimPolicy and volumeBindingMode', () => {
    const sc = obj({ provisioner: 'p' });
    def('storage.k8s.io', 'storageclasses').defaults!(sc);
    expect([sc.reclaimPolicy, sc.volumeBindingMode]).toEqual(['Delete', 'Immediate']);
  });

  it('csidriver spec', () => {
    const o = obj({ spec: { attachRequired: false } });
    def('storage.k8s.io', 'csidrivers').defaults!(o);
    expect(o.spec).toEqual({
      attachRequired: false,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: 'ReadWriteOnceWithFSType',
      volumeLifecycleModes: ['Persistent'],
      requiresRepublish: false,
      seLinuxMount: false,
    });
  });

  it('volumeattachment and servicecidr status on create', () => {
    const va = obj({ spec: {}, status: { attached: true } });
    def('storage.k8s.io', 'volumeattachments').prepareForCreate!(va);
    expect(va.status).toEqual({ attached: false });
    const sc = obj({ spec: { cidrs: ['10.0.0.0/24'] }, status: { conditions: [] } });
    def('networking.k8s.io', 'servicecidrs').prepareForCreate!(sc);
    expect(sc.status).toEqual({});
  });

  it('crd names, conversion and storedVersions', () => {
    const d = def('apiextensions.k8s.io', 'customresourcedefinitions');
    const crd = obj({ spec: { group: 'example.com', names: { plural: 'foos', kind: 'Foo' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }] }, status: { conditions: [{}] } });
    d.defaults!(crd);
    d.prepareForCreate!(crd);
    const spec = crd.spec as { names: Record<string, string>; conversion: unknown };
    expect(spec.names).toEqual({ plural: 'foos', kind: 'Foo', singular: 'foo', listKind: 'FooList' });
    expect(spec.conversion).toEqual({ strategy: 'None' });
    expect(crd.status).toEqual({ acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] });
    // A later storage version is appended on update (the strategy's PrepareForUpdate).
    const next = structuredClone(crd);
    (next.spec as { versions: unknown[] }).versions = [
      { name: 'v1', served: true, storage: false },
      { name: 'v2', served: true, storage: true },
    ];
    d.defaults!(next);
    expect((next.status as { storedVersions: string[] }).storedVersions).toEqual(['v1', 'v2']);
  });
});

// ---------------------------------------------------------------------------------------------
// Validation texts

const OK_SCHEMA = { openAPIV3Schema: { type: 'object' } };
function crd(name: string, spec: Record<string, unknown>): KObject {
  return obj({ spec: { group: 'example.com', names: { plural: 'foos', kind: 'Foo' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: OK_SCHEMA }], ...spec } }, { name });
}

describe('validation on create', () => {
  const cases: [string, string, string, KObject, string[]][] = [
    // group, resource, case, object, expected errors (exact, in order)
    ['rbac.authorization.k8s.io', 'roles', 'valid role', obj({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }), []],
    [
      'rbac.authorization.k8s.io',
      'roles',
      'rule without verbs',
      obj({ rules: [{ apiGroups: [''], resources: ['pods'] }] }),
      ['rules[0].verbs: Required value: verbs must contain at least one value'],
    ],
    [
      'rbac.authorization.k8s.io',
      'roles',
      'resource rule without groups and resources',
      obj({ rules: [{ verbs: ['get'] }] }),
      ['rules[0].apiGroups: Required value: resource rules must supply at least one api group', 'rules[0].resources: Required value: resource rules must supply at least one resource'],
    ],
    [
      'rbac.authorization.k8s.io',
      'roles',
      'namespaced non-resource URLs',
      obj({ rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }),
      ['rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs'],
    ],
    ['rbac.authorization.k8s.io', 'clusterroles', 'cluster non-resource URLs', obj({ rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }), []],
    [
      'rbac.authorization.k8s.io',
      'clusterroles',
      'empty aggregation rule',
      obj({ aggregationRule: {} }),
      ['aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil'],
    ],
    [
      'rbac.authorization.k8s.io',
      'rolebindings',
      'valid rolebinding',
      obj({ roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }, { kind: 'User', name: 'system:admin' }] }),
      [],
    ],
    ['rbac.authorization.k8s.io', 'rolebindings', 'missing roleRef', obj({}), ['roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole"', 'roleRef.name: Required value']],
    [
      'rbac.authorization.k8s.io',
      'clusterrolebindings',
      'clusterrolebinding to a Role',
      obj({ roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }),
      ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value'],
    ],
    [
      'rbac.authorization.k8s.io',
      'rolebindings',
      'bad subject kind and api group',
      obj({ roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'Robot', name: 'r2' }, { kind: 'User', name: 'u', apiGroup: 'x' }] }),
      [
        'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
        'subjects[1].apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io"',
      ],
    ],
    ['scheduling.k8s.io', 'priorityclasses', 'valid', obj({ value: 1000 }), []],
    [
      'scheduling.k8s.io',
      'priorityclasses',
      'too high',
      obj({ value: 1000000001 }),
      ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'],
    ],
    [
      'scheduling.k8s.io',
      'priorityclasses',
      'reserved prefix',
      obj({ value: 10 }, { name: 'system-foo' }),
      ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-foo is not a known system priority class"],
    ],
    [
      'scheduling.k8s.io',
      'priorityclasses',
      'built-in with the wrong value',
      obj({ value: 10 }, { name: 'system-node-critical' }),
      ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"],
    ],
    ['scheduling.k8s.io', 'priorityclasses', 'built-in', obj({ value: 2000000000 }, { name: 'system-cluster-critical' }), []],
    [
      'scheduling.k8s.io',
      'priorityclasses',
      'bad preemption policy',
      obj({ value: 1, preemptionPolicy: 'Sometimes' }),
      ['preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"'],
    ],
    ['storage.k8s.io', 'storageclasses', 'valid', obj({ provisioner: 'kubernetes.io/no-provisioner' }), []],
    ['storage.k8s.io', 'storageclasses', 'missing provisioner', obj({}), ['provisioner: Required value']],
    [
      'storage.k8s.io',
      'storageclasses',
      'bad reclaimPolicy and mode',
      obj({ provisioner: 'p', reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' }),
      [
        'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
        'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
      ],
    ],
    ['node.k8s.io', 'runtimeclasses', 'valid', obj({ handler: 'runc' }), []],
    [
      'node.k8s.io',
      'runtimeclasses',
      'missing handler',
      obj({}),
      [
        `handler: Invalid value: "": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    [
      'networking.k8s.io',
      'ingresses',
      'valid',
      obj({ spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }),
      [],
    ],
    ['networking.k8s.io', 'ingresses', 'no rules nor backend', obj({ spec: {} }), ['spec: Invalid value: []: either `defaultBackend` or `rules` must be specified']],
    [
      'networking.k8s.io',
      'ingresses',
      'path problems',
      obj({
        spec: {
          rules: [
            {
              host: '1.2.3.4',
              http: {
                paths: [
                  { path: '/a', backend: { service: { name: 'web', port: { number: 80 } } } },
                  { path: 'rel', pathType: 'Exact', backend: { service: { name: 'web', port: { name: 'http', number: 80 } } } },
                  { path: '/x', pathType: 'Fuzzy', backend: {} },
                ],
              },
            },
          ],
        },
      }),
      [
        'spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
        'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
        'spec.rules[0].http.paths[1].path: Invalid value: "rel": must be an absolute path',
        'spec.rules[0].http.paths[1].backend: Invalid value: "": cannot set both port name & port number',
        'spec.rules[0].http.paths[2].pathType: Unsupported value: "Fuzzy": supported values: "Exact", "ImplementationSpecific", "Prefix"',
        'spec.rules[0].http.paths[2].backend: Invalid value: "": resource or service backend is required',
      ],
    ],
    [
      'networking.k8s.io',
      'ingresses',
      'backend without port',
      obj({ spec: { defaultBackend: { service: { name: 'web', port: {} } } } }),
      ['spec.defaultBackend: Required value: port name or number is required'],
    ],
    [
      'networking.k8s.io',
      'ingresses',
      'class annotation mismatch',
      obj({ spec: { ingressClassName: 'a', defaultBackend: { service: { name: 'web', port: { number: 80 } } } } }, { annotations: { 'kubernetes.io/ingress.class': 'b' } }),
      ['metadata.annotations.kubernetes.io/ingress.class: Invalid value: "b": must match `ingressClassName` when both are specified'],
    ],
    ['networking.k8s.io', 'ingressclasses', 'valid', obj({ spec: { controller: 'k8s.io/ingress-nginx' } }), []],
    [
      'networking.k8s.io',
      'ingressclasses',
      'controller not domain-prefixed',
      obj({ spec: { controller: 'nginx' } }),
      ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
    ],
    [
      'networking.k8s.io',
      'ingressclasses',
      'namespace-scoped parameters need a namespace',
      obj({ spec: { controller: 'a.io/b', parameters: { kind: 'K', name: 'n', scope: 'Namespace' } } }),
      ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"],
    ],
    [
      'networking.k8s.io',
      'ingressclasses',
      'cluster-scoped parameters take no namespace',
      obj({ spec: { controller: 'a.io/b', parameters: { kind: 'K', name: 'n', namespace: 'ns' } } }),
      ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"],
    ],
    [
      'networking.k8s.io',
      'ingresses',
      'resource backend',
      obj({ spec: { defaultBackend: { resource: { apiGroup: '', name: 'x' } } } }),
      [
        `spec.defaultBackend.resource.apiGroup: Invalid value: "": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
        'spec.defaultBackend.resource.kind: Required value: kind is required',
      ],
    ],
    ['networking.k8s.io', 'networkpolicies', 'valid', obj({ spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] } }), []],
    [
      'networking.k8s.io',
      'networkpolicies',
      'bad peers and ports',
      obj({
        spec: {
          podSelector: {},
          ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }], ports: [{ port: 0 }, { protocol: 'ICMP', port: 'http', endPort: 90 }] }],
          policyTypes: ['Ingress', 'Sideways'],
        },
      }),
      [
        'spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.ingress[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
        'spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
        'spec.ingress[0].from[0]: Required value: must specify a peer',
        'spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer',
        'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
      ],
    ],
    [
      'networking.k8s.io',
      'networkpolicies',
      'ipBlock except outside cidr',
      obj({ spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['192.168.0.0/24', 'bogus'] } }] }] } }),
      [
        'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`',
        'spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "bogus": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    ],
    ['networking.k8s.io', 'servicecidrs', 'dual stack', obj({ spec: { cidrs: ['10.96.0.0/12', 'fd00::/108'] } }), []],
    ['networking.k8s.io', 'servicecidrs', 'no cidrs', obj({ spec: {} }), ['spec.cidrs: Required value: at least one CIDR required']],
    [
      'networking.k8s.io',
      'servicecidrs',
      'two of one family',
      obj({ spec: { cidrs: ['10.96.0.0/12', '10.100.0.0/16'] } }),
      ['spec.cidrs: Invalid value: {"cidrs":["10.96.0.0/12","10.100.0.0/16"]}: may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64'],
    ],
    ['networking.k8s.io', 'ipaddresses', 'valid', obj({ spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'kubernetes' } } }), []],
    ['networking.k8s.io', 'ipaddresses', 'no parentRef', obj({ spec: {} }), ['spec.parentRef: Required value']],
    ['storage.k8s.io', 'csidrivers', 'bad fsGroupPolicy', obj({ spec: { fsGroupPolicy: 'Some' } }), ['spec.fsGroupPolicy: Unsupported value: "Some": supported values: "File", "None", "ReadWriteOnceWithFSType"']],
    [
      'storage.k8s.io',
      'volumeattachments',
      'no source',
      obj({ spec: { attacher: 'csi.example.com', nodeName: 'n1', source: {} } }),
      ['spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName'],
    ],
    ['storage.k8s.io', 'csinodes', 'driver without nodeID', obj({ spec: { drivers: [{ name: 'csi.example.com' }] } }), ['spec.drivers[0].nodeID: Required value']],
    ['apiextensions.k8s.io', 'customresourcedefinitions', 'valid', crd('foos.example.com', {}), []],
    [
      'apiextensions.k8s.io',
      'customresourcedefinitions',
      'name mismatch',
      crd('bars.example.com', {}),
      ['metadata.name: Invalid value: "bars.example.com": must be spec.names.plural+"."+spec.group'],
    ],
    [
      'apiextensions.k8s.io',
      'customresourcedefinitions',
      'group without a dot, bad scope',
      crd('foos.example', { group: 'example', scope: 'Global' }),
      ['spec.group: Invalid value: "example": should be a domain with at least one dot', 'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
    ],
    [
      'apiextensions.k8s.io',
      'customresourcedefinitions',
      'two storage versions',
      crd('foos.example.com', {
        versions: [
          { name: 'v1', served: true, storage: true, schema: OK_SCHEMA },
          { name: 'v2', served: true, storage: true, schema: OK_SCHEMA },
        ],
      }),
      [
        'spec.versions: Invalid value: [{"name":"v1","schema":{"openAPIV3Schema":{"type":"object"}},"served":true,"storage":true},{"name":"v2","schema":{"openAPIV3Schema":{"type":"object"}},"served":true,"storage":true}]: must have exactly one version marked as storage version',
        'status.storedVersions: Invalid value: {"name":"v2","schema":{"openAPIV3Schema":{"type":"object"}},"served":true,"storage":true}: must have the storage version v2',
      ],
    ],
    [
      'apiextensions.k8s.io',
      'customresourcedefinitions',
      'no versions, no kind, no scope',
      obj({ spec: { group: 'example.com', names: { plural: 'foos' } } }, { name: 'foos.example.com' }),
      [
        'spec.scope: Required value',
        'spec.versions: Invalid value: []: must have exactly one version marked as storage version',
        'spec.names.singular: Required value',
        'spec.names.kind: Required value',
        'spec.names.listKind: Required value',
        'status.storedVersions: Invalid value: []: must have at least one stored version',
      ],
    ],
    [
      'apiextensions.k8s.io',
      'customresourcedefinitions',
      'missing schema',
      crd('foos.example.com', { versions: [{ name: 'v1', served: true, storage: true }] }),
      ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'],
    ],
  ];
  it.each(cases)('%s %s: %s', (group, resource, _name, o, want) => {
    expect(createErrors(def(group, resource), structuredClone(o))).toEqual(want);
  });
});

describe('validation on update', () => {
  const rb = () => obj({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [] });
  const sc = () => obj({ provisioner: 'a.io/p', parameters: { type: 'ssd' }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  const cases: [string, string, string, KObject, (o: KObject) => void, string[]][] = [
    ['rbac.authorization.k8s.io', 'rolebindings', 'subjects may change', rb(), (o) => ((o.subjects as unknown[]).push({ kind: 'User', name: 'u' })), []],
    [
      'rbac.authorization.k8s.io',
      'rolebindings',
      'roleRef is immutable',
      rb(),
      (o) => ((o.roleRef as { name: string }).name = 'other'),
      ['roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"other"}: cannot change roleRef'],
    ],
    [
      'rbac.authorization.k8s.io',
      'clusterrolebindings',
      'roleRef is immutable',
      obj({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'a' } }),
      (o) => ((o.roleRef as { name: string }).name = 'b'),
      ['roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"b"}: cannot change roleRef'],
    ],
    ['scheduling.k8s.io', 'priorityclasses', 'description may change', obj({ value: 5, preemptionPolicy: 'Never' }), (o) => (o.description = 'd'), []],
    [
      'scheduling.k8s.io',
      'priorityclasses',
      'value is immutable',
      obj({ value: 5, preemptionPolicy: 'Never' }),
      (o) => (o.value = 6),
      ['value: Forbidden: may not be changed in an update.'],
    ],
    [
      'scheduling.k8s.io',
      'priorityclasses',
      'preemptionPolicy is immutable',
      obj({ value: 5, preemptionPolicy: 'Never' }),
      (o) => (o.preemptionPolicy = 'PreemptLowerPriority'),
      ['preemptionPolicy: Invalid value: "PreemptLowerPriority": field is immutable'],
    ],
    ['storage.k8s.io', 'storageclasses', 'allowVolumeExpansion may change', sc(), (o) => (o.allowVolumeExpansion = true), []],
    [
      'storage.k8s.io',
      'storageclasses',
      'immutable fields',
      sc(),
      (o) => {
        o.parameters = { type: 'hdd' };
        o.provisioner = 'b.io/p';
        o.reclaimPolicy = 'Retain';
        o.volumeBindingMode = 'WaitForFirstConsumer';
      },
      [
        'parameters: Forbidden: updates to parameters are forbidden.',
        'provisioner: Forbidden: updates to provisioner are forbidden.',
        'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
        'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
      ],
    ],
    ['node.k8s.io', 'runtimeclasses', 'handler is immutable', obj({ handler: 'runc' }), (o) => (o.handler = 'kata'), ['handler: Invalid value: "kata": field is immutable']],
    [
      'networking.k8s.io',
      'ingressclasses',
      'controller is immutable',
      obj({ spec: { controller: 'a.io/x' } }),
      (o) => ((o.spec as { controller: string }).controller = 'b.io/x'),
      ['spec.controller: Invalid value: "b.io/x": field is immutable'],
    ],
    [
      'networking.k8s.io',
      'servicecidrs',
      'cidrs are immutable',
      obj({ spec: { cidrs: ['10.96.0.0/12'] } }),
      (o) => ((o.spec as { cidrs: string[] }).cidrs = ['10.97.0.0/16']),
      ['spec.cidrs[0]: Invalid value: "10.97.0.0/16": field is immutable'],
    ],
    ['networking.k8s.io', 'servicecidrs', 'may become dual-stack', obj({ spec: { cidrs: ['10.96.0.0/12'] } }), (o) => ((o.spec as { cidrs: string[] }).cidrs = ['10.96.0.0/12', 'fd00::/108']), []],
    [
      'storage.k8s.io',
      'volumeattachments',
      'spec is immutable',
      obj({ spec: { attacher: 'csi.example.com', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } } }),
      (o) => ((o.spec as { nodeName: string }).nodeName = 'n2'),
      ['spec: Invalid value: {"attacher":"csi.example.com","nodeName":"n2","source":{"persistentVolumeName":"pv1"}}: field is immutable'],
    ],
    [
      'apiextensions.k8s.io',
      'customresourcedefinitions',
      'group and plural are immutable',
      crd('foos.example.com', {}),
      (o) => {
        const spec = o.spec as { group: string; names: { plural: string } };
        spec.group = 'example.org';
        spec.names.plural = 'bars';
      },
      [
        'metadata.name: Invalid value: "foos.example.com": must be spec.names.plural+"."+spec.group',
        'spec.group: Invalid value: "example.org": field is immutable',
        'spec.names.plural: Invalid value: "bars": field is immutable',
      ],
    ],
  ];
  it.each(cases)('%s %s: %s', (group, resource, _name, base, mutate, want) => {
    const d = def(group, resource);
    d.defaults?.(base);
    d.prepareForCreate?.(base);
    expect((d.validate?.(base) ?? []).map(show)).toEqual([]);
    const next = structuredClone(base);
    mutate(next);
    expect(updateErrors(d, next, base)).toEqual(want);
  });
});

describe('name rules', () => {
  const cases: [string, string, string, string[]][] = [
    ['rbac.authorization.k8s.io', 'clusterroles', 'system:controller:deployment-controller', []],
    ['rbac.authorization.k8s.io', 'roles', 'a/b', ["may not contain '/'"]],
    ['rbac.authorization.k8s.io', 'rolebindings', '..', ["may not be '..'"]],
    ['networking.k8s.io', 'ipaddresses', '10.96.0.1', []],
    ['networking.k8s.io', 'ipaddresses', '2001:db8::1', []],
    ['networking.k8s.io', 'ipaddresses', '2001:db8:0:0:0:0:0:1', ['must be a canonical format IP address']],
    ['networking.k8s.io', 'ipaddresses', 'kubernetes', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ['storage.k8s.io', 'csidrivers', 'ebs.csi.aws.com', []],
  ];
  it.each(cases)('%s %s %s', (group, resource, name, want) => {
    expect(def(group, resource).nameValidator!(name)).toEqual(want);
  });

  const ips: [string, string | undefined][] = [
    ['10.0.0.1', '10.0.0.1'],
    ['010.0.0.1', undefined],
    ['256.0.0.1', undefined],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
  ];
  it.each(ips)('parse/format IP %s', (text, canonical) => {
    const ip = parseIP(text);
    expect(ip ? formatIP(ip) : undefined).toBe(canonical);
  });
});
