// LimitRanger admission: container defaults and the min/max/ratio checks with upstream wording.
import { describe, expect, it } from 'vitest';
import { aggregate, applyContainerDefaults, claimLimitViolations, podLimitViolations } from '../../src/durable/admission/limit-ranger';
import type { KObject } from '../../src/registry/types';

const lr = (...limits: object[]): KObject => ({ metadata: { name: 'lr' }, spec: { limits } });
const pod = (...containers: object[]): KObject => ({ metadata: { name: 'p' }, spec: { containers } });
const c = (name: string, requests?: object, limits?: object) => ({ name, image: 'x', resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });

describe('container defaults', () => {
  it('fills what is missing and writes the annotation', () => {
    const p = pod(c('a'), c('b', { cpu: '50m' }, { cpu: '1' }));
    const text = applyContainerDefaults(p, [lr({ type: 'Container', default: { cpu: '500m', memory: '1Gi' }, defaultRequest: { cpu: '100m', memory: '256Mi' } })]);
    expect(text).toBe('LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; memory request for container b; memory limit for container b');
    const [a, b] = (p.spec as any).containers;
    expect(a.resources).toEqual({ limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '100m', memory: '256Mi' } });
    expect(b.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '50m', memory: '256Mi' } });
    expect(p.metadata.annotations!['kubernetes.io/limit-ranger']).toBe(text);
  });

  it('nothing to do: no annotation', () => {
    const p = pod(c('a', { cpu: '1' }, { cpu: '1' }));
    expect(applyContainerDefaults(p, [lr({ type: 'Container', default: { cpu: '2' } })])).toBeUndefined();
    expect(p.metadata.annotations).toBeUndefined();
  });
});

describe('violations', () => {
  const cases: [string, object, object, string[]][] = [
    ['max limit', { type: 'Container', max: { cpu: '1' } }, c('a', { cpu: '500m' }, { cpu: '2' }), ['maximum cpu usage per Container is 1, but limit is 2']],
    ['max without limit', { type: 'Container', max: { cpu: '1' } }, c('a', { cpu: '500m' }), ['maximum cpu usage per Container is 1.  No limit is specified']],
    ['max request', { type: 'Container', max: { memory: '1Gi' } }, c('a', { memory: '2Gi' }, { memory: '1Gi' }), ['maximum memory usage per Container is 1Gi, but request is 2Gi']],
    ['min request', { type: 'Container', min: { memory: '64Mi' } }, c('a', { memory: '32Mi' }, { memory: '128Mi' }), ['minimum memory usage per Container is 64Mi, but request is 32Mi']],
    ['min without request', { type: 'Container', min: { cpu: '100m' } }, c('a'), ['minimum cpu usage per Container is 100m.  No request is specified']],
    ['ratio', { type: 'Container', maxLimitRequestRatio: { cpu: '2' } }, c('a', { cpu: '250m' }, { cpu: '1' }), ['cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000']],
    ['ratio ok', { type: 'Container', maxLimitRequestRatio: { cpu: '2' } }, c('a', { cpu: '500m' }, { cpu: '1' }), []],
    ['ratio without request', { type: 'Container', maxLimitRequestRatio: { cpu: '2' } }, c('a', undefined, { cpu: '1' }), ['cpu max limit to request ratio per Container is 2, but no request is specified or request is 0']],
    ['within bounds', { type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' } }, c('a', { cpu: '200m' }, { cpu: '500m' }), []],
  ];
  it.each(cases)('%s', (_, item, container, want) => expect(podLimitViolations(pod(container), [lr(item)])).toEqual(want));

  it('Pod items bound the sum of the containers', () => {
    const p = pod(c('a', { cpu: '600m' }, { cpu: '600m' }), c('b', { cpu: '600m' }, { cpu: '600m' }));
    expect(podLimitViolations(p, [lr({ type: 'Pod', max: { cpu: '1' } })])).toEqual(['maximum cpu usage per Pod is 1, but limit is 1200m']);
  });

  it('claims: min and max on the storage request', () => {
    const pvc = (storage: string): KObject => ({ metadata: { name: 'c' }, spec: { resources: { requests: { storage } } } });
    const ranges = [lr({ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } })];
    expect(claimLimitViolations(pvc('500Mi'), ranges)).toEqual(['minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi']);
    expect(claimLimitViolations(pvc('20Gi'), ranges)).toEqual(['maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi']);
    expect(claimLimitViolations(pvc('5Gi'), ranges)).toEqual([]);
  });

  it('several errors read like an aggregate', () => {
    expect(aggregate(['a'])).toBe('a');
    expect(aggregate(['a', 'b'])).toBe('[a, b]');
  });
});
