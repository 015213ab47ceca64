// Pure pieces of the workload controllers: Job podFailurePolicy / successPolicy matching and index
// interval text, StatefulSet claim owners under the retention policy, ControllerRevision patches.
import { describe, expect, it } from 'vitest';
import { formatIndexes, matchPodFailurePolicy, matchSuccessPolicy, parseIndexes, type PodFailurePolicyRule } from '../../src/controllers/job';
import { claimOwners } from '../../src/controllers/statefulset';
import { revisionName, templateOf, templatePatch } from '../../src/controllers/history';
import type { KObject } from '../../src/registry/types';

const failedPod = (exit: Record<string, number>, conditions: { type: string; status: string }[] = []): KObject =>
  ({
    metadata: { name: 'p', namespace: 'ns' },
    status: { phase: 'Failed', conditions, containerStatuses: Object.entries(exit).map(([name, exitCode]) => ({ name, state: { terminated: { exitCode } } })) },
  }) as unknown as KObject;

describe('matchPodFailurePolicy', () => {
  const rules: PodFailurePolicyRule[] = [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
  ];
  const cases: [string, KObject, string | undefined, string?][] = [
    ['condition', failedPod({ main: 1 }, [{ type: 'DisruptionTarget', status: 'True' }]), 'Ignore', 'Pod ns/p has condition DisruptionTarget matching Ignore rule at index 0'],
    ['exit code in', failedPod({ main: 42 }), 'FailJob', 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1'],
    ['other container', failedPod({ side: 42 }), 'Count', 'Container side for pod ns/p failed with exit code 42 matching Count rule at index 2'],
    ['no rule', failedPod({ main: 1 }), undefined],
    ['exit 0 never matches', failedPod({ main: 0 }), undefined],
    ['condition False', failedPod({ main: 2 }, [{ type: 'DisruptionTarget', status: 'False' }]), undefined],
  ];
  for (const [name, pod, action, message] of cases) {
    it(name, () => {
      const m = matchPodFailurePolicy(rules, pod);
      expect(m?.action).toBe(action);
      if (message) expect(m?.message).toBe(message);
    });
  }
});

describe('matchSuccessPolicy', () => {
  const cases: [string, { succeededIndexes?: string; succeededCount?: number }[], number[], number][] = [
    ['all listed indexes', [{ succeededIndexes: '0-2' }], [0, 1, 2], 0],
    ['missing one', [{ succeededIndexes: '0-2' }], [0, 2], -1],
    ['count within indexes', [{ succeededIndexes: '0,4-6', succeededCount: 2 }], [5, 6], 0],
    ['count anywhere', [{ succeededIndexes: '9' }, { succeededCount: 2 }], [1, 3], 1],
  ];
  for (const [name, rules, done, want] of cases) it(name, () => expect(matchSuccessPolicy(rules, 10, new Set(done))).toBe(want));
});

describe('index intervals', () => {
  const cases: [number[], string][] = [
    [[], ''],
    [[3], '3'],
    [[0, 1], '0,1'],
    [[0, 1, 2, 5, 7, 8], '0-2,5,7,8'],
  ];
  for (const [xs, text] of cases) {
    it(text || 'empty', () => {
      expect(formatIndexes(xs)).toBe(text);
      expect([...parseIndexes(text, 100)].sort((a, b) => a - b)).toEqual(xs);
    });
  }
});

describe('claimOwners', () => {
  const set = (whenDeleted: string, whenScaled: string) => ({ metadata: { name: 'web', uid: 'set' }, spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } } }) as unknown as KObject;
  const pod = { metadata: { name: 'web-2', uid: 'pod' } } as unknown as KObject;
  const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'x' };
  const cases: [string, string, boolean, string[]][] = [
    ['Retain', 'Retain', true, ['x']],
    ['Delete', 'Retain', true, ['x', 'set']],
    ['Delete', 'Retain', false, ['x', 'set']],
    ['Retain', 'Delete', true, ['x']],
    ['Retain', 'Delete', false, ['x', 'pod']],
    ['Delete', 'Delete', true, ['x', 'set']],
    ['Delete', 'Delete', false, ['x', 'pod']],
  ];
  for (const [d, s, inRange, uids] of cases) {
    it(`${d}/${s} ${inRange ? 'in range' : 'scaled down'}`, () => {
      const refs = claimOwners([other, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set' }], set(d, s), pod, inRange);
      expect(refs.map((r) => r.uid)).toEqual(uids);
    });
  }
});

describe('ControllerRevision patches', () => {
  it('wraps the template in a replace patch and reads it back', () => {
    const owner = { metadata: { name: 'web' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } } as unknown as KObject;
    const data = templatePatch(owner);
    expect(data).toEqual({ spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] }, $patch: 'replace' } } });
    expect(templateOf({ metadata: {}, data } as unknown as KObject)).toEqual((owner.spec as any).template);
  });
  it('truncates long owner names', () => {
    expect(revisionName('web', 'abc')).toBe('web-abc');
    expect(revisionName('x'.repeat(300), 'abc')).toBe(`${'x'.repeat(223)}-abc`);
  });
});
