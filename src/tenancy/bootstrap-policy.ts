// The default ClusterRoles and ClusterRoleBindings kube-apiserver 1.33 creates at start-up (its
// bootstrap policy), those that matter to a sandbox's users: the user-facing admin/edit/view
// (aggregated from system:aggregate-to-*), cluster-admin, discovery and the system components'.
// Facts in our own compact notation: rule(verbs, apiGroups, resources[, resourceNames]).
import type { KObject } from '../registry/types';
import { aggregateRules, type PolicyRule, type Subject } from './rbac';

const RBAC = 'rbac.authorization.k8s.io';
const API_VERSION = `${RBAC}/v1`;
const split = (s: string) => (s === '' ? [''] : s.split(','));

function rule(verbs: string, apiGroups: string, resources: string, resourceNames?: string): PolicyRule {
  const r: PolicyRule = { verbs: verbs.split(','), apiGroups: split(apiGroups), resources: resources.split(',') };
  if (resourceNames) r.resourceNames = resourceNames.split(',');
  return r;
}

function urls(verbs: string, paths: string): PolicyRule {
  return { verbs: verbs.split(','), nonResourceURLs: paths.split(',') };
}

const RW = 'create,delete,deletecollection,patch,update';
const READ = 'get,list,watch';
const ALL = 'create,delete,deletecollection,get,list,patch,update,watch';
const EVENTS = rule('create,patch,update', ',events.k8s.io', 'events');

interface RoleSpec {
  name: string;
  rules?: PolicyRule[];
  /** Label selectors (matchLabels key=true) of an aggregated role. */
  aggregateFrom?: string;
  /** aggregate-to-* labels this role carries (comma-separated). */
  aggregateTo?: string;
  /** Installed by an add-on's manifest rather than kube-apiserver: the add-on's labels instead. */
  addon?: Record<string, string>;
}

const ROLES: RoleSpec[] = [
  { name: 'cluster-admin', rules: [rule('*', '*', '*'), urls('*', '*')] },
  { name: 'admin', aggregateFrom: 'admin' },
  { name: 'edit', aggregateFrom: 'edit', aggregateTo: 'admin' },
  { name: 'view', aggregateFrom: 'view', aggregateTo: 'edit' },
  {
    name: 'system:aggregate-to-admin',
    aggregateTo: 'admin',
    rules: [rule('create', 'authorization.k8s.io', 'localsubjectaccessreviews'), rule(ALL, RBAC, 'rolebindings,roles')],
  },
  {
    name: 'system:aggregate-to-edit',
    aggregateTo: 'edit',
    rules: [
      rule(READ, '', 'pods/attach,pods/exec,pods/portforward,pods/proxy,secrets,services/proxy'),
      rule('impersonate', '', 'serviceaccounts'),
      rule(RW, '', 'pods,pods/attach,pods/exec,pods/portforward,pods/proxy'),
      rule('create', '', 'pods/eviction'),
      rule(RW, '', 'configmaps,events,persistentvolumeclaims,replicationcontrollers,replicationcontrollers/scale,secrets,serviceaccounts,services,services/proxy'),
      rule('create', '', 'serviceaccounts/token'),
      rule(RW, 'apps', 'daemonsets,deployments,deployments/rollback,deployments/scale,replicasets,replicasets/scale,statefulsets,statefulsets/scale'),
      rule(RW, 'autoscaling', 'horizontalpodautoscalers'),
      rule(RW, 'batch', 'cronjobs,jobs'),
      rule(RW, 'extensions', 'daemonsets,deployments,deployments/rollback,deployments/scale,ingresses,networkpolicies,replicasets,replicasets/scale,replicationcontrollers/scale'),
      rule(RW, 'policy', 'poddisruptionbudgets'),
      rule(RW, 'networking.k8s.io', 'ingresses,networkpolicies'),
      rule(ALL, 'coordination.k8s.io', 'leases'),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    aggregateTo: 'view',
    rules: [
      rule(READ, '', 'configmaps,endpoints,persistentvolumeclaims,persistentvolumeclaims/status,pods,replicationcontrollers,replicationcontrollers/scale,serviceaccounts,services,services/status'),
      rule(READ, '', 'bindings,events,limitranges,namespaces/status,pods/log,pods/status,replicationcontrollers/status,resourcequotas,resourcequotas/status'),
      rule(READ, '', 'namespaces'),
      rule(READ, 'discovery.k8s.io', 'endpointslices'),
      rule(READ, 'apps', 'controllerrevisions,daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,replicasets,replicasets/scale,replicasets/status,statefulsets,statefulsets/scale,statefulsets/status'),
      rule(READ, 'autoscaling', 'horizontalpodautoscalers,horizontalpodautoscalers/status'),
      rule(READ, 'batch', 'cronjobs,cronjobs/status,jobs,jobs/status'),
      rule(READ, 'extensions', 'daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,ingresses,ingresses/status,networkpolicies,replicasets,replicasets/scale,replicasets/status,replicationcontrollers/scale'),
      rule(READ, 'policy', 'poddisruptionbudgets,poddisruptionbudgets/status'),
      rule(READ, 'networking.k8s.io', 'ingresses,ingresses/status,networkpolicies'),
    ],
  },
  // metrics.k8s.io is served like metrics-server does: its manifest's aggregated reader role.
  {
    name: 'system:aggregated-metrics-reader',
    aggregateTo: 'admin,edit,view',
    addon: { 'k8s-app': 'metrics-server' },
    rules: [rule(READ, 'metrics.k8s.io', 'pods,nodes')],
  },
  { name: 'system:auth-delegator', rules: [rule('create', 'authentication.k8s.io', 'tokenreviews'), rule('create', 'authorization.k8s.io', 'subjectaccessreviews')] },
  {
    name: 'system:basic-user',
    rules: [rule('create', 'authorization.k8s.io', 'selfsubjectaccessreviews,selfsubjectrulesreviews'), rule('create', 'authentication.k8s.io', 'selfsubjectreviews')],
  },
  { name: 'system:discovery', rules: [urls('get', '/api,/api/*,/apis,/apis/*,/healthz,/livez,/openapi,/openapi/*,/readyz,/version,/version/')] },
  { name: 'system:public-info-viewer', rules: [urls('get', '/healthz,/livez,/readyz,/version,/version/')] },
  { name: 'system:monitoring', rules: [urls('get', '/healthz,/healthz/*,/livez,/livez/*,/metrics,/metrics/slis,/readyz,/readyz/*')] },
  { name: 'system:service-account-issuer-discovery', rules: [urls('get', '/.well-known/openid-configuration,/openid/v1/jwks')] },
  { name: 'system:kube-dns', rules: [rule('list,watch', '', 'endpoints,services')] },
  {
    name: 'system:kube-controller-manager',
    rules: [
      EVENTS,
      rule('create', 'coordination.k8s.io', 'leases'),
      rule('get,update', 'coordination.k8s.io', 'leases', 'kube-controller-manager'),
      rule('create', '', 'secrets,serviceaccounts'),
      rule('delete', '', 'secrets'),
      rule('get', '', 'configmaps,namespaces,secrets,serviceaccounts'),
      rule('update', '', 'secrets,serviceaccounts'),
      rule('create', 'authentication.k8s.io', 'tokenreviews'),
      rule('create', 'authorization.k8s.io', 'subjectaccessreviews'),
      rule('list,watch', '*', '*'),
      rule('create', '', 'serviceaccounts/token'),
    ],
  },
  {
    name: 'system:kube-scheduler',
    rules: [
      EVENTS,
      rule('create', 'coordination.k8s.io', 'leases'),
      rule('get,update', 'coordination.k8s.io', 'leases', 'kube-scheduler'),
      rule(READ, '', 'nodes'),
      rule('delete,get,list,watch', '', 'pods'),
      rule('create', '', 'bindings,pods/binding'),
      rule('patch,update', '', 'pods/status'),
      rule(READ, '', 'replicationcontrollers,services'),
      rule(READ, 'apps,extensions', 'replicasets'),
      rule(READ, 'apps', 'statefulsets'),
      rule(READ, 'policy', 'poddisruptionbudgets'),
      rule(READ, '', 'persistentvolumeclaims,persistentvolumes'),
      rule('create', 'authentication.k8s.io', 'tokenreviews'),
      rule('create', 'authorization.k8s.io', 'subjectaccessreviews'),
      rule(READ, 'storage.k8s.io', 'csinodes'),
      rule(READ, '', 'namespaces'),
      rule(READ, 'storage.k8s.io', 'csidrivers'),
      rule(READ, 'storage.k8s.io', 'csistoragecapacities'),
    ],
  },
  {
    name: 'system:volume-scheduler',
    rules: [rule('get,list,patch,update,watch', '', 'persistentvolumes'), rule(READ, 'storage.k8s.io', 'storageclasses'), rule('get,list,patch,update,watch', '', 'persistentvolumeclaims')],
  },
  {
    name: 'system:node',
    rules: [
      rule('create', 'authentication.k8s.io', 'tokenreviews'),
      rule('create', 'authorization.k8s.io', 'localsubjectaccessreviews,subjectaccessreviews'),
      rule(READ, '', 'services'),
      rule('create,get,list,watch', '', 'nodes'),
      rule('patch,update', '', 'nodes/status'),
      rule('patch,update', '', 'nodes'),
      rule('create,patch,update', '', 'events'),
      rule(READ, '', 'pods'),
      rule('create,delete', '', 'pods'),
      rule('patch,update', '', 'pods/status'),
      rule('create', '', 'pods/eviction'),
      rule(READ, '', 'configmaps,secrets'),
      rule('get', '', 'persistentvolumeclaims,persistentvolumes'),
      rule('get', '', 'endpoints'),
      rule('create,get,list,watch', 'certificates.k8s.io', 'certificatesigningrequests'),
      rule('create,delete,get,patch,update', 'coordination.k8s.io', 'leases'),
      rule('get', 'storage.k8s.io', 'volumeattachments'),
      rule('create', '', 'serviceaccounts/token'),
      rule('get,patch,update', '', 'persistentvolumeclaims/status'),
      rule(READ, 'storage.k8s.io', 'csidrivers'),
      rule('create,delete,get,patch,update', 'storage.k8s.io', 'csinodes'),
      rule(READ, 'node.k8s.io', 'runtimeclasses'),
    ],
  },
  {
    name: 'system:node-proxier',
    rules: [rule('list,watch', '', 'endpoints,services'), rule(READ, '', 'nodes'), EVENTS, rule('list,watch', 'discovery.k8s.io', 'endpointslices')],
  },
  // The controllers of kube-controller-manager that kubectl users look at most.
  { name: 'system:controller:clusterrole-aggregation-controller', rules: [rule('escalate,get,list,patch,update,watch', RBAC, 'clusterroles')] },
  {
    name: 'system:controller:cronjob-controller',
    rules: [
      rule('get,list,update,watch', 'batch', 'cronjobs'),
      rule('create,delete,get,list,patch,update,watch', 'batch', 'jobs'),
      rule('update', 'batch', 'cronjobs/status'),
      rule('update', 'batch', 'cronjobs/finalizers'),
      rule('delete,list,watch', '', 'pods'),
      EVENTS,
    ],
  },
  {
    name: 'system:controller:daemon-set-controller',
    rules: [
      rule(READ, 'apps,extensions', 'daemonsets'),
      rule('update', 'apps,extensions', 'daemonsets/status'),
      rule('update', 'apps,extensions', 'daemonsets/finalizers'),
      rule('list,watch', '', 'nodes'),
      rule('create,delete,list,patch,watch', '', 'pods'),
      rule('create', '', 'pods/binding'),
      rule('create,delete,get,list,patch,update,watch', 'apps', 'controllerrevisions'),
      EVENTS,
    ],
  },
  {
    name: 'system:controller:deployment-controller',
    rules: [
      rule('get,list,update,watch', 'apps,extensions', 'deployments'),
      rule('update', 'apps,extensions', 'deployments/status'),
      rule('update', 'apps,extensions', 'deployments/finalizers'),
      rule('create,delete,get,list,patch,update,watch', 'apps,extensions', 'replicasets'),
      rule('get,list,update,watch', '', 'pods'),
      EVENTS,
    ],
  },
  {
    name: 'system:controller:disruption-controller',
    rules: [
      rule(READ, 'apps,extensions', 'deployments'),
      rule(READ, 'apps,extensions', 'replicasets'),
      rule(READ, '', 'replicationcontrollers'),
      rule(READ, 'policy', 'poddisruptionbudgets'),
      rule(READ, 'apps', 'statefulsets'),
      rule('update', 'policy', 'poddisruptionbudgets/status'),
      rule('patch,update', '', 'pods/status'),
      rule('get', '*', '*/scale'),
      EVENTS,
    ],
  },
  { name: 'system:controller:generic-garbage-collector', rules: [rule('delete,get,list,patch,update,watch', '*', '*'), EVENTS] },
  {
    name: 'system:controller:horizontal-pod-autoscaler',
    rules: [
      rule(READ, 'autoscaling', 'horizontalpodautoscalers'),
      rule('update', 'autoscaling', 'horizontalpodautoscalers/status'),
      rule('get,update', '*', '*/scale'),
      rule('list,watch', '', 'pods'),
      rule('list,watch', 'metrics.k8s.io', 'pods'),
      rule(READ, 'custom.metrics.k8s.io', '*'),
      rule(READ, 'external.metrics.k8s.io', '*'),
      EVENTS,
    ],
  },
  {
    name: 'system:controller:job-controller',
    rules: [
      rule('get,list,patch,update,watch', 'batch', 'jobs'),
      rule('update', 'batch', 'jobs/status'),
      rule('update', 'batch', 'jobs/finalizers'),
      rule('create,delete,list,patch,watch', '', 'pods'),
      EVENTS,
    ],
  },
  {
    name: 'system:controller:node-controller',
    rules: [
      rule('delete,get,list,patch,update,watch', '', 'nodes'),
      rule('patch,update', '', 'nodes/status'),
      rule('patch,update', '', 'pods/status'),
      rule('delete,get,list,watch', '', 'pods'),
      EVENTS,
    ],
  },
  {
    name: 'system:controller:persistent-volume-binder',
    rules: [
      rule('create,delete,get,list,update,watch', '', 'persistentvolumes'),
      rule('update', '', 'persistentvolumes/status'),
      rule('get,list,update,watch', '', 'persistentvolumeclaims'),
      rule('update', '', 'persistentvolumeclaims/status'),
      rule('create,delete,get,list,watch', '', 'pods'),
      rule(READ, 'storage.k8s.io', 'storageclasses'),
      rule('list,watch', '', 'nodes'),
      EVENTS,
      rule('watch', '', 'events'),
    ],
  },
  {
    name: 'system:controller:replicaset-controller',
    rules: [
      rule('get,list,update,watch', 'apps,extensions', 'replicasets'),
      rule('update', 'apps,extensions', 'replicasets/status'),
      rule('update', 'apps,extensions', 'replicasets/finalizers'),
      rule('create,delete,list,patch,watch', '', 'pods'),
      EVENTS,
    ],
  },
  {
    name: 'system:controller:replication-controller',
    rules: [
      rule('get,list,update,watch', '', 'replicationcontrollers'),
      rule('update', '', 'replicationcontrollers/status'),
      rule('update', '', 'replicationcontrollers/finalizers'),
      rule('create,delete,list,patch,watch', '', 'pods'),
      EVENTS,
    ],
  },
  { name: 'system:controller:service-account-controller', rules: [rule('create', '', 'serviceaccounts'), EVENTS] },
  {
    name: 'system:controller:statefulset-controller',
    rules: [
      rule('list,watch', '', 'pods'),
      rule(READ, 'apps', 'statefulsets'),
      rule('update', 'apps', 'statefulsets/status'),
      rule('update', 'apps', 'statefulsets/finalizers'),
      rule('create,delete,get,patch,update', '', 'pods'),
      rule('create,delete,get,list,patch,update,watch', 'apps', 'controllerrevisions'),
      rule('create,get,list,watch', '', 'persistentvolumeclaims'),
      rule('delete,update', '', 'persistentvolumeclaims'),
      rule('update', '', 'pods/finalizers'),
      EVENTS,
    ],
  },
  { name: 'system:controller:ttl-after-finished-controller', rules: [rule('delete,get,list,watch', 'batch', 'jobs'), EVENTS] },
  {
    name: 'system:controller:namespace-controller',
    rules: [rule('delete,get,list,watch', '', 'namespaces'), rule('update', '', 'namespaces/finalize,namespaces/status'), rule('delete,deletecollection,get,list,watch', '*', '*')],
  },
];

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC, name });
const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC, name });
const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

/** ClusterRoleBinding name (= its ClusterRole's) → subjects. system:node has none (the Node authorizer's). */
const BINDINGS: [string, Subject[]][] = [
  ['cluster-admin', [group('system:masters')]],
  ['system:basic-user', [group('system:authenticated')]],
  ['system:discovery', [group('system:authenticated')]],
  ['system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]],
  ['system:monitoring', [group('system:monitoring')]],
  ['system:service-account-issuer-discovery', [group('system:serviceaccounts')]],
  ['system:kube-dns', [sa('kube-system', 'kube-dns')]],
  ['system:kube-controller-manager', [user('system:kube-controller-manager')]],
  ['system:kube-scheduler', [user('system:kube-scheduler')]],
  ['system:volume-scheduler', [user('system:kube-scheduler')]],
  ['system:node', []],
  ['system:node-proxier', [user('system:kube-proxy')]],
  ...ROLES.filter((r) => r.name.startsWith('system:controller:')).map((r): [string, Subject[]] => [r.name, [sa('kube-system', r.name.slice('system:controller:'.length))]]),
];

/** The Roles kube-apiserver keeps in kube-system and kube-public, and their RoleBindings' subjects. */
const LEADER_LOCKING = [rule('create,get,list,update,watch', 'coordination.k8s.io', 'leases'), rule('create,get,list,update,watch', 'coordination.k8s.io', 'leasecandidates')];
const NAMESPACE_ROLES: { namespace: string; name: string; rules: PolicyRule[]; binding: string; subjects: Subject[] }[] = [
  {
    namespace: 'kube-public',
    name: 'system:controller:bootstrap-signer',
    rules: [rule(READ, '', 'configmaps'), rule('update', '', 'configmaps', 'cluster-info'), EVENTS],
    binding: 'system:controller:bootstrap-signer',
    subjects: [sa('kube-system', 'bootstrap-signer')],
  },
  {
    namespace: 'kube-system',
    name: 'extension-apiserver-authentication-reader',
    rules: [rule(READ, '', 'configmaps', 'extension-apiserver-authentication')],
    binding: 'system::extension-apiserver-authentication-reader',
    subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler')],
  },
  {
    namespace: 'kube-system',
    name: 'system::leader-locking-kube-controller-manager',
    rules: LEADER_LOCKING,
    binding: 'system::leader-locking-kube-controller-manager',
    subjects: [user('system:kube-controller-manager'), sa('kube-system', 'kube-controller-manager'), sa('kube-system', 'leader-election-controller')],
  },
  {
    namespace: 'kube-system',
    name: 'system::leader-locking-kube-scheduler',
    rules: LEADER_LOCKING,
    binding: 'system::leader-locking-kube-scheduler',
    subjects: [user('system:kube-scheduler'), sa('kube-system', 'kube-scheduler')],
  },
  {
    namespace: 'kube-system',
    name: 'system:controller:bootstrap-signer',
    rules: [rule(READ, '', 'secrets')],
    binding: 'system:controller:bootstrap-signer',
    subjects: [sa('kube-system', 'bootstrap-signer')],
  },
  {
    namespace: 'kube-system',
    name: 'system:controller:cloud-provider',
    rules: [rule('create,get,list,watch', '', 'configmaps')],
    binding: 'system:controller:cloud-provider',
    subjects: [sa('kube-system', 'cloud-provider')],
  },
  {
    namespace: 'kube-system',
    name: 'system:controller:token-cleaner',
    rules: [rule('delete,get,list,watch', '', 'secrets'), EVENTS],
    binding: 'system:controller:token-cleaner',
    subjects: [sa('kube-system', 'token-cleaner')],
  },
];

function bootstrapMeta(name: string, labels: Record<string, string> = {}) {
  return {
    name,
    labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
    annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
  };
}

/** Bumped when the tables above change, so that existing sandboxes get what is new. */
export const BOOTSTRAP_POLICY_VERSION = 1;

/** Every default object, roles first, as (resource, object). */
export function bootstrapPolicyObjects(): { resource: 'clusterroles' | 'clusterrolebindings' | 'roles' | 'rolebindings'; object: KObject }[] {
  return [
    ...bootstrapClusterRoles().map((object) => ({ resource: 'clusterroles' as const, object })),
    ...bootstrapClusterRoleBindings().map((object) => ({ resource: 'clusterrolebindings' as const, object })),
    ...NAMESPACE_ROLES.map((r) => ({
      resource: 'roles' as const,
      object: { apiVersion: API_VERSION, kind: 'Role', metadata: { ...bootstrapMeta(r.name), namespace: r.namespace }, rules: structuredClone(r.rules) },
    })),
    ...NAMESPACE_ROLES.map((r) => ({
      resource: 'rolebindings' as const,
      object: {
        apiVersion: API_VERSION,
        kind: 'RoleBinding',
        metadata: { ...bootstrapMeta(r.binding), namespace: r.namespace },
        roleRef: { apiGroup: RBAC, kind: 'Role', name: r.name },
        subjects: structuredClone(r.subjects),
      },
    })),
  ];
}

export function bootstrapClusterRoles(): KObject[] {
  const roles = ROLES.map((r) => {
    const labels: Record<string, string> = {};
    for (const to of r.aggregateTo?.split(',') ?? []) labels[`rbac.authorization.k8s.io/aggregate-to-${to}`] = 'true';
    const metadata = r.addon ? { name: r.name, labels: { ...r.addon, ...labels } } : bootstrapMeta(r.name, labels);
    const role: KObject = { apiVersion: API_VERSION, kind: 'ClusterRole', metadata };
    if (r.aggregateFrom) {
      role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${r.aggregateFrom}`]: 'true' } }] };
    }
    role.rules = r.rules ? structuredClone(r.rules) : [];
    return role;
  });
  // Born aggregated (view before edit before admin, which include each other), so that a new
  // sandbox's policy is complete at once and the aggregation controller finds nothing to do.
  for (const name of ['view', 'edit', 'admin']) {
    const role = roles.find((r) => r.metadata.name === name)!;
    role.rules = structuredClone(aggregateRules(role, roles));
  }
  return roles;
}

export function bootstrapClusterRoleBindings(): KObject[] {
  return BINDINGS.map(([name, subjects]) => {
    const b: KObject = { apiVersion: API_VERSION, kind: 'ClusterRoleBinding', metadata: bootstrapMeta(name), roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name } };
    if (subjects.length) b.subjects = structuredClone(subjects);
    return b;
  });
}
