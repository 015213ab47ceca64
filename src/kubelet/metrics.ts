// Simulated resource usage for metrics.k8s.io (kubectl top, HorizontalPodAutoscaler).
//
// Per running container: the `kubedo.dev/cpu-usage` / `kubedo.dev/memory-usage` knob when set (a quantity such
// as `250m` / `64Mi`, or a percentage of the request — of the limit when there is no request — such as `80%`),
// exact so that HPA scenarios are predictable. Otherwise a deterministic value bounded by requests/limits:
// 10–60% of the CPU request and 30–70% of the memory request, with a little noise per scrape window (seeded
// by pod uid, container name and the window), never above the limit. A node reports the sum of its pods
// plus a fixed system overhead (kubelet, runtime, OS).

import type { Container, Node, Pod } from 'kubernetes-types/core/v1';
import { parseQuantity } from '../machinery/quantity';
import { knob } from './knobs';
import { formatGoDuration, rfc3339, unit } from './util';

/** metrics-server's default --metric-resolution. */
export const METRIC_RESOLUTION_MS = 15_000;

export interface ContainerUsage {
  name: string;
  /** cores */
  cpu: number;
  /** bytes */
  memory: number;
}

export interface PodUsage {
  /** when the sample was taken (start of the scrape window), RFC 3339 */
  timestamp: string;
  window: string;
  containers: ContainerUsage[];
  cpu: number;
  memory: number;
}

export interface NodeUsage {
  timestamp: string;
  window: string;
  cpu: number;
  memory: number;
}

export interface MetricsOptions {
  timeScale?: number;
}

const MiB = 1024 * 1024;

function scaleOf(opts?: MetricsOptions): number {
  const s = opts?.timeScale;
  return s !== undefined && Number.isFinite(s) && s > 0 ? s : 1;
}

function bucketOf(now: number, opts?: MetricsOptions): number {
  const res = METRIC_RESOLUTION_MS / scaleOf(opts);
  return Math.floor(now / res);
}

function stamp(now: number, opts?: MetricsOptions): { timestamp: string; window: string; bucket: number } {
  const res = METRIC_RESOLUTION_MS / scaleOf(opts);
  const bucket = Math.floor(now / res);
  const jitter = Math.floor(unit(`window:${bucket}`) * 600);
  return { timestamp: rfc3339(bucket * res), window: formatGoDuration(Math.round(res) + jitter), bucket };
}

function resource(c: Container, kind: 'requests' | 'limits', name: string): number | undefined {
  const v = (c.resources?.[kind] as Record<string, string> | undefined)?.[name];
  if (v === undefined) return undefined;
  const q = parseQuantity(String(v));
  return q !== undefined && q > 0 ? q : undefined;
}

/** A knob value: a quantity, or `N%` of the request (else the limit, else `fallbackBase`). */
function knobValue(raw: string | undefined, request: number | undefined, limit: number | undefined, fallbackBase: number): number | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  if (pct) return (parseFloat(pct[1]) / 100) * (request ?? limit ?? fallbackBase);
  const q = parseQuantity(s);
  return q !== undefined && q >= 0 ? q : undefined;
}

function containerUsage(pod: Pod, c: Container, bucket: number): ContainerUsage {
  const seed = `${pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`}/${c.name}`;
  // CPU
  const cpuReq = resource(c, 'requests', 'cpu');
  const cpuLim = resource(c, 'limits', 'cpu');
  let cpu = knobValue(knob(pod, 'cpu-usage', c.name), cpuReq, cpuLim, 1);
  if (cpu === undefined) {
    const noise = 1 + 0.3 * (unit(`${seed}/cpu/${bucket}`) - 0.5);
    if (cpuReq !== undefined) cpu = cpuReq * (0.1 + 0.5 * unit(`${seed}/cpu`)) * noise;
    else if (cpuLim !== undefined) cpu = cpuLim * (0.05 + 0.25 * unit(`${seed}/cpu`)) * noise;
    else cpu = (0.001 + 0.007 * unit(`${seed}/cpu`)) * noise;
    if (cpuLim !== undefined) cpu = Math.min(cpu, cpuLim);
  }
  // Memory
  const memReq = resource(c, 'requests', 'memory');
  const memLim = resource(c, 'limits', 'memory');
  let memory = knobValue(knob(pod, 'memory-usage', c.name), memReq, memLim, 256 * MiB);
  if (memory === undefined) {
    const noise = 1 + 0.06 * (unit(`${seed}/mem/${bucket}`) - 0.5);
    if (memReq !== undefined) memory = memReq * (0.3 + 0.4 * unit(`${seed}/mem`)) * noise;
    else if (memLim !== undefined) memory = memLim * (0.2 + 0.3 * unit(`${seed}/mem`)) * noise;
    else memory = (4 + 36 * unit(`${seed}/mem`)) * MiB * noise;
    if (memLim !== undefined) memory = Math.min(memory, memLim * 0.95);
  }
  return { name: c.name, cpu: Math.round(cpu * 1e9) / 1e9, memory: Math.round(memory / 1024) * 1024 };
}

/** The containers that are running now, from the pod's status (sidecars included). */
function runningContainers(pod: Pod): Container[] {
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  if (statuses.length === 0) return pod.status?.phase === 'Running' ? [...(pod.spec?.containers ?? [])] : [];
  const running = new Set(statuses.filter((s) => s.state?.running).map((s) => s.name));
  return specs.filter((c) => running.has(c.name));
}

/** What metrics-server reports for the pod at `now`; undefined when it has no running container (not Running). */
export function podUsage(pod: Pod, now: number, opts?: MetricsOptions): PodUsage | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const list = runningContainers(pod);
  if (list.length === 0) return undefined;
  const { timestamp, window, bucket } = stamp(now, opts);
  const containers = list.map((c) => containerUsage(pod, c, bucket));
  return {
    timestamp,
    window,
    containers,
    cpu: containers.reduce((a, c) => a + c.cpu, 0),
    memory: containers.reduce((a, c) => a + c.memory, 0),
  };
}

/** A node's usage: its running pods plus the system overhead (kubelet, containerd, OS), capped by capacity. */
export function nodeUsage(node: Node, pods: Pod[], now: number, opts?: MetricsOptions): NodeUsage {
  const name = node.metadata?.name ?? '';
  const { timestamp, window, bucket } = stamp(now, opts);
  let cpu = (0.06 + 0.08 * unit(`${name}/sys/cpu`)) * (1 + 0.2 * (unit(`${name}/sys/cpu/${bucket}`) - 0.5));
  let memory = (350 + 300 * unit(`${name}/sys/mem`)) * MiB;
  for (const p of pods) {
    if (p.spec?.nodeName !== undefined && p.spec.nodeName !== name) continue;
    const u = podUsage(p, now, opts);
    if (!u) continue;
    cpu += u.cpu;
    memory += u.memory;
  }
  const cap = (node.status?.capacity ?? {}) as Record<string, string>;
  const cpuCap = cap.cpu !== undefined ? parseQuantity(cap.cpu) : undefined;
  const memCap = cap.memory !== undefined ? parseQuantity(cap.memory) : undefined;
  if (cpuCap !== undefined) cpu = Math.min(cpu, cpuCap);
  if (memCap !== undefined) memory = Math.min(memory, memCap);
  return { timestamp, window, cpu: Math.round(cpu * 1e9) / 1e9, memory: Math.round(memory / 1024) * 1024 };
}

/** metrics-server's quantity formats: CPU in nanocores (`12345678n`), memory in KiB (`20480Ki`). */
export function formatCPU(cores: number): string {
  return `${Math.round(cores * 1e9)}n`;
}
export function formatMemory(bytes: number): string {
  return `${Math.round(bytes / 1024)}Ki`;
}

/** A metrics.k8s.io/v1beta1 PodMetrics object. */
export function toPodMetrics(pod: Pod, u: PodUsage, now: number): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: pod.metadata?.name, namespace: pod.metadata?.namespace, creationTimestamp: rfc3339(now) };
  if (pod.metadata?.labels) metadata.labels = pod.metadata.labels;
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata,
    timestamp: u.timestamp,
    window: u.window,
    containers: u.containers.map((c) => ({ name: c.name, usage: { cpu: formatCPU(c.cpu), memory: formatMemory(c.memory) } })),
  };
}

/** A metrics.k8s.io/v1beta1 NodeMetrics object. */
export function toNodeMetrics(node: Node, u: NodeUsage, now: number): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: node.metadata?.name, creationTimestamp: rfc3339(now) };
  if (node.metadata?.labels) metadata.labels = node.metadata.labels;
  return { kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata, timestamp: u.timestamp, window: u.window, usage: { cpu: formatCPU(u.cpu), memory: formatMemory(u.memory) } };
}

/** The instant the sampled values change next (scrape windows are METRIC_RESOLUTION_MS / timeScale long). */
export function nextSampleAt(now: number, opts?: MetricsOptions): number {
  const res = METRIC_RESOLUTION_MS / scaleOf(opts);
  return (bucketOf(now, opts) + 1) * res;
}
