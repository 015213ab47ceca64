import { describe, expect, it } from 'vitest';
import { imageTag, podQOSClass, resources } from '../../src/registry/core';
import type { FieldError, KObject, ResourceDef } from '../../src/registry/types';

const NOW = Date.parse('2025-01-01T01:00:00Z');
const MIN = 60_000;
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function def(resource: string): ResourceDef {
  const d = resources.find((r) => r.resource === resource);
  if (!d) throw new Error(`no ${resource}`);
  return d;
}
const clone = <T>(v: T): T => structuredClone(v);
const obj = (kind: string, name: string, body: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace: 'default', creationTimestamp: ago(10 * MIN), ...meta },
  ...body,
});
/** The row as a column-name → cell map. */
function row(resource: string, o: KObject): Record<string, unknown> {
  const p = def(resource).printer!;
  const cells = p.cells(o, NOW);
  expect(cells).toHaveLength(p.columns.length);
  return Object.fromEntries(p.columns.map((c, i) => [c.name, cells[i]]));
}
const messages = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${e.message}`);
/** Defaults, prepareForCreate and validate, as the store runs them on create. */
function createErrors(resource: string, o: KObject): string[] {
  const d = def(resource);
  const x = clone(o);
  d.defaults?.(x);
  d.prepareForCreate?.(x);
  return messages(d.validate?.(x) ?? []);
}
function created(resource: string, o: KObject): KObject {
  const d = def(resource);
  const x = clone(o);
  d.defaults?.(x);
  d.prepareForCreate?.(x);
  expect(messages(d.validate?.(x) ?? [])).toEqual([]);
  x.metadata.resourceVersion = '1';
  return x;
}
/** Update errors the way the store reports them: validate(new) then validateUpdate(new, old). */
function updateErrors(resource: string, oldObj: KObject, mutate: (o: KObject) => void): string[] {
  const d = def(resource);
  const next = clone(oldObj);
  mutate(next);
  d.defaults?.(next);
  return messages([...(d.validate?.(next) ?? []), ...(d.validateUpdate?.(next, oldObj) ?? [])]);
}

const pod = (spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) =>
  obj('Pod', 'web', { spec: { containers: [{ name: 'web', image: 'nginx' }], ...spec }, status }, meta);

describe('discovery data', () => {
  it.each<[string, string, string[] | undefined, string[] | undefined, string[]]>([
    ['bindings', 'Namespaced', ['create'], undefined, []],
    ['componentstatuses', 'Cluster', ['get', 'list'], ['cs'], []],
    ['configmaps', 'Namespaced', undefined, ['cm'], []],
    ['endpoints', 'Namespaced', undefined, ['ep'], []],
    ['events', 'Namespaced', undefined, ['ev'], []],
    ['limitranges', 'Namespaced', undefined, ['limits'], []],
    ['namespaces', 'Cluster', ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['ns'], ['finalize', 'status']],
    ['nodes', 'Cluster', undefined, ['no'], ['proxy', 'status']],
    ['persistentvolumeclaims', 'Namespaced', undefined, ['pvc'], ['status']],
    ['persistentvolumes', 'Cluster', undefined, ['pv'], ['status']],
    ['pods', 'Namespaced', undefined, ['po'], ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'resize', 'status']],
    ['podtemplates', 'Namespaced', undefined, undefined, []],
    ['replicationcontrollers', 'Namespaced', undefined, ['rc'], ['scale', 'status']],
    ['resourcequotas', 'Namespaced', undefined, ['quota'], ['status']],
    ['secrets', 'Namespaced', undefined, undefined, []],
    ['serviceaccounts', 'Namespaced', undefined, ['sa'], ['token']],
    ['services', 'Namespaced', undefined, ['svc'], ['proxy', 'status']],
  ])('%s', (resource, scope, verbs, shortNames, subs) => {
    const d = def(resource);
    expect(d.group).toBe('');
    expect(d.version).toBe('v1');
    expect(d.scope).toBe(scope);
    expect(d.verbs).toEqual(verbs ?? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    expect(d.shortNames).toEqual(shortNames);
    expect((d.subresources ?? []).map((s) => s.name)).toEqual(subs);
    expect(d.statusSubresource ?? false).toBe(subs.includes('status'));
  });

  it('has upstream subresource kinds, groups and verbs', () => {
    const sub = (r: string, name: string) => def(r).subresources!.find((s) => s.name === name);
    expect(sub('pods', 'eviction')).toEqual({ name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    expect(sub('pods', 'exec')).toMatchObject({ group: '', kind: 'PodExecOptions', verbs: ['create', 'get'] });
    expect(sub('pods', 'log')).toMatchObject({ kind: 'Pod', verbs: ['get'] });
    expect(sub('pods', 'resize')).toMatchObject({ kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    expect(sub('replicationcontrollers', 'scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(sub('serviceaccounts', 'token')).toMatchObject({ group: 'authentication.k8s.io', kind: 'TokenRequest', verbs: ['create'] });
    expect(sub('nodes', 'proxy')).toMatchObject({ kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
    expect(sub('namespaces', 'finalize')).toMatchObject({ kind: 'Namespace', verbs: ['update'] });
    expect(def('pods').categories).toEqual(['all']);
    expect(def('services').categories).toEqual(['all']);
    expect(def('replicationcontrollers').categories).toEqual(['all']);
    expect(def('pods').generation).toBe(true);
    expect(def('replicationcontrollers').generation).toBe(true);
    expect(def('services').generation).toBeUndefined();
    expect(def('namespaces').generation).toBeUndefined();
  });

  it('starts every printer with a Name column of format name, wide columns at priority 1', () => {
    for (const d of resources) {
      if (!d.printer || d.resource === 'events') continue;
      expect(d.printer.columns[0]).toMatchObject({ name: 'Name', format: 'name', priority: 0 });
    }
    const priorities = (r: string) => Object.fromEntries(def(r).printer!.columns.map((c) => [c.name, c.priority]));
    expect(priorities('pods')).toEqual({ Name: 0, Ready: 0, Status: 0, Restarts: 0, Age: 0, IP: 1, Node: 1, 'Nominated Node': 1, 'Readiness Gates': 1 });
    expect(priorities('services')).toEqual({ Name: 0, Type: 0, 'Cluster-IP': 0, 'External-IP': 0, 'Port(s)': 0, Age: 0, Selector: 1 });
    expect(priorities('nodes')).toEqual({
      Name: 0, Status: 0, Roles: 0, Age: 0, Version: 0,
      'Internal-IP': 1, 'External-IP': 1, 'OS-Image': 1, 'Kernel-Version': 1, 'Container-Runtime': 1,
    });
    expect(priorities('events')).toEqual({
      'Last Seen': 0, Type: 0, Reason: 0, Object: 0, Subobject: 1, Source: 1, Message: 0, 'First Seen': 1, Count: 1, Name: 1,
    });
    expect(def('limitranges').printer).toBeUndefined();
  });
});

describe('pod printer', () => {
  const running = (name: string, ready = true, restartCount = 0, extra: Record<string, unknown> = {}) => ({
    name, ready, restartCount, started: true, state: { running: { startedAt: ago(9 * MIN) } }, ...extra,
  });
  const waiting = (name: string, reason: string, restartCount = 0, extra: Record<string, unknown> = {}) => ({
    name, ready: false, restartCount, state: { waiting: { reason } }, ...extra,
  });
  const terminated = (name: string, t: Record<string, unknown>, restartCount = 0) => ({
    name, ready: false, restartCount, state: { terminated: { exitCode: 0, ...t } },
  });
  const two = { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] };
  const inits = { initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] };

  it.each([
    ['pending, nothing reported', pod({}, { phase: 'Pending' }), '0/1', 'Pending', '0'],
    ['running and ready', pod({}, { phase: 'Running', containerStatuses: [running('web')] }), '1/1', 'Running', '0'],
    ['running, not ready', pod({}, { phase: 'Running', containerStatuses: [running('web', false)] }), '0/1', 'Running', '0'],
    ['image pull back-off', pod({}, { phase: 'Pending', containerStatuses: [waiting('web', 'ImagePullBackOff')] }), '0/1', 'ImagePullBackOff', '0'],
    [
      'crash loop with restart age',
      pod({}, {
        phase: 'Running',
        containerStatuses: [waiting('web', 'CrashLoopBackOff', 5, { lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * MIN) } } })],
      }),
      '0/1', 'CrashLoopBackOff', '5 (5m ago)',
    ],
    ['restarts without a termination time', pod({}, { phase: 'Running', containerStatuses: [running('web', true, 3)] }), '1/1', 'Running', '3'],
    ['completed', pod({}, { phase: 'Succeeded', containerStatuses: [terminated('web', { reason: 'Completed' })] }), '0/1', 'Completed', '0'],
    ['error', pod({}, { phase: 'Failed', containerStatuses: [terminated('web', { reason: 'Error', exitCode: 1 })] }), '0/1', 'Error', '0'],
    ['exit code without reason', pod({}, { phase: 'Failed', containerStatuses: [terminated('web', { exitCode: 137 })] }), '0/1', 'ExitCode:137', '0'],
    ['signal without reason', pod({}, { phase: 'Failed', containerStatuses: [terminated('web', { exitCode: 0, signal: 9 })] }), '0/1', 'Signal:9', '0'],
    ['evicted (pod reason)', pod({}, { phase: 'Failed', reason: 'Evicted' }), '0/1', 'Evicted', '0'],
    [
      'one completed, one running, pod ready',
      pod(two, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [terminated('a', { reason: 'Completed' }), running('b')] }),
      '1/2', 'Running', '0',
    ],
    [
      'one completed, one running, pod not ready',
      pod(two, { phase: 'Running', containerStatuses: [running('a'), terminated('b', { reason: 'Completed' })] }),
      '1/2', 'NotReady', '0',
    ],
    ['init 0/2', pod(inits, { phase: 'Pending', initContainerStatuses: [waiting('i1', 'PodInitializing'), waiting('i2', 'PodInitializing')] }), '0/1', 'Init:0/2', '0'],
    [
      'init 1/2',
      pod(inits, { phase: 'Pending', initContainerStatuses: [terminated('i1', { reason: 'Completed' }), running('i2', false)] }),
      '0/1', 'Init:1/2', '0',
    ],
    [
      'init crash loop counts init restarts',
      pod(inits, { phase: 'Pending', initContainerStatuses: [waiting('i1', 'CrashLoopBackOff', 2)] }),
      '0/1', 'Init:CrashLoopBackOff', '2',
    ],
    ['init error', pod(inits, { phase: 'Failed', initContainerStatuses: [terminated('i1', { reason: 'Error', exitCode: 2 })] }), '0/1', 'Init:Error', '0'],
    ['init exit code', pod(inits, { phase: 'Failed', initContainerStatuses: [terminated('i1', { exitCode: 3 })] }), '0/1', 'Init:ExitCode:3', '0'],
    [
      'restartable init (sidecar) counts',
      pod(
        { initContainers: [{ name: 'side', image: 'x', restartPolicy: 'Always' }] },
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [running('side', true, 1)],
          containerStatuses: [running('web')],
        },
      ),
      '2/2', 'Running', '1',
    ],
    ['terminating', pod({}, { phase: 'Running', containerStatuses: [running('web')] }, { deletionTimestamp: ago(0) }), '1/1', 'Terminating', '0'],
    ['terminating but already succeeded', pod({}, { phase: 'Succeeded', containerStatuses: [terminated('web', { reason: 'Completed' })] }, { deletionTimestamp: ago(0) }), '0/1', 'Completed', '0'],
    ['node lost', pod({}, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: ago(0) }), '0/1', 'Unknown', '0'],
    [
      'scheduling gated',
      pod({ schedulingGates: [{ name: 'g' }] }, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
      '0/1', 'SchedulingGated', '0',
    ],
  ])('%s', (_name, p, ready, status, restarts) => {
    const r = row('pods', p);
    expect([r.Ready, r.Status, r.Restarts]).toEqual([ready, status, restarts]);
    expect(r.Name).toBe('web');
    expect(r.Age).toBe('10m');
  });

  it.each([
    ['nothing yet', pod(), ['<none>', '<none>', '<none>', '<none>']],
    [
      'scheduled with IP and gates',
      pod(
        { nodeName: 'worker-1', readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] },
        { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], nominatedNodeName: 'worker-2', conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }] },
      ),
      ['10.244.1.5', 'worker-1', 'worker-2', '1/2'],
    ],
    ['podIPs only', pod({}, { podIPs: [{ ip: 'fd00::5' }] }), ['fd00::5', '<none>', '<none>', '<none>']],
  ])('wide cells: %s', (_name, p, expected) => {
    const r = row('pods', p);
    expect([r.IP, r.Node, r['Nominated Node'], r['Readiness Gates']]).toEqual(expected);
  });
});

describe('service printer', () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) =>
    obj('Service', 'web', { spec: { ports: [{ port: 80, protocol: 'TCP' }], ...spec }, status });
  it.each([
    ['cluster IP', svc({ type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { app: 'web', tier: 'fe' } }),
      ['ClusterIP', '10.96.0.10', '<none>', '80/TCP', 'app=web,tier=fe']],
    ['external IPs', svc({ type: 'ClusterIP', clusterIPs: ['10.96.0.10'], externalIPs: ['1.2.3.4', '5.6.7.8'] }),
      ['ClusterIP', '10.96.0.10', '1.2.3.4,5.6.7.8', '80/TCP', '<none>']],
    ['headless', svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [] }), ['ClusterIP', 'None', '<none>', '<none>', '<none>']],
    ['node port', svc({ type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, nodePort: 30053, protocol: 'UDP' }] }),
      ['NodePort', '10.96.0.11', '<none>', '80:30080/TCP,53:30053/UDP', '<none>']],
    ['load balancer pending', svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }),
      ['LoadBalancer', '10.96.0.12', '<pending>', '443:31443/TCP', '<none>']],
    ['load balancer with ingress (wide, unclipped, sorted)',
      svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.12'] }, { loadBalancer: { ingress: [{ ip: '203.0.113.20' }, { hostname: 'a-very-long-hostname.example.com' }, { ip: '203.0.113.20' }] } }),
      ['LoadBalancer', '10.96.0.12', '203.0.113.20,a-very-long-hostname.example.com', '80/TCP', '<none>']],
    ['load balancer plus external IPs', svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], externalIPs: ['9.9.9.9'] }, { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } }),
      ['LoadBalancer', '10.96.0.12', '1.1.1.1,9.9.9.9', '80/TCP', '<none>']],
    ['external name', svc({ type: 'ExternalName', externalName: 'db.example.com', ports: [] }), ['ExternalName', '<none>', 'db.example.com', '<none>', '<none>']],
  ])('%s', (_name, s, expected) => {
    const r = row('services', s);
    expect([r.Type, r['Cluster-IP'], r['External-IP'], r['Port(s)'], r.Selector]).toEqual(expected);
  });
});

describe('node printer', () => {
  const node = (labels: Record<string, string>, conditions: unknown[], spec: Record<string, unknown> = {}) =>
    obj('Node', 'n1', { spec, status: { conditions, nodeInfo: { kubeletVersion: 'v1.33.0' }, addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] } }, { namespace: undefined, labels });
  const ready = [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }];
  it.each([
    ['ready worker', node({}, ready), 'Ready', '<none>'],
    ['not ready', node({}, [{ type: 'Ready', status: 'False' }]), 'NotReady', '<none>'],
    ['unknown readiness', node({}, [{ type: 'Ready', status: 'Unknown' }]), 'NotReady', '<none>'],
    ['no conditions', node({}, []), 'Unknown', '<none>'],
    ['cordoned control plane', node({ 'node-role.kubernetes.io/control-plane': '' }, ready, { unschedulable: true }), 'Ready,SchedulingDisabled', 'control-plane'],
    ['several roles, sorted', node({ 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/infra': '', 'node-role.kubernetes.io/': '' }, ready), 'Ready', 'infra,worker'],
    ['legacy role label', node({ 'kubernetes.io/role': 'master' }, ready), 'Ready', 'master'],
  ])('%s', (_name, n, status, roles) => {
    const r = row('nodes', n);
    expect([r.Status, r.Roles, r.Version]).toEqual([status, roles, 'v1.33.0']);
    expect([r['Internal-IP'], r['External-IP'], r['OS-Image']]).toEqual(['172.18.0.2', '<none>', '<unknown>']);
  });
});

describe('other printers', () => {
  it.each([
    ['namespaces', obj('Namespace', 'dev', { status: { phase: 'Active' } }), ['dev', 'Active', '10m']],
    ['configmaps', obj('ConfigMap', 'cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['cfg', 3, '10m']],
    ['secrets', obj('Secret', 's', { type: 'Opaque', data: { a: 'YQ==' } }), ['s', 'Opaque', 1, '10m']],
    ['serviceaccounts', obj('ServiceAccount', 'default'), ['default', 0, '10m']],
    ['endpoints', obj('Endpoints', 'web', { subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }] }),
      ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...', '10m']],
    ['endpoints', obj('Endpoints', 'none'), ['none', '<none>', '10m']],
    ['replicationcontrollers', obj('ReplicationController', 'rc', { spec: { replicas: 3, selector: { app: 'x' }, template: { spec: { containers: [{ name: 'a', image: 'i1' }, { name: 'b', image: 'i2' }] } } }, status: { replicas: 2, readyReplicas: 1 } }),
      ['rc', 3, 2, 1, '10m', 'a,b', 'i1,i2', 'app=x']],
    ['podtemplates', obj('PodTemplate', 'pt', { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'i' }] } } }), ['pt', 'a', 'i', 'app=x']],
    ['resourcequotas', obj('ResourceQuota', 'q', { status: { hard: { pods: '10', 'limits.cpu': '4', 'requests.cpu': '2' }, used: { pods: '3', 'requests.cpu': '500m' } } }),
      ['q', 'pods: 3/10, requests.cpu: 500m/2', 'limits.cpu: 0/4', '10m']],
    ['componentstatuses', obj('ComponentStatus', 'etcd-0', { conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] }), ['etcd-0', 'Healthy', 'ok', '']],
    ['persistentvolumes', obj('PersistentVolume', 'pv1', { spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'standard', volumeMode: 'Filesystem' }, status: { phase: 'Bound' } }),
      ['pv1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'standard', '<unset>', '', '10m', 'Filesystem']],
    ['persistentvolumeclaims', obj('PersistentVolumeClaim', 'data', { spec: { volumeName: 'pv1', storageClassName: 'standard', volumeMode: 'Filesystem' }, status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] } }),
      ['data', 'Bound', 'pv1', '10Gi', 'RWO', 'standard', '<unset>', '10m', 'Filesystem']],
    ['persistentvolumeclaims', obj('PersistentVolumeClaim', 'new', { spec: {}, status: { phase: 'Pending' } }), ['new', 'Pending', '', '', '', '', '<unset>', '10m', '<unset>']],
  ])('%s', (resource, o, cells) => {
    expect(def(resource).printer!.cells(o, NOW)).toEqual(cells);
  });

  it('prints events like kubectl get events', () => {
    const ev = obj('Event', 'web.17a', {
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{web}' },
      reason: 'Pulled', message: 'Successfully pulled image\n', type: 'Normal', count: 3,
      firstTimestamp: ago(8 * MIN), lastTimestamp: ago(2 * MIN), source: { component: 'kubelet', host: 'worker-1' },
    });
    expect(def('events').printer!.cells(ev, NOW)).toEqual(['2m', 'Normal', 'Pulled', 'pod/web', 'spec.containers{web}', 'kubelet, worker-1', 'Successfully pulled image', '8m', 3, 'web.17a']);
    const newApi = obj('Event', 'x', { involvedObject: { kind: 'Node' }, eventTime: ago(90_000), reportingComponent: 'ctrl', type: 'Warning', reason: 'R' });
    expect(def('events').printer!.cells(newApi, NOW)).toEqual(['90s', 'Warning', 'R', 'node', '', 'ctrl', '', '90s', 1, 'x']);
  });
});

describe('field selectors', () => {
  const fs = (resource: string, o: KObject) =>
    Object.fromEntries(Object.entries(def(resource).fieldSelectors ?? {}).map(([k, f]) => [k, f(o)]));
  it.each([
    ['pods', pod({ nodeName: 'n1', hostNetwork: true, restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' }, { phase: 'Running', podIP: '10.0.0.9' }), {
      'spec.nodeName': 'n1', 'spec.restartPolicy': 'Always', 'spec.schedulerName': 'default-scheduler', 'spec.serviceAccountName': 'default',
      'spec.hostNetwork': 'true', 'status.phase': 'Running', 'status.podIP': '10.0.0.9', 'status.podIPs': '', 'status.nominatedNodeName': '',
    }],
    ['nodes', obj('Node', 'n', { spec: {} }), { 'spec.unschedulable': 'false' }],
    ['namespaces', obj('Namespace', 'n', { status: { phase: 'Terminating' } }), { 'status.phase': 'Terminating' }],
    ['secrets', obj('Secret', 's', { type: 'kubernetes.io/tls' }), { type: 'kubernetes.io/tls' }],
    ['replicationcontrollers', obj('ReplicationController', 'r', { status: { replicas: 2 } }), { 'status.replicas': '2' }],
    ['services', obj('Service', 's', { spec: { type: 'NodePort', clusterIP: '10.96.0.1' } }), { 'spec.clusterIP': '10.96.0.1', 'spec.type': 'NodePort' }],
    ['events', obj('Event', 'e', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', uid: 'u1', apiVersion: 'v1', resourceVersion: '5', fieldPath: 'x' }, reason: 'Started', type: 'Normal', reportingComponent: 'kubelet' }), {
      'involvedObject.kind': 'Pod', 'involvedObject.namespace': 'default', 'involvedObject.name': 'p', 'involvedObject.uid': 'u1',
      'involvedObject.apiVersion': 'v1', 'involvedObject.resourceVersion': '5', 'involvedObject.fieldPath': 'x',
      reason: 'Started', reportingComponent: 'kubelet', source: 'kubelet', type: 'Normal',
    }],
  ])('%s', (resource, o, expected) => {
    expect(fs(resource, o)).toEqual(expected);
  });
  it('has none beyond metadata for the others', () => {
    for (const r of ['configmaps', 'endpoints', 'limitranges', 'podtemplates', 'resourcequotas', 'serviceaccounts', 'persistentvolumes', 'persistentvolumeclaims']) {
      expect(def(r).fieldSelectors).toBeUndefined();
    }
  });
});

describe('pod defaults and create', () => {
  it('fills in what kube-apiserver and its admission plugins add', () => {
    const p = created('pods', obj('Pod', 'nginx', { spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } }));
    const spec = p.spec as Record<string, any>;
    const volumeName = spec.volumes[0].name as string;
    expect(volumeName).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(spec).toEqual({
      containers: [{
        name: 'nginx', image: 'nginx', imagePullPolicy: 'Always', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {},
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
        volumeMounts: [{ name: volumeName, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
      }],
      dnsPolicy: 'ClusterFirst', enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0, restartPolicy: 'Always',
      schedulerName: 'default-scheduler', securityContext: {}, serviceAccount: 'default', serviceAccountName: 'default', terminationGracePeriodSeconds: 30,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      volumes: [{
        name: volumeName,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      }],
    });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('keeps user choices and skips what is already there', () => {
    const p = created('pods', obj('Pod', 'p', {
      spec: {
        serviceAccount: 'builder', automountServiceAccountToken: false, priorityClassName: 'system-node-critical',
        tolerations: [{ operator: 'Exists' }], terminationGracePeriodSeconds: 0,
        containers: [{ name: 'c', image: 'busybox:1.36', resources: { limits: { cpu: '1', memory: '1Gi' } }, livenessProbe: { httpGet: { port: 8080 } } }],
        volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cfg' } }],
      },
      status: { phase: 'Running' },
    }));
    const spec = p.spec as Record<string, any>;
    expect(spec.serviceAccountName).toBe('builder');
    expect(spec.serviceAccount).toBe('builder');
    expect(spec.priority).toBe(2000001000);
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(spec.terminationGracePeriodSeconds).toBe(0);
    expect(spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } }]);
    const c = spec.containers[0];
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.volumeMounts).toBeUndefined();
    expect(c.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
    expect(c.resizePolicy).toEqual([{ resourceName: 'cpu', restartPolicy: 'NotRequired' }, { resourceName: 'memory', restartPolicy: 'NotRequired' }]);
    expect(c.livenessProbe).toEqual({ httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
  });

  it('adds the SchedulingGated condition', () => {
    const p = created('pods', pod({ schedulingGates: [{ name: 'wait' }] }));
    expect((p.status as any).conditions).toMatchObject([{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }]);
  });

  it.each([
    ['nginx', 'latest'], ['nginx:1.27', '1.27'], ['nginx:latest', 'latest'], ['registry.k8s.io/pause:3.10', '3.10'],
    ['localhost:5000/app', 'latest'], ['localhost:5000/app:v2', 'v2'], [`nginx@sha256:${'a'.repeat(64)}`, ''],
    [`nginx:1.2@sha256:${'b'.repeat(64)}`, '1.2'], ['Nginx', ''], ['', ''],
  ])('image tag of %j is %j', (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });

  it.each([
    ['no resources', [{}], 'BestEffort'],
    ['requests only', [{ requests: { cpu: '100m' } }], 'Burstable'],
    ['equal requests and limits', [{ requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '0.5', memory: '128Mi' } }], 'Guaranteed'],
    ['limits lower than requests differ', [{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } }], 'Burstable'],
    ['one container without limits', [{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, {}], 'Burstable'],
    ['only extended resources', [{ requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } }], 'BestEffort'],
  ])('QoS: %s', (_name, res, qos) => {
    expect(podQOSClass({ containers: res.map((r, i) => ({ name: `c${i}`, resources: r })) })).toBe(qos);
  });

  it('gracefully deletes scheduled, running pods only', () => {
    const grace = def('pods').gracefulDeletion!;
    const p = created('pods', pod());
    expect(grace(p, undefined)).toBe(0); // not scheduled
    (p.spec as any).nodeName = 'n1';
    expect(grace(p, undefined)).toBe(30);
    expect(grace(p, 5)).toBe(5);
    expect(grace(p, -3)).toBe(1);
    (p.status as any).phase = 'Succeeded';
    expect(grace(p, undefined)).toBe(0);
  });
});

describe('other defaults and create hooks', () => {
  it('defaults services', () => {
    const s = created('services', obj('Service', 'web', { spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }] } }));
    expect(s.spec).toEqual({
      type: 'NodePort', selector: { app: 'web' }, sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }],
    });
    expect(s.status).toEqual({ loadBalancer: {} });
    const lb = created('services', obj('Service', 'lb', { spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 443 }] } }));
    expect(lb.spec).toMatchObject({ allocateLoadBalancerNodePorts: true, sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
    const headless = created('services', obj('Service', 'h', { spec: { clusterIP: 'None' } }));
    // initIPFamilyFields: a headless selectorless Service on a single-stack cluster gets both families.
    expect(headless.spec).toMatchObject({ type: 'ClusterIP', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });
    const ext = created('services', obj('Service', 'ext', { spec: { type: 'ExternalName', externalName: 'db.example.com' } }));
    expect(ext.spec).toEqual({ type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
  });

  it('defaults namespaces and adds the kubernetes finalizer on create', () => {
    const ns = created('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'dev' });
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
    def('namespaces').prepareForDelete!(ns);
    expect(ns.status).toEqual({ phase: 'Terminating' });
    expect(def('namespaces').twoPhaseDelete).toBe(true);
  });

  it('defaults secrets, folding stringData into data', () => {
    const s = created('secrets', obj('Secret', 's', { data: { a: 'YQ==' }, stringData: { b: 'héllo', a: 'x' } }));
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ a: 'eA==', b: 'aMOpbGxv' });
    expect(s.stringData).toBeUndefined();
  });

  it('defaults replication controllers and their templates', () => {
    const rc = created('replicationcontrollers', obj('ReplicationController', 'rc', {
      spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
    }));
    expect(rc.metadata.labels).toEqual({ app: 'x' });
    expect(rc.spec).toMatchObject({ replicas: 1, selector: { app: 'x' } });
    expect((rc.spec as any).template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    expect((rc.spec as any).template.spec.enableServiceLinks).toBeUndefined();
    expect(rc.status).toEqual({ replicas: 0 });
  });

  it('defaults persistent volumes and claims', () => {
    const pv = created('persistentvolumes', obj('PersistentVolume', 'pv', { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } }, { namespace: undefined }));
    expect(pv.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { path: '/data', type: '' } });
    expect((pv.status as any).phase).toBe('Pending');
    const pvc = created('persistentvolumeclaims', obj('PersistentVolumeClaim', 'c', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }));
    expect((pvc.spec as any).volumeMode).toBe('Filesystem');
    expect(pvc.status).toEqual({ phase: 'Pending' });
  });

  it('defaults limit range container items', () => {
    const lr = created('limitranges', obj('LimitRange', 'l', { spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } }));
    expect((lr.spec as any).limits[0]).toEqual({ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } });
  });

  it('defaults node allocatable from capacity', () => {
    const n = created('nodes', obj('Node', 'n', { status: { capacity: { cpu: '4', pods: '110' } } }, { namespace: undefined }));
    expect((n.status as any).allocatable).toEqual({ cpu: '4', pods: '110' });
  });
});

describe('validation on create', () => {
  const containers = (c: Record<string, unknown>[]) => ({ spec: { containers: c } });
  it.each([
    ['pods', obj('Pod', 'p', { spec: {} }), ['spec.containers: Required value']],
    ['pods', obj('Pod', 'p', containers([{ name: 'web' }])), ['spec.containers[0].image: Required value']],
    ['pods', obj('Pod', 'p', containers([{ image: 'x' }])), ['spec.containers[0].name: Required value']],
    ['pods', obj('Pod', 'p', containers([{ name: 'Web_1', image: 'x' }])), [
      `spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]],
    ['pods', obj('Pod', 'p', containers([{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }])), ['spec.containers[1].name: Duplicate value: "a"']],
    ['pods', obj('Pod', 'p', { spec: { containers: [{ name: 'a', image: 'x' }], initContainers: [{ name: 'a', image: 'y' }] } }), ['spec.initContainers[0].name: Duplicate value: "a"']],
    ['pods', obj('Pod', 'p', { spec: { restartPolicy: 'Sometimes', dnsPolicy: 'Google', containers: [{ name: 'a', image: 'x' }] } }), [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"',
    ]],
    ['pods', obj('Pod', 'p', containers([{ name: 'a', image: 'x', imagePullPolicy: 'Sometimes', ports: [{ containerPort: 70000 }, { containerPort: 80, protocol: 'HTTP', name: 'http' }, { containerPort: 81, name: 'http' }] }])), [
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[2].name: Duplicate value: "http"',
      'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    ]],
    ['pods', obj('Pod', 'p', containers([{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/d' }], env: [{ name: 'A=B' }, { value: 'x' }] }])), [
      `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
      'spec.containers[0].env[1].name: Required value',
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ]],
    ['pods', obj('Pod', 'p', containers([{ name: 'a', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }])), [
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]],
    ['pods', obj('Pod', 'p', { spec: { containers: [{ name: 'a', image: 'x' }], tolerations: [{ key: 'k', operator: 'Exists', value: 'v', effect: 'NoSchedule', tolerationSeconds: 5 }] } }), [
      `spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`,
      `spec.tolerations[0].operator: Invalid value: {"effect":"NoSchedule","key":"k","operator":"Exists","tolerationSeconds":5,"value":"v"}: value must be empty when \`operator\` is 'Exists'`,
    ]],
    ['pods', obj('Pod', 'p', { spec: { containers: [{ name: 'a', image: 'x' }], activeDeadlineSeconds: 0, volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] } }), [
      'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
      'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
    ]],
    ['pods', obj('Pod', 'p', { spec: { containers: [{ name: 'a', image: 'x' }], ephemeralContainers: [{ name: 'e', image: 'x' }] } }), [
      'spec.ephemeralContainers: Forbidden: cannot be set on create',
    ]],
    ['services', obj('Service', 's', { spec: { selector: { app: 'x' } } }), ['spec.ports: Required value']],
    ['services', obj('Service', 's', { spec: { type: 'Magic', ports: [{ port: 0 }] } }), [
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]],
    ['services', obj('Service', 's', { spec: { ports: [{ port: 80 }, { port: 80, name: 'b' }] } }), [
      'spec.ports[0].name: Required value',
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]],
    ['services', obj('Service', 's', { spec: { ports: [{ port: 80, nodePort: 30000 }], externalTrafficPolicy: 'Local' } }), [
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ]],
    ['services', obj('Service', 's', { spec: { type: 'ExternalName' } }), ['spec.externalName: Required value']],
    ['services', obj('Service', 's', { spec: { type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] } }), [
      `spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`,
    ]],
    ['configmaps', obj('ConfigMap', 'c', { data: { 'bad key': 'x', '..dots': 'y' }, binaryData: { 'bad key': 'AA==' } }), [
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      'data[bad key]: Invalid value: "bad key": duplicate of key present in binaryData',
      `data[..dots]: Invalid value: "..dots": must not start with '..'`,
      `binaryData[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]],
    ['configmaps', obj('ConfigMap', 'big', { data: { a: 'x'.repeat(1024 * 1024), b: 'y' } }), ['[]: Too long: may not be more than 1048576 bytes']],
    ['secrets', obj('Secret', 't', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==' } }), ['data[tls.key]: Required value']],
    ['secrets', obj('Secret', 'd', { type: 'kubernetes.io/dockerconfigjson', data: {} }), ['data[.dockerconfigjson]: Required value']],
    ['secrets', obj('Secret', 'sa', { type: 'kubernetes.io/service-account-token' }), ['metadata.annotations[kubernetes.io/service-account.name]: Required value']],
    ['namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: { finalizers: ['custom'] } }, [
      'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]],
    ['nodes', obj('Node', 'n', { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule' }, { key: 'x', effect: 'Never' }] } }, { namespace: undefined }), [
      'metadata.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
      'metadata.taints[2].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]],
    ['replicationcontrollers', obj('ReplicationController', 'rc', { spec: { selector: { app: 'a' }, template: { metadata: { labels: { app: 'b' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } }), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]],
    ['persistentvolumeclaims', obj('PersistentVolumeClaim', 'c', { spec: {} }), [
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ]],
    ['persistentvolumes', obj('PersistentVolume', 'pv', { spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, persistentVolumeReclaimPolicy: 'Keep' } }, { namespace: undefined }), [
      'spec: Required value: must specify a volume type',
      'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
    ]],
    ['resourcequotas', obj('ResourceQuota', 'q', { spec: { hard: { pods: '1500m', cpu: '-1' } } }), [
      'spec.hard[pods]: Invalid value: 1500m: must be an integer',
      'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    ]],
    ['events', obj('Event', 'e', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }), [
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]],
    ['endpoints', obj('Endpoints', 'e', { subsets: [{ addresses: [{ ip: '10.0.0.300' }], ports: [{ port: 80 }, { port: 81, name: 'b' }] }] }), [
      'subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].ports[0].name: Required value',
    ]],
  ])('%s #%#', (resource, o, expected) => {
    expect(createErrors(resource, o)).toEqual(expected);
  });

  it('accepts the usual objects', () => {
    for (const [resource, o] of [
      ['pods', pod()],
      ['services', obj('Service', 'web', { spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'https', port: 443 }] } })],
      ['configmaps', obj('ConfigMap', 'c', { data: { 'app.properties': 'x=1' } })],
      ['secrets', obj('Secret', 's', { type: 'kubernetes.io/basic-auth', data: { username: 'YQ==' } })],
      ['events', obj('Event', 'e', { involvedObject: { kind: 'Node', name: 'n1' } })],
      ['replicationcontrollers', obj('ReplicationController', 'rc', { spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } })],
      ['podtemplates', obj('PodTemplate', 'pt', { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } })],
    ] as const) {
      expect(createErrors(resource, o as KObject)).toEqual([]);
    }
  });

  it('uses the upstream name rules', () => {
    expect(def('namespaces').nameValidator!('a.b')).toEqual(['must not contain dots']);
    expect(def('services').nameValidator!('1web')).toHaveLength(1);
    expect(def('pods').nameValidator).toBeUndefined();
    expect(def('nodes').nameValidator).toBeUndefined();
  });
});

describe('validation on update', () => {
  const base = created('pods', pod({ nodeName: 'n1', tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] }));

  it.each([
    ['image change', (p: KObject) => ((p.spec as any).containers[0].image = 'nginx:1.27'), []],
    ['tolerationSeconds change and added toleration', (p: KObject) => {
      (p.spec as any).tolerations[0].tolerationSeconds = 5;
      (p.spec as any).tolerations.push({ key: 'b', operator: 'Exists' });
    }, []],
    ['activeDeadlineSeconds set', (p: KObject) => ((p.spec as any).activeDeadlineSeconds = 100), []],
    ['labels only', (p: KObject) => (p.metadata.labels = { a: 'b' }), []],
    ['status only', (p: KObject) => (p.status = { phase: 'Running' }), []],
    ['toleration removed', (p: KObject) => ((p.spec as any).tolerations = (p.spec as any).tolerations.slice(1)), [
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    ]],
    ['container added', (p: KObject) => (p.spec as any).containers.push({ name: 'b', image: 'x' }), [
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    ]],
  ])('pods: %s', (_name, mutate, expected) => {
    expect(updateErrors('pods', base, mutate)).toEqual(expected);
  });

  it('pods: other spec changes are forbidden with the upstream message', () => {
    const errs = updateErrors('pods', base, (p) => ((p.spec as any).restartPolicy = 'Never'));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n {2}core.PodSpec\{\n/,
    );
    expect(errs[0]).toContain('- \trestartPolicy: "Always"');
    expect(errs[0]).toContain('+ \trestartPolicy: "Never"');
  });

  it('pods: activeDeadlineSeconds may only shrink', () => {
    const withDeadline = clone(base);
    (withDeadline.spec as any).activeDeadlineSeconds = 100;
    expect(updateErrors('pods', withDeadline, (p) => ((p.spec as any).activeDeadlineSeconds = 200))).toEqual([
      'spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value',
    ]);
  });

  it.each([
    ['cluster IP change', (s: KObject) => Object.assign(s.spec as object, { clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'] }), [
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set',
    ]],
    ['cluster IP unset', (s: KObject) => Object.assign(s.spec as object, { clusterIP: '', clusterIPs: [] }), [
      'spec.clusterIPs[0]: Invalid value: []string{}: primary clusterIP can not be unset',
    ]],
    ['port change', (s: KObject) => ((s.spec as any).ports[0].port = 8080), []],
    ['to ExternalName', (s: KObject) => Object.assign(s.spec as object, { type: 'ExternalName', externalName: 'x.example.com', clusterIP: '', clusterIPs: [], ipFamilies: [], ipFamilyPolicy: undefined, internalTrafficPolicy: undefined, ports: [] }), []],
  ])('services: %s', (_name, mutate, expected) => {
    const svc = created('services', obj('Service', 'web', { spec: { ports: [{ port: 80 }], clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'] } }));
    expect(updateErrors('services', svc, mutate)).toEqual(expected);
  });

  it('configmaps and secrets: immutable data stays', () => {
    const cm = created('configmaps', obj('ConfigMap', 'c', { data: { a: '1' }, immutable: true }));
    expect(updateErrors('configmaps', cm, (c) => ((c.data as any).a = '2'))).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(updateErrors('configmaps', cm, (c) => delete c.immutable)).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
    expect(updateErrors('configmaps', cm, (c) => ((c.data as any).b = ''))).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(updateErrors('configmaps', cm, (c) => (c.metadata.labels = { a: 'b' }))).toEqual([]);
    const s = created('secrets', obj('Secret', 's', { data: { a: 'YQ==' } }));
    expect(updateErrors('secrets', s, (x) => (x.type = 'example.com/custom'))).toEqual(['type: Invalid value: "example.com/custom": field is immutable']);
    expect(updateErrors('secrets', s, (x) => ((x.data as any).b = 'Yg=='))).toEqual([]);
  });

  it('nodes: podCIDRs and providerID only from unset', () => {
    const n = created('nodes', obj('Node', 'n', { spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], providerID: 'kubedo://n' } }, { namespace: undefined }));
    expect(updateErrors('nodes', n, (x) => Object.assign(x.spec as object, { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'], providerID: 'other' }))).toEqual([
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
      'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
    ]);
    expect(updateErrors('nodes', n, (x) => ((x.spec as any).unschedulable = true))).toEqual([]);
  });

  it('persistent volume claims: spec is immutable except storage requests', () => {
    const pvc = created('persistentvolumeclaims', obj('PersistentVolumeClaim', 'c', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }));
    expect(updateErrors('persistentvolumeclaims', pvc, (x) => ((x.spec as any).accessModes = ['ReadWriteMany']))).toEqual([
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
    expect(updateErrors('persistentvolumeclaims', pvc, (x) => ((x.spec as any).volumeName = 'pv1'))).toEqual([]);
  });
});
