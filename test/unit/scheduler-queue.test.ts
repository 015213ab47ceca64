import { describe, expect, it } from 'vitest';
import type { Pod, PodSpec } from 'kubernetes-types/core/v1';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1';
import { priorityOf, SchedulingQueue } from '../../src/scheduler/queue';
import { buildSnapshot, compactPod, createProfile, scheduledMessage, scheduleOne } from '../../src/scheduler/index';

function pod(name: string, o: { priority?: number; created?: string; spec?: Partial<PodSpec>; labels?: Record<string, string> } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: o.created, labels: o.labels },
    spec: { containers: [{ name: 'c', image: 'busybox' }], priority: o.priority, ...(o.spec ?? {}) },
  };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name);

function popAll(q: SchedulingQueue, now: number): string[] {
  const out: string[] = [];
  for (let info = q.pop(now); info; info = q.pop(now)) {
    out.push(info.pod.metadata!.name!);
    q.done(info.pod);
  }
  return out;
}

describe('priorityOf', () => {
  const classes: PriorityClass[] = [
    { metadata: { name: 'high' }, value: 1000 },
    { metadata: { name: 'default-a' }, value: 50, globalDefault: true },
    { metadata: { name: 'default-b' }, value: 20, globalDefault: true },
  ];
  const cases: { name: string; spec: Partial<PodSpec>; want: number }[] = [
    { name: 'spec.priority wins', spec: { priority: 7, priorityClassName: 'high' }, want: 7 },
    { name: 'priority class', spec: { priorityClassName: 'high' }, want: 1000 },
    { name: 'built-in system class', spec: { priorityClassName: 'system-node-critical' }, want: 2000001000 },
    { name: 'global default (lowest of several)', spec: {}, want: 20 },
  ];
  for (const c of cases) it(c.name, () => expect(priorityOf(pod('p', { spec: c.spec }), classes)).toBe(c.want));
  it('no classes: 0', () => expect(priorityOf(pod('p'))).toBe(0));
});

describe('activeQ ordering', () => {
  it('higher priority first, then earlier queued, then older', () => {
    const q = new SchedulingQueue();
    q.add(pod('low', { priority: 1 }), 1000);
    q.add(pod('high', { priority: 100 }), 2000);
    q.add(pod('mid-late', { priority: 10, created: '2024-06-01T00:00:00Z' }), 3000);
    q.add(pod('mid-early', { priority: 10 }), 1500);
    q.add(pod('mid-same-time-older', { priority: 10, created: '2024-01-01T00:00:00Z' }), 3000);
    expect(names(q.activePods())).toEqual(['high', 'mid-early', 'mid-same-time-older', 'mid-late', 'low']);
    expect(popAll(q, 5000)).toEqual(['high', 'mid-early', 'mid-same-time-older', 'mid-late', 'low']);
  });
});

describe('backoff', () => {
  it('doubles from 1s up to 10s', () => {
    const q = new SchedulingQueue();
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a))).toEqual([0, 1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('a failure without rejecting plugins (an error) goes to backoffQ and comes back when it expires', () => {
    const q = new SchedulingQueue({ popFromBackoffQ: false });
    q.add(pod('p'), 0);
    const info = q.pop(0)!;
    q.markUnschedulable(info.pod, 100);
    expect(q.where(info.pod)).toBe('backoff');
    expect(q.nextDeadline()).toBe(1100);
    expect(q.pop(1099)).toBeUndefined();
    expect(q.pop(1100)?.attempts).toBe(2);
  });

  it('with SchedulerPopFromBackoffQ an idle scheduler pops backing-off pods, but not ones that failed with an error', () => {
    const q = new SchedulingQueue();
    q.add(pod('p'), 0);
    q.markUnschedulable(q.pop(0)!.pod, 100, ['NodeResourcesFit']);
    q.moveAllToActiveOrBackoff('NodeAdd', 200);
    expect(q.where(pod('p'))).toBe('backoff');
    expect(q.nextDeadline()).toBe(0);
    expect(q.pop(200)?.pod.metadata!.name).toBe('p');
    q.markUnschedulable(pod('p'), 300);
    expect(q.nextDeadline()).toBe(2300);
    expect(q.pop(2299)).toBeUndefined();
    expect(q.pop(2300)?.attempts).toBe(3);
  });
});

describe('unschedulable pods', () => {
  it('stay parked until an event one of their plugins registered for', () => {
    const q = new SchedulingQueue({ popFromBackoffQ: false });
    q.add(pod('fit'), 0);
    q.add(pod('affinity'), 0);
    const a = q.pop(0)!;
    const b = q.pop(0)!;
    q.markUnschedulable(a.pod, 10, ['NodeResourcesFit']);
    q.markUnschedulable(b.pod, 10, ['NodeAffinity']);
    expect(q.stats()).toMatchObject({ unschedulable: 2, active: 0 });
    // A pod being added doesn't help either of them... for NodeResourcesFit only deletions and node changes do.
    expect(q.moveAllToActiveOrBackoff('AssignedPodAdd', 5000)).toBe(0);
    expect(q.moveAllToActiveOrBackoff('AssignedPodDelete', 5000)).toBe(1);
    expect(q.where(a.pod)).toBe('active');
    expect(q.where(b.pod)).toBe('unschedulable');
    expect(q.moveAllToActiveOrBackoff('NodeAdd', 5000)).toBe(1);
    expect(q.where(b.pod)).toBe('active');
  });

  it('go to backoffQ when moved while still backing off', () => {
    const q = new SchedulingQueue({ popFromBackoffQ: false });
    q.add(pod('p'), 0);
    const info = q.pop(0)!;
    q.markUnschedulable(info.pod, 1000, ['NodeResourcesFit']);
    q.moveAllToActiveOrBackoff('NodeAdd', 1500);
    expect(q.where(info.pod)).toBe('backoff');
    expect(q.nextDeadline()).toBe(2000);
    expect(q.pop(2000)?.pod.metadata!.name).toBe('p');
  });

  it('are retried after 5 minutes without events', () => {
    const q = new SchedulingQueue({ popFromBackoffQ: false });
    q.add(pod('p'), 0);
    q.markUnschedulable(q.pop(0)!.pod, 1000, ['NodeAffinity']);
    expect(q.nextDeadline()).toBe(301_000);
    expect(q.pop(300_999)).toBeUndefined();
    expect(q.pop(301_000)?.pod.metadata!.name).toBe('p');
  });

  it('a move request during the pod’s cycle sends it to backoffQ instead', () => {
    const q = new SchedulingQueue({ popFromBackoffQ: false });
    q.add(pod('p'), 0);
    const info = q.pop(0)!;
    q.moveAllToActiveOrBackoff('AssignedPodDelete', 10);
    q.markUnschedulable(info.pod, 20, ['NodeResourcesFit']);
    expect(q.where(info.pod)).toBe('backoff');
  });

  it('an update of the pod’s spec or labels retries it; a status-only update does not', () => {
    const q = new SchedulingQueue({ popFromBackoffQ: false });
    const p = pod('p');
    q.add(p, 0);
    q.markUnschedulable(q.pop(0)!.pod, 0, ['NodeAffinity']);
    q.update({ ...p, status: { phase: 'Pending' } }, 50_000);
    expect(q.where(p)).toBe('unschedulable');
    q.update({ ...p, metadata: { ...p.metadata, labels: { a: 'b' } } }, 50_000);
    expect(q.where(p)).toBe('active');
  });

  it('deleted pods leave the queue', () => {
    const q = new SchedulingQueue();
    const p = pod('p');
    q.add(p, 0);
    q.delete(p);
    expect(q.pop(0)).toBeUndefined();
    expect(q.nextDeadline()).toBeUndefined();
  });
});

describe('scheduling gates', () => {
  it('gated pods wait until the gates are removed', () => {
    const q = new SchedulingQueue();
    const gated = pod('g', { spec: { schedulingGates: [{ name: 'example.com/hold' }] } });
    q.add(gated, 0);
    expect(q.where(gated)).toBe('gated');
    expect(q.pop(0)).toBeUndefined();
    expect(q.gatedPods().map((g) => g.message)).toEqual(['waiting for scheduling gates: [example.com/hold]']);
    expect(q.moveAllToActiveOrBackoff('NodeAdd', 10)).toBe(0);
    q.update({ ...gated, spec: { ...gated.spec!, schedulingGates: [] } }, 20);
    expect(q.pop(20)?.pod.metadata!.name).toBe('g');
  });
});

describe('a control loop over the queue, the snapshot and scheduleOne', () => {
  it('schedules by priority, parks the unschedulable pods and schedules them once a node is added', () => {
    const mkNode = (name: string, cpu: string) => ({
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      status: { allocatable: { cpu, memory: '8Gi', pods: '110' } },
    });
    const withCpu = (p: Pod, cpu: string): Pod => ({ ...p, spec: { ...p.spec!, containers: [{ name: 'c', resources: { requests: { cpu } } }] } });
    const snap = buildSnapshot([mkNode('n1', '2')], []);
    const profile = createProfile();
    const q = new SchedulingQueue({ profile, popFromBackoffQ: false });
    q.add(withCpu(pod('small', { priority: 1 }), '1'), 0);
    q.add(withCpu(pod('big', { priority: 10 }), '2'), 0);
    q.add(withCpu(pod('tiny', { priority: 5 }), '500m'), 0);
    const events: string[] = [];
    const loop = (now: number) => {
      for (let info = q.pop(now); info; info = q.pop(now)) {
        const out = scheduleOne(info.pod, snap, profile);
        if (out.nodeName !== undefined) {
          events.push(scheduledMessage(info.pod, out.nodeName));
          snap.addPod(compactPod({ ...info.pod, spec: { ...info.pod.spec!, nodeName: out.nodeName } }));
          q.done(info.pod);
          q.moveAllToActiveOrBackoff('AssignedPodAdd', now);
        } else {
          events.push(`${info.pod.metadata!.name}: ${out.message}`);
          q.markUnschedulable(info.pod, now, out.unschedulablePlugins);
        }
      }
    };
    loop(0);
    expect(events).toEqual([
      'Successfully assigned default/big to n1',
      'tiny: 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      'small: 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    ]);
    expect(q.stats()).toMatchObject({ unschedulable: 2, active: 0, backoff: 0 });
    snap.setNode(mkNode('n2', '2'));
    expect(q.moveAllToActiveOrBackoff('NodeAdd', 30_000)).toBe(2);
    events.length = 0;
    loop(30_000);
    expect(events).toEqual(['Successfully assigned default/tiny to n2', 'Successfully assigned default/small to n2']);
    expect(q.nextDeadline()).toBeUndefined();
  });
});
