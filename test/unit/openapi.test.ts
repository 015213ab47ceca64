import { describe, expect, it } from 'vitest';
import {
  buildV2Document,
  buildV3Document,
  definitionName,
  encodeV2Protobuf,
  gvPath,
  OPENAPI_V2_PROTOBUF,
  serveOpenAPI,
  servedGroupVersions,
  strictDecodingMessage,
  unknownFields,
  v3Index,
  wantsV2Protobuf,
} from '../../src/api/openapi';
import { ALL_VERBS, STATUS_VERBS, type ResourceDef } from '../../src/registry/types';

type Json = Record<string, any>;

function res(group: string, version: string, resource: string, kind: string, scope: 'Namespaced' | 'Cluster', extra: Partial<ResourceDef> = {}): ResourceDef {
  return { group, version, resource, singular: kind.toLowerCase(), kind, scope, verbs: ALL_VERBS, ...extra };
}

const catalog = (): ResourceDef[] => [
  res('', 'v1', 'pods', 'Pod', 'Namespaced', {
    subresources: [
      { name: 'status', group: '', version: 'v1', kind: 'Pod', verbs: STATUS_VERBS },
      { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
      { name: 'exec', group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    ],
  }),
  res('', 'v1', 'configmaps', 'ConfigMap', 'Namespaced'),
  res('', 'v1', 'namespaces', 'Namespace', 'Cluster'),
  res('apps', 'v1', 'deployments', 'Deployment', 'Namespaced', {
    subresources: [
      { name: 'status', group: 'apps', version: 'v1', kind: 'Deployment', verbs: STATUS_VERBS },
      { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: STATUS_VERBS },
    ],
  }),
  res('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', 'Cluster'),
  res('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', 'Namespaced', { verbs: ['get', 'list'] }),
];

const CORE = { group: '', version: 'v1' };
const APPS = { group: 'apps', version: 'v1' };

describe('generated definitions', () => {
  it('maps kinds to upstream definition names', () => {
    expect(definitionName({ group: '', version: 'v1', kind: 'Pod' })).toBe('io.k8s.api.core.v1.Pod');
    expect(definitionName({ group: 'apps', version: 'v1', kind: 'Deployment' })).toBe('io.k8s.api.apps.v1.Deployment');
    expect(definitionName({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role' })).toBe('io.k8s.api.rbac.v1.Role');
    expect(definitionName({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' })).toBe(
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    );
    expect(definitionName({ group: 'events.k8s.io', version: 'v1', kind: 'Event' })).toBe('io.k8s.api.events.v1.Event');
    expect(definitionName({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' })).toBe('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler');
    expect(definitionName({ group: 'metrics.k8s.io', version: 'v1beta1', kind: 'PodMetrics' })).toBeUndefined();
  });

  it('carries descriptions, types, formats and special types', () => {
    const s = (buildV3Document(catalog(), CORE) as Json).components.schemas;
    const podSpec = s['io.k8s.api.core.v1.PodSpec'];
    expect(podSpec.required).toContain('containers');
    expect(podSpec.properties.containers.description).toMatch(/^List of containers belonging to the pod/);
    expect(podSpec.properties.containers.items).toEqual({ $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
    const container = s['io.k8s.api.core.v1.Container'];
    expect(container.description).toBe('A single application container that you want to run within a pod.');
    expect(container.required).toEqual(['name']);
    expect(container.properties.image).toMatchObject({ type: 'string', description: expect.stringContaining('Container image name') });
    // A field whose type is another model: description kept next to the reference (allOf like upstream).
    expect(container.properties.lifecycle).toEqual({
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.Lifecycle' }],
      description: expect.stringContaining('Actions that the management system should take'),
    });
    expect(s['io.k8s.api.core.v1.ContainerPort'].properties.containerPort).toMatchObject({ type: 'integer', format: 'int32' });
    expect(s['io.k8s.api.core.v1.PodSpec'].properties.activeDeadlineSeconds).toMatchObject({ type: 'integer', format: 'int64' });
    expect(s['io.k8s.api.core.v1.ResourceRequirements'].properties.limits.additionalProperties).toEqual({
      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
    });
    expect(s['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf).toEqual([{ type: 'string' }, { type: 'number' }]);
    expect(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ format: 'int-or-string', 'x-kubernetes-int-or-string': true });
    expect(s['io.k8s.apimachinery.pkg.apis.meta.v1.Time']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.creationTimestamp.allOf[0].$ref).toBe(
      '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    );
    expect(s['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    expect(s['io.k8s.api.core.v1.ConfigMap'].properties.binaryData.additionalProperties).toMatchObject({ type: 'string', format: 'byte' });
  });
});

describe('OpenAPI v3', () => {
  it('lists every served group-version with hashed URLs under the cluster base path', async () => {
    const cat = catalog();
    const index = await v3Index(cat, '/clusters/demo');
    expect(Object.keys(index.paths).sort()).toEqual(
      ['api', 'api/v1', 'apis', 'apis/apiextensions.k8s.io/v1', 'apis/apps/v1', 'apis/metrics.k8s.io/v1beta1', 'version'].sort(),
    );
    expect(index.paths['api/v1'].serverRelativeURL).toMatch(/^\/clusters\/demo\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    expect(servedGroupVersions(cat).map(gvPath)).toEqual(['api/v1', 'apis/apps/v1', 'apis/apiextensions.k8s.io/v1', 'apis/metrics.k8s.io/v1beta1']);
  });

  it('publishes patch operations with GVK and the fieldValidation parameter', () => {
    const doc = buildV3Document(catalog(), APPS) as Json;
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    expect(patch['x-kubernetes-action']).toBe('patch');
    expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
    // kubectl must keep computing strategic merge patches from its compiled-in types
    expect(Object.keys(patch.requestBody.content)).not.toContain('application/strategic-merge-patch+json');
    // every PATCH with this GVK has the parameter (kubectl stops at the first match)
    for (const item of Object.values(doc.paths) as Json[]) {
      if (item.patch?.['x-kubernetes-group-version-kind']?.kind === 'Deployment') {
        expect(item.patch.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
      }
    }
    const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch;
    expect(scale['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    expect(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
    // kubectl explain finds kinds by the GET on /apis/G/V/<resource>
    expect(doc.paths['/apis/apps/v1/deployments'].get['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    expect(doc.openapi).toBe('3.0.0');
  });

  it('covers core subresources and kinds without a generated schema', () => {
    const core = buildV3Document(catalog(), CORE) as Json;
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post['x-kubernetes-group-version-kind']).toEqual({
      group: 'policy',
      kind: 'Eviction',
      version: 'v1',
    });
    expect(core.paths['/api/v1/namespaces/{name}'].patch['x-kubernetes-group-version-kind'].kind).toBe('Namespace');
    expect(core.paths['/api/v1/pods'].get['x-kubernetes-action']).toBe('list');
    const metrics = buildV3Document(catalog(), { group: 'metrics.k8s.io', version: 'v1beta1' }) as Json;
    const schema = Object.values(metrics.components.schemas).find((s: any) => s['x-kubernetes-group-version-kind']?.[0]?.kind === 'PodMetrics') as Json;
    expect(schema['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });

  it('has stable hashes that change with the document', async () => {
    const a = await v3Index(catalog(), '/c/x');
    const b = await v3Index(catalog(), '/c/x');
    expect(b).toEqual(a);
    const changed = catalog();
    changed.push(res('apps', 'v1', 'replicasets', 'ReplicaSet', 'Namespaced'));
    const c = await v3Index(changed, '/c/x');
    expect(c.paths['apis/apps/v1'].serverRelativeURL).not.toBe(a.paths['apis/apps/v1'].serverRelativeURL);
    expect(c.paths['api/v1'].serverRelativeURL).toBe(a.paths['api/v1'].serverRelativeURL);
  });

  it('serves documents with caching headers', async () => {
    const cat = catalog();
    const get = (path: string, headers: Record<string, string> = {}) =>
      serveOpenAPI(new Request(`https://kubedo.test/clusters/x/openapi/${path}`, { headers }), path.split('?')[0].split('/'), '/clusters/x', cat);
    const index = (await (await get('v3'))!.json()) as { paths: Record<string, { serverRelativeURL: string }> };
    const url = index.paths['api/v1'].serverRelativeURL;
    const hash = url.split('hash=')[1];
    const hashed = (await get(`v3/api/v1?hash=${hash}`))!;
    expect(hashed.status).toBe(200);
    expect(hashed.headers.get('Cache-Control')).toBe('public, immutable');
    expect(hashed.headers.get('ETag')).toBe(`"${hash}"`);
    const doc = (await hashed.json()) as Json;
    expect(doc.components.schemas['io.k8s.api.core.v1.Pod']).toBeDefined();
    const plain = (await get('v3/api/v1'))!;
    expect(plain.headers.get('Cache-Control')).toMatch(/no-cache/);
    const stale = (await get('v3/api/v1?hash=ABC'))!;
    expect(stale.status).toBe(301);
    expect(stale.headers.get('Location')).toBe(url);
    expect((await get(`v3/api/v1`, { 'If-None-Match': `"${hash}"` }))!.status).toBe(304);
    expect(await get('v3/apis/nope/v1')).toBeUndefined();
    expect(await get('v4')).toBeUndefined();
  });
});

describe('strict field validation', () => {
  const deploy = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { a: 'b' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '500m' } } }],
        },
      },
    },
    status: {},
  });
  const D = { group: 'apps', version: 'v1', kind: 'Deployment' };

  it('accepts a valid object', () => {
    expect(unknownFields(D, deploy())).toEqual([]);
  });

  it('reports unknown fields with kube-apiserver paths', () => {
    const d: Json = deploy();
    d.spec.foo = 1;
    d.metadata.bar = 'x';
    d.spec.template.spec.containers[0].imagePullPolicyX = 'Always';
    d.spec.template.spec.containers.push({ name: 'b', image: 'x', ports: [{ containerPort: 1, hostPortX: 2 }] });
    d.extra = true;
    expect(unknownFields(D, d).sort()).toEqual(
      ['extra', 'metadata.bar', 'spec.foo', 'spec.template.spec.containers[0].imagePullPolicyX', 'spec.template.spec.containers[1].ports[0].hostPortX'].sort(),
    );
    expect(strictDecodingMessage('Deployment', 'v1', ['spec.foo', 'spec.bar'])).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"',
    );
  });

  it('does not look inside free-form fields and unknown kinds', () => {
    expect(unknownFields({ group: 'apps', version: 'v1', kind: 'ControllerRevision' }, { metadata: { name: 'r' }, revision: 1, data: { anything: { at: 'all' } } })).toEqual([]);
    const crd = {
      metadata: { name: 'x.example.com', managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': {} } }] },
      spec: {
        group: 'example.com',
        names: { plural: 'x', kind: 'X' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, default: { any: 1 }, properties: { spec: { type: 'object', nope: 1 } } } },
          },
        ],
      },
    };
    expect(unknownFields({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' }, crd)).toEqual([
      'spec.versions[0].schema.openAPIV3Schema.properties.spec.nope',
    ]);
    expect(unknownFields({ group: 'example.com', version: 'v1', kind: 'X' }, { whatever: 1 })).toEqual([]);
    expect(unknownFields({ group: '', version: 'v1', kind: 'ConfigMap' }, { data: { a: 'b' }, binaryData: {}, immutable: true, foo: 1 })).toEqual(['foo']);
  });
});

// ---------------------------------------------------------------------------------------------------
// A tiny protobuf reader: enough to walk gnostic's openapi_v2.Document.

type Fields = Map<number, (Uint8Array | number)[]>;

function readMsg(b: Uint8Array): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = () => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const byte = b[i++];
      n += (byte & 0x7f) * mul;
      if (byte < 0x80) return n;
      mul *= 128;
    }
  };
  while (i < b.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let v: Uint8Array | number;
    if (wire === 0) v = varint();
    else if (wire === 2) {
      const len = varint();
      v = b.subarray(i, i + len);
      i += len;
    } else if (wire === 1) {
      v = b.subarray(i, i + 8);
      i += 8;
    } else throw new Error(`wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(v);
  }
  return out;
}
const text = (v: Uint8Array | number | undefined) => new TextDecoder().decode(v as Uint8Array);
const one = (m: Fields, f: number) => readMsg(m.get(f)![0] as Uint8Array);
const named = (m: Fields, f: number): Map<string, Fields> =>
  new Map((m.get(f) ?? []).map((e) => readMsg(e as Uint8Array)).map((n) => [text(n.get(1)![0]), readMsg(n.get(2)![0] as Uint8Array)]));

describe('OpenAPI v2', () => {
  it('negotiates protobuf the way client-go asks', () => {
    expect(wantsV2Protobuf('application/com.github.proto-openapi.spec.v2@v1.0+protobuf')).toBe(true);
    expect(wantsV2Protobuf('application/json')).toBe(false);
    expect(wantsV2Protobuf(null)).toBe(false);
    expect(wantsV2Protobuf('application/json;q=0.5, application/com.github.proto-openapi.spec.v2.v1.0+protobuf')).toBe(true);
  });

  it('encodes the Swagger document as gnostic protobuf that decodes back', async () => {
    const cat = catalog();
    const doc = buildV2Document(cat) as Json;
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ type: 'string', format: 'int-or-string' });
    expect(doc.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type).toBe('string');
    const bytes = encodeV2Protobuf(doc);
    const d = readMsg(bytes);
    expect(text(d.get(1)![0])).toBe('2.0'); // swagger
    expect(text(one(d, 2).get(1)![0])).toBe('Kubernetes'); // info.title

    const defs = named(one(d, 9), 1); // definitions.additional_properties
    expect(defs.size).toBe(Object.keys(doc.definitions).length);
    const pod = defs.get('io.k8s.api.core.v1.Pod')!;
    expect(text(pod.get(4)![0])).toMatch(/^Pod is a collection of containers/); // description
    expect(text(one(pod, 22).get(1)![0])).toBe('object'); // type.value
    const props = named(one(pod, 25), 1); // properties
    expect([...props.keys()].sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(text(props.get('spec')!.get(1)![0])).toBe('#/definitions/io.k8s.api.core.v1.PodSpec'); // $ref
    const ext = named(pod, 31); // vendor_extension: NamedAny{name, Any{yaml=2}}
    expect(JSON.parse(text(ext.get('x-kubernetes-group-version-kind')!.get(2)![0]))).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    const podSpec = defs.get('io.k8s.api.core.v1.PodSpec')!;
    expect((podSpec.get(19) ?? []).map(text)).toContain('containers'); // required
    const containers = named(one(podSpec, 25), 1).get('containers')!;
    expect(text(one(containers, 22).get(1)![0])).toBe('array');
    expect(text(readMsg(one(containers, 23).get(1)![0] as Uint8Array).get(1)![0])).toBe('#/definitions/io.k8s.api.core.v1.Container');
    const labels = named(one(defs.get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!, 25), 1).get('labels')!;
    expect(text(one(one(one(labels, 21), 1), 22).get(1)![0])).toBe('string'); // additionalProperties.schema.type

    // paths: the patch operation of deployments carries the GVK and a fieldValidation query parameter
    const paths = named(one(d, 8), 2);
    const item = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!;
    const patch = one(item, 8);
    const opExt = named(patch, 13);
    expect(JSON.parse(text(opExt.get('x-kubernetes-group-version-kind')!.get(2)![0]))).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    const queryNames = (patch.get(8) ?? [])
      .map((p) => readMsg(readMsg(p as Uint8Array).get(1)![0] as Uint8Array)) // ParametersItem.parameter
      .filter((p) => p.has(2)) // non_body_parameter
      .map((p) => one(p, 2))
      .filter((nb) => nb.has(3)) // query_parameter_sub_schema
      .map((nb) => text(one(nb, 3).get(4)![0])); // name
    expect(queryNames).toContain('fieldValidation');
    expect((patch.get(7) ?? []).map(text)).not.toContain('application/strategic-merge-patch+json'); // consumes

    const r = (await serveOpenAPI(
      new Request('https://kubedo.test/clusters/x/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } }),
      ['v2'],
      '/clusters/x',
      cat,
    ))!;
    expect(r.headers.get('Content-Type')).toBe(OPENAPI_V2_PROTOBUF);
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(bytes);
    const j = (await serveOpenAPI(new Request('https://kubedo.test/clusters/x/openapi/v2', { headers: { Accept: 'application/json' } }), ['v2'], '/clusters/x', cat))!;
    expect(j.headers.get('Content-Type')).toBe('application/json');
    expect(((await j.json()) as Json).swagger).toBe('2.0');
  });
});
