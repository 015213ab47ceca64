import { describe, expect, it } from 'vitest';
import type { Container, Node, Pod, PodSpec, Taint, Toleration } from 'kubernetes-types/core/v1';
import { buildSnapshot, CycleState, NodeInfo, type FilterPlugin, type NodeScore, type ScorePlugin, type Snapshot, type Status } from '../../src/scheduler/types';
import { taintToleration } from '../../src/scheduler/plugins/taint-toleration';
import { nodeUnschedulable } from '../../src/scheduler/plugins/node-unschedulable';
import { nodeName } from '../../src/scheduler/plugins/node-name';
import { nodeAffinity } from '../../src/scheduler/plugins/node-affinity';
import { nodePorts } from '../../src/scheduler/plugins/node-ports';
import {
  balancedResourceScore,
  computePodResourceRequest,
  leastAllocatedScore,
  nodeResourcesBalancedAllocation,
  nodeResourcesFit,
  DEFAULT_SCORING_RESOURCES,
} from '../../src/scheduler/plugins/node-resources-fit';
import { podTopologySpread } from '../../src/scheduler/plugins/pod-topology-spread';
import { interPodAffinity } from '../../src/scheduler/plugins/inter-pod-affinity';
import { schedulingGates } from '../../src/scheduler/plugins/scheduling-gates';
import { claimProblem, volumeBinding } from '../../src/scheduler/plugins/volume-binding';

// ---------------------------------------------------------------------------------------------
// Fixtures

interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

function node(name: string, o: NodeOpts = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...(o.extra ?? {}) } },
  };
}

function container(requests?: Record<string, string>, extra: Partial<Container> = {}): Container {
  return { name: 'c', image: 'busybox', resources: requests ? { requests } : undefined, ...extra };
}

interface PodOpts {
  ns?: string;
  labels?: Record<string, string>;
  node?: string;
  cpu?: string;
  memory?: string;
  spec?: Partial<PodSpec>;
  priority?: number;
}

let uid = 0;
function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}-${++uid}`, labels: o.labels },
    spec: {
      containers: [container(Object.keys(requests).length ? requests : undefined)],
      nodeName: o.node,
      priority: o.priority,
      ...(o.spec ?? {}),
    },
  };
}

/** Runs a filter plugin's PreFilter and Filter for each node; returns reason text or 'ok'. */
function filterAll(pl: FilterPlugin, p: Pod, snap: Snapshot): Record<string, string> {
  const state = new CycleState();
  const pre = pl.preFilter?.(state, p, snap) ?? {};
  const out: Record<string, string> = {};
  for (const ni of snap.nodes) {
    if (pre.skip) out[ni.name] = 'ok';
    else if (pre.status && pre.status.code !== 'Success') out[ni.name] = `prefilter: ${pre.status.reasons.join(', ')}`;
    else if (pre.nodeNames && !pre.nodeNames.has(ni.name)) out[ni.name] = 'excluded';
    else {
      const s: Status = pl.filter(state, p, ni);
      out[ni.name] = s.code === 'Success' ? 'ok' : `${s.code}: ${s.reasons.join(', ')}`;
    }
  }
  return out;
}

/** Runs PreScore, Score and NormalizeScore over all nodes. */
function scoreAll(pl: ScorePlugin, p: Pod, snap: Snapshot, nodes: NodeInfo[] = snap.nodes): Record<string, number> {
  const state = new CycleState();
  const r = pl.preScore?.(state, p, nodes, snap);
  const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: r === 'skip' ? 0 : pl.score(state, p, n) }));
  if (r !== 'skip') pl.normalize?.(state, p, scores);
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

// ---------------------------------------------------------------------------------------------

describe('TaintToleration', () => {
  const cases: { name: string; taints: Taint[]; tolerations?: Toleration[]; want: string }[] = [
    { name: 'no taints', taints: [], want: 'ok' },
    {
      name: 'untolerated NoSchedule',
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
    },
    {
      name: 'control-plane taint without value',
      taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    },
    { name: 'untolerated NoExecute', taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }], want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {k: v}' },
    { name: 'PreferNoSchedule does not filter', taints: [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }], want: 'ok' },
    {
      name: 'tolerated with Equal',
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      want: 'ok',
    },
    {
      name: 'value mismatch',
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
      tolerations: [{ key: 'dedicated', value: 'cpu', effect: 'NoSchedule' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
    },
    { name: 'tolerated with Exists', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], tolerations: [{ key: 'dedicated', operator: 'Exists' }], want: 'ok' },
    { name: 'empty key Exists tolerates everything', taints: [{ key: 'a', value: 'b', effect: 'NoExecute' }], tolerations: [{ operator: 'Exists' }], want: 'ok' },
    {
      name: 'effect mismatch',
      taints: [{ key: 'a', value: 'b', effect: 'NoExecute' }],
      tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {a: b}',
    },
    {
      name: 'first untolerated taint is reported',
      taints: [
        { key: 'a', value: '1', effect: 'NoSchedule' },
        { key: 'b', value: '2', effect: 'NoSchedule' },
      ],
      tolerations: [{ key: 'a', operator: 'Exists' }],
      want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {b: 2}',
    },
  ];
  for (const c of cases) {
    it(`filter: ${c.name}`, () => {
      const snap = buildSnapshot([node('n1', { taints: c.taints })], []);
      expect(filterAll(taintToleration(), pod('p', { spec: { tolerations: c.tolerations } }), snap).n1).toBe(c.want);
    });
  }

  it('score: fewer intolerable PreferNoSchedule taints is better (reverse-normalized)', () => {
    const snap = buildSnapshot(
      [
        node('none'),
        node('one', { taints: [{ key: 'a', value: '1', effect: 'PreferNoSchedule' }] }),
        node('two', {
          taints: [
            { key: 'a', value: '1', effect: 'PreferNoSchedule' },
            { key: 'b', value: '2', effect: 'PreferNoSchedule' },
          ],
        }),
        node('tolerated', { taints: [{ key: 'c', value: '3', effect: 'PreferNoSchedule' }] }),
      ],
      [],
    );
    const p = pod('p', { spec: { tolerations: [{ key: 'c', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
    expect(scoreAll(taintToleration(), p, snap)).toEqual({ none: 100, one: 50, two: 0, tolerated: 100 });
  });
});

describe('NodeUnschedulable and NodeName', () => {
  it('rejects cordoned nodes unless the unschedulable taint is tolerated', () => {
    const snap = buildSnapshot([node('cordoned', { unschedulable: true }), node('ok')], []);
    expect(filterAll(nodeUnschedulable(), pod('p'), snap)).toEqual({ cordoned: 'UnschedulableAndUnresolvable: node(s) were unschedulable', ok: 'ok' });
    const tolerant = pod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
    expect(filterAll(nodeUnschedulable(), tolerant, snap).cordoned).toBe('ok');
  });

  it('NodeName matches only the requested node', () => {
    const snap = buildSnapshot([node('a'), node('b')], []);
    expect(filterAll(nodeName(), pod('p', { spec: { nodeName: 'a' } }), snap)).toEqual({
      a: 'ok',
      b: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name",
    });
  });
});

describe('NodeAffinity', () => {
  const NOT_MATCH = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";
  const nodes = [
    node('a', { labels: { zone: 'z1', disk: 'ssd', gen: '3' } }),
    node('b', { labels: { zone: 'z2', gen: '5' } }),
    node('c', { labels: { zone: 'z3' } }),
  ];
  const snap = buildSnapshot(nodes, []);
  const req = (terms: NonNullable<NonNullable<NonNullable<PodSpec['affinity']>['nodeAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']>['nodeSelectorTerms']) =>
    pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });
  const cases: { name: string; p: Pod; want: Record<string, string> }[] = [
    { name: 'nodeSelector', p: pod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), want: { a: 'ok', b: NOT_MATCH, c: NOT_MATCH } },
    { name: 'In', p: req([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }] }]), want: { a: 'ok', b: 'ok', c: NOT_MATCH } },
    { name: 'NotIn', p: req([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }] }]), want: { a: NOT_MATCH, b: 'ok', c: 'ok' } },
    { name: 'Exists', p: req([{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }]), want: { a: 'ok', b: NOT_MATCH, c: NOT_MATCH } },
    { name: 'DoesNotExist', p: req([{ matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }]), want: { a: NOT_MATCH, b: 'ok', c: 'ok' } },
    { name: 'Gt', p: req([{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }]), want: { a: NOT_MATCH, b: 'ok', c: NOT_MATCH } },
    { name: 'Lt', p: req([{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['4'] }] }]), want: { a: 'ok', b: NOT_MATCH, c: NOT_MATCH } },
    {
      name: 'terms are ORed, expressions ANDed',
      p: req([
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z3'] }] },
        {
          matchExpressions: [
            { key: 'zone', operator: 'In', values: ['z1', 'z2'] },
            { key: 'disk', operator: 'Exists' },
          ],
        },
      ]),
      want: { a: 'ok', b: NOT_MATCH, c: 'ok' },
    },
    { name: 'an empty term matches nothing', p: req([{}]), want: { a: NOT_MATCH, b: NOT_MATCH, c: NOT_MATCH } },
    {
      name: 'nodeSelector and affinity are ANDed',
      p: pod('p', {
        spec: {
          nodeSelector: { zone: 'z2' },
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'Exists' }] }] } } },
        },
      }),
      want: { a: NOT_MATCH, b: 'ok', c: NOT_MATCH },
    },
    {
      name: 'matchFields metadata.name narrows in PreFilter',
      p: req([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }]),
      want: { a: 'excluded', b: 'ok', c: 'excluded' },
    },
    {
      name: 'conflicting matchFields',
      p: req([
        {
          matchFields: [
            { key: 'metadata.name', operator: 'In', values: ['a'] },
            { key: 'metadata.name', operator: 'In', values: ['b'] },
          ],
        },
      ]),
      want: { a: 'prefilter: pod affinity terms conflict', b: 'prefilter: pod affinity terms conflict', c: 'prefilter: pod affinity terms conflict' },
    },
  ];
  for (const c of cases) it(`filter: ${c.name}`, () => expect(filterAll(nodeAffinity(), c.p, snap)).toEqual(c.want));

  it('score: preferred terms weights, normalized to the maximum', () => {
    const p = pod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 2, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
              { weight: 6, preference: { matchExpressions: [{ key: 'gen', operator: 'Exists' }] } },
            ],
          },
        },
      },
    });
    expect(scoreAll(nodeAffinity(), p, snap)).toEqual({ a: 100, b: 75, c: 0 });
  });
});

describe('NodeResourcesFit', () => {
  it('requests: init containers take the max, regular containers are summed (upstream example: 3 cpu, 3G)', () => {
    const p: Pod = {
      metadata: { name: 'p' },
      spec: {
        initContainers: [container({ cpu: '2', memory: '1G' }), container({ cpu: '2', memory: '3G' })],
        containers: [container({ cpu: '2', memory: '1G' }), container({ cpu: '1', memory: '1G' })],
      },
    };
    const r = computePodResourceRequest(p);
    expect(r.milliCPU).toBe(3000);
    expect(r.memory).toBe(3e9);
  });

  it('requests: sidecars (restartable init containers) add up and run beside later init containers', () => {
    const p: Pod = {
      metadata: { name: 'p' },
      spec: {
        initContainers: [container({ cpu: '500m' }, { restartPolicy: 'Always' }), container({ cpu: '2' })],
        containers: [container({ cpu: '1' })],
      },
    };
    // max(sidecar 0.5 + container 1, sidecar 0.5 + init 2) = 2.5
    expect(computePodResourceRequest(p).milliCPU).toBe(2500);
  });

  it('requests: overhead is added', () => {
    const p: Pod = { metadata: { name: 'p' }, spec: { containers: [container({ cpu: '100m', memory: '64Mi' })], overhead: { cpu: '250m', memory: '120Mi' } } };
    const r = computePodResourceRequest(p);
    expect(r.milliCPU).toBe(350);
    expect(r.memory).toBe(184 * 1024 * 1024);
  });

  const fit = nodeResourcesFit();
  const cases: { name: string; n: Node; existing: Pod[]; p: Pod; want: string }[] = [
    { name: 'fits', n: node('n', { cpu: '2' }), existing: [pod('e', { node: 'n', cpu: '1' })], p: pod('p', { cpu: '1' }), want: 'ok' },
    { name: 'insufficient cpu', n: node('n', { cpu: '2' }), existing: [pod('e', { node: 'n', cpu: '1500m' })], p: pod('p', { cpu: '1' }), want: 'Unschedulable: Insufficient cpu' },
    {
      name: 'insufficient cpu and memory',
      n: node('n', { cpu: '1', memory: '1Gi' }),
      existing: [],
      p: pod('p', { cpu: '2', memory: '2Gi' }),
      want: 'Unschedulable: Insufficient cpu, Insufficient memory',
    },
    { name: 'too many pods', n: node('n', { pods: '1' }), existing: [pod('e', { node: 'n' })], p: pod('p'), want: 'Unschedulable: Too many pods' },
    {
      name: 'too many pods and cpu',
      n: node('n', { pods: '1', cpu: '1' }),
      existing: [pod('e', { node: 'n' })],
      p: pod('p', { cpu: '2' }),
      want: 'Unschedulable: Too many pods, Insufficient cpu',
    },
    { name: 'best-effort pod fits a full node', n: node('n', { cpu: '1' }), existing: [pod('e', { node: 'n', cpu: '1' })], p: pod('p'), want: 'ok' },
    {
      name: 'init container larger than the node',
      n: node('n', { cpu: '2' }),
      existing: [],
      p: { metadata: { name: 'p' }, spec: { initContainers: [container({ cpu: '3' })], containers: [container({ cpu: '1' })] } },
      want: 'Unschedulable: Insufficient cpu',
    },
    {
      name: 'extended resource',
      n: node('n', { extra: { 'example.com/gpu': '1' } }),
      existing: [],
      p: { metadata: { name: 'p' }, spec: { containers: [container({ 'example.com/gpu': '2' })] } },
      want: 'Unschedulable: Insufficient example.com/gpu',
    },
    {
      name: 'succeeded pods do not count',
      n: node('n', { cpu: '1' }),
      existing: [{ ...pod('done', { node: 'n', cpu: '1' }), status: { phase: 'Succeeded' } }],
      p: pod('p', { cpu: '1' }),
      want: 'ok',
    },
  ];
  for (const c of cases) {
    it(`filter: ${c.name}`, () => {
      const snap = buildSnapshot([c.n], c.existing);
      expect(filterAll(fit, c.p, snap).n).toBe(c.want);
    });
  }

  it('LeastAllocated and BalancedAllocation formulas (upstream examples)', () => {
    // cpu 3000/4000 used, memory 5000/10000 used
    expect(leastAllocatedScore([3000, 5000], [4000, 10000], DEFAULT_SCORING_RESOURCES)).toBe(37);
    expect(balancedResourceScore([3000, 5000], [4000, 10000])).toBe(87);
    expect(leastAllocatedScore([0, 0], [4000, 10000], DEFAULT_SCORING_RESOURCES)).toBe(100);
    expect(balancedResourceScore([6000, 5000], [4000, 10000])).toBe(75);
  });

  it('LeastAllocated counts missing requests as 100m / 200Mi', () => {
    const snap = buildSnapshot([node('empty', { cpu: '1', memory: '1000Mi' }), node('busy', { cpu: '1', memory: '1000Mi' })], [pod('e', { node: 'busy' })]);
    const scores = scoreAll(nodeResourcesFit(), pod('p'), snap);
    // empty: cpu (1000-100)/1000 → 90, mem (1000-200)/1000 → 80 → 85; busy: cpu 80, mem 60 → 70
    expect(scores).toEqual({ empty: 85, busy: 70 });
  });

  it('BalancedAllocation skips best-effort pods', () => {
    const snap = buildSnapshot([node('n')], []);
    const state = new CycleState();
    expect(nodeResourcesBalancedAllocation().preScore!(state, pod('p'), snap.nodes, snap)).toBe('skip');
    expect(nodeResourcesBalancedAllocation().preScore!(state, pod('p', { cpu: '1' }), snap.nodes, snap)).toBeUndefined();
  });
});

describe('NodePorts', () => {
  const withPort = (name: string, port: number, extra: { protocol?: string; hostIP?: string } = {}, nodeName?: string): Pod => ({
    metadata: { name, namespace: 'default', uid: name },
    spec: { nodeName, containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: port, ...extra }] }] },
  });
  const ERR = "Unschedulable: node(s) didn't have free ports for the requested pod ports";
  const cases: { name: string; existing: Pod; p: Pod; want: string }[] = [
    { name: 'same port', existing: withPort('e', 8080, {}, 'n'), p: withPort('p', 8080), want: ERR },
    { name: 'other port', existing: withPort('e', 8080, {}, 'n'), p: withPort('p', 8081), want: 'ok' },
    { name: 'other protocol', existing: withPort('e', 8080, {}, 'n'), p: withPort('p', 8080, { protocol: 'UDP' }), want: 'ok' },
    { name: 'specific IP vs 0.0.0.0', existing: withPort('e', 8080, {}, 'n'), p: withPort('p', 8080, { hostIP: '10.0.0.1' }), want: ERR },
    { name: 'two specific IPs', existing: withPort('e', 8080, { hostIP: '10.0.0.2' }, 'n'), p: withPort('p', 8080, { hostIP: '10.0.0.1' }), want: 'ok' },
    { name: '0.0.0.0 vs specific IP', existing: withPort('e', 8080, { hostIP: '10.0.0.2' }, 'n'), p: withPort('p', 8080), want: ERR },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const snap = buildSnapshot([node('n')], [c.existing]);
      expect(filterAll(nodePorts(), c.p, snap).n).toBe(c.want);
    });
  }
  it('is skipped for pods without host ports', () => {
    expect(nodePorts().preFilter!(new CycleState(), pod('p'), buildSnapshot([], []))).toEqual({ skip: true });
  });
});

describe('PodTopologySpread', () => {
  const zoneNodes = () => [
    node('a1', { labels: { zone: 'z1' } }),
    node('a2', { labels: { zone: 'z1' } }),
    node('b1', { labels: { zone: 'z2' } }),
    node('b2', { labels: { zone: 'z2' } }),
  ];
  const spread = (o: Partial<NonNullable<PodSpec['topologySpreadConstraints']>[number]> = {}) =>
    pod('p', {
      labels: { app: 'web' },
      spec: {
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...o }],
      },
    });
  const web = (name: string, n: string) => pod(name, { node: n, labels: { app: 'web' } });
  const NOT_MATCH = "Unschedulable: node(s) didn't match pod topology spread constraints";

  it('maxSkew 1 over zones: only the emptier zone fits', () => {
    // z1 has 2 matching pods, z2 has 1 → placing in z1 gives skew 3-1 = 2 > 1.
    const snap = buildSnapshot(zoneNodes(), [web('w1', 'a1'), web('w2', 'a2'), web('w3', 'b1'), pod('other', { node: 'b2', labels: { app: 'db' } })]);
    expect(filterAll(podTopologySpread(), spread(), snap)).toEqual({ a1: NOT_MATCH, a2: NOT_MATCH, b1: 'ok', b2: 'ok' });
  });

  it('maxSkew 2 tolerates the difference', () => {
    const snap = buildSnapshot(zoneNodes(), [web('w1', 'a1'), web('w2', 'a2'), web('w3', 'b1')]);
    expect(filterAll(podTopologySpread(), spread({ maxSkew: 2 }), snap)).toEqual({ a1: 'ok', a2: 'ok', b1: 'ok', b2: 'ok' });
  });

  it('nodes missing the topology key are rejected as unresolvable', () => {
    const snap = buildSnapshot([...zoneNodes(), node('nolabel')], []);
    expect(filterAll(podTopologySpread(), spread(), snap).nolabel).toBe(
      "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)",
    );
  });

  it('minDomains: fewer domains than minDomains makes the global minimum 0', () => {
    // Two zones each with one pod; minDomains 3 → min treated as 0 → 1+1-0 = 2 > 1 everywhere.
    const snap = buildSnapshot(zoneNodes(), [web('w1', 'a1'), web('w2', 'b1')]);
    expect(filterAll(podTopologySpread(), spread({ minDomains: 3 }), snap)).toEqual({ a1: NOT_MATCH, a2: NOT_MATCH, b1: NOT_MATCH, b2: NOT_MATCH });
    expect(filterAll(podTopologySpread(), spread({ minDomains: 2 }), snap)).toEqual({ a1: 'ok', a2: 'ok', b1: 'ok', b2: 'ok' });
  });

  it('nodeAffinityPolicy Honor (default) ignores domains outside the pod affinity; Ignore counts them', () => {
    const nodes = [node('a1', { labels: { zone: 'z1', pool: 'x' } }), node('b1', { labels: { zone: 'z2', pool: 'x' } }), node('c1', { labels: { zone: 'z3', pool: 'y' } })];
    const existing = [web('w1', 'a1'), web('w2', 'b1')];
    const snap = buildSnapshot(nodes, existing);
    const honor = spread();
    honor.spec!.nodeSelector = { pool: 'x' };
    // z3 is excluded: min over z1,z2 is 1 → placing on a1 gives 2-1 = 1 ok.
    expect(filterAll(podTopologySpread(), honor, snap)).toMatchObject({ a1: 'ok', b1: 'ok' });
    const ignore = spread({ nodeAffinityPolicy: 'Ignore' });
    ignore.spec!.nodeSelector = { pool: 'x' };
    // z3 counts with 0 pods → placing on a1 gives 2-0 = 2 > 1.
    expect(filterAll(podTopologySpread(), ignore, snap)).toMatchObject({ a1: NOT_MATCH, b1: NOT_MATCH });
  });

  it('nodeTaintsPolicy Honor leaves out tainted domains', () => {
    const nodes = [node('a1', { labels: { zone: 'z1' } }), node('b1', { labels: { zone: 'z2' }, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] })];
    const snap = buildSnapshot(nodes, [web('w1', 'a1')]);
    expect(filterAll(podTopologySpread(), spread(), snap).a1).toBe(NOT_MATCH);
    expect(filterAll(podTopologySpread(), spread({ nodeTaintsPolicy: 'Honor' }), snap).a1).toBe('ok');
  });

  it('pods in other namespaces and terminating pods are not counted', () => {
    const base = web('t', 'a1');
    const terminating: Pod = { ...base, metadata: { ...base.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } };
    const snap = buildSnapshot(zoneNodes(), [terminating, pod('o', { node: 'a2', ns: 'other', labels: { app: 'web' } })]);
    expect(filterAll(podTopologySpread(), spread(), snap)).toEqual({ a1: 'ok', a2: 'ok', b1: 'ok', b2: 'ok' });
  });

  it('matchLabelKeys narrows the selector to pods with the same label value', () => {
    const p = spread({ matchLabelKeys: ['pod-template-hash'] });
    p.metadata!.labels = { app: 'web', 'pod-template-hash': 'new' };
    const old = (name: string, n: string) => pod(name, { node: n, labels: { app: 'web', 'pod-template-hash': 'old' } });
    const snap = buildSnapshot(zoneNodes(), [old('o1', 'a1'), old('o2', 'a2')]);
    expect(filterAll(podTopologySpread(), p, snap)).toEqual({ a1: 'ok', a2: 'ok', b1: 'ok', b2: 'ok' });
  });

  it('ScheduleAnyway scores the less crowded zone higher', () => {
    const snap = buildSnapshot(zoneNodes(), [web('w1', 'a1'), web('w2', 'a2'), web('w3', 'b1')]);
    const scores = scoreAll(podTopologySpread(), spread({ whenUnsatisfiable: 'ScheduleAnyway' }), snap);
    expect(scores.b1).toBeGreaterThan(scores.a1);
    expect(scores.a1).toBe(scores.a2);
    expect(scores.b2).toBe(100);
  });

  it('system defaults spread ReplicaSet pods by hostname', () => {
    const owned = (name: string, n?: string) => {
      const p = pod(name, { node: n, labels: { app: 'web', 'pod-template-hash': 'h' } });
      p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-h', uid: 'rs', controller: true }];
      return p;
    };
    const snap = buildSnapshot([node('n1'), node('n2'), node('n3')], [owned('e1', 'n1'), owned('e2', 'n1'), owned('e3', 'n2')]);
    const scores = scoreAll(podTopologySpread(), owned('p'), snap);
    expect(scores.n3).toBe(100);
    expect(scores.n3).toBeGreaterThan(scores.n2);
    expect(scores.n2).toBeGreaterThan(scores.n1);
    // A bare pod (no controller) gets no default constraints.
    expect(podTopologySpread().preScore!(new CycleState(), pod('bare', { labels: { app: 'web' } }), snap.nodes, snap)).toBe('skip');
  });

  it('system defaults use service and ReplicaSet selectors when workloads are known', () => {
    const owned = (name: string, n?: string, labels: Record<string, string> = { app: 'web', tier: 'fe' }) => {
      const p = pod(name, { node: n, labels });
      p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs', controller: true }];
      return p;
    };
    const snap = buildSnapshot([node('n1'), node('n2')], [owned('e1', 'n1'), owned('x', 'n2', { app: 'web', tier: 'other' })], {
      replicaSets: [{ metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { tier: 'fe' } } } }],
      services: [{ metadata: { name: 'svc', namespace: 'default' }, spec: { selector: { app: 'web' } } }],
    });
    // Selector app=web,tier=fe: n1 has one match, n2 none.
    const scores = scoreAll(podTopologySpread(), owned('p'), snap);
    expect(scores.n2).toBeGreaterThan(scores.n1);
  });
});

describe('InterPodAffinity', () => {
  const zoneNodes = () => [
    node('a1', { labels: { zone: 'z1' } }),
    node('a2', { labels: { zone: 'z1' } }),
    node('b1', { labels: { zone: 'z2' } }),
  ];
  const AFF = "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules";
  const ANTI = "Unschedulable: node(s) didn't match pod anti-affinity rules";
  const EXISTING = "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules";
  const term = (labels: Record<string, string>, topologyKey: string) => ({ labelSelector: { matchLabels: labels }, topologyKey });

  it('required anti-affinity by hostname', () => {
    const snap = buildSnapshot(zoneNodes(), [pod('w1', { node: 'a1', labels: { app: 'web' } })]);
    const p = pod('p', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'kubernetes.io/hostname')] } } } });
    expect(filterAll(interPodAffinity(), p, snap)).toEqual({ a1: ANTI, a2: 'ok', b1: 'ok' });
  });

  it('required anti-affinity by zone', () => {
    const snap = buildSnapshot(zoneNodes(), [pod('w1', { node: 'a1', labels: { app: 'web' } })]);
    const p = pod('p', { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'zone')] } } } });
    expect(filterAll(interPodAffinity(), p, snap)).toEqual({ a1: ANTI, a2: ANTI, b1: 'ok' });
  });

  it('required affinity to a zone with a matching pod', () => {
    const snap = buildSnapshot(zoneNodes(), [pod('db', { node: 'b1', labels: { app: 'db' } })]);
    const p = pod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone')] } } } });
    expect(filterAll(interPodAffinity(), p, snap)).toEqual({ a1: AFF, a2: AFF, b1: 'ok' });
  });

  it('affinity with no matching pod anywhere: allowed only if the pod matches its own terms', () => {
    const snap = buildSnapshot(zoneNodes(), []);
    const self = pod('p', { labels: { app: 'db' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone')] } } } });
    expect(filterAll(interPodAffinity(), self, snap)).toEqual({ a1: 'ok', a2: 'ok', b1: 'ok' });
    const other = pod('q', { labels: { app: 'web' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone')] } } } });
    expect(filterAll(interPodAffinity(), other, snap)).toEqual({ a1: AFF, a2: AFF, b1: AFF });
  });

  it("existing pods' anti-affinity rejects the incoming pod", () => {
    const guard = pod('g', { node: 'a1', labels: { app: 'guard' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'zone')] } } } });
    const snap = buildSnapshot(zoneNodes(), [guard]);
    expect(filterAll(interPodAffinity(), pod('p', { labels: { app: 'web' } }), snap)).toEqual({ a1: EXISTING, a2: EXISTING, b1: 'ok' });
    // A pod that doesn't match the guard's term is unaffected (and the plugin is skipped entirely).
    expect(filterAll(interPodAffinity(), pod('p', { labels: { app: 'db' } }), snap)).toEqual({ a1: 'ok', a2: 'ok', b1: 'ok' });
  });

  it('terms only match pods in the term namespaces', () => {
    const snap = buildSnapshot(zoneNodes(), [pod('w1', { node: 'a1', ns: 'other', labels: { app: 'web' } })]);
    const same = pod('p', { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'kubernetes.io/hostname')] } } } });
    expect(filterAll(interPodAffinity(), same, snap).a1).toBe('ok');
    const listed = pod('p', {
      spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term({ app: 'web' }, 'kubernetes.io/hostname'), namespaces: ['other'] }] } } },
    });
    expect(filterAll(interPodAffinity(), listed, snap).a1).toBe(ANTI);
    const allNs = pod('p', {
      spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term({ app: 'web' }, 'kubernetes.io/hostname'), namespaceSelector: {} }] } } },
    });
    expect(filterAll(interPodAffinity(), allNs, snap).a1).toBe(ANTI);
  });

  it('preferred affinity and anti-affinity score', () => {
    const snap = buildSnapshot(zoneNodes(), [pod('db', { node: 'b1', labels: { app: 'db' } }), pod('w', { node: 'a1', labels: { app: 'web' } })]);
    const p = pod('p', {
      spec: {
        affinity: {
          podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'db' }, 'zone') }] },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term({ app: 'web' }, 'kubernetes.io/hostname') }] },
        },
      },
    });
    // b1: +10, a1: -5, a2: 0 → normalized min-max.
    expect(scoreAll(interPodAffinity(), p, snap)).toEqual({ a1: 0, a2: 33, b1: 100 });
  });

  it("existing pods' preferred anti-affinity pushes the incoming pod away", () => {
    const e = pod('e', {
      node: 'a1',
      labels: { app: 'x' },
      spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term({ app: 'web' }, 'zone') }] } } },
    });
    const snap = buildSnapshot(zoneNodes(), [e]);
    expect(scoreAll(interPodAffinity(), pod('p', { labels: { app: 'web' } }), snap)).toEqual({ a1: 0, a2: 0, b1: 100 });
  });
});

describe('SchedulingGates', () => {
  it('gated pods are rejected at PreEnqueue', () => {
    const gated = pod('p', { spec: { schedulingGates: [{ name: 'example.com/a' }, { name: 'example.com/b' }] } });
    expect(schedulingGates().preEnqueue(gated)).toEqual({ code: 'UnschedulableAndUnresolvable', reasons: ['waiting for scheduling gates: [example.com/a example.com/b]'] });
    expect(schedulingGates().preEnqueue(pod('q')).code).toBe('Success');
  });
});

describe('NodeInfo', () => {
  it('aggregates requests, non-zero requests and ports; removal undoes them', () => {
    const ni = new NodeInfo(node('n'));
    const p = pod('p', { cpu: '250m', memory: '128Mi' });
    const q = pod('q');
    q.spec!.containers[0].ports = [{ containerPort: 80, hostPort: 80 }];
    ni.addPod(p);
    ni.addPod(q);
    expect(ni.requested.milliCPU).toBe(250);
    expect(ni.requested.pods).toBe(2);
    expect(ni.nonZeroRequested.milliCPU).toBe(350);
    expect(ni.nonZeroRequested.memory).toBe(128 * 1024 * 1024 + 200 * 1024 * 1024);
    expect(ni.usedPorts.checkConflict('', 'TCP', 80)).toBe(true);
    ni.removePod(q);
    expect(ni.usedPorts.checkConflict('', 'TCP', 80)).toBe(false);
    expect(ni.requested.pods).toBe(1);
    expect(ni.allocatable.milliCPU).toBe(4000);
  });
});

describe('VolumeBinding (claim checks)', () => {
  const claimPod = (volumes: object[]): Pod => ({ metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c' }], volumes } as PodSpec });
  const claims: Record<string, object> = {
    'ns/ok': { metadata: { name: 'ok' }, status: { phase: 'Bound' } },
    'ns/going': { metadata: { name: 'going', deletionTimestamp: '2026-01-01T00:00:00Z' } },
    'ns/lost': { metadata: { name: 'lost' }, spec: { volumeName: 'pv-1' }, status: { phase: 'Lost' } },
    'ns/p-scratch': { metadata: { name: 'p-scratch' } },
  };
  const lookup = (ns: string, name: string) => claims[`${ns}/${name}`] as never;
  it.each([
    ['no claims', [{ name: 'v', emptyDir: {} }], undefined],
    ['an existing claim', [{ name: 'v', persistentVolumeClaim: { claimName: 'ok' } }], undefined],
    ['a claim being deleted', [{ name: 'v', persistentVolumeClaim: { claimName: 'going' } }], 'persistentvolumeclaim "going" is being deleted'],
    ['a missing claim', [{ name: 'v', persistentVolumeClaim: { claimName: 'nope' } }], 'persistentvolumeclaim "nope" not found'],
    ['a lost claim', [{ name: 'v', persistentVolumeClaim: { claimName: 'lost' } }], 'persistentvolumeclaim "lost" bound to non-existent persistentvolume "pv-1"'],
    ['an ephemeral volume whose claim exists', [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }], undefined],
    ['an ephemeral volume not yet created', [{ name: 'tmp', ephemeral: { volumeClaimTemplate: { spec: {} } } }], 'waiting for ephemeral volume controller to create the persistentvolumeclaim "p-tmp"'],
    ['the first problem of several', [{ name: 'a', persistentVolumeClaim: { claimName: 'ok' } }, { name: 'b', persistentVolumeClaim: { claimName: 'going' } }], 'persistentvolumeclaim "going" is being deleted'],
  ])('%s', (_what, volumes, want) => {
    expect(claimProblem(claimPod(volumes), lookup)).toBe(want);
  });

  it('rejects in PreFilter as UnschedulableAndUnresolvable, and skips pods without claims', () => {
    const pl = volumeBinding();
    const snap = buildSnapshot([], []);
    snap.claims = lookup;
    expect(pl.preFilter!(new CycleState(), claimPod([{ name: 'v', persistentVolumeClaim: { claimName: 'going' } }]), snap)).toEqual({
      status: { code: 'UnschedulableAndUnresolvable', reasons: ['persistentvolumeclaim "going" is being deleted'] },
    });
    expect(pl.preFilter!(new CycleState(), claimPod([]), snap)).toEqual({ skip: true });
  });
});
