import { describe, expect, it } from 'vitest';
import {
  AGGREGATED_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  contentTypeFor,
  groupVersions,
  negotiateDiscovery,
} from '../../src/api/discovery';
import { ALL_VERBS, STATUS_VERBS, type ResourceDef } from '../../src/registry/types';

// A small hand-made catalog: the shapes discovery must cover, independent of the real registry modules.
const CATALOG: ResourceDef[] = [
  {
    group: '',
    version: 'v1',
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      { name: 'status', group: '', version: 'v1', kind: 'Pod', verbs: STATUS_VERBS },
      { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
      { name: 'exec', group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    ],
  },
  {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    scope: 'Cluster',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
  },
  { group: '', version: 'v1', resource: 'bindings', singular: 'binding', kind: 'Binding', scope: 'Namespaced', verbs: ['create'] },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [
      { name: 'status', group: 'apps', version: 'v1', kind: 'Deployment', verbs: STATUS_VERBS },
      { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: STATUS_VERBS },
    ],
  },
  { group: 'apps', version: 'v1', resource: 'controllerrevisions', singular: 'controllerrevision', kind: 'ControllerRevision', scope: 'Namespaced', verbs: ALL_VERBS },
  {
    group: 'autoscaling',
    version: 'v2',
    resource: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['hpa'],
    categories: ['all'],
  },
  {
    group: 'autoscaling',
    version: 'v1',
    resource: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['hpa'],
    categories: ['all'],
  },
];

describe('content types and negotiation', () => {
  it('has the exact aggregated Content-Types', () => {
    expect(AGGREGATED_CONTENT_TYPE('v2')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(AGGREGATED_CONTENT_TYPE('v2beta1')).toBe('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    expect(contentTypeFor('v2')).toBe(AGGREGATED_CONTENT_TYPE('v2'));
  });

  const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
  const V2B1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
  const cases: [string, string | null, string][] = [
    ['kubectl 1.30+ (v2, v2beta1, json)', `${V2},${V2B1},application/json`, 'v2'],
    ['kubectl 1.27/1.28 (v2beta1 only)', `${V2B1},application/json`, 'v2beta1'],
    ['v2beta1 listed first', `${V2B1},${V2},application/json`, 'v2beta1'],
    ['quality values outrank order', `${V2B1};q=0.5,${V2}`, 'v2'],
    ['q=0 refuses an entry', `${V2};q=0,application/json`, 'legacy'],
    ['plain JSON', 'application/json', 'legacy'],
    ['wildcard', '*/*', 'legacy'],
    ['no header', null, 'legacy'],
    ['empty header', '', 'legacy'],
    ['protobuf aggregated is skipped', `application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2}`, 'v2'],
    ['unknown discovery version is skipped', 'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json', 'legacy'],
    ['spaces and case in parameters', ' application/json ; g=apidiscovery.k8s.io ; v=v2 ; as=APIGroupDiscoveryList', 'v2'],
    ['Table is not discovery', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'legacy'],
  ];
  it.each(cases)('%s', (_name, accept, want) => {
    expect(negotiateDiscovery(accept)).toBe(want);
  });
});

describe('aggregatedDiscovery', () => {
  it('serves the core group under /api', () => {
    const doc = aggregatedDiscovery(CATALOG, 'api', 'v2');
    expect(doc.kind).toBe('APIGroupDiscoveryList');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2');
    expect(doc.metadata).toEqual({});
    expect(doc.items).toHaveLength(1);
    const [core] = doc.items;
    expect(core.metadata).toEqual({ name: '' });
    expect(core.versions.map((v) => [v.version, v.freshness])).toEqual([['v1', 'Current']]);
    // Sorted by resource name, like kube-apiserver.
    expect(core.versions[0].resources.map((r) => r.resource)).toEqual(['bindings', 'namespaces', 'pods']);
  });

  it('renders a resource exactly like kube-apiserver', () => {
    const pods = aggregatedDiscovery(CATALOG, 'api', 'v2').items[0].versions[0].resources.find((r) => r.resource === 'pods');
    expect(pods).toEqual({
      resource: 'pods',
      responseKind: { group: '', version: '', kind: 'Pod' },
      scope: 'Namespaced',
      singularResource: 'pod',
      verbs: ALL_VERBS,
      shortNames: ['po'],
      categories: ['all'],
      subresources: [
        { subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
        { subresource: 'exec', responseKind: { group: '', version: '', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
        { subresource: 'status', responseKind: { group: '', version: '', kind: 'Pod' }, verbs: STATUS_VERBS },
      ],
    });
  });

  it('omits empty shortNames, categories and subresources', () => {
    const bindings = aggregatedDiscovery(CATALOG, 'api', 'v2').items[0].versions[0].resources.find((r) => r.resource === 'bindings')!;
    expect(Object.keys(bindings)).toEqual(['resource', 'responseKind', 'scope', 'singularResource', 'verbs']);
    const json = JSON.parse(JSON.stringify(bindings));
    expect(json.shortNames).toBeUndefined();
  });

  it('serves named groups under /apis in catalog order, first version preferred', () => {
    const doc = aggregatedDiscovery(CATALOG, 'apis', 'v2beta1');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect(doc.items.map((g) => g.metadata.name)).toEqual(['apps', 'autoscaling']);
    expect(doc.items[1].versions.map((v) => v.version)).toEqual(['v2', 'v1']);
    const deploy = doc.items[0].versions[0].resources.find((r) => r.resource === 'deployments')!;
    expect(deploy.responseKind).toEqual({ group: '', version: '', kind: 'Deployment' });
    expect(deploy.subresources).toEqual([
      { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: STATUS_VERBS },
      { subresource: 'status', responseKind: { group: '', version: '', kind: 'Deployment' }, verbs: STATUS_VERBS },
    ]);
    expect(doc.items[0].versions[0].resources.map((r) => r.resource)).toEqual(['controllerrevisions', 'deployments']);
  });

  it('does not share arrays with the catalog', () => {
    const doc = aggregatedDiscovery(CATALOG, 'api', 'v2');
    doc.items[0].versions[0].resources[2].verbs.push('bogus');
    expect(CATALOG[0].verbs).not.toContain('bogus');
  });

  it('handles an empty catalog', () => {
    expect(aggregatedDiscovery([], 'apis', 'v2').items).toEqual([]);
  });
});

describe('legacy discovery', () => {
  it('groupVersions keeps catalog order', () => {
    expect(groupVersions(CATALOG)).toEqual([
      { group: '', versions: ['v1'] },
      { group: 'apps', versions: ['v1'] },
      { group: 'autoscaling', versions: ['v2', 'v1'] },
    ]);
  });

  it('GET /api', () => {
    expect(apiVersions('10.0.0.1:443')).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:443' }],
    });
  });

  it('GET /apis', () => {
    expect(apiGroupList(CATALOG)).toEqual({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [
        { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
        {
          name: 'autoscaling',
          versions: [
            { groupVersion: 'autoscaling/v2', version: 'v2' },
            { groupVersion: 'autoscaling/v1', version: 'v1' },
          ],
          preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
        },
      ],
    });
  });

  const groupCases: [string, string, boolean][] = [
    ['known group', 'autoscaling', true],
    ['unknown group', 'batch', false],
    ['core is not a named group', '', false],
  ];
  it.each(groupCases)('GET /apis/{group}: %s', (_n, group, found) => {
    const g = apiGroup(CATALOG, group);
    if (!found) return expect(g).toBeUndefined();
    expect(g).toEqual({
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'autoscaling',
      versions: [
        { groupVersion: 'autoscaling/v2', version: 'v2' },
        { groupVersion: 'autoscaling/v1', version: 'v1' },
      ],
      preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
    });
  });

  it('GET /api/v1 lists resources and subresources like kube-apiserver', () => {
    const list = apiResourceList(CATALOG, '', 'v1')!;
    expect(list.kind).toBe('APIResourceList');
    expect(list.groupVersion).toBe('v1');
    expect('apiVersion' in list).toBe(false);
    expect(list.resources.map((r) => r.name)).toEqual(['bindings', 'namespaces', 'pods', 'pods/eviction', 'pods/exec', 'pods/status']);
    const byName = Object.fromEntries(list.resources.map((r) => [r.name, r]));
    expect(byName['pods']).toEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ALL_VERBS,
      shortNames: ['po'],
      categories: ['all'],
    });
    expect(byName['pods/eviction']).toEqual({
      name: 'pods/eviction',
      singularName: '',
      namespaced: true,
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
    expect(byName['pods/status']).toEqual({ name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: STATUS_VERBS });
    expect(byName['namespaces'].namespaced).toBe(false);
  });

  it('GET /apis/{g}/{v} carries apiVersion and cross-group subresource kinds', () => {
    const list = apiResourceList(CATALOG, 'apps', 'v1')!;
    expect(list.apiVersion).toBe('v1');
    expect(list.groupVersion).toBe('apps/v1');
    expect(list.resources.map((r) => r.name)).toEqual(['controllerrevisions', 'deployments', 'deployments/scale', 'deployments/status']);
    expect(list.resources[2]).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(list.resources[3].group).toBeUndefined();
  });

  const unknown: [string, string][] = [
    ['apps', 'v2'],
    ['batch', 'v1'],
    ['', 'v2'],
  ];
  it.each(unknown)('unknown group-version %s/%s is undefined', (g, v) => {
    expect(apiResourceList(CATALOG, g, v)).toBeUndefined();
  });
});
