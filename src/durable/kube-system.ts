// What kubeadm (v1.33) and the Calico manifest put into kube-system, as data: the control plane's
// static pods (their mirror pods on each control-plane node), CoreDNS, kube-proxy, Calico and
// metrics-server with their ConfigMaps, ServiceAccounts and Services. The workloads are created as
// Deployments and DaemonSets: the sandbox's own controllers, scheduler and kubelets run them.
import type { KObject } from '../registry/types';
import { KUBERNETES_VERSION } from './seed';
import { DNS_SERVICE_IP } from '../network/dns';
import { ipAt, parseCidr } from '../network/cidr';

export const ETCD_IMAGE = 'registry.k8s.io/etcd:3.5.21-0';
export const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.12.0';
export const CALICO_VERSION = 'v3.29.3';
export const METRICS_SERVER_IMAGE = 'registry.k8s.io/metrics-server/metrics-server:v0.7.2';
const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
const POD_CIDR = '10.244.0.0/16';
const PKI = '/etc/kubernetes/pki';

export interface SeedNode {
  name: string;
  uid: string;
  ip: string;
  controlPlane: boolean;
}

export interface Seeded {
  resource: string;
  group: string;
  object: KObject;
}

const core = (resource: string, object: KObject): Seeded => ({ resource, group: '', object });
const RBAC = 'rbac.authorization.k8s.io';
const rbac = (resource: string, object: KObject): Seeded => ({ resource, group: RBAC, object: { apiVersion: `${RBAC}/v1`, ...object } });
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
const subjectSA = (name: string) => ({ kind: 'ServiceAccount', name, namespace: 'kube-system' });
const clusterRole = (name: string, rules: Rule[], labels?: Record<string, string>) =>
  rbac('clusterroles', { kind: 'ClusterRole', metadata: { name, ...(labels ? { labels } : {}) }, rules });
const clusterRoleBinding = (name: string, role: string, subjects: object[], labels?: Record<string, string>) =>
  rbac('clusterrolebindings', { kind: 'ClusterRoleBinding', metadata: { name, ...(labels ? { labels } : {}) }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects });
const roleBinding = (name: string, role: string, subjects: object[], labels?: Record<string, string>) =>
  rbac('rolebindings', { kind: 'RoleBinding', metadata: { name, namespace: 'kube-system', ...(labels ? { labels } : {}) }, roleRef: { apiGroup: RBAC, kind: 'Role', name: role }, subjects });
const apps = (resource: string, object: KObject): Seeded => ({ resource, group: 'apps', object });

/** kubeadm's Corefile (cmd/kubeadm/app/phases/addons/dns): the cluster DNS answers follow it. */
export const COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;

function hostPath(name: string, path: string, type: string) {
  return { name, hostPath: { path, type } };
}

function mount(name: string, mountPath: string, readOnly = false) {
  return readOnly ? { name, mountPath, readOnly } : { name, mountPath };
}

const CERT_VOLUMES = [
  hostPath('ca-certs', '/etc/ssl/certs', 'DirectoryOrCreate'),
  hostPath('etc-ca-certificates', '/etc/ca-certificates', 'DirectoryOrCreate'),
  hostPath('k8s-certs', PKI, 'DirectoryOrCreate'),
  hostPath('usr-local-share-ca-certificates', '/usr/local/share/ca-certificates', 'DirectoryOrCreate'),
  hostPath('usr-share-ca-certificates', '/usr/share/ca-certificates', 'DirectoryOrCreate'),
];
const CERT_MOUNTS = [
  mount('ca-certs', '/etc/ssl/certs', true),
  mount('etc-ca-certificates', '/etc/ca-certificates', true),
  mount('k8s-certs', PKI, true),
  mount('usr-local-share-ca-certificates', '/usr/local/share/ca-certificates', true),
  mount('usr-share-ca-certificates', '/usr/share/ca-certificates', true),
];

function httpProbe(host: string, path: string, port: number, scheme: 'HTTP' | 'HTTPS', failureThreshold: number, initialDelaySeconds = 10, periodSeconds = 10) {
  return { httpGet: { host, path, port, scheme }, initialDelaySeconds, periodSeconds, timeoutSeconds: 15, failureThreshold };
}

interface StaticPod {
  component: string;
  image: string;
  command: string[];
  cpu: string;
  memory?: string;
  volumes: object[];
  mounts: object[];
  annotations?: Record<string, string>;
  liveness: object;
  readiness?: object;
  startup: object;
}

/** The sandbox's network, as far as kube-system's manifests mention it. */
export interface AddonNetwork {
  /** The service range (kube-apiserver's --service-cluster-ip-range); kube-dns takes its 10th address. */
  serviceCIDR: string;
}

export const DEFAULT_ADDON_NETWORK: AddonNetwork = { serviceCIDR: DEFAULT_SERVICE_CIDR };

/** kubeadm's cluster DNS address: the 10th address of the service range (10.96.0.10 for 10.96.0.0/12). */
export function dnsServiceIP(serviceCIDR: string): string {
  const cidr = parseCidr(serviceCIDR);
  return cidr && cidr.bits <= 28 ? ipAt(cidr, 10) : DNS_SERVICE_IP;
}

/** The four static pods kubeadm writes to /etc/kubernetes/manifests on a control-plane node. */
function staticPods(node: SeedNode, net: AddonNetwork = DEFAULT_ADDON_NETWORK): StaticPod[] {
  const ip = node.ip;
  const etcdPKI = `${PKI}/etcd`;
  return [
    {
      component: 'etcd',
      image: ETCD_IMAGE,
      command: [
        'etcd',
        `--advertise-client-urls=https://${ip}:2379`,
        `--cert-file=${etcdPKI}/server.crt`,
        '--client-cert-auth=true',
        '--data-dir=/var/lib/etcd',
        '--experimental-initial-corrupt-check=true',
        '--experimental-watch-progress-notify-interval=5s',
        `--initial-advertise-peer-urls=https://${ip}:2380`,
        `--initial-cluster=${node.name}=https://${ip}:2380`,
        `--key-file=${etcdPKI}/server.key`,
        `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
        '--listen-metrics-urls=http://127.0.0.1:2381',
        `--listen-peer-urls=https://${ip}:2380`,
        `--name=${node.name}`,
        `--peer-cert-file=${etcdPKI}/peer.crt`,
        '--peer-client-cert-auth=true',
        `--peer-key-file=${etcdPKI}/peer.key`,
        `--peer-trusted-ca-file=${etcdPKI}/ca.crt`,
        '--snapshot-count=10000',
        `--trusted-ca-file=${etcdPKI}/ca.crt`,
      ],
      cpu: '100m',
      memory: '100Mi',
      volumes: [hostPath('etcd-certs', etcdPKI, 'DirectoryOrCreate'), hostPath('etcd-data', '/var/lib/etcd', 'DirectoryOrCreate')],
      mounts: [mount('etcd-data', '/var/lib/etcd'), mount('etcd-certs', etcdPKI)],
      annotations: { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${ip}:2379` },
      liveness: httpProbe('127.0.0.1', '/livez', 2381, 'HTTP', 8),
      readiness: { ...httpProbe('127.0.0.1', '/readyz', 2381, 'HTTP', 3, 0, 1) },
      startup: httpProbe('127.0.0.1', '/readyz', 2381, 'HTTP', 24),
    },
    {
      component: 'kube-apiserver',
      image: `registry.k8s.io/kube-apiserver:${KUBERNETES_VERSION}`,
      command: [
        'kube-apiserver',
        `--advertise-address=${ip}`,
        '--allow-privileged=true',
        '--authorization-mode=Node,RBAC',
        `--client-ca-file=${PKI}/ca.crt`,
        '--enable-admission-plugins=NodeRestriction',
        '--enable-bootstrap-token-auth=true',
        `--etcd-cafile=${PKI}/etcd/ca.crt`,
        `--etcd-certfile=${PKI}/apiserver-etcd-client.crt`,
        `--etcd-keyfile=${PKI}/apiserver-etcd-client.key`,
        '--etcd-servers=https://127.0.0.1:2379',
        `--kubelet-client-certificate=${PKI}/apiserver-kubelet-client.crt`,
        `--kubelet-client-key=${PKI}/apiserver-kubelet-client.key`,
        '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
        `--proxy-client-cert-file=${PKI}/front-proxy-client.crt`,
        `--proxy-client-key-file=${PKI}/front-proxy-client.key`,
        '--requestheader-allowed-names=front-proxy-client',
        `--requestheader-client-ca-file=${PKI}/front-proxy-ca.crt`,
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-username-headers=X-Remote-User',
        '--secure-port=6443',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${PKI}/sa.pub`,
        `--service-account-signing-key-file=${PKI}/sa.key`,
        `--service-cluster-ip-range=${net.serviceCIDR}`,
        `--tls-cert-file=${PKI}/apiserver.crt`,
        `--tls-private-key-file=${PKI}/apiserver.key`,
      ],
      cpu: '250m',
      volumes: CERT_VOLUMES,
      mounts: CERT_MOUNTS,
      annotations: { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${ip}:6443` },
      liveness: httpProbe(ip, '/livez', 6443, 'HTTPS', 8),
      readiness: { ...httpProbe(ip, '/readyz', 6443, 'HTTPS', 3, 0, 1) },
      startup: httpProbe(ip, '/livez', 6443, 'HTTPS', 24),
    },
    {
      component: 'kube-controller-manager',
      image: `registry.k8s.io/kube-controller-manager:${KUBERNETES_VERSION}`,
      command: [
        'kube-controller-manager',
        '--allocate-node-cidrs=true',
        '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
        '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
        '--bind-address=127.0.0.1',
        `--client-ca-file=${PKI}/ca.crt`,
        `--cluster-cidr=${POD_CIDR}`,
        '--cluster-name=kubernetes',
        `--cluster-signing-cert-file=${PKI}/ca.crt`,
        `--cluster-signing-key-file=${PKI}/ca.key`,
        '--controllers=*,bootstrapsigner,tokencleaner',
        '--kubeconfig=/etc/kubernetes/controller-manager.conf',
        '--leader-elect=true',
        `--requestheader-client-ca-file=${PKI}/front-proxy-ca.crt`,
        `--root-ca-file=${PKI}/ca.crt`,
        `--service-account-private-key-file=${PKI}/sa.key`,
        `--service-cluster-ip-range=${net.serviceCIDR}`,
        '--use-service-account-credentials=true',
      ],
      cpu: '200m',
      volumes: [
        ...CERT_VOLUMES.slice(0, 2),
        hostPath('flexvolume-dir', '/usr/libexec/kubernetes/kubelet-plugins/volume/exec', 'DirectoryOrCreate'),
        ...CERT_VOLUMES.slice(2),
        hostPath('kubeconfig', '/etc/kubernetes/controller-manager.conf', 'FileOrCreate'),
      ],
      mounts: [
        ...CERT_MOUNTS.slice(0, 2),
        mount('flexvolume-dir', '/usr/libexec/kubernetes/kubelet-plugins/volume/exec'),
        ...CERT_MOUNTS.slice(2),
        mount('kubeconfig', '/etc/kubernetes/controller-manager.conf', true),
      ],
      liveness: httpProbe('127.0.0.1', '/healthz', 10257, 'HTTPS', 8),
      startup: httpProbe('127.0.0.1', '/healthz', 10257, 'HTTPS', 24),
    },
    {
      component: 'kube-scheduler',
      image: `registry.k8s.io/kube-scheduler:${KUBERNETES_VERSION}`,
      command: [
        'kube-scheduler',
        '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
        '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
        '--bind-address=127.0.0.1',
        '--kubeconfig=/etc/kubernetes/scheduler.conf',
        '--leader-elect=true',
      ],
      cpu: '100m',
      volumes: [hostPath('kubeconfig', '/etc/kubernetes/scheduler.conf', 'FileOrCreate')],
      mounts: [mount('kubeconfig', '/etc/kubernetes/scheduler.conf', true)],
      liveness: httpProbe('127.0.0.1', '/livez', 10259, 'HTTPS', 8),
      readiness: { ...httpProbe('127.0.0.1', '/readyz', 10259, 'HTTPS', 3, 0, 1) },
      startup: httpProbe('127.0.0.1', '/livez', 10259, 'HTTPS', 24),
    },
  ];
}

function hex32(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

/** The mirror pod the kubelet of `node` posts for one of its static pods. */
function mirrorPod(node: SeedNode, p: StaticPod, now: string): KObject {
  const hash = hex32();
  const resources: Record<string, Record<string, string>> = { requests: { cpu: p.cpu, ...(p.memory ? { memory: p.memory } : {}) } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${p.component}-${node.name}`,
      namespace: 'kube-system',
      labels: { component: p.component, tier: 'control-plane' },
      annotations: {
        ...p.annotations,
        'kubernetes.io/config.hash': hash,
        'kubernetes.io/config.mirror': hash,
        'kubernetes.io/config.seen': now.replace('Z', '.000000000Z'),
        'kubernetes.io/config.source': 'file',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    spec: {
      nodeName: node.name,
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: 'system-node-critical',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
      containers: [
        {
          name: p.component,
          image: p.image,
          imagePullPolicy: 'IfNotPresent',
          command: p.command,
          resources,
          livenessProbe: p.liveness,
          ...(p.readiness ? { readinessProbe: p.readiness } : {}),
          startupProbe: p.startup,
          volumeMounts: p.mounts,
        },
      ],
      volumes: p.volumes,
    },
  };
}

/** The mirror pods of a control-plane node's static pods (kubeadm's four manifests). */
export function mirrorPods(node: SeedNode, now: string, net: AddonNetwork = DEFAULT_ADDON_NETWORK): KObject[] {
  return staticPods(node, net).map((p) => mirrorPod(node, p, now));
}

/** Whether a pod is a mirror pod (the kubelet posts it for a static pod). */
export function isMirrorPod(pod: KObject): boolean {
  return pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
}

const LINUX = { 'kubernetes.io/os': 'linux' };
const CRITICAL_ADDONS = { key: 'CriticalAddonsOnly', operator: 'Exists' };
const CONTROL_PLANE_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

function serviceAccount(name: string, labels?: Record<string, string>): Seeded {
  return core('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'kube-system', ...(labels ? { labels } : {}) } });
}

function configMap(name: string, data: Record<string, string>, labels?: Record<string, string>): Seeded {
  return core('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kube-system', ...(labels ? { labels } : {}) }, data });
}

function coreDNS(net: AddonNetwork): Seeded[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const clusterIP = dnsServiceIP(net.serviceCIDR);
  return [
    clusterRole('system:coredns', [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]),
    clusterRoleBinding('system:coredns', 'system:coredns', [subjectSA('coredns')]),
    serviceAccount('coredns'),
    configMap('coredns', { Corefile: COREFILE }),
    core('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
        annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      },
      spec: {
        clusterIP,
        clusterIPs: [clusterIP],
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
        selector: labels,
      },
    }),
    apps('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system', labels },
      spec: {
        replicas: 2,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: 'coredns',
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] }, topologyKey: 'kubernetes.io/hostname' },
                  },
                ],
              },
            },
            tolerations: [CRITICAL_ADDONS, CONTROL_PLANE_TAINT],
            nodeSelector: LINUX,
            containers: [
              {
                name: 'coredns',
                image: COREDNS_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
                args: ['-conf', '/etc/coredns/Corefile'],
                volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
                ports: [
                  { containerPort: 53, name: 'dns', protocol: 'UDP' },
                  { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                  { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
                  { containerPort: 8080, name: 'liveness-probe', protocol: 'TCP' },
                  { containerPort: 8181, name: 'readiness-probe', protocol: 'TCP' },
                ],
                livenessProbe: { httpGet: { path: '/health', port: 'liveness-probe', scheme: 'HTTP' }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
                readinessProbe: { httpGet: { path: '/ready', port: 'readiness-probe', scheme: 'HTTP' } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, readOnlyRootFilesystem: true },
              },
            ],
            dnsPolicy: 'Default',
            volumes: [{ name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] } }],
          },
        },
      },
    }),
  ];
}

/** kube-proxy's DaemonSet (its ConfigMap, with the sandbox's proxy mode, is created with the sandbox: seed.ts). */
function kubeProxy(): Seeded[] {
  const labels = { 'k8s-app': 'kube-proxy' };
  return [
    serviceAccount('kube-proxy'),
    clusterRoleBinding('kubeadm:node-proxier', 'system:node-proxier', [subjectSA('kube-proxy')]),
    rbac('roles', {
      kind: 'Role',
      metadata: { name: 'kube-proxy', namespace: 'kube-system' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['kube-proxy'], verbs: ['get'] }],
    }),
    roleBinding('kube-proxy', 'kube-proxy', [{ apiGroup: RBAC, kind: 'Group', name: 'system:bootstrappers:kubeadm:default-node-token' }]),
    apps('daemonsets', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'kube-proxy',
                image: `registry.k8s.io/kube-proxy:${KUBERNETES_VERSION}`,
                imagePullPolicy: 'IfNotPresent',
                command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
                securityContext: { privileged: true },
                volumeMounts: [mount('kube-proxy', '/var/lib/kube-proxy'), mount('xtables-lock', '/run/xtables.lock'), mount('lib-modules', '/lib/modules', true)],
              },
            ],
            hostNetwork: true,
            nodeSelector: LINUX,
            priorityClassName: 'system-node-critical',
            serviceAccountName: 'kube-proxy',
            tolerations: [{ operator: 'Exists' }],
            volumes: [{ name: 'kube-proxy', configMap: { name: 'kube-proxy' } }, hostPath('xtables-lock', '/run/xtables.lock', 'FileOrCreate'), hostPath('lib-modules', '/lib/modules', '')],
          },
        },
      },
    }),
  ];
}

function calico(): Seeded[] {
  const nodeLabels = { 'k8s-app': 'calico-node' };
  const kcLabels = { 'k8s-app': 'calico-kube-controllers' };
  const image = (name: string) => `docker.io/calico/${name}:${CALICO_VERSION}`;
  const cniNetworkConfig = JSON.stringify(
    {
      name: 'k8s-pod-network',
      cniVersion: '0.3.1',
      plugins: [
        {
          type: 'calico',
          log_level: 'info',
          log_file_path: '/var/log/calico/cni/cni.log',
          datastore_type: 'kubernetes',
          nodename: '__KUBERNETES_NODE_NAME__',
          mtu: '__CNI_MTU__',
          ipam: { type: 'calico-ipam' },
          policy: { type: 'k8s' },
          kubernetes: { kubeconfig: '__KUBECONFIG_FILEPATH__' },
        },
        { type: 'portmap', snat: true, capabilities: { portMappings: true } },
        { type: 'bandwidth', capabilities: { bandwidth: true } },
      ],
    },
    null,
    2,
  );
  const fromConfig = (name: string, key: string) => ({ name, valueFrom: { configMapKeyRef: { name: 'calico-config', key } } });
  const cniVolumes = [mount('cni-bin-dir', '/host/opt/cni/bin'), mount('cni-net-dir', '/host/etc/cni/net.d')];
  return [
    serviceAccount('calico-node'),
    serviceAccount('calico-cni-plugin'),
    serviceAccount('calico-kube-controllers'),
    configMap('calico-config', { calico_backend: 'bird', cni_network_config: cniNetworkConfig, typha_service_name: 'none', veth_mtu: '0' }),
    apps('daemonsets', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'calico-node', namespace: 'kube-system', labels: nodeLabels },
      spec: {
        selector: { matchLabels: nodeLabels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: nodeLabels },
          spec: {
            nodeSelector: LINUX,
            hostNetwork: true,
            tolerations: [{ effect: 'NoSchedule', operator: 'Exists' }, CRITICAL_ADDONS, { effect: 'NoExecute', operator: 'Exists' }],
            serviceAccountName: 'calico-node',
            terminationGracePeriodSeconds: 0,
            priorityClassName: 'system-node-critical',
            initContainers: [
              {
                name: 'upgrade-ipam',
                image: image('cni'),
                imagePullPolicy: 'IfNotPresent',
                command: ['/opt/cni/bin/calico-ipam', '-upgrade'],
                env: [{ name: 'KUBERNETES_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }, fromConfig('CALICO_NETWORKING_BACKEND', 'calico_backend')],
                volumeMounts: [mount('host-local-net-dir', '/var/lib/cni/networks'), mount('cni-bin-dir', '/host/opt/cni/bin')],
                securityContext: { privileged: true },
              },
              {
                name: 'install-cni',
                image: image('cni'),
                imagePullPolicy: 'IfNotPresent',
                command: ['/opt/cni/bin/install'],
                env: [
                  { name: 'CNI_CONF_NAME', value: '10-calico.conflist' },
                  fromConfig('CNI_NETWORK_CONFIG', 'cni_network_config'),
                  { name: 'KUBERNETES_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  fromConfig('CNI_MTU', 'veth_mtu'),
                  { name: 'SLEEP', value: 'false' },
                ],
                volumeMounts: cniVolumes,
                securityContext: { privileged: true },
              },
              {
                name: 'mount-bpffs',
                image: image('node'),
                imagePullPolicy: 'IfNotPresent',
                command: ['calico-node', '-init', '-best-effort'],
                volumeMounts: [mount('sys-fs', '/sys/fs'), mount('bpffs', '/sys/fs/bpf'), mount('nodeproc', '/nodeproc', true)],
                securityContext: { privileged: true },
              },
            ],
            containers: [
              {
                name: 'calico-node',
                image: image('node'),
                imagePullPolicy: 'IfNotPresent',
                env: [
                  { name: 'DATASTORE_TYPE', value: 'kubernetes' },
                  { name: 'WAIT_FOR_DATASTORE', value: 'true' },
                  { name: 'NODENAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  fromConfig('CALICO_NETWORKING_BACKEND', 'calico_backend'),
                  { name: 'CLUSTER_TYPE', value: 'k8s,bgp' },
                  { name: 'IP', value: 'autodetect' },
                  { name: 'CALICO_IPV4POOL_IPIP', value: 'Always' },
                  { name: 'CALICO_IPV4POOL_VXLAN', value: 'Never' },
                  { name: 'CALICO_IPV6POOL_VXLAN', value: 'Never' },
                  fromConfig('FELIX_IPINIPMTU', 'veth_mtu'),
                  fromConfig('FELIX_VXLANMTU', 'veth_mtu'),
                  fromConfig('FELIX_WIREGUARDMTU', 'veth_mtu'),
                  { name: 'CALICO_IPV4POOL_CIDR', value: POD_CIDR },
                  { name: 'CALICO_DISABLE_FILE_LOGGING', value: 'true' },
                  { name: 'FELIX_DEFAULTENDPOINTTOHOSTACTION', value: 'ACCEPT' },
                  { name: 'FELIX_IPV6SUPPORT', value: 'false' },
                  { name: 'FELIX_HEALTHENABLED', value: 'true' },
                ],
                securityContext: { privileged: true },
                resources: { requests: { cpu: '250m' } },
                lifecycle: { preStop: { exec: { command: ['/bin/calico-node', '-shutdown'] } } },
                livenessProbe: { exec: { command: ['/bin/calico-node', '-felix-live', '-bird-live'] }, periodSeconds: 10, initialDelaySeconds: 10, failureThreshold: 6, timeoutSeconds: 10 },
                readinessProbe: { exec: { command: ['/bin/calico-node', '-felix-ready', '-bird-ready'] }, periodSeconds: 10, timeoutSeconds: 10 },
                volumeMounts: [
                  mount('cni-net-dir', '/host/etc/cni/net.d'),
                  mount('lib-modules', '/lib/modules', true),
                  mount('xtables-lock', '/run/xtables.lock'),
                  mount('var-run-calico', '/var/run/calico'),
                  mount('var-lib-calico', '/var/lib/calico'),
                  mount('policysync', '/var/run/nodeagent'),
                  mount('bpffs', '/sys/fs/bpf'),
                  mount('cni-log-dir', '/var/log/calico/cni', true),
                ],
              },
            ],
            volumes: [
              hostPath('lib-modules', '/lib/modules', ''),
              hostPath('var-run-calico', '/var/run/calico', 'DirectoryOrCreate'),
              hostPath('var-lib-calico', '/var/lib/calico', 'DirectoryOrCreate'),
              hostPath('xtables-lock', '/run/xtables.lock', 'FileOrCreate'),
              hostPath('sys-fs', '/sys/fs/', 'DirectoryOrCreate'),
              hostPath('bpffs', '/sys/fs/bpf', 'Directory'),
              hostPath('nodeproc', '/proc', ''),
              hostPath('cni-bin-dir', '/opt/cni/bin', 'DirectoryOrCreate'),
              hostPath('cni-net-dir', '/etc/cni/net.d', ''),
              hostPath('cni-log-dir', '/var/log/calico/cni', ''),
              hostPath('host-local-net-dir', '/var/lib/cni/networks', ''),
              hostPath('policysync', '/var/run/nodeagent', 'DirectoryOrCreate'),
            ],
          },
        },
      },
    }),
    apps('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'calico-kube-controllers', namespace: 'kube-system', labels: kcLabels },
      spec: {
        replicas: 1,
        selector: { matchLabels: kcLabels },
        strategy: { type: 'Recreate' },
        template: {
          metadata: { name: 'calico-kube-controllers', namespace: 'kube-system', labels: kcLabels },
          spec: {
            nodeSelector: LINUX,
            tolerations: [CRITICAL_ADDONS, { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }, CONTROL_PLANE_TAINT],
            serviceAccountName: 'calico-kube-controllers',
            priorityClassName: 'system-cluster-critical',
            containers: [
              {
                name: 'calico-kube-controllers',
                image: image('kube-controllers'),
                imagePullPolicy: 'IfNotPresent',
                env: [
                  { name: 'ENABLED_CONTROLLERS', value: 'node,loadbalancer' },
                  { name: 'DATASTORE_TYPE', value: 'kubernetes' },
                ],
                livenessProbe: { exec: { command: ['/usr/bin/check-status', '-l'] }, periodSeconds: 10, initialDelaySeconds: 10, failureThreshold: 6, timeoutSeconds: 10 },
                readinessProbe: { exec: { command: ['/usr/bin/check-status', '-r'] }, periodSeconds: 10 },
                securityContext: { runAsNonRoot: true },
              },
            ],
          },
        },
      },
    }),
  ];
}

function metricsServer(): Seeded[] {
  const labels = { 'k8s-app': 'metrics-server' };
  return [
    serviceAccount('metrics-server', labels),
    clusterRole(
      'system:metrics-server',
      [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
      labels,
    ),
    roleBinding('metrics-server-auth-reader', 'extension-apiserver-authentication-reader', [subjectSA('metrics-server')], labels),
    clusterRoleBinding('metrics-server:system:auth-delegator', 'system:auth-delegator', [subjectSA('metrics-server')], labels),
    clusterRoleBinding('system:metrics-server', 'system:metrics-server', [subjectSA('metrics-server')], labels),
    core('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: 'kube-system', labels },
      spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }], selector: labels },
    }),
    apps('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'metrics-server', namespace: 'kube-system', labels },
      spec: {
        selector: { matchLabels: labels },
        strategy: { rollingUpdate: { maxUnavailable: 0 } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'metrics-server',
                image: METRICS_SERVER_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                args: ['--cert-dir=/tmp', '--secure-port=10250', '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname', '--kubelet-use-node-status-port', '--metric-resolution=15s'],
                ports: [{ containerPort: 10250, name: 'https', protocol: 'TCP' }],
                livenessProbe: { httpGet: { path: '/livez', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10, failureThreshold: 3 },
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, initialDelaySeconds: 20, periodSeconds: 10, failureThreshold: 3 },
                resources: { requests: { cpu: '100m', memory: '200Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  runAsUser: 1000,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                volumeMounts: [mount('tmp-dir', '/tmp')],
              },
            ],
            nodeSelector: LINUX,
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: 'metrics-server',
            volumes: [{ name: 'tmp-dir', emptyDir: {} }],
          },
        },
      },
    }),
  ];
}

/**
 * kube-system as kubeadm + Calico leave it, in creation order and in groups (the control plane's
 * mirror pods, then one add-on at a time). Mirror pods need their node's uid, so this runs after
 * the nodes exist.
 */
export function kubeSystemGroups(nodes: SeedNode[], now: string, net: AddonNetwork = DEFAULT_ADDON_NETWORK): Seeded[][] {
  const mirrors = nodes.filter((n) => n.controlPlane).flatMap((node) => mirrorPods(node, now, net).map((p) => core('pods', p)));
  return [mirrors, coreDNS(net), kubeProxy(), calico(), metricsServer()];
}

/** The service range the API server serves: the default ServiceCIDR object's, else kubeadm's default. */
export function addonNetwork(serviceCIDR: KObject | undefined): AddonNetwork {
  const cidr = (serviceCIDR?.spec as { cidrs?: string[] } | undefined)?.cidrs?.find((c) => !c.includes(':'));
  return { serviceCIDR: cidr ?? DEFAULT_SERVICE_CIDR };
}

/** A stored Node as the seed needs it. */
export function seedNode(n: KObject): SeedNode {
  const addrs = (n.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  return {
    name: n.metadata.name ?? '',
    uid: n.metadata.uid ?? '',
    ip: addrs.find((a) => a.type === 'InternalIP')?.address ?? '',
    controlPlane: n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined,
  };
}
