// CustomResourceDefinitions: a created CRD serves its resources with schema validation, pruning,
// defaults, subresources, printer columns and several versions; deleting it deletes its objects.
import { describe, expect, it } from 'vitest';
import { k } from './helpers';

const CRONTAB_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'], categories: ['all'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
        additionalPrinterColumns: [
          { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
                  image: { type: 'string' },
                  replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
                  size: { type: 'string', enum: ['small', 'large'] },
                },
              },
              status: { type: 'object', properties: { replicas: { type: 'integer' } } },
            },
          },
        },
      },
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
    ],
  },
};

const ns = '/apis/stable.example.com/v1/namespaces/default/crontabs';

async function createCRD() {
  const r = await k('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRONTAB_CRD);
  expect(r.status).toBe(201);
  for (let i = 0; i < 50; i++) {
    const crd = await k('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com');
    if (crd.body.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True')) return crd.body;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('CRD never became Established');
}

describe('custom resources', () => {
  it('a CRD becomes Established and its resources are served with schema semantics', async () => {
    const crd = await createCRD();
    expect(crd.status.acceptedNames).toMatchObject({ plural: 'crontabs', kind: 'CronTab' });
    expect(crd.status.storedVersions).toEqual(['v1']);
    expect(crd.metadata.finalizers).toContain('customresourcecleanup.apiextensions.k8s.io');

    const created = await k('POST', ns, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c1' }, spec: { cronSpec: '* * * * */5', image: 'img', junk: 'x' }, status: { replicas: 9 } });
    expect(created.status).toBe(201);
    expect(created.body.spec).toEqual({ cronSpec: '* * * * */5', image: 'img', replicas: 1 }); // pruned and defaulted
    expect(created.body.status).toBeUndefined(); // status subresource: not settable on create
    expect(created.body.metadata.generation).toBe(1);

    const strict = await k('POST', `${ns}?fieldValidation=Strict`, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c2' }, spec: { junk: 1 } });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.junk"');

    const invalid = await k('POST', ns, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c3' }, spec: { replicas: 11, size: 'huge' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.causes.map((c: any) => c.field).sort()).toEqual(['spec.replicas', 'spec.size']);

    const smp = await k('PATCH', `${ns}/c1`, { spec: { image: 'x' } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(smp.status).toBe(415);
    const merge = await k('PATCH', `${ns}/c1`, { spec: { image: 'img2' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(merge.body.spec.image).toBe('img2');
    expect(merge.body.metadata.generation).toBe(2);

    const status = await k('PUT', `${ns}/c1/status`, { ...merge.body, status: { replicas: 1 } });
    expect(status.status).toBe(200);
    expect(status.body.status).toEqual({ replicas: 1 });
    const scale = await k('GET', `${ns}/c1/scale`);
    expect(scale.body).toMatchObject({ kind: 'Scale', spec: { replicas: 1 }, status: { replicas: 1 } });
    const scaled = await k('PATCH', `${ns}/c1/scale`, { spec: { replicas: 3 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(scaled.body.spec.replicas).toBe(3);

    const table = await k('GET', ns, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Spec', 'Replicas']);
    expect(table.body.rows[0].cells).toEqual(['c1', '* * * * */5', 3]);

    // The other served version reads the same objects.
    const beta = await k('GET', '/apis/stable.example.com/v1beta1/namespaces/default/crontabs/c1');
    expect(beta.body.apiVersion).toBe('stable.example.com/v1beta1');
    expect(beta.body.spec.image).toBe('img2');

    const disco = await k('GET', '/apis', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    const group = disco.body.items.find((g: any) => g.metadata.name === 'stable.example.com');
    expect(group.versions.map((v: any) => v.version)).toEqual(['v1', 'v1beta1']);
    expect(group.versions[0].resources[0]).toMatchObject({ resource: 'crontabs', shortNames: ['ct'], categories: ['all'] });
  });

  it('deleting a CRD deletes its custom resources', async () => {
    await k('POST', ns, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'gone' }, spec: {} });
    const del = await k('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com');
    expect(del.status).toBe(200);
    for (let i = 0; i < 50; i++) {
      const crd = await k('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com');
      if (crd.status === 404) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect((await k('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com')).status).toBe(404);
    expect((await k('GET', ns)).status).toBe(404);
    // Recreating it starts empty.
    await createCRD();
    expect((await k('GET', ns)).body.items).toEqual([]);
  });

  it('rejects non-structural schemas, protected groups without approval and built-in names', async () => {
    const crd = (name: string, group: string, plural: string, schema: object, annotations?: Record<string, string>) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name, ...(annotations ? { annotations } : {}) },
      spec: { group, scope: 'Namespaced', names: { plural, singular: plural.slice(0, -1), kind: 'Thing', listKind: 'ThingList' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] },
    });
    const post = (body: object) => k('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body);
    const nonStructural = await post(crd('things.example.com', 'example.com', 'things', { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }));
    expect(nonStructural.status).toBe(422);
    expect(nonStructural.body.message).toContain('spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value');
    const protectedGroup = await post(crd('things.apps.k8s.io', 'apps.k8s.io', 'things', { type: 'object' }));
    expect(protectedGroup.status).toBe(422);
    expect(protectedGroup.body.message).toContain('protected groups must have approval annotation');
    const clash = await post(crd('ingresses.networking.k8s.io', 'networking.k8s.io', 'ingresses', { type: 'object' }, { 'api-approved.kubernetes.io': 'https://example.com/pr' }));
    expect(clash.status).toBe(422);
    expect(clash.body.message).toContain('"ingresses.networking.k8s.io" is already served by the API server');
  });
});
