import { describe, expect, it } from 'vitest';
import {
  fieldSetOf,
  ignoreManagedFieldsTimestamps,
  managerFromUserAgent,
  serverSideApply,
  updateManagedFields,
  type ManagedFieldsEntry,
} from '../../src/machinery/apply';
import { FieldSet, fieldPE, fromFieldsV1, keyPE, pathToString, toFieldsV1, valuePE, indexPE } from '../../src/machinery/fieldset';
import { StatusError } from '../../src/api/status';

const DEPLOY = 'io.k8s.api.apps.v1.Deployment';
const CM = 'io.k8s.api.core.v1.ConfigMap';
const POD = 'io.k8s.api.core.v1.Pod';
const CR = 'io.example.v1.Widget'; // no schema: deduced

type Obj = Record<string, any>;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
/** JSON text, key order included: FieldsV1 order is part of the contract. */
const text = (v: unknown) => JSON.stringify(v);

function time(i: number): string {
  return new Date(Date.UTC(2024, 4, 1, 10, i, 0)).toISOString().replace('.000Z', 'Z');
}

function deployment(over: { replicas?: number; containers?: Obj[]; labels?: Obj; name?: string } = {}): Obj {
  const labels = over.labels ?? { app: 'web' };
  const d: Obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: over.name ?? 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels }, spec: { containers: over.containers ?? [{ name: 'web', image: 'nginx' }] } },
    },
  };
  if (over.replicas !== undefined) d.spec.replicas = over.replicas;
  return d;
}

function configMap(data: Obj, metadata: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', ...metadata }, data };
}

// ---------------------------------------------------------------------------------------------------
// Field sets and FieldsV1

describe('field sets (typed.ToFieldSet) in FieldsV1', () => {
  const cases: { name: string; def: string; obj: Obj; fields: Obj }[] = [
    {
      name: 'deployment: list-map keys for containers, ports (defaulted protocol) and env',
      def: DEPLOY,
      obj: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'nginx',
                  args: ['-g', 'daemon off;'],
                  ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
                  env: [{ name: 'B', value: '2' }, { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                },
              ],
              nodeSelector: { disk: 'ssd' },
              tolerations: [{ key: 'k', operator: 'Exists' }],
            },
          },
        },
      },
      fields: {
        'f:apiVersion': {},
        'f:kind': {},
        'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {} },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"web"}': {
                  '.': {},
                  'f:args': {},
                  'f:env': {
                    'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:valueFrom': { 'f:fieldRef': {} } },
                    'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} },
                  },
                  'f:image': {},
                  'f:name': {},
                  'f:ports': {
                    'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
                    'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                  },
                },
              },
              'f:nodeSelector': {},
              'f:tolerations': {},
            },
          },
        },
      },
    },
    {
      name: 'set lists: finalizers are v:"value" members',
      def: CM,
      obj: { metadata: { name: 'x', finalizers: ['b.io/x', 'a.io/y'] } },
      fields: { 'f:metadata': { 'f:finalizers': { 'v:"a.io/y"': {}, 'v:"b.io/x"': {} }, 'f:name': {} } },
    },
    {
      name: 'maps of scalars are granular; empty maps and nulls are leaves',
      def: CM,
      obj: { data: { b: '2', a: '1' }, binaryData: {}, metadata: { labels: null, annotations: { 'x/y': 'z' } } },
      fields: { 'f:binaryData': {}, 'f:data': { 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:annotations': { 'f:x/y': {} }, 'f:labels': {} } },
    },
    {
      name: 'ownerReferences: keyed by uid, atomic elements',
      def: POD,
      obj: { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }] } },
      fields: { 'f:metadata': { 'f:ownerReferences': { 'k:{"uid":"u1"}': {} } } },
    },
    {
      name: 'no schema (custom resource): objects granular with every key a member, lists atomic',
      def: CR,
      obj: { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } }, spec: { size: 3, tags: ['x'], nested: { on: true } } },
      fields: {
        'f:apiVersion': {},
        'f:kind': {},
        'f:metadata': { 'f:labels': { 'f:a': {} }, 'f:name': {} },
        'f:spec': { '.': {}, 'f:nested': { '.': {}, 'f:on': {} }, 'f:size': {}, 'f:tags': {} },
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const set = fieldSetOf(c.obj, c.def);
      expect(text(toFieldsV1(set))).toBe(text(c.fields));
      expect(fromFieldsV1(c.fields).equals(set)).toBe(true);
    });
  }

  it('orders path elements like upstream: fields < keys < values < indices; values by type then value', () => {
    const s = FieldSet.of(
      [indexPE(1)],
      [valuePE(true)],
      [valuePE('b')],
      [valuePE(10)],
      [valuePE(9)],
      [keyPE([['name', 'z']])],
      [keyPE([['name', 'a'], ['port', 1]])],
      [fieldPE('b')],
      [fieldPE('a'), fieldPE('c')],
      [fieldPE('a')],
    );
    expect(Object.keys(toFieldsV1(s))).toEqual(['f:a', 'f:b', 'k:{"name":"a","port":1}', 'k:{"name":"z"}', 'v:9', 'v:10', 'v:"b"', 'v:true', 'i:1']);
    expect(text(toFieldsV1(s)['f:a'])).toBe(text({ '.': {}, 'f:c': {} }));
    expect(s.paths().map(pathToString)).toEqual(['.a', '.b', '[name="a",port=1]', '[name="z"]', '[=9]', '[=10]', '[="b"]', '[=true]', '[1]', '.a.c']);
  });

  it('escapes key values like Go (HTML-safe JSON)', () => {
    expect(Object.keys(toFieldsV1(FieldSet.of([keyPE([['name', 'a<b>&"c"']])])))).toEqual(['k:{"name":"a\\u003cb\\u003e\\u0026\\"c\\""}']);
  });

  const bad: [string, unknown][] = [
    ['unparsable key', { 'k:{oops': {} }],
    ['bad index', { 'i:x': {} }],
    ['non-object node', { 'f:a': 1 }],
  ];
  for (const [name, fields] of bad) it(`FieldsV1 decode rejects ${name}`, () => expect(() => fromFieldsV1(fields)).toThrow());
  it('FieldsV1 decode drops unknown element types', () => {
    expect(text(toFieldsV1(fromFieldsV1({ 'x:y': {}, 'f:a': {} })))).toBe(text({ 'f:a': {} }));
  });

  it('set algebra: union, intersection, difference, recursive difference', () => {
    const a = FieldSet.of([fieldPE('spec'), fieldPE('replicas')], [fieldPE('spec'), fieldPE('paused')], [fieldPE('status')]);
    const b = FieldSet.of([fieldPE('spec')], [fieldPE('spec'), fieldPE('replicas')]);
    expect(a.union(b).paths().map(pathToString)).toEqual(['.spec', '.status', '.spec.paused', '.spec.replicas']);
    expect(a.intersection(b).paths().map(pathToString)).toEqual(['.spec.replicas']);
    expect(a.difference(b).paths().map(pathToString)).toEqual(['.status', '.spec.paused']);
    expect(a.recursiveDifference(FieldSet.of([fieldPE('spec')])).paths().map(pathToString)).toEqual(['.status']);
  });
});

// ---------------------------------------------------------------------------------------------------
// Scenarios: sequences of applies and updates against one object, as the store would run them

type Step =
  | { apply: Obj; manager: string; force?: boolean; error?: { code: number; message?: string; causes?: Obj[] } }
  | { update: (o: Obj) => Obj; manager: string; subresource?: string };

interface Scenario {
  name: string;
  def: string;
  apiVersion: string;
  steps: Step[];
  /** The object after the last step, without metadata.managedFields/uid. */
  object?: Obj;
  /** manager (or manager/operation) → fieldsV1, in managedFields order. */
  managed?: [string, Obj][];
  check?: (o: Obj, history: Obj[]) => void;
}

function run(s: Scenario): { live: Obj; history: Obj[] } {
  let live: Obj | undefined;
  const history: Obj[] = [];
  s.steps.forEach((step, i) => {
    const opts = { manager: step.manager, apiVersion: s.apiVersion, definition: s.def, time: time(i) };
    if ('apply' in step) {
      const call = () => serverSideApply(live, clone(step.apply), { ...opts, force: step.force ?? false });
      if (step.error) {
        let err: unknown;
        try {
          call();
        } catch (e) {
          err = e;
        }
        expect(err, `step ${i} should fail`).toBeInstanceOf(StatusError);
        const st = (err as StatusError).status;
        expect(st.code).toBe(step.error.code);
        if (step.error.message) expect(st.message).toBe(step.error.message);
        if (step.error.causes) expect(st.details?.causes).toEqual(step.error.causes);
        return;
      }
      const r = call();
      expect((r.object as Obj).metadata.managedFields ?? []).toEqual(r.managedFields);
      live = r.object as Obj;
    } else {
      const next = step.update(clone(live ?? {}));
      const mf = updateManagedFields(live, next, { ...opts, subresource: step.subresource });
      if (mf.length) next.metadata = { ...next.metadata, managedFields: mf };
      else if (next.metadata) delete next.metadata.managedFields;
      live = next;
    }
    if (!live.metadata.uid) live.metadata.uid = 'uid-1'; // what the store does on create
    history.push(clone(live));
  });
  return { live: live!, history };
}

function strip(o: Obj): Obj {
  const c = clone(o);
  delete c.metadata.managedFields;
  delete c.metadata.uid;
  return c;
}

function managedSummary(o: Obj): [string, Obj][] {
  return ((o.metadata.managedFields ?? []) as ManagedFieldsEntry[]).map((e) => [`${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`, e.fieldsV1 as Obj]);
}

const cmData = (data: Obj) => ({ 'f:data': Object.fromEntries(Object.keys(data).sort().map((k) => [`f:${k}`, {}])) });

const scenarios: Scenario[] = [
  {
    name: 'apply creates the object; the applier owns what it applied',
    def: CM,
    apiVersion: 'v1',
    steps: [{ apply: configMap({ a: '1' }, { labels: { app: 'x' } }), manager: 'kubectl' }],
    object: configMap({ a: '1' }, { labels: { app: 'x' } }),
    managed: [['kubectl/Apply', { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } }]],
  },
  {
    name: 're-applying the same configuration is a no-op (object and times unchanged)',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      { apply: deployment({ replicas: 2 }), manager: 'kubectl' },
      { apply: deployment({ replicas: 2 }), manager: 'kubectl' },
    ],
    check: (o, h) => {
      expect(h[1]).toEqual(h[0]);
      expect(o.metadata.managedFields[0].time).toBe(time(0));
    },
  },
  {
    name: 'two appliers with the same value share ownership without conflict',
    def: CM,
    apiVersion: 'v1',
    steps: [
      { apply: configMap({ a: '1', b: '1' }), manager: 'alice' },
      { apply: configMap({ a: '1' }), manager: 'bob' },
    ],
    object: configMap({ a: '1', b: '1' }),
    // bob's apply changed nothing: like upstream its entry gets no time, and sorts first.
    managed: [
      ['bob/Apply', cmData({ a: 1 })],
      ['alice/Apply', cmData({ a: 1, b: 1 })],
    ],
    check: (o) => expect(o.metadata.managedFields.map((e: ManagedFieldsEntry) => e.time)).toEqual([undefined, time(0)]),
  },
  {
    name: 'two appliers with different values conflict (409 with causes)',
    def: CM,
    apiVersion: 'v1',
    steps: [
      { apply: configMap({ a: '1' }), manager: 'alice' },
      {
        apply: configMap({ a: '2' }),
        manager: 'bob',
        error: {
          code: 409,
          message: 'Apply failed with 1 conflict: conflict with "alice": .data.a',
          causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.a' }],
        },
      },
    ],
    object: configMap({ a: '1' }),
  },
  {
    name: 'conflicts with an updater name its API version; several conflicts are listed per manager',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      { update: () => deployment({ replicas: 1, containers: [{ name: 'web', image: 'nginx:1' }] }), manager: 'kubectl-client-side-apply' },
      {
        apply: deployment({ replicas: 3, containers: [{ name: 'web', image: 'nginx:2' }] }),
        manager: 'ssa',
        error: {
          code: 409,
          message:
            'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
          causes: [
            { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
            { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.template.spec.containers[name="web"].image' },
          ],
        },
      },
    ],
  },
  {
    name: 'force=true takes ownership from the other manager',
    def: CM,
    apiVersion: 'v1',
    steps: [
      { apply: configMap({ a: '1', b: '1' }), manager: 'alice' },
      { apply: configMap({ a: '2' }), manager: 'bob', force: true },
    ],
    object: configMap({ a: '2', b: '1' }),
    managed: [
      ['alice/Apply', cmData({ b: 1 })],
      ['bob/Apply', cmData({ a: 1 })],
    ],
  },
  {
    name: 'a field the applier no longer applies is removed',
    def: CM,
    apiVersion: 'v1',
    steps: [
      { apply: configMap({ a: '1', b: '1' }, { labels: { x: '1', y: '1' } }), manager: 'alice' },
      { apply: configMap({ a: '1' }, { labels: { x: '1' } }), manager: 'alice' },
    ],
    object: configMap({ a: '1' }, { labels: { x: '1' } }),
    managed: [['alice/Apply', { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:x': {} } } }]],
  },
  {
    name: 'a dropped field stays when another applier also owns it',
    def: CM,
    apiVersion: 'v1',
    steps: [
      { apply: configMap({ a: '1', b: '1' }), manager: 'alice' },
      { apply: configMap({ b: '1' }), manager: 'bob' },
      { apply: configMap({ a: '1' }), manager: 'alice' },
    ],
    object: configMap({ a: '1', b: '1' }),
    managed: [
      ['bob/Apply', cmData({ b: 1 })],
      ['alice/Apply', cmData({ a: 1 })],
    ],
  },
  {
    name: 'a dropped list-map element (container port) is removed',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      { apply: deployment({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }] }), manager: 'apply_test' },
      { apply: deployment({ containers: [{ name: 'web', image: 'nginx' }] }), manager: 'apply_test' },
    ],
    object: deployment({ containers: [{ name: 'web', image: 'nginx' }] }),
  },
  {
    name: 'an empty marker struct (emptyDir: {}) is owned and removed when dropped',
    def: POD,
    apiVersion: 'v1',
    steps: [
      {
        apply: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'cache', emptyDir: {} }] } },
        manager: 'apply_test',
      },
      { apply: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'cache' }] } }, manager: 'apply_test' },
    ],
    check: (o, h) => {
      expect(h[0].spec.volumes).toEqual([{ name: 'cache', emptyDir: {} }]);
      expect(o.spec.volumes).toEqual([{ name: 'cache' }]);
    },
  },
  {
    name: 'updates take ownership of what they change (upstream TestApplyManagedFields)',
    def: CM,
    apiVersion: 'v1',
    steps: [
      { apply: configMap({ key: 'value' }, { labels: { 'test-label': 'test' } }), manager: 'apply_test' },
      { update: (o) => ({ ...o, data: { ...o.data, 'new-key': 'value' } }), manager: 'updater' },
      { update: (o) => ({ ...o, data: { ...o.data, key: 'new value' } }), manager: 'updater' },
    ],
    object: configMap({ key: 'new value', 'new-key': 'value' }, { labels: { 'test-label': 'test' } }),
    managed: [
      ['apply_test/Apply', { 'f:metadata': { 'f:labels': { 'f:test-label': {} } } }],
      ['updater/Update', { 'f:data': { 'f:key': {}, 'f:new-key': {} } }],
    ],
    check: (o) => expect(o.metadata.managedFields[1].time).toBe(time(2)),
  },
  {
    name: 'after an update took a field, re-applying the old value conflicts; omitting it keeps the value',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      { apply: deployment({ replicas: 2 }), manager: 'kubectl' },
      { update: (o) => ({ ...o, spec: { ...o.spec, replicas: 5 } }), manager: 'kubectl-scale' },
      {
        apply: deployment({ replicas: 2 }),
        manager: 'kubectl',
        error: { code: 409, message: 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas' },
      },
      { apply: deployment(), manager: 'kubectl' },
    ],
    object: deployment({ replicas: 5 }),
    managed: [
      [
        'kubectl/Apply',
        {
          'f:spec': {
            'f:selector': {},
            'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
          },
        },
      ],
      ['kubectl-scale/Update', { 'f:spec': { 'f:replicas': {} } }],
    ],
  },
  {
    name: 'atomic lists are replaced whole and owned as one field',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      { apply: deployment({ containers: [{ name: 'web', image: 'nginx', args: ['a', 'b'] }] }), manager: 'kubectl' },
      { apply: deployment({ containers: [{ name: 'web', image: 'nginx', args: ['c'] }] }), manager: 'kubectl' },
      {
        update: (o) => {
          o.spec.template.spec.containers[0].args = ['d'];
          return o;
        },
        manager: 'editor',
      },
      {
        apply: deployment({ containers: [{ name: 'web', image: 'nginx', args: ['e'] }] }),
        manager: 'kubectl',
        error: { code: 409, message: 'Apply failed with 1 conflict: conflict with "editor" using apps/v1: .spec.template.spec.containers[name="web"].args' },
      },
    ],
    check: (o, h) => {
      expect(h[1].spec.template.spec.containers[0].args).toEqual(['c']);
      expect(o.spec.template.spec.containers[0].args).toEqual(['d']);
      expect(text(o.metadata.managedFields[1].fieldsV1)).toBe(text({ 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:args': {} } } } } } }));
    },
  },
  {
    name: 'list-map elements of different appliers merge by key, in order',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      { apply: deployment({ containers: [{ name: 'web', image: 'nginx' }] }), manager: 'alice' },
      { apply: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'envoy' }] } } } }, manager: 'bob' },
      { apply: deployment({ containers: [{ name: 'web', image: 'nginx:2' }] }), manager: 'alice' },
    ],
    check: (o) => {
      expect(o.spec.template.spec.containers).toEqual([
        { name: 'web', image: 'nginx:2' },
        { name: 'sidecar', image: 'envoy' },
      ]);
      const bob = (o.metadata.managedFields as ManagedFieldsEntry[]).find((e) => e.manager === 'bob')!;
      expect(text(bob.fieldsV1)).toBe(text({ 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } }));
    },
  },
  {
    name: 'set lists merge by value and prune the values an applier dropped',
    def: CM,
    apiVersion: 'v1',
    steps: [
      { apply: configMap({}, { finalizers: ['a'] }), manager: 'alice' },
      { apply: configMap({}, { finalizers: ['b'] }), manager: 'bob' },
      { apply: configMap({}, { finalizers: [] }), manager: 'alice' },
    ],
    check: (o, h) => {
      expect(h[1].metadata.finalizers).toEqual(['a', 'b']);
      expect(o.metadata.finalizers).toEqual(['b']);
    },
  },
  {
    name: 'status is not owned through the main resource; a status writer owns it with its subresource',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      { apply: { ...deployment(), status: { replicas: 9 } }, manager: 'kubectl' },
      { update: (o) => ({ ...o, status: { replicas: 1, readyReplicas: 1 } }), manager: 'kube-controller-manager', subresource: 'status' },
    ],
    managed: [
      [
        'kubectl/Apply',
        {
          'f:spec': {
            'f:selector': {},
            'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
          },
        },
      ],
      ['kube-controller-manager/Update/status', { 'f:status': { 'f:readyReplicas': {}, 'f:replicas': {} } }],
    ],
  },
  {
    name: 'an object nobody tracked is first owned by "before-first-apply"',
    def: CM,
    apiVersion: 'v1',
    steps: [
      { update: () => configMap({ a: '1' }), manager: 'creator' },
      { update: (o) => ({ ...o, metadata: { ...o.metadata, managedFields: [{}] } }), manager: 'resetter' },
      {
        apply: configMap({ a: '2' }),
        manager: 'kubectl',
        error: { code: 409, message: 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a' },
      },
      { apply: configMap({ a: '1', b: '2' }), manager: 'kubectl' },
    ],
    managed: [
      ['kubectl/Apply', cmData({ a: 1, b: 1 })],
      ['before-first-apply/Update', { 'f:data': { '.': {}, 'f:a': {} } }],
    ],
    check: (o, h) => expect(h[1].metadata.managedFields).toBeUndefined(),
  },
  {
    name: 'kubectl client-side → server-side upgrade: last-applied fields may be taken over',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      {
        update: () => {
          const d = deployment({ replicas: 1 });
          d.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(deployment({ replicas: 1 }))}\n` };
          return d;
        },
        manager: 'kubectl-client-side-apply',
      },
      { apply: deployment({ replicas: 2 }), manager: 'kubectl' },
    ],
    check: (o) => {
      expect(o.spec.replicas).toBe(2);
      expect(o.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(
        '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx","name":"web"}]}}}}\n',
      );
      const csa = (o.metadata.managedFields as ManagedFieldsEntry[]).find((e) => e.manager === 'kubectl-client-side-apply')!;
      // Only the conflicting field moved; the fields both set to the same values stay shared.
      expect(text(csa.fieldsV1)).toBe(
        text({
          'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
          'f:spec': {
            'f:selector': {},
            'f:template': { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
          },
        }),
      );
    },
  },
  {
    name: 'only kubectl gets the last-applied upgrade',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      {
        update: () => {
          const d = deployment({ replicas: 1 });
          d.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(deployment({ replicas: 1 })) };
          return d;
        },
        manager: 'kubectl-client-side-apply',
      },
      {
        apply: deployment({ replicas: 2 }),
        manager: 'other',
        error: { code: 409, message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas' },
      },
    ],
  },
  {
    name: 'managedFields sent on create are honoured, and an Apply entry keeps its identity across versions',
    def: DEPLOY,
    apiVersion: 'apps/v1',
    steps: [
      {
        update: () => {
          const d = deployment({ labels: { app: 'web' } });
          d.metadata.labels = { app: 'web' };
          d.metadata.managedFields = [
            {
              manager: 'sidecar_controller',
              operation: 'Apply',
              apiVersion: 'extensions/v1beta1',
              fieldsType: 'FieldsV1',
              fieldsV1: {
                'f:metadata': { 'f:labels': { 'f:sidecar_version': {} } },
                'f:spec': { 'f:template': { 'f: spec': { 'f:containers': { 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {} } } } } },
              },
            },
          ];
          return d;
        },
        manager: 'creator',
      },
      {
        apply: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', labels: { sidecar_version: 'release' } },
          spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'sidecar:latest' }] } } },
        },
        manager: 'sidecar_controller',
      },
    ],
    check: (o) => {
      const entries = o.metadata.managedFields as ManagedFieldsEntry[];
      expect(entries.map((e) => `${e.manager}/${e.operation}/${e.apiVersion}`)).toEqual(['sidecar_controller/Apply/apps/v1', 'creator/Update/apps/v1']);
      expect(text(entries[0].fieldsV1)).toBe(
        '{"f:metadata":{"f:labels":{"f:sidecar_version":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"sidecar\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}',
      );
    },
  },
  {
    name: 'custom resources without a schema: deduced merge (objects granular, lists atomic)',
    def: CR,
    apiVersion: 'example.io/v1',
    steps: [
      { apply: { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1, tags: ['a', 'b'], opts: { x: 1 } } }, manager: 'alice' },
      { apply: { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { tags: ['c'], opts: { y: 2 } } }, manager: 'bob', force: true },
    ],
    object: { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1, tags: ['c'], opts: { x: 1, y: 2 } } },
    managed: [
      ['alice/Apply', { 'f:spec': { '.': {}, 'f:opts': { '.': {}, 'f:x': {} }, 'f:size': {} } }],
      ['bob/Apply', { 'f:spec': { '.': {}, 'f:opts': { '.': {}, 'f:y': {} }, 'f:tags': {} } }],
    ],
  },
];

describe('server-side apply and Update ownership (scenarios)', () => {
  for (const s of scenarios) {
    it(s.name, () => {
      const { live, history } = run(s);
      if (s.object) expect(strip(live)).toEqual(s.object);
      if (s.managed) expect(text(managedSummary(live))).toBe(text(s.managed));
      s.check?.(live, history);
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// Update (create/update/patch) bookkeeping

describe('updateManagedFields', () => {
  const base = { apiVersion: 'apps/v1', definition: DEPLOY };

  it('create: the creator owns every field, with "." on fields that did not exist in the zero object', () => {
    const d: Obj = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'nginx' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: {
          metadata: { labels: { app: 'nginx' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }], restartPolicy: 'Always' },
        },
      },
    };
    const [entry, ...rest] = updateManagedFields(undefined, d, { ...base, manager: 'kubectl-create', time: '2024-05-01T10:00:00.123Z' });
    expect(rest).toEqual([]);
    expect(text(entry)).toBe(
      text({
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2024-05-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': {
                'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': {} } },
                'f:restartPolicy': {},
              },
            },
          },
        },
      }),
    );
  });

  it('an unchanged update changes nothing (time included)', () => {
    const d = deployment({ replicas: 1 });
    d.metadata.managedFields = updateManagedFields(undefined, d, { ...base, manager: 'a', time: time(0) });
    d.metadata.uid = 'u';
    expect(updateManagedFields(d, clone(d), { ...base, manager: 'b', time: time(5) })).toEqual(d.metadata.managedFields);
  });

  const resets: [string, unknown][] = [
    ['[]', []],
    ['[{}]', [{}]],
  ];
  for (const [name, value] of resets) {
    it(`metadata.managedFields: ${name} resets them, and the object stays untracked by updates`, () => {
      const d = deployment({ replicas: 1 });
      d.metadata.managedFields = updateManagedFields(undefined, d, { ...base, manager: 'a', time: time(0) });
      d.metadata.uid = 'u';
      const next = clone(d);
      next.metadata.managedFields = value;
      next.spec.replicas = 2;
      expect(updateManagedFields(d, next, { ...base, manager: 'b', time: time(1) })).toEqual([]);
      delete next.metadata.managedFields;
      const again = clone(next);
      again.spec.replicas = 3;
      expect(updateManagedFields(next, again, { ...base, manager: 'b', time: time(2) })).toEqual([]);
    });
  }

  it('managedFields written by a request are kept (kubectl moves client-side ownership to Apply with a JSON patch)', () => {
    const d = deployment({ replicas: 1 });
    d.metadata.managedFields = updateManagedFields(undefined, d, { ...base, manager: 'kubectl-client-side-apply', time: time(0) });
    d.metadata.uid = 'u';
    const migrated = clone(d);
    migrated.metadata.managedFields = [{ ...d.metadata.managedFields[0], manager: 'kubectl', operation: 'Apply' }];
    expect(updateManagedFields(d, migrated, { ...base, manager: 'kubectl', time: time(1) })).toEqual(migrated.metadata.managedFields);
  });

  it('subresource writes ignore managedFields in the request', () => {
    const d = deployment({ replicas: 1 });
    d.metadata.managedFields = updateManagedFields(undefined, d, { ...base, manager: 'a', time: time(0) });
    d.metadata.uid = 'u';
    const next = clone(d);
    next.metadata.managedFields = [];
    next.status = { replicas: 1 };
    const out = updateManagedFields(d, next, { ...base, manager: 'kcm', subresource: 'status', time: time(1) });
    expect(out.map((e) => `${e.manager}/${e.subresource ?? ''}`)).toEqual(['a/', 'kcm/status']);
  });

  it('keeps at most 10 Update entries, merging the oldest into "ancient-changes"', () => {
    let live: Obj = configMap({});
    live.metadata.uid = 'u';
    live.metadata.managedFields = [];
    for (let i = 0; i < 11; i++) {
      const next = clone(live);
      next.data[`k${i}`] = 'v';
      delete next.metadata.managedFields;
      next.metadata.managedFields = updateManagedFields(i === 0 ? undefined : live, next, { manager: `m${i}`, apiVersion: 'v1', definition: CM, time: time(i) });
      live = next;
    }
    const entries = live.metadata.managedFields as ManagedFieldsEntry[];
    expect(entries.map((e) => e.manager)).toEqual(['ancient-changes', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
    expect(entries[0].time).toBe(time(1));
    expect(text(entries[0].fieldsV1)).toBe(text({ 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {} } }));
  });

  it('sorts entries like upstream: Apply before Update, then by time, manager', () => {
    let live = serverSideApply(undefined, configMap({ a: '1' }), { manager: 'z-applier', apiVersion: 'v1', definition: CM, time: time(3), force: false }).object as Obj;
    live.metadata.uid = 'u';
    const next = clone(live);
    next.data.b = '1';
    live = { ...next, metadata: { ...next.metadata, managedFields: updateManagedFields(live, next, { manager: 'b-updater', apiVersion: 'v1', definition: CM, time: time(1) }) } };
    live = serverSideApply(live, configMap({ c: '1' }), { manager: 'a-applier', apiVersion: 'v1', definition: CM, time: time(2), force: false }).object as Obj;
    expect((live.metadata.managedFields as ManagedFieldsEntry[]).map((e) => e.manager)).toEqual(['a-applier', 'z-applier', 'b-updater']);
  });
});

// ---------------------------------------------------------------------------------------------------
// Bad requests and helpers

describe('serverSideApply rejects', () => {
  const opts = { manager: 'kubectl', apiVersion: 'apps/v1', definition: DEPLOY, time: time(0), force: false };
  const cases: [string, Obj, number, string][] = [
    ['metadata.managedFields in the configuration', { ...deployment(), metadata: { name: 'web', managedFields: [] } }, 400, 'metadata.managedFields must be nil'],
    ['another apiVersion', { ...deployment(), apiVersion: 'apps/v1beta2' }, 400, 'invalid object type: apps/v1beta2, Kind=Deployment'],
    ['another kind', { ...deployment(), kind: 'StatefulSet' }, 400, 'invalid object type: apps/v1, Kind=StatefulSet'],
    ['a missing apiVersion', { kind: 'Deployment', metadata: { name: 'web' } }, 400, 'invalid object type: /, Kind=Deployment'],
    [
      'a list-map element without its key',
      deployment({ containers: [{ image: 'nginx' }] }),
      400, // upstream: a reason-less 500; bad input is a 400 here
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn\'t have default values for any key fields)',
    ],
    [
      'duplicate list-map keys',
      deployment({ containers: [{ name: 'a' }, { name: 'a' }] }),
      400,
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]',
    ],
  ];
  for (const [name, body, code, message] of cases) {
    it(name, () => {
      let err: unknown;
      try {
        serverSideApply(undefined, body, opts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StatusError);
      expect((err as StatusError).status.code).toBe(code);
      expect((err as StatusError).status.message).toBe(message);
    });
  }
});

describe('helpers', () => {
  it('ignoreManagedFieldsTimestamps keeps the stored times when nothing else changed', () => {
    const old = configMap({ a: '1' });
    old.metadata.managedFields = [{ manager: 'm', operation: 'Apply', apiVersion: 'v1', time: time(0), fieldsType: 'FieldsV1', fieldsV1: {} }];
    const same = clone(old);
    same.metadata.managedFields[0].time = time(9);
    expect(ignoreManagedFieldsTimestamps(same, old)).toEqual(old);
    const changed = clone(same);
    changed.data.a = '2';
    expect(ignoreManagedFieldsTimestamps(changed, old)).toBe(changed);
  });

  const agents: [string | undefined, string, string][] = [
    ['mine', 'kubectl/v1.33.0 (linux/amd64)', 'mine'],
    [undefined, 'kubectl/v1.33.0 (linux/amd64) kubernetes/abc', 'kubectl'],
    ['', 'OpenAPI-Generator/1.0.0/javascript', 'OpenAPI-Generator'],
    [undefined, '', ''],
  ];
  for (const [fm, ua, want] of agents) it(`manager for fieldManager=${fm} user-agent=${ua}`, () => expect(managerFromUserAgent(fm, ua)).toBe(want));
});
