// Quota arithmetic: exact quantities and their canonical text, what objects charge, scopes, and
// kube-apiserver's constraint wording.
import { describe, expect, it } from 'vitest';
import { addQuantities, canonicalQuantity, compareQuantities, formatQuantity, parseExact } from '../../src/machinery/quantity';
import { calculateUsed, fromUsage, podConstraints, podMatchesScope, podUsage, prettyPrint, pvcUsage, quotaMatches, serviceUsage, storageKeysFor, usageOf } from '../../src/machinery/quota';

describe('exact quantities', () => {
  const canonical: [string, string][] = [
    ['0', '0'],
    ['1', '1'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['.1', '100m'],
    ['1k', '1k'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['512', '512'],
    ['1.5Gi', '1536Mi'],
    ['2e3', '2e3'],
    ['1n', '1n'],
    ['-250m', '-250m'],
  ];
  it.each(canonical)('%s is written %s', (text, want) => expect(canonicalQuantity(text)).toBe(want));

  it('adds in the first operand format and compares exactly', () => {
    const sum = (a: string, b: string) => formatQuantity(addQuantities(parseExact(a)!, parseExact(b)!));
    expect(sum('500m', '500m')).toBe('1');
    expect(sum('256Mi', '256Mi')).toBe('512Mi');
    expect(sum('1Gi', '512Mi')).toBe('1536Mi');
    expect(sum('0', '128Mi')).toBe('128Mi');
    expect(sum('100m', '0.2')).toBe('300m');
    expect(compareQuantities(parseExact('1Gi')!, parseExact('1073741824')!)).toBe(0);
    expect(compareQuantities(parseExact('1G')!, parseExact('1Gi')!)).toBe(-1);
    expect(parseExact('abc')).toBeUndefined();
  });
});

const pod = (containers: object[], extra: object = {}, status: object = { phase: 'Running' }) => ({ metadata: { name: 'p' }, spec: { containers, ...extra }, status });
const c = (name: string, requests?: object, limits?: object) => ({ name, resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });

describe('what objects charge', () => {
  it('pods: requests and limits summed over containers; init containers as a floor', () => {
    const p = pod([c('a', { cpu: '100m', memory: '64Mi' }, { cpu: '200m' }), c('b', { cpu: '300m' })], { initContainers: [c('init', { cpu: '1' })] });
    expect(fromUsage(podUsage(p))).toEqual({
      'count/pods': '1',
      cpu: '1',
      'limits.cpu': '200m',
      memory: '64Mi',
      pods: '1',
      'requests.cpu': '1',
      'requests.memory': '64Mi',
    });
  });

  it('terminal pods only count as objects', () => {
    for (const phase of ['Succeeded', 'Failed']) expect(fromUsage(podUsage(pod([c('a', { cpu: '1' })], {}, { phase })))).toEqual({ 'count/pods': '1' });
  });

  it('services: node ports and load balancers', () => {
    const svc = (type: string, ports: object[]) => ({ metadata: {}, spec: { type, ports } });
    expect(fromUsage(serviceUsage(svc('ClusterIP', [{ port: 80 }])))).toEqual({ 'count/services': '1', services: '1' });
    expect(fromUsage(serviceUsage(svc('NodePort', [{ port: 80 }, { port: 81 }])))).toEqual({ 'count/services': '1', services: '1', 'services.nodeports': '2' });
    expect(fromUsage(serviceUsage(svc('LoadBalancer', [{ port: 80, nodePort: 30001 }, { port: 81 }])))).toEqual({
      'count/services': '1',
      services: '1',
      'services.loadbalancers': '1',
      'services.nodeports': '1',
    });
  });

  it('claims: storage in total and per storage class', () => {
    const pvc = { metadata: {}, spec: { storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } } };
    expect(fromUsage(pvcUsage(pvc))).toEqual({
      'count/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/requests.storage': '5Gi',
      persistentvolumeclaims: '1',
      'requests.storage': '5Gi',
    });
  });

  it('other kinds count as objects, core ones under their legacy names too', () => {
    expect(fromUsage(usageOf('configmaps', { metadata: {} }))).toEqual({ configmaps: '1', 'count/configmaps': '1' });
    expect(fromUsage(usageOf('deployments.apps', { metadata: {} }))).toEqual({ 'count/deployments.apps': '1' });
  });

  const keys: [string, string[]][] = [
    ['pods', ['pods']],
    ['requests.cpu', ['pods']],
    ['cpu', ['pods']],
    ['count/deployments.apps', ['deployments.apps']],
    ['services.nodeports', ['services']],
    ['requests.storage', ['persistentvolumeclaims']],
    ['gold.storageclass.storage.k8s.io/requests.storage', ['persistentvolumeclaims']],
    ['secrets', ['secrets']],
  ];
  it.each(keys)('%s is counted from %j', (name, want) => expect(storageKeysFor(name)).toEqual(want));
});

describe('scopes', () => {
  const bestEffort = pod([c('a')]);
  const burstable = pod([c('a', { cpu: '100m' })]);
  const terminating = pod([c('a')], { activeDeadlineSeconds: 30 });
  const high = pod([c('a')], { priorityClassName: 'high' });
  const cases: [string, object, string, string[] | undefined, boolean][] = [
    ['BestEffort', bestEffort, 'Exists', undefined, true],
    ['BestEffort', burstable, 'Exists', undefined, false],
    ['NotBestEffort', burstable, 'Exists', undefined, true],
    ['Terminating', terminating, 'Exists', undefined, true],
    ['Terminating', bestEffort, 'Exists', undefined, false],
    ['NotTerminating', bestEffort, 'Exists', undefined, true],
    ['PriorityClass', high, 'In', ['high'], true],
    ['PriorityClass', high, 'NotIn', ['high'], false],
    ['PriorityClass', bestEffort, 'NotIn', ['high'], true],
    ['PriorityClass', bestEffort, 'Exists', undefined, false],
    ['PriorityClass', high, 'Exists', undefined, true],
    ['PriorityClass', bestEffort, 'DoesNotExist', undefined, true],
  ];
  it.each(cases)('%s %s', (scopeName, p, operator, values, want) => expect(podMatchesScope({ scopeName, operator, values }, p)).toBe(want));

  it('a scoped quota matches pods only', () => {
    const q = { spec: { hard: { pods: '1', configmaps: '1' }, scopes: ['BestEffort'] } };
    expect(quotaMatches(q, 'pods', bestEffort)).toBe(true);
    expect(quotaMatches(q, 'pods', burstable)).toBe(false);
    expect(quotaMatches(q, 'configmaps', { metadata: {} })).toBe(false);
  });
});

describe('status.used and messages', () => {
  it('recounts from the objects, zero for what nothing uses', () => {
    const q = { spec: { hard: { pods: '5', 'requests.memory': '1Gi', services: '2' } } };
    const pods = [pod([c('a', { memory: '256Mi' })]), pod([c('a', { memory: '256Mi' })]), pod([c('a')], {}, { phase: 'Failed' })];
    const used = calculateUsed(q, (key) => (key === 'pods' ? pods : []));
    expect(fromUsage(used)).toEqual({ pods: '2', 'requests.memory': '512Mi', services: '0' });
    expect(prettyPrint(used)).toBe('pods=2,requests.memory=512Mi,services=0');
  });

  it('must specify: per resource, containers sorted', () => {
    const p = pod([c('web', { cpu: '1' }), c('side')], { initContainers: [c('init')] });
    expect(podConstraints(['limits.cpu', 'requests.cpu', 'pods'], p)).toBe('must specify limits.cpu for: init,side,web; requests.cpu for: init,side');
    expect(podConstraints(['pods', 'requests.storage'], p)).toBeUndefined();
  });
});
