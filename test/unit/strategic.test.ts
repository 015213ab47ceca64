import { describe, expect, it } from 'vitest';
import { StatusError } from '../../src/api/status';
import { applyStrategicMergePatch, createTwoWayMergePatch } from '../../src/machinery/strategic';

const POD = 'io.k8s.api.core.v1.Pod';
const DEPLOY = 'io.k8s.api.apps.v1.Deployment';
const NODE = 'io.k8s.api.core.v1.Node';
const SVC = 'io.k8s.api.core.v1.Service';
const CM = 'io.k8s.api.core.v1.ConfigMap';

function thrown(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const podSpec = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const deploy = (podTemplateSpec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podTemplateSpec }, ...extra },
});

type Case = [description: string, definition: string, original: unknown, patch: unknown, expected: unknown];

const cases: Case[] = [
  // --- what kubectl sends -------------------------------------------------------------------------
  [
    'kubectl apply: $setElementOrder + container merged by name, env: null removes env',
    DEPLOY,
    deploy({ containers: [{ name: 'web', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] }] }),
    { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ env: null, image: 'nginx:1.26', name: 'web' }] } } } },
    deploy({ containers: [{ name: 'web', image: 'nginx:1.26', ports: [{ containerPort: 80 }] }] }),
  ],
  [
    'kubectl apply: last-applied annotation merged into annotations',
    DEPLOY,
    { ...deploy({ containers: [{ name: 'web', image: 'nginx' }] }), metadata: { name: 'web', annotations: { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{"old":1}' } } },
    { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":1}' } } },
    { ...deploy({ containers: [{ name: 'web', image: 'nginx' }] }), metadata: { name: 'web', annotations: { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{"new":1}' } } },
  ],
  [
    'kubectl apply: container removed with $patch: delete',
    DEPLOY,
    deploy({ containers: [{ name: 'web', image: 'nginx' }, { name: 'old', image: 'busybox' }] }),
    { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ $patch: 'delete', name: 'old' }] } } } },
    deploy({ containers: [{ name: 'web', image: 'nginx' }] }),
  ],
  [
    'kubectl cordon',
    NODE,
    { kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } },
    { spec: { unschedulable: true } },
    { kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24', unschedulable: true } },
  ],
  [
    'kubectl uncordon (null deletes)',
    NODE,
    { kind: 'Node', metadata: { name: 'n1' }, spec: { unschedulable: true } },
    { spec: { unschedulable: null } },
    { kind: 'Node', metadata: { name: 'n1' }, spec: {} },
  ],
  [
    'kubectl rollout restart: template annotation added',
    DEPLOY,
    deploy({ containers: [{ name: 'web', image: 'nginx' }] }),
    { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } },
    {
      ...deploy({ containers: [{ name: 'web', image: 'nginx' }] }),
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
        },
      },
    },
  ],
  // --- maps ---------------------------------------------------------------------------------------
  [
    'labels: add, change, remove (free-form map)',
    POD,
    { metadata: { name: 'p', labels: { app: 'web', tier: 'fe', old: '1' } } },
    { metadata: { labels: { tier: 'be', old: null, new: 'y' } } },
    { metadata: { name: 'p', labels: { app: 'web', tier: 'be', new: 'y' } } },
  ],
  [
    'nested struct merges, null deletes a field, null for a missing field is ignored',
    DEPLOY,
    deploy({ containers: [{ name: 'web', image: 'nginx' }] }),
    { spec: { replicas: null, paused: null, minReadySeconds: 5 } },
    (() => {
      const d = deploy({ containers: [{ name: 'web', image: 'nginx' }] });
      const { replicas: _r, ...spec } = d.spec;
      return { ...d, spec: { ...spec, minReadySeconds: 5 } };
    })(),
  ],
  [
    '$patch: replace on a map replaces it',
    POD,
    { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
    { metadata: { labels: { $patch: 'replace', c: '3' } } },
    { metadata: { name: 'p', labels: { c: '3' } } },
  ],
  [
    '$patch: delete on a map empties it',
    POD,
    podSpec({ securityContext: { runAsUser: 1000, fsGroup: 2000 }, containers: [{ name: 'a', image: 'x' }] }),
    { spec: { securityContext: { $patch: 'delete' } } },
    podSpec({ securityContext: {}, containers: [{ name: 'a', image: 'x' }] }),
  ],
  [
    '$patch: delete on a map the live object lacks adds nothing',
    POD,
    podSpec({ containers: [{ name: 'a', image: 'x' }] }),
    { spec: { securityContext: { $patch: 'delete' } } },
    podSpec({ containers: [{ name: 'a', image: 'x' }] }),
  ],
  [
    'a new map value has its nulls dropped',
    POD,
    podSpec({ containers: [{ name: 'a', image: 'x' }] }),
    { spec: { securityContext: { runAsUser: 1, fsGroup: null } } },
    podSpec({ containers: [{ name: 'a', image: 'x' }], securityContext: { runAsUser: 1 } }),
  ],
  [
    'a value of another JSON type replaces',
    CM,
    { metadata: { name: 'c' }, data: { a: '1' } },
    { data: 'oops' },
    { metadata: { name: 'c' }, data: 'oops' },
  ],
  // --- lists merged by key --------------------------------------------------------------------------
  [
    'containers merge by name; a new container goes before the live-only ones (no $setElementOrder)',
    POD,
    podSpec({ containers: [{ name: 'web', image: 'nginx' }] }),
    { spec: { containers: [{ name: 'sidecar', image: 'envoy' }] } },
    podSpec({ containers: [{ name: 'sidecar', image: 'envoy' }, { name: 'web', image: 'nginx' }] }),
  ],
  [
    'container fields merge; image changed, resources merged, nulls in a new element dropped',
    POD,
    podSpec({ containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: '1' } } }] }),
    { spec: { containers: [{ name: 'web', image: 'nginx:2', resources: { requests: { cpu: '100m' } } }, { name: 'new', image: 'x', env: null }] } },
    podSpec({ containers: [{ name: 'web', image: 'nginx:2', resources: { limits: { cpu: '1' }, requests: { cpu: '100m' } } }, { name: 'new', image: 'x' }] }),
  ],
  [
    'ports merge by containerPort',
    POD,
    podSpec({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] }),
    { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 8080 }] }] } },
    podSpec({
      containers: [
        { name: 'web', image: 'nginx', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 8080 }, { containerPort: 443 }] },
      ],
    }),
  ],
  [
    'env merges by name: value changed, entry added, entry deleted',
    POD,
    podSpec({ containers: [{ name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }] }] }),
    { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '20' }, { name: 'D', value: '4' }, { name: 'C', $patch: 'delete' }] }] } },
    podSpec({ containers: [{ name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'B', value: '20' }, { name: 'D', value: '4' }] }] }),
  ],
  [
    'volumeMounts merge by mountPath',
    POD,
    podSpec({ containers: [{ name: 'web', image: 'x', volumeMounts: [{ name: 'a', mountPath: '/a' }] }] }),
    { spec: { containers: [{ name: 'web', volumeMounts: [{ name: 'a2', mountPath: '/a', readOnly: true }] }] } },
    podSpec({ containers: [{ name: 'web', image: 'x', volumeMounts: [{ name: 'a2', mountPath: '/a', readOnly: true }] }] }),
  ],
  [
    'volumes merge by name; $retainKeys switches the volume source',
    POD,
    podSpec({ containers: [{ name: 'a', image: 'x' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c1' } }] }),
    { spec: { volumes: [{ $retainKeys: ['configMap', 'name'], name: 'data', configMap: { name: 'c2' } }] } },
    podSpec({ containers: [{ name: 'a', image: 'x' }], volumes: [{ name: 'data', configMap: { name: 'c2' } }, { name: 'cfg', configMap: { name: 'c1' } }] }),
  ],
  [
    'imagePullSecrets merge by name',
    POD,
    podSpec({ containers: [{ name: 'a', image: 'x' }], imagePullSecrets: [{ name: 'one' }] }),
    { spec: { imagePullSecrets: [{ name: 'two' }] } },
    podSpec({ containers: [{ name: 'a', image: 'x' }], imagePullSecrets: [{ name: 'two' }, { name: 'one' }] }),
  ],
  [
    'tolerations are atomic: replaced',
    POD,
    podSpec({ containers: [{ name: 'a', image: 'x' }], tolerations: [{ key: 'a', operator: 'Exists' }] }),
    { spec: { tolerations: [{ key: 'b', operator: 'Exists', effect: 'NoSchedule' }] } },
    podSpec({ containers: [{ name: 'a', image: 'x' }], tolerations: [{ key: 'b', operator: 'Exists', effect: 'NoSchedule' }] }),
  ],
  [
    'container args (no strategy) replaced',
    POD,
    podSpec({ containers: [{ name: 'a', image: 'x', args: ['1', '2'] }] }),
    { spec: { containers: [{ name: 'a', args: ['3'] }] } },
    podSpec({ containers: [{ name: 'a', image: 'x', args: ['3'] }] }),
  ],
  [
    'status conditions merge by type',
    POD,
    { metadata: { name: 'p' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }] } },
    { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Started' }] } },
    { metadata: { name: 'p' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True', reason: 'Started' }] } },
  ],
  [
    'service ports merge by port',
    SVC,
    { metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'a' } } },
    { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
    { metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }], selector: { app: 'a' } } },
  ],
  [
    'ownerReferences merge by uid',
    CM,
    { metadata: { name: 'c', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u1' }] } },
    { metadata: { ownerReferences: [{ uid: 'u1', controller: true }, { apiVersion: 'v1', kind: 'Y', name: 'y', uid: 'u2' }] } },
    { metadata: { name: 'c', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u1', controller: true }, { apiVersion: 'v1', kind: 'Y', name: 'y', uid: 'u2' }] } },
  ],
  [
    '$patch: replace as a list element replaces the whole list',
    POD,
    podSpec({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }),
    { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'z' }] } },
    podSpec({ containers: [{ name: 'c', image: 'z' }] }),
  ],
  [
    '$patch: delete of an absent element is a no-op',
    POD,
    podSpec({ containers: [{ name: 'a', image: 'x' }] }),
    { spec: { containers: [{ $patch: 'delete', name: 'zzz' }] } },
    podSpec({ containers: [{ name: 'a', image: 'x' }] }),
  ],
  // --- ordering -----------------------------------------------------------------------------------
  [
    '$setElementOrder reorders containers without changing them',
    POD,
    podSpec({ containers: [{ name: 'a', image: '1' }, { name: 'b', image: '2' }, { name: 'c', image: '3' }] }),
    { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } },
    podSpec({ containers: [{ name: 'c', image: '3' }, { name: 'a', image: '1' }, { name: 'b', image: '2' }] }),
  ],
  [
    '$setElementOrder places a new container; server-only containers keep their live position',
    POD,
    podSpec({ containers: [{ name: 'a', image: '1' }, { name: 'injected', image: 'i' }, { name: 'b', image: '2' }] }),
    { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'new' }, { name: 'b' }], containers: [{ name: 'new', image: 'n' }] } },
    podSpec({ containers: [{ name: 'a', image: '1' }, { name: 'new', image: 'n' }, { name: 'injected', image: 'i' }, { name: 'b', image: '2' }] }),
  ],
  [
    '$setElementOrder with an add and a delete (upstream interleaving through the live list)',
    POD,
    podSpec({ containers: [{ name: '1' }, { name: '2', image: 'b' }, { name: '4', image: 'c' }] }),
    { spec: { '$setElementOrder/containers': [{ name: '2' }, { name: '3' }], containers: [{ name: '3' }, { name: '1', $patch: 'delete' }] } },
    podSpec({ containers: [{ name: '2', image: 'b' }, { name: '4', image: 'c' }, { name: '3' }] }),
  ],
  // --- primitive lists (finalizers: patchStrategy merge) ----------------------------------------------
  [
    'finalizers merge as a set; new ones go first',
    CM,
    { metadata: { name: 'c', finalizers: ['a', 'c'] } },
    { metadata: { finalizers: ['b', 'a'] } },
    { metadata: { name: 'c', finalizers: ['b', 'a', 'c'] } },
  ],
  [
    '$deleteFromPrimitiveList removes finalizers',
    CM,
    { metadata: { name: 'c', finalizers: ['a', 'b', 'c'] } },
    { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zzz'] } },
    { metadata: { name: 'c', finalizers: ['a', 'c'] } },
  ],
  [
    '$deleteFromPrimitiveList on a missing list adds nothing',
    CM,
    { metadata: { name: 'c' } },
    { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    { metadata: { name: 'c' } },
  ],
  [
    '$setElementOrder on a primitive list, with additions and deletions (kubectl apply)',
    CM,
    { metadata: { name: 'c', finalizers: ['a', 'b', 'c'] } },
    { metadata: { '$setElementOrder/finalizers': ['c', 'd', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'], finalizers: ['d'] } },
    { metadata: { name: 'c', finalizers: ['c', 'd', 'a'] } },
  ],
  [
    'a primitive list without merge strategy is replaced',
    'io.k8s.api.core.v1.Namespace',
    { metadata: { name: 'n' }, spec: { finalizers: ['kubernetes', 'x'] } },
    { spec: { finalizers: ['y'] } },
    { metadata: { name: 'n' }, spec: { finalizers: ['y'] } },
  ],
  // --- retainKeys on a struct -------------------------------------------------------------------
  [
    'Deployment strategy: $retainKeys clears rollingUpdate when switching to Recreate',
    DEPLOY,
    deploy({ containers: [{ name: 'web', image: 'nginx' }] }, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }),
    { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    deploy({ containers: [{ name: 'web', image: 'nginx' }] }, { strategy: { type: 'Recreate' } }),
  ],
  // --- no schema: JSON merge semantics ---------------------------------------------------------------
  [
    'unknown definition: maps merge, lists replace, directives still apply',
    'io.example.v1.Widget',
    { spec: { items: [{ name: 'a', v: 1 }], m: { a: 1, b: 2 } } },
    { spec: { items: [{ name: 'b' }], m: { a: null, c: 3, d: { $patch: 'delete' } } } },
    { spec: { items: [{ name: 'b' }], m: { b: 2, c: 3 } } },
  ],
  [
    'unknown field of a known type: merged like JSON merge patch',
    POD,
    podSpec({ containers: [{ name: 'a', image: 'x' }], extra: { a: [1], b: 1 } }),
    { spec: { extra: { a: [2], c: 3 } } },
    podSpec({ containers: [{ name: 'a', image: 'x' }], extra: { a: [2], b: 1, c: 3 } }),
  ],
];

describe('applyStrategicMergePatch', () => {
  for (const [description, definition, original, patch, expected] of cases) {
    it(description, () => {
      deepFreeze(original);
      deepFreeze(patch);
      const got = applyStrategicMergePatch(original, JSON.parse(JSON.stringify(patch)), definition);
      expect(got).toEqual(expected);
      // applying the patch object itself (frozen) works too and gives the same answer
      expect(applyStrategicMergePatch(original, patch, definition)).toEqual(expected);
    });
  }

  it('a null patch changes nothing', () => {
    const o = { metadata: { name: 'x' } };
    const got = applyStrategicMergePatch(o, null, POD);
    expect(got).toEqual(o);
    expect(got).not.toBe(o);
  });

  it('returns fresh objects (no aliasing into the inputs)', () => {
    const original = podSpec({ containers: [{ name: 'a', image: 'x' }] });
    const patch = { metadata: { labels: { a: '1' } }, spec: { containers: [{ name: 'b', image: 'y' }] } };
    const got = applyStrategicMergePatch(original, patch, POD) as { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } };
    got.metadata.labels.a = 'changed';
    got.spec.containers[0].image = 'changed';
    expect(patch).toEqual({ metadata: { labels: { a: '1' } }, spec: { containers: [{ name: 'b', image: 'y' }] } });
    expect(original).toEqual(podSpec({ containers: [{ name: 'a', image: 'x' }] }));
  });
});

describe('applyStrategicMergePatch errors (kube-apiserver messages; its reason-less 500s are 400 BadRequest here)', () => {
  const pod = podSpec({ containers: [{ name: 'web', image: 'nginx' }] });
  const errCases: [string, unknown, number, string, string | undefined][] = [
    ['patch is an array', [1], 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}', 'BadRequest'],
    ['patch is a string', 'x', 400, 'json: cannot unmarshal string into Go value of type map[string]interface {}', 'BadRequest'],
    [
      'element without its merge key',
      { spec: { containers: [{ image: 'nginx:2' }] } },
      400,
      'map: map[image:nginx:2] does not contain declared merge key: name',
      'BadRequest',
    ],
    [
      'unknown $patch value on a list element',
      { spec: { containers: [{ name: 'web', $patch: 'foo' }] } },
      400,
      'unknown patch type: foo in map: map[$patch:foo name:web]',
      'BadRequest',
    ],
    ['unknown $patch value on a map', { spec: { $patch: 'foo' } }, 400, 'unknown patch type: foo in map: map[$patch:foo]', 'BadRequest'],
    ['$patch: merge in a list', { spec: { containers: [{ $patch: 'merge' }] } }, 400, 'merging lists cannot yet be specified in the patch', 'BadRequest'],
    ['$patch: merge on a map', { spec: { $patch: 'merge' } }, 400, 'unknown patch type: merge in map: map[$patch:merge]', 'BadRequest'],
    ['$retainKeys not a list', { spec: { $retainKeys: 'x' } }, 400, 'invalid patch format of retainKeys', 'BadRequest'],
    ['$retainKeys missing a patched key', { spec: { $retainKeys: ['containers'], hostname: 'h' } }, 400, 'invalid patch format of retainKeys', 'BadRequest'],
    ['$setElementOrder not a list', { spec: { '$setElementOrder/containers': 'x' } }, 400, 'expected a []interface {}, but received a string', 'BadRequest'],
    ['$setElementOrder without a field', { spec: { $setElementOrder: [] } }, 400, 'invalid patch format of setElementOrder list', 'BadRequest'],
    [
      '$deleteFromPrimitiveList with a bad prefix',
      { metadata: { '$deleteFromPrimitiveListX/finalizers': ['a'] } },
      400,
      'invalid patch format of primitive list',
      'BadRequest',
    ],
    [
      '$setElementOrder that contradicts the patch list',
      { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'other', image: 'x' }] } },
      400,
      "The order in patch list:\n[map[image:x name:other]]\n doesn't match $setElementOrder list:\n[map[name:web]]\n",
      'BadRequest',
    ],
    ['list of lists in a merging list', { metadata: { finalizers: [['a']] } }, 422, 'the server rejected our request due to an error in our request', 'Invalid'],
    [
      'mixed element types in a merging list',
      { metadata: { finalizers: ['a', 1] } },
      400,
      'list element types are not identical: [[] [a 1]]',
      'BadRequest',
    ],
  ];
  for (const [description, patch, code, message, reason] of errCases) {
    it(description, () => {
      const e = thrown(() => applyStrategicMergePatch({ ...pod, metadata: { name: 'p', finalizers: [] } }, patch, POD));
      expect(e.code).toBe(code);
      expect(e.status.message).toBe(message);
      expect(e.status.reason).toBe(reason);
    });
  }
});

describe('createTwoWayMergePatch', () => {
  it('produces what kubectl sends for an image change and an env removal', () => {
    const original = deploy({ containers: [{ name: 'web', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }] }] });
    const modified = deploy({ containers: [{ name: 'web', image: 'nginx:1.26' }] });
    const patch = createTwoWayMergePatch(original, modified, DEPLOY);
    expect(patch).toEqual({
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ env: null, image: 'nginx:1.26', name: 'web' }] } } },
    });
    expect(applyStrategicMergePatch(original, patch, DEPLOY)).toEqual(modified);
  });

  it('deletes list elements with $patch: delete and scalars with $deleteFromPrimitiveList', () => {
    const original = { metadata: { name: 'p', finalizers: ['a', 'b'] }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
    const modified = { metadata: { name: 'p', finalizers: ['a'] }, spec: { containers: [{ name: 'b', image: 'y' }] } };
    const patch = createTwoWayMergePatch(original, modified, POD);
    expect(patch).toEqual({
      metadata: { '$deleteFromPrimitiveList/finalizers': ['b'], '$setElementOrder/finalizers': ['a'] },
      spec: { '$setElementOrder/containers': [{ name: 'b' }], containers: [{ $patch: 'delete', name: 'a' }] },
    });
    expect(applyStrategicMergePatch(original, patch, POD)).toEqual(modified);
  });

  it('emits $retainKeys for retainKeys fields (volumes, deployment strategy)', () => {
    const original = podSpec({ containers: [{ name: 'a', image: 'x' }], volumes: [{ name: 'v', emptyDir: {} }] });
    const modified = podSpec({ containers: [{ name: 'a', image: 'x' }], volumes: [{ name: 'v', configMap: { name: 'c' } }] });
    const patch = createTwoWayMergePatch(original, modified, POD);
    expect(patch).toEqual({
      spec: { '$setElementOrder/volumes': [{ name: 'v' }], volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'c' }, emptyDir: null, name: 'v' }] },
    });
    expect(applyStrategicMergePatch(original, patch, POD)).toEqual(modified);
  });

  it('round-trips assorted changes', () => {
    const original = deploy(
      {
        containers: [
          { name: 'a', image: '1', ports: [{ containerPort: 80 }, { containerPort: 81 }], env: [{ name: 'X', value: '1' }] },
          { name: 'b', image: '2' },
        ],
        tolerations: [{ key: 't' }],
        nodeSelector: { disk: 'ssd' },
      },
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
    );
    const modified = deploy(
      {
        containers: [
          { name: 'c', image: '3' },
          { name: 'a', image: '1b', ports: [{ containerPort: 81 }, { containerPort: 82 }], env: [{ name: 'Y', value: '2' }, { name: 'X', value: '1' }] },
        ],
        tolerations: [],
        nodeSelector: { zone: 'a' },
      },
      { strategy: { type: 'Recreate' } },
    );
    const patch = createTwoWayMergePatch(original, modified, DEPLOY);
    expect(applyStrategicMergePatch(original, patch, DEPLOY)).toEqual(modified);
    expect(createTwoWayMergePatch(modified, modified, DEPLOY)).toEqual({});
  });
});
