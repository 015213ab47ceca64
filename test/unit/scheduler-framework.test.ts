import { describe, expect, it } from 'vitest';
import type { Node, Pod, PodSpec, Taint } from 'kubernetes-types/core/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import {
  buildSnapshot,
  createProfile,
  failedSchedulingMessage,
  isScheduled,
  newDiagnosis,
  newStatus,
  numFeasibleNodesToFind,
  preempt,
  scheduleOne,
  schedulePod,
  type ScheduleFailure,
  type Snapshot,
} from '../../src/scheduler/index';
import { pickOneNodeForPreemption } from '../../src/scheduler/preemption';

interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
}

function node(name: string, o: NodeOpts = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints },
    status: { allocatable: { cpu: o.cpu ?? '2', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' } },
  };
}

interface PodOpts {
  node?: string;
  cpu?: string;
  memory?: string;
  priority?: number;
  labels?: Record<string, string>;
  spec?: Partial<PodSpec>;
  startTime?: string;
  nominated?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: Object.keys(requests).length ? { requests } : undefined }],
      nodeName: o.node,
      priority: o.priority,
      ...(o.spec ?? {}),
    },
    status: { startTime: o.startTime, nominatedNodeName: o.nominated },
  };
}

const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

function cluster(workers = 3, o: NodeOpts = {}): Node[] {
  return [node('control-plane', { cpu: '4', taints: [CONTROL_PLANE_TAINT] }), ...Array.from({ length: workers }, (_, i) => node(`worker-${i + 1}`, o))];
}

function failure(r: ReturnType<typeof schedulePod>): ScheduleFailure {
  if (isScheduled(r)) throw new Error(`unexpectedly scheduled on ${r.nodeName}`);
  return r;
}

/** Schedules pods one by one, adding each to the snapshot like the control loop would after binding. */
function scheduleAll(snap: Snapshot, pods: Pod[], seed = 1): Record<string, number> {
  const profile = createProfile({ seed });
  const counts: Record<string, number> = {};
  for (const p of pods) {
    const r = schedulePod(p, snap, profile);
    if (!isScheduled(r)) throw new Error(`${p.metadata!.name}: ${r.status.reasons.join(', ')}`);
    counts[r.nodeName] = (counts[r.nodeName] ?? 0) + 1;
    snap.addPod({ ...p, spec: { ...p.spec!, nodeName: r.nodeName } });
  }
  return counts;
}

describe('FailedScheduling messages', () => {
  it('the control-plane taint and insufficient cpu, with preemption finding no victims', () => {
    const snap = buildSnapshot(cluster(3), []);
    const out = scheduleOne(pod('big', { cpu: '3' }), snap, createProfile());
    expect(out).toMatchObject({ reason: 'Unschedulable' });
    expect(out.nodeName).toBeUndefined();
    if (out.nodeName === undefined) {
      expect(out.message).toBe(
        '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. ' +
          'preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
      );
      expect([...out.unschedulablePlugins].sort()).toEqual(['NodeResourcesFit', 'TaintToleration']);
    }
  });

  it('the FitError text without the preemption part', () => {
    const r = failure(schedulePod(pod('big', { cpu: '3' }), buildSnapshot(cluster(3), []), createProfile()));
    expect(r.status.code).toBe('Unschedulable');
    expect(r.status.reasons[0]).toBe('0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu.');
  });

  it('counts are sorted as strings, like Go sort.Strings', () => {
    const d = newDiagnosis();
    for (let i = 0; i < 10; i++) d.nodeToStatus.set(`w${i}`, newStatus('Unschedulable', 'Insufficient cpu'));
    d.nodeToStatus.set('cp1', newStatus('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {a: }'));
    d.nodeToStatus.set('cp2', newStatus('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {a: }'));
    expect(failedSchedulingMessage(d, 12)).toBe('0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint {a: }.');
  });

  it('one node with several reasons counts each reason', () => {
    const r = failure(schedulePod(pod('p', { cpu: '3', memory: '16Gi' }), buildSnapshot([node('n')], []), createProfile()));
    expect(r.status.reasons[0]).toBe('0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.');
  });

  it('preemptionPolicy Never', () => {
    const p = pod('p', { cpu: '3', priority: 100, spec: { preemptionPolicy: 'Never' } });
    const out = scheduleOne(p, buildSnapshot([node('n', { cpu: '4' })], [pod('low', { node: 'n', cpu: '2', priority: 1 })]), createProfile());
    expect(out.nodeName === undefined && out.message).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('preemption cannot help when the node is too small even when empty', () => {
    const out = scheduleOne(pod('p', { cpu: '3', priority: 100 }), buildSnapshot([node('n', { cpu: '2' })], [pod('low', { node: 'n', cpu: '1', priority: 1 })]), createProfile());
    expect(out.nodeName === undefined && out.message).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.');
  });

  it('PreFilter narrowing to named nodes', () => {
    const p = pod('p', {
      spec: {
        nodeSelector: { disk: 'ssd' },
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-1'] }] }] } },
        },
      },
    });
    const snap = buildSnapshot([node('worker-1'), node('worker-2'), node('worker-3')], []);
    const out = scheduleOne(p, snap, createProfile());
    expect(out.nodeName === undefined && out.message).toBe(
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('PreFilter rejection', () => {
    const p = pod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchFields: [
                    { key: 'metadata.name', operator: 'In', values: ['a'] },
                    { key: 'metadata.name', operator: 'In', values: ['b'] },
                  ],
                },
              ],
            },
          },
        },
      },
    });
    const out = scheduleOne(p, buildSnapshot([node('a'), node('b')], []), createProfile());
    expect(out.nodeName === undefined && out.message).toBe(
      '0/2 nodes are available: pod affinity terms conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
    expect(out.nodeName === undefined && [...out.unschedulablePlugins]).toEqual(['NodeAffinity']);
  });

  it('no nodes at all', () => {
    const out = scheduleOne(pod('p'), buildSnapshot([], []), createProfile());
    expect(out).toMatchObject({ reason: 'Unschedulable', message: 'no nodes available to schedule pods' });
  });

  it('anti-affinity and cordoned nodes', () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    const nodes = [node('a'), node('b'), { ...node('c'), spec: { unschedulable: true } }];
    const existing = [pod('w1', { node: 'a', labels: { app: 'web' } }), pod('w2', { node: 'b', labels: { app: 'web' } })];
    const out = scheduleOne(pod('w3', { labels: { app: 'web' }, spec: { affinity: anti } }), buildSnapshot(nodes, existing), createProfile());
    expect(out.nodeName === undefined && out.message).toBe(
      "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match pod anti-affinity rules. " +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });
});

describe('schedulePod', () => {
  it('spreads identical pods evenly and never onto the tainted control plane', () => {
    const snap = buildSnapshot(cluster(3), []);
    const pods = Array.from({ length: 9 }, (_, i) => pod(`p${i}`, { cpu: '500m', memory: '256Mi' }));
    expect(scheduleAll(snap, pods)).toEqual({ 'worker-1': 3, 'worker-2': 3, 'worker-3': 3 });
  });

  it('spreads best-effort pods too (non-zero request defaults)', () => {
    const snap = buildSnapshot(cluster(4), []);
    const pods = Array.from({ length: 20 }, (_, i) => pod(`p${i}`));
    expect(scheduleAll(snap, pods)).toEqual({ 'worker-1': 5, 'worker-2': 5, 'worker-3': 5, 'worker-4': 5 });
  });

  it('system default spreading spreads a ReplicaSet across nodes even with uneven load', () => {
    const nodes = [node('a', { cpu: '8' }), node('b', { cpu: '8' }), node('c', { cpu: '8' })];
    const snap = buildSnapshot(nodes, [pod('filler', { node: 'a', cpu: '100m' })]);
    const owned = Array.from({ length: 6 }, (_, i) => {
      const p = pod(`web-${i}`, { labels: { app: 'web', 'pod-template-hash': 'h' }, cpu: '100m' });
      p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-h', uid: 'rs', controller: true }];
      return p;
    });
    expect(scheduleAll(snap, owned)).toEqual({ a: 2, b: 2, c: 2 });
  });

  it('the same seed gives the same placement; ties are broken randomly', () => {
    const run = (seed: number) => {
      const snap = buildSnapshot(cluster(5), []);
      const profile = createProfile({ seed });
      const r = schedulePod(pod('p', { cpu: '100m' }), snap, profile);
      return isScheduled(r) ? r.nodeName : '';
    };
    expect(run(7)).toBe(run(7));
    const seen = new Set(Array.from({ length: 30 }, (_, i) => run(i)));
    expect(seen.size).toBeGreaterThan(1);
    expect(seen.has('control-plane')).toBe(false);
  });

  it('prefers the node the pod is nominated to', () => {
    const snap = buildSnapshot(cluster(3), []);
    for (let i = 0; i < 5; i++) {
      const r = schedulePod(pod('p', { cpu: '100m', nominated: 'worker-2' }), snap, createProfile({ seed: i }));
      expect(isScheduled(r) && r.nodeName).toBe('worker-2');
    }
  });

  it('pods nominated to a node reserve room for equal or higher priority', () => {
    const nominatedHigh = pod('high', { cpu: '1500m', priority: 100, nominated: 'worker-1' });
    const snap = buildSnapshot([node('worker-1')], [nominatedHigh]);
    const low = failure(schedulePod(pod('low', { cpu: '1', priority: 1 }), snap, createProfile()));
    expect(low.status.reasons[0]).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    const higher = schedulePod(pod('higher', { cpu: '1', priority: 1000 }), snap, createProfile());
    expect(isScheduled(higher) && higher.nodeName).toBe('worker-1');
  });

  it('stops after numFeasibleNodesToFind and rotates the start index', () => {
    const nodes = Array.from({ length: 200 }, (_, i) => node(`n${String(i).padStart(3, '0')}`));
    const snap = buildSnapshot(nodes, []);
    const profile = createProfile();
    const r = schedulePod(pod('p'), snap, profile);
    expect(isScheduled(r) && r.feasibleNodes).toBe(100);
    expect(profile.nextStartNodeIndex).toBe(100);
    schedulePod(pod('q'), snap, profile);
    expect(profile.nextStartNodeIndex).toBe(0);
  });

  it('numFeasibleNodesToFind', () => {
    expect(numFeasibleNodesToFind(0, 50)).toBe(50);
    expect(numFeasibleNodesToFind(0, 100)).toBe(100);
    expect(numFeasibleNodesToFind(0, 1000)).toBe(420);
    expect(numFeasibleNodesToFind(0, 5000)).toBe(500);
    expect(numFeasibleNodesToFind(0, 10000)).toBe(500);
    expect(numFeasibleNodesToFind(10, 1000)).toBe(100);
    expect(numFeasibleNodesToFind(100, 1000)).toBe(1000);
  });

  it('respects gang-free resource limits across many cycles (pods count)', () => {
    const snap = buildSnapshot([node('n', { pods: '3' })], []);
    expect(scheduleAll(snap, [pod('a'), pod('b'), pod('c')])).toEqual({ n: 3 });
    expect(failure(schedulePod(pod('d'), snap, createProfile())).status.reasons[0]).toBe('0/1 nodes are available: 1 Too many pods.');
  });
});

describe('Snapshot', () => {
  it('terminal pods do not count; updates and deletes are applied incrementally', () => {
    const running = pod('r', { node: 'n', cpu: '1' });
    const snap = buildSnapshot([node('n')], [running, { ...pod('s', { node: 'n', cpu: '1' }), status: { phase: 'Succeeded' } }]);
    expect(snap.get('n')!.requested.milliCPU).toBe(1000);
    snap.updatePod({ ...running, status: { phase: 'Failed' } });
    expect(snap.get('n')!.requested.milliCPU).toBe(0);
    snap.addPod(pod('x', { node: 'n', cpu: '500m' }));
    snap.addPod(pod('x', { node: 'n', cpu: '500m' }));
    expect(snap.get('n')!.pods.length).toBe(1);
    snap.removePod(pod('x'));
    expect(snap.get('n')!.pods.length).toBe(0);
  });

  it('pods of unknown nodes wait for the node', () => {
    const snap = buildSnapshot([], [pod('p', { node: 'late', cpu: '1' })]);
    const ni = snap.setNode(node('late'));
    expect(ni.requested.milliCPU).toBe(1000);
    snap.removeNode('late');
    expect(snap.nodes.length).toBe(0);
    expect(snap.setNode(node('late')).pods.length).toBe(1);
  });

  it('tracks nominated pods', () => {
    const n = pod('n', { nominated: 'a' });
    const snap = buildSnapshot([node('a')], [n]);
    expect(snap.nominatedPodsFor('a').map((p) => p.metadata!.name)).toEqual(['n']);
    snap.updatePod({ ...n, spec: { ...n.spec!, nodeName: 'a' } });
    expect(snap.nominatedPodsFor('a')).toEqual([]);
    expect(snap.get('a')!.pods.length).toBe(1);
  });
});

describe('preemption', () => {
  it('evicts the lowest-priority pods needed and reprieves the rest', () => {
    const existing = [
      pod('low1', { node: 'n', cpu: '1', priority: 1 }),
      pod('low2', { node: 'n', cpu: '1', priority: 2 }),
      pod('mid', { node: 'n', cpu: '2', priority: 5 }),
    ];
    const snap = buildSnapshot([node('n', { cpu: '4' })], existing);
    const out = scheduleOne(pod('high', { cpu: '2', priority: 10 }), snap, createProfile());
    expect(out.nodeName).toBeUndefined();
    if (out.nodeName !== undefined) return;
    expect(out.message).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    expect(out.nominatedNodeName).toBe('n');
    expect(out.victims!.map((p) => p.metadata!.name)).toEqual(['low2', 'low1']);
  });

  it('never evicts pods of equal or higher priority', () => {
    const snap = buildSnapshot([node('n', { cpu: '2' })], [pod('same', { node: 'n', cpu: '2', priority: 10 })]);
    const out = scheduleOne(pod('p', { cpu: '1', priority: 10 }), snap, createProfile());
    expect(out.nodeName === undefined && out.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  it('picks the node whose highest victim priority is lowest', () => {
    const snap = buildSnapshot(
      [node('a'), node('b'), node('c')],
      [pod('a1', { node: 'a', cpu: '2', priority: 5 }), pod('b1', { node: 'b', cpu: '2', priority: 1 }), pod('c1', { node: 'c', cpu: '2', priority: 3 })],
    );
    const out = scheduleOne(pod('p', { cpu: '1', priority: 10 }), snap, createProfile());
    expect(out.nodeName === undefined && out.nominatedNodeName).toBe('b');
    expect(out.nodeName === undefined && out.victims!.map((p) => p.metadata!.name)).toEqual(['b1']);
  });

  it('prefers nodes where no PodDisruptionBudget is violated', () => {
    const snap = buildSnapshot(
      [node('a'), node('b')],
      [pod('a1', { node: 'a', cpu: '2', priority: 1, labels: { app: 'guarded' } }), pod('b1', { node: 'b', cpu: '2', priority: 3, labels: { app: 'free' } })],
    );
    const pdb: PodDisruptionBudget = { metadata: { name: 'pdb', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'guarded' } } }, status: { disruptionsAllowed: 0 } as PodDisruptionBudget['status'] };
    const withPdb = scheduleOne(pod('p', { cpu: '1', priority: 10 }), snap, createProfile(), { pdbs: [pdb] });
    expect(withPdb.nodeName === undefined && withPdb.nominatedNodeName).toBe('b');
    const without = scheduleOne(pod('p', { cpu: '1', priority: 10 }), snap, createProfile());
    expect(without.nodeName === undefined && without.nominatedNodeName).toBe('a');
  });

  it('tie-breakers: fewer victims, then the latest start time', () => {
    const v = (name: string, priority: number, startTime: string) => pod(name, { priority, startTime });
    const byCount = new Map([
      ['two', { pods: [v('x', 1, '2024-01-01T00:00:00Z'), v('y', 1, '2024-01-01T00:00:00Z')], numPDBViolations: 0 }],
      ['one', { pods: [v('z', 2, '2024-01-01T00:00:00Z')], numPDBViolations: 0 }],
    ]);
    // Same highest priority? no: 'one' has priority 2 > 1, so 'two' wins on the highest priority first.
    expect(pickOneNodeForPreemption(byCount)).toBe('two');
    const byStart = new Map([
      ['old', { pods: [v('x', 1, '2024-01-01T00:00:00Z')], numPDBViolations: 0 }],
      ['new', { pods: [v('y', 1, '2024-06-01T00:00:00Z')], numPDBViolations: 0 }],
    ]);
    expect(pickOneNodeForPreemption(byStart)).toBe('new');
  });

  it('accounts for anti-affinity of victims (removing them makes the node feasible)', () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    const snap = buildSnapshot([node('a')], [pod('old', { node: 'a', priority: 1, labels: { app: 'web' } })]);
    const out = scheduleOne(pod('new', { priority: 10, labels: { app: 'web' }, spec: { affinity: anti } }), snap, createProfile());
    expect(out.nodeName === undefined && out.message).toBe("0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.");
    expect(out.nodeName === undefined && out.victims!.map((p) => p.metadata!.name)).toEqual(['old']);
  });

  it('a pod whose victims are still terminating on its nominated node does not preempt again', () => {
    const base = pod('v', { node: 'n', cpu: '2', priority: 1 });
    const victim: Pod = {
      ...base,
      metadata: { ...base.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' },
      status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }] },
    };
    const snap = buildSnapshot([node('n')], [victim]);
    const r = failure(schedulePod(pod('p', { cpu: '1', priority: 10, nominated: 'n' }), snap, createProfile()));
    expect(preempt(r.cycle!, r.diagnosis).message).toBe('preemption: not eligible due to a terminating pod on the nominated node.');
  });
});

describe('node order', () => {
  it('interleaves zones like the scheduler node tree', () => {
    const z = (name: string, zone?: string) => node(name, { labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} });
    const snap = buildSnapshot([z('a1', 'a'), z('a2', 'a'), z('a3', 'a'), z('b1', 'b'), z('c1', 'c'), z('c2', 'c'), z('x')], []);
    expect(snap.nodes.map((n) => n.name)).toEqual(['a1', 'b1', 'c1', 'x', 'a2', 'c2', 'a3']);
    snap.removeNode('b1');
    snap.setNode({ ...z('a2'), metadata: { name: 'a2', labels: { 'topology.kubernetes.io/zone': 'c' } } });
    expect(snap.nodes.map((n) => n.name)).toEqual(['a1', 'c1', 'x', 'a3', 'c2', 'a2']);
  });
});
