import { describe, expect, it } from 'vitest';
import type { Container, Node, Pod } from 'kubernetes-types/core/v1';
import { formatCPU, formatMemory, METRIC_RESOLUTION_MS, nextSampleAt, nodeUsage, podUsage, toNodeMetrics, toPodMetrics } from '../../src/kubelet/metrics';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const MiB = 1024 * 1024;

function pod(containers: Partial<Container>[], annotations: Record<string, string> = {}, phase = 'Running', name = 'web'): Pod {
  const specs = containers.map((c, i) => ({ name: `c${i}`, image: 'nginx', ...c }) as Container);
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations, labels: { app: 'web' } },
    spec: { nodeName: 'node-1', containers: specs },
    status: { phase, containerStatuses: specs.map((c) => ({ name: c.name, image: 'nginx', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: '2025-01-01T00:00:00Z' } } })) },
  };
}

describe('podUsage', () => {
  it('uses the knobs exactly (quantity, percentage of request, per-container override)', () => {
    const p = pod([{ resources: { requests: { cpu: '200m', memory: '100Mi' } } }, { resources: { requests: { cpu: '1' } } }], {
      'kubedo.dev/cpu-usage': '80%',
      'kubedo.dev/memory-usage': '64Mi',
      'kubedo.dev/cpu-usage.c1': '250m',
    });
    const u = podUsage(p, T0)!;
    expect(u.containers).toEqual([
      { name: 'c0', cpu: 0.16, memory: 64 * MiB },
      { name: 'c1', cpu: 0.25, memory: 64 * MiB },
    ]);
    expect(u.cpu).toBeCloseTo(0.41, 9);
    expect(podUsage(p, T0 + 10 * METRIC_RESOLUTION_MS)!.containers).toEqual(u.containers);
  });

  it.each([
    [{ requests: { cpu: '500m', memory: '256Mi' } }, [0.5 * 0.1 * 0.85, 0.5 * 0.6 * 1.15], [256 * MiB * 0.3 * 0.97, 256 * MiB * 0.7 * 1.03]],
    [{ requests: { cpu: '100m' }, limits: { cpu: '100m', memory: '64Mi' } }, [0.01 * 0.85, 0.1], [64 * MiB * 0.2 * 0.97, 64 * MiB * 0.95]],
    [{}, [0.001 * 0.85, 0.008 * 1.15], [4 * MiB * 0.97, 40 * MiB * 1.03]],
  ])('without knobs stays within bounds of requests/limits (%j)', (resources, [cpuLo, cpuHi], [memLo, memHi]) => {
    for (let k = 0; k < 40; k++) {
      const p = pod([{ resources }], {}, 'Running', `p${k}`);
      const u = podUsage(p, T0 + k * METRIC_RESOLUTION_MS)!;
      expect(u.cpu).toBeGreaterThanOrEqual(cpuLo - 1e-9);
      expect(u.cpu).toBeLessThanOrEqual(cpuHi + 1e-9);
      expect(u.memory).toBeGreaterThanOrEqual(memLo - 1024);
      expect(u.memory).toBeLessThanOrEqual(memHi + 1024);
    }
  });

  it('is deterministic within a scrape window and varies a little between windows', () => {
    const p = pod([{ resources: { requests: { cpu: '500m' } } }]);
    expect(podUsage(p, T0 + 1000)).toEqual(podUsage(p, T0 + 14_000));
    const values = new Set(Array.from({ length: 10 }, (_, k) => podUsage(p, T0 + k * METRIC_RESOLUTION_MS)!.cpu));
    expect(values.size).toBeGreaterThan(1);
    expect(nextSampleAt(T0 + 1000)).toBe(T0 + METRIC_RESOLUTION_MS);
    expect(nextSampleAt(T0 + 1000, { timeScale: 10 })).toBe(T0 + 1500);
  });

  it('reports nothing for pods that are not Running and skips containers that are not running', () => {
    expect(podUsage(pod([{}], {}, 'Pending'), T0)).toBeUndefined();
    const p = pod([{}, {}]);
    const waiting: Pod = { ...p, status: { ...p.status, containerStatuses: [p.status!.containerStatuses![0], { ...p.status!.containerStatuses![1], state: { waiting: { reason: 'CrashLoopBackOff' } } }] } };
    expect(podUsage(waiting, T0)!.containers.map((c) => c.name)).toEqual(['c0']);
  });

  it('renders PodMetrics like metrics-server', () => {
    const p = pod([{}], { 'kubedo.dev/cpu-usage': '1m', 'kubedo.dev/memory-usage': '10Mi' });
    const m = toPodMetrics(p, podUsage(p, T0 + 20_000)!, T0 + 20_000);
    expect(m).toMatchObject({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      timestamp: '2025-01-01T00:00:15Z',
      containers: [{ name: 'c0', usage: { cpu: '1000000n', memory: '10240Ki' } }],
    });
    expect(m.window).toMatch(/^15(\.\d+)?s$/);
  });
});

describe('nodeUsage', () => {
  const node: Node = { metadata: { name: 'node-1' }, status: { capacity: { cpu: '2', memory: '4Gi' } } };

  it('sums its running pods plus system overhead', () => {
    const a = pod([{}], { 'kubedo.dev/cpu-usage': '300m', 'kubedo.dev/memory-usage': '100Mi' }, 'Running', 'a');
    const b = pod([{}], { 'kubedo.dev/cpu-usage': '200m', 'kubedo.dev/memory-usage': '50Mi' }, 'Running', 'b');
    const other: Pod = { ...b, metadata: { ...b.metadata, name: 'c', uid: 'uid-c' }, spec: { ...b.spec!, nodeName: 'node-2' } };
    const idle = nodeUsage(node, [], T0);
    expect(idle.cpu).toBeGreaterThan(0.05);
    expect(idle.cpu).toBeLessThan(0.16);
    expect(idle.memory).toBeGreaterThan(350 * MiB - 1);
    const u = nodeUsage(node, [a, b, other], T0);
    expect(u.cpu - idle.cpu).toBeCloseTo(0.5, 6);
    expect(u.memory - idle.memory).toBe(150 * MiB);
    expect(toNodeMetrics(node, u, T0)).toMatchObject({ kind: 'NodeMetrics', metadata: { name: 'node-1' }, usage: { cpu: formatCPU(u.cpu), memory: formatMemory(u.memory) } });
  });

  it('never exceeds capacity', () => {
    const hog = pod([{}], { 'kubedo.dev/cpu-usage': '8', 'kubedo.dev/memory-usage': '16Gi' });
    const u = nodeUsage(node, [hog], T0);
    expect(u.cpu).toBe(2);
    expect(u.memory).toBe(4 * 1024 * MiB);
  });
});
