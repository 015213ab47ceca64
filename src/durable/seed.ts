// What a new sandbox starts with: the system namespaces, the default RBAC policy and its (simulated) nodes.
import type { KObject } from '../registry/types';
import { DEFAULT_PROXY_MODE, type ProxyMode } from '../network/kube-proxy';
import { ipAt, parseCidr } from '../network/cidr';
import { DEFAULT_NETWORK, type NetworkPlan } from '../network/settings';
import { bootstrapPolicyObjects } from '../tenancy/bootstrap-policy';

/** A sandbox's shape; the network plan (serviceCIDR, podCIDR, loadBalancerCIDR) is fixed at creation. */
export interface SandboxSpec extends NetworkPlan {
  name: string;
  controlPlaneNodes: number;
  workerNodes: number;
  nodeCapacity: { cpu: string; memory: string; pods: string };
  /** kube-proxy's mode on every node, kept in ConfigMap kube-system/kube-proxy like kubeadm does. */
  proxyMode: ProxyMode;
}

export const DEFAULT_SANDBOX: Omit<SandboxSpec, 'name'> = {
  controlPlaneNodes: 1,
  workerNodes: 3,
  nodeCapacity: { cpu: '8', memory: '16Gi', pods: '110' },
  ...DEFAULT_NETWORK,
  proxyMode: DEFAULT_PROXY_MODE,
};

export const KUBERNETES_VERSION = 'v1.33.0';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function namespace(name: string): KObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } };
}

/** Node names follow kind's: <sandbox>-control-plane, <sandbox>-worker, <sandbox>-worker2, ... */
export function nodeNames(spec: SandboxSpec): { name: string; controlPlane: boolean }[] {
  const out: { name: string; controlPlane: boolean }[] = [];
  for (let i = 0; i < spec.controlPlaneNodes; i++) out.push({ name: `${spec.name}-control-plane${i ? i + 1 : ''}`, controlPlane: true });
  for (let i = 0; i < spec.workerNodes; i++) out.push({ name: `${spec.name}-worker${i ? i + 1 : ''}`, controlPlane: false });
  return out;
}

/** What a fresh node's container runtime already holds (kind's node image preloads these). */
const NODE_IMAGES = [
  { names: ['registry.k8s.io/pause:3.10'], sizeBytes: 320368 },
  { names: ['registry.k8s.io/kube-proxy:v1.33.0'], sizeBytes: 30906960 },
  { names: ['registry.k8s.io/kube-apiserver:v1.33.0'], sizeBytes: 28678880 },
  { names: ['registry.k8s.io/kube-controller-manager:v1.33.0'], sizeBytes: 26384096 },
  { names: ['registry.k8s.io/kube-scheduler:v1.33.0'], sizeBytes: 20696864 },
  { names: ['registry.k8s.io/etcd:3.5.21-0'], sizeBytes: 58938593 },
  { names: ['registry.k8s.io/coredns/coredns:v1.12.0'], sizeBytes: 20939036 },
  { names: ['docker.io/kindest/kindnetd:v20250512-df8de77b'], sizeBytes: 44375501 },
  { names: ['docker.io/kindest/local-path-provisioner:v20250214-acbabc1a'], sizeBytes: 22541737 },
];

/** The status a simulated kubelet registers its node with. */
export function kubeletNodeStatus(name: string, index: number, capacity: Record<string, string>, now: string): Record<string, unknown> {
  const cap = { 'ephemeral-storage': '100Gi', ...capacity };
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    capacity: cap,
    allocatable: cap,
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: nodeInternalIP(index) },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    images: NODE_IMAGES,
    nodeInfo: {
      machineID: crypto.randomUUID().replace(/-/g, ''),
      systemUUID: crypto.randomUUID(),
      bootID: crypto.randomUUID(),
      kernelVersion: '6.8.0-kubedo',
      osImage: 'kubedo simulated node',
      containerRuntimeVersion: 'kubedo://1.0.0',
      kubeletVersion: KUBERNETES_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The pod CIDR of the node with this index (node-ipam-controller's range allocator: 10.244.0.0/16 in /24s). */
export function podCIDRFor(index: number): string {
  return `10.${244 + Math.floor(index / 256)}.${index % 256}.0/24`;
}

function node(name: string, controlPlane: boolean, index: number, spec: SandboxSpec, now: string): KObject {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
  if (controlPlane) labels['node-role.kubernetes.io/control-plane'] = '';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kubedo.dev/kubelet': 'running' } },
    spec: {
      podCIDR: podCIDRFor(index),
      podCIDRs: [podCIDRFor(index)],
      providerID: `kubedo://${spec.name}/${name}`,
      ...(controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: kubeletNodeStatus(name, index, { cpu: spec.nodeCapacity.cpu, memory: spec.nodeCapacity.memory, pods: spec.nodeCapacity.pods }, now),
  };
}

/** kubeadm's kube-system/kube-proxy ConfigMap (the KubeProxyConfiguration kube-proxy reads its mode from). */
function kubeProxyConfigMap(spec: SandboxSpec): KObject {
  const conf = [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    'bindAddress: 0.0.0.0',
    'clientConnection:',
    '  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf',
    `clusterCIDR: ${spec.podCIDR}`,
    'healthzBindAddress: 0.0.0.0:10256',
    'iptables:',
    '  masqueradeAll: false',
    '  masqueradeBit: 14',
    '  minSyncPeriod: 1s',
    '  syncPeriod: 30s',
    'ipvs:',
    '  scheduler: rr',
    '  syncPeriod: 30s',
    'kind: KubeProxyConfiguration',
    'metricsBindAddress: 0.0.0.0:10249',
    `mode: ${spec.proxyMode}`,
    '',
  ].join('\n');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { app: 'kube-proxy' } },
    data: { 'config.conf': conf },
  };
}

/** The node's InternalIP (kind's docker network: 172.18.0.2 for the first node). */
export function nodeInternalIP(index: number): string {
  return `172.18.${Math.floor((index + 2) / 256)}.${(index + 2) % 256}`;
}

/**
 * What kube-apiserver creates for itself: the default ServiceCIDR "kubernetes", the `kubernetes`
 * Service at the first address of the range (https 443 → 6443), and its Endpoints/EndpointSlice
 * listing the control-plane nodes (the endpoint reconciler's).
 */
export function apiServerObjects(serviceCIDR: string, apiserverIPs: string[], now: string): { resource: string; group: string; object: KObject }[] {
  const cidr = parseCidr(serviceCIDR)!;
  const clusterIP = ipAt(cidr, 1);
  const apiservers = apiserverIPs.map((ip) => ({ ip }));
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  return [
    {
      resource: 'servicecidrs',
      group: 'networking.k8s.io',
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'ServiceCIDR',
        metadata: { name: 'kubernetes' },
        spec: { cidrs: [serviceCIDR] },
        status: {
          conditions: [{ type: 'Ready', status: 'True', reason: '', message: 'Kubernetes default Service CIDR is ready', lastTransitionTime: now }],
        },
      },
    },
    {
      resource: 'services',
      group: '',
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default', labels },
        spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' },
      },
    },
    {
      resource: 'endpoints',
      group: '',
      object: {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
        subsets: [{ addresses: apiservers.map((n) => ({ ip: n.ip })), ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
      },
    },
    {
      resource: 'endpointslices',
      group: 'discovery.k8s.io',
      object: {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
        addressType: 'IPv4',
        endpoints: apiservers.map((n) => ({ addresses: [n.ip], conditions: { ready: true } })),
        ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
      },
    },
  ];
}

/** The objects a new sandbox gets, in creation order, as (resource, object). */
export function seedObjects(spec: SandboxSpec, now: string): { resource: string; group: string; object: KObject }[] {
  const out: { resource: string; group: string; object: KObject }[] = [];
  for (const ns of SYSTEM_NAMESPACES) out.push({ resource: 'namespaces', group: '', object: namespace(ns) });
  out.push({ resource: 'configmaps', group: '', object: kubeProxyConfigMap(spec) });
  // kube-apiserver's bootstrap RBAC policy (admin/edit/view, discovery, system components).
  for (const { resource, object } of bootstrapPolicyObjects()) out.push({ resource, group: 'rbac.authorization.k8s.io', object });
  nodeNames(spec).forEach(({ name, controlPlane }, i) => {
    out.push({ resource: 'nodes', group: '', object: node(name, controlPlane, i, spec, now) });
    out.push({
      resource: 'leases',
      group: 'coordination.k8s.io',
      object: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease' },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now.replace('Z', '.000000Z') },
      },
    });
  });
  const apiservers = nodeNames(spec).flatMap((n, i) => (n.controlPlane ? [nodeInternalIP(i)] : []));
  out.push(...apiServerObjects(spec.serviceCIDR, apiservers, now));
  return out;
}
