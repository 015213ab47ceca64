// Schema metadata for patches and apply: which lists merge by key, which maps and structs are atomic.
//
// FIELDS and TYPES are our own table of facts about the built-in API types, written down from the Go
// struct tags (`patchStrategy`, `patchMergeKey`) and the `+listType`, `+listMapKey`, `+mapType`,
// `+structType` markers of k8s.io/api, k8s.io/apimachinery (meta/v1) and k8s.io/apiextensions-apiserver
// (apiextensions/v1) — the same facts upstream publishes in OpenAPI as x-kubernetes-patch-strategy,
// x-kubernetes-patch-merge-key, x-kubernetes-list-type, x-kubernetes-list-map-keys,
// x-kubernetes-map-type. Tags as of Kubernetes 1.33–1.36 (they have not changed for existing fields in
// that range); fields are listed only where our generated schemas (src/generated/openapi-defs.ts) have
// them. A field absent from the table has no patch strategy (its lists replace), no list type (SSA:
// atomic list), and the default map/struct type (granular). Embedded Go structs (VolumeSource in
// Volume, EphemeralContainerCommon in EphemeralContainer, Rule in RuleWithOperations, ...) are folded
// into the definition that embeds them, as OpenAPI does.
//
// Schema navigation (fieldSchema) reads the generated OpenAPI definitions; strategic merge patch
// (src/machinery/strategic.ts) and server-side apply use both.
import { OPENAPI_DEFS_JSON } from '../generated/openapi-defs';

export interface FieldPatchMeta {
  patchStrategy?: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
  structType?: 'atomic' | 'granular';
}

/** Markers on a type itself (`// +structType=atomic` above `type LocalObjectReference struct`). */
export interface TypePatchMeta {
  structType?: 'atomic' | 'granular';
  mapType?: 'atomic' | 'granular';
  listType?: 'atomic' | 'set' | 'map';
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
const ADMREG = 'io.k8s.api.admissionregistration.v1.';
const APPS = 'io.k8s.api.apps.v1.';
const AUTHN = 'io.k8s.api.authentication.v1.';
const AUTHZ = 'io.k8s.api.authorization.v1.';
const AUTOSCALING1 = 'io.k8s.api.autoscaling.v1.';
const AUTOSCALING2 = 'io.k8s.api.autoscaling.v2.';
const BATCH = 'io.k8s.api.batch.v1.';
const CERTS = 'io.k8s.api.certificates.v1.';
const CORE = 'io.k8s.api.core.v1.';
const DISCOVERY = 'io.k8s.api.discovery.v1.';
const FLOWCONTROL = 'io.k8s.api.flowcontrol.v1.';
const NETWORKING = 'io.k8s.api.networking.v1.';
const NODE = 'io.k8s.api.node.v1.';
const POLICY = 'io.k8s.api.policy.v1.';
const RBAC = 'io.k8s.api.rbac.v1.';
const RESOURCE = 'io.k8s.api.resource.v1.';
const STORAGE = 'io.k8s.api.storage.v1.';

const freeze = <T extends object>(o: T): Readonly<T> => Object.freeze(o);
/** `+listType=atomic`: the list is replaced whole (also by strategic merge patch). */
const ATOMIC: FieldPatchMeta = freeze({ listType: 'atomic' });
/** `+listType=set` without a patch strategy: SSA merges it as a set, strategic merge patch replaces it. */
const SET: FieldPatchMeta = freeze({ listType: 'set' });
/** `patchStrategy:"merge"` on a list of scalars plus `+listType=set` (finalizers, podCIDRs). */
const MERGE_SET: FieldPatchMeta = freeze({ patchStrategy: 'merge', listType: 'set' });
/** `+mapType=atomic`: the map is owned and replaced as a whole by SSA (strategic merge patch still merges it). */
const ATOMIC_MAP: FieldPatchMeta = freeze({ mapType: 'atomic' });
/** `+listType=map` with these `+listMapKey`s and no patch strategy. */
const mapList = (...keys: string[]): FieldPatchMeta => freeze({ listType: 'map', listMapKeys: freeze(keys) as string[] });
/** `patchStrategy:"merge" patchMergeKey:"<first key>"` plus `+listType=map` / `+listMapKey`s. */
const mergeMap = (...keys: string[]): FieldPatchMeta =>
  freeze({ patchStrategy: 'merge', patchMergeKey: keys[0], listType: 'map', listMapKeys: freeze(keys) as string[] });
/** Like mergeMap with `patchStrategy:"merge,retainKeys"` (volumes, resourceClaims). */
const mergeRetainMap = (...keys: string[]): FieldPatchMeta =>
  freeze({ patchStrategy: 'merge,retainKeys', patchMergeKey: keys[0], listType: 'map', listMapKeys: freeze(keys) as string[] });

/** Field facts, keyed by OpenAPI definition name, then JSON field name. */
const FIELDS: Record<string, Record<string, FieldPatchMeta>> = {
  // io.k8s.apimachinery.pkg.apis.meta.v1
  [`${META}APIGroup`]: { versions: ATOMIC, serverAddressByClientCIDRs: ATOMIC },
  [`${META}APIGroupList`]: { groups: ATOMIC },
  [`${META}APIResource`]: { shortNames: ATOMIC, categories: ATOMIC },
  [`${META}APIResourceList`]: { resources: ATOMIC },
  [`${META}APIVersions`]: { versions: ATOMIC, serverAddressByClientCIDRs: ATOMIC },
  [`${META}DeleteOptions`]: { dryRun: ATOMIC },
  [`${META}LabelSelector`]: { matchExpressions: ATOMIC },
  [`${META}LabelSelectorRequirement`]: { values: ATOMIC },
  [`${META}ObjectMeta`]: { ownerReferences: mergeMap('uid'), finalizers: MERGE_SET, managedFields: ATOMIC },
  [`${META}StatusDetails`]: { causes: ATOMIC },
  // io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1
  [`${APIEXT}CustomResourceDefinitionNames`]: { shortNames: ATOMIC, categories: ATOMIC },
  [`${APIEXT}CustomResourceDefinitionSpec`]: { versions: ATOMIC },
  [`${APIEXT}CustomResourceDefinitionStatus`]: { conditions: mapList('type'), storedVersions: ATOMIC },
  [`${APIEXT}CustomResourceDefinitionVersion`]: { additionalPrinterColumns: ATOMIC, selectableFields: ATOMIC },
  [`${APIEXT}JSONSchemaProps`]: {
    enum: ATOMIC,
    required: ATOMIC,
    allOf: ATOMIC,
    oneOf: ATOMIC,
    anyOf: ATOMIC,
    'x-kubernetes-list-map-keys': ATOMIC,
    'x-kubernetes-validations': mergeMap('rule'),
  },
  [`${APIEXT}WebhookConversion`]: { conversionReviewVersions: ATOMIC },
  // io.k8s.api.admissionregistration.v1
  [`${ADMREG}MatchResources`]: { resourceRules: ATOMIC, excludeResourceRules: ATOMIC },
  [`${ADMREG}MutatingAdmissionPolicySpec`]: { variables: ATOMIC, mutations: ATOMIC, matchConditions: mergeMap('name') },
  [`${ADMREG}MutatingWebhook`]: { rules: ATOMIC, admissionReviewVersions: ATOMIC, matchConditions: mergeMap('name') },
  [`${ADMREG}MutatingWebhookConfiguration`]: { webhooks: mergeMap('name') },
  [`${ADMREG}NamedRuleWithOperations`]: {
    apiGroups: ATOMIC,
    apiVersions: ATOMIC,
    resources: ATOMIC,
    operations: ATOMIC,
    resourceNames: ATOMIC,
  },
  [`${ADMREG}RuleWithOperations`]: { apiGroups: ATOMIC, apiVersions: ATOMIC, resources: ATOMIC, operations: ATOMIC },
  [`${ADMREG}TypeChecking`]: { expressionWarnings: ATOMIC },
  [`${ADMREG}ValidatingAdmissionPolicyBindingSpec`]: { validationActions: SET },
  [`${ADMREG}ValidatingAdmissionPolicySpec`]: {
    validations: ATOMIC,
    auditAnnotations: ATOMIC,
    matchConditions: mergeMap('name'),
    variables: mergeMap('name'),
  },
  [`${ADMREG}ValidatingAdmissionPolicyStatus`]: { conditions: mapList('type') },
  [`${ADMREG}ValidatingWebhook`]: { rules: ATOMIC, admissionReviewVersions: ATOMIC, matchConditions: mergeMap('name') },
  [`${ADMREG}ValidatingWebhookConfiguration`]: { webhooks: mergeMap('name') },
  // io.k8s.api.apps.v1
  [`${APPS}DaemonSetStatus`]: { conditions: mergeMap('type') },
  [`${APPS}DeploymentSpec`]: { strategy: { patchStrategy: 'retainKeys' } },
  [`${APPS}DeploymentStatus`]: { conditions: mergeMap('type') },
  [`${APPS}ReplicaSetStatus`]: { conditions: mergeMap('type') },
  [`${APPS}StatefulSetSpec`]: { volumeClaimTemplates: ATOMIC },
  [`${APPS}StatefulSetStatus`]: { conditions: mergeMap('type') },
  // io.k8s.api.authentication.v1
  [`${AUTHN}TokenRequestSpec`]: { audiences: ATOMIC },
  [`${AUTHN}TokenReviewSpec`]: { audiences: ATOMIC },
  [`${AUTHN}TokenReviewStatus`]: { audiences: ATOMIC },
  [`${AUTHN}UserInfo`]: { groups: ATOMIC },
  // io.k8s.api.authorization.v1
  [`${AUTHZ}FieldSelectorAttributes`]: { requirements: ATOMIC },
  // meta.v1 FieldSelectorRequirement, published here under authorization.v1 (see scripts/gen-openapi.mjs)
  [`${AUTHZ}FieldSelectorRequirement`]: { values: ATOMIC },
  [`${AUTHZ}LabelSelectorAttributes`]: { requirements: ATOMIC },
  [`${AUTHZ}NonResourceRule`]: { verbs: ATOMIC, nonResourceURLs: ATOMIC },
  [`${AUTHZ}ResourceRule`]: { verbs: ATOMIC, apiGroups: ATOMIC, resources: ATOMIC, resourceNames: ATOMIC },
  [`${AUTHZ}SubjectAccessReviewSpec`]: { groups: ATOMIC },
  [`${AUTHZ}SubjectRulesReviewStatus`]: { resourceRules: ATOMIC, nonResourceRules: ATOMIC },
  // io.k8s.api.autoscaling.v2
  [`${AUTOSCALING2}HPAScalingRules`]: { policies: ATOMIC },
  [`${AUTOSCALING2}HorizontalPodAutoscalerSpec`]: { metrics: ATOMIC },
  [`${AUTOSCALING2}HorizontalPodAutoscalerStatus`]: { currentMetrics: ATOMIC, conditions: mergeMap('type') },
  // io.k8s.api.batch.v1
  [`${BATCH}CronJobStatus`]: { active: ATOMIC },
  [`${BATCH}JobStatus`]: { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } },
  [`${BATCH}PodFailurePolicy`]: { rules: ATOMIC },
  [`${BATCH}PodFailurePolicyOnExitCodesRequirement`]: { values: SET },
  [`${BATCH}PodFailurePolicyRule`]: { onPodConditions: ATOMIC },
  [`${BATCH}SuccessPolicy`]: { rules: ATOMIC },
  [`${BATCH}UncountedTerminatedPods`]: { succeeded: SET, failed: SET },
  // io.k8s.api.certificates.v1
  [`${CERTS}CertificateSigningRequestSpec`]: { usages: ATOMIC, groups: ATOMIC },
  [`${CERTS}CertificateSigningRequestStatus`]: { conditions: mapList('type') },
  // io.k8s.api.core.v1
  [`${CORE}Capabilities`]: { add: ATOMIC, drop: ATOMIC },
  [`${CORE}CephFSPersistentVolumeSource`]: { monitors: ATOMIC },
  [`${CORE}CephFSVolumeSource`]: { monitors: ATOMIC },
  [`${CORE}ComponentStatus`]: { conditions: mergeMap('type') },
  [`${CORE}ConfigMapProjection`]: { items: ATOMIC },
  [`${CORE}ConfigMapVolumeSource`]: { items: ATOMIC },
  [`${CORE}Container`]: {
    command: ATOMIC,
    args: ATOMIC,
    ports: mergeMap('containerPort', 'protocol'),
    envFrom: ATOMIC,
    env: mergeMap('name'),
    resizePolicy: ATOMIC,
    restartPolicyRules: ATOMIC,
    volumeMounts: mergeMap('mountPath'),
    volumeDevices: mergeMap('devicePath'),
  },
  [`${CORE}ContainerImage`]: { names: ATOMIC },
  [`${CORE}ContainerRestartRuleOnExitCodes`]: { values: SET },
  [`${CORE}ContainerStatus`]: { volumeMounts: mergeMap('mountPath'), allocatedResourcesStatus: mergeMap('name') },
  [`${CORE}DownwardAPIProjection`]: { items: ATOMIC },
  [`${CORE}DownwardAPIVolumeSource`]: { items: ATOMIC },
  [`${CORE}EndpointSubset`]: { addresses: ATOMIC, notReadyAddresses: ATOMIC, ports: ATOMIC },
  [`${CORE}Endpoints`]: { subsets: ATOMIC },
  [`${CORE}EphemeralContainer`]: {
    command: ATOMIC,
    args: ATOMIC,
    ports: mergeMap('containerPort', 'protocol'),
    envFrom: ATOMIC,
    env: mergeMap('name'),
    resizePolicy: ATOMIC,
    restartPolicyRules: ATOMIC,
    volumeMounts: mergeMap('mountPath'),
    volumeDevices: mergeMap('devicePath'),
  },
  [`${CORE}ExecAction`]: { command: ATOMIC },
  [`${CORE}FCVolumeSource`]: { targetWWNs: ATOMIC, wwids: ATOMIC },
  [`${CORE}HTTPGetAction`]: { httpHeaders: ATOMIC },
  [`${CORE}HostAlias`]: { hostnames: ATOMIC },
  [`${CORE}ISCSIPersistentVolumeSource`]: { portals: ATOMIC },
  [`${CORE}ISCSIVolumeSource`]: { portals: ATOMIC },
  [`${CORE}LimitRangeSpec`]: { limits: ATOMIC },
  [`${CORE}LinuxContainerUser`]: { supplementalGroups: ATOMIC },
  [`${CORE}LoadBalancerIngress`]: { ports: ATOMIC },
  [`${CORE}LoadBalancerStatus`]: { ingress: ATOMIC },
  [`${CORE}NamespaceSpec`]: { finalizers: ATOMIC },
  [`${CORE}NamespaceStatus`]: { conditions: mergeMap('type') },
  [`${CORE}NodeAffinity`]: { preferredDuringSchedulingIgnoredDuringExecution: ATOMIC },
  [`${CORE}NodeAllocatableResourceClaimStatus`]: { containers: SET },
  [`${CORE}NodeSelector`]: { nodeSelectorTerms: ATOMIC },
  [`${CORE}NodeSelectorRequirement`]: { values: ATOMIC },
  [`${CORE}NodeSelectorTerm`]: { matchExpressions: ATOMIC, matchFields: ATOMIC },
  [`${CORE}NodeSpec`]: { podCIDRs: MERGE_SET, taints: ATOMIC },
  [`${CORE}NodeStatus`]: {
    conditions: mergeMap('type'),
    addresses: mergeMap('type'),
    images: ATOMIC,
    volumesInUse: ATOMIC,
    volumesAttached: ATOMIC,
    runtimeHandlers: ATOMIC,
    declaredFeatures: ATOMIC,
  },
  [`${CORE}PersistentVolumeClaimSpec`]: { accessModes: ATOMIC },
  [`${CORE}PersistentVolumeClaimStatus`]: {
    accessModes: ATOMIC,
    conditions: mergeMap('type'),
    allocatedResourceStatuses: { mapType: 'granular' },
  },
  [`${CORE}PersistentVolumeSpec`]: { accessModes: ATOMIC, claimRef: { structType: 'granular' }, mountOptions: ATOMIC },
  [`${CORE}PodAffinity`]: {
    requiredDuringSchedulingIgnoredDuringExecution: ATOMIC,
    preferredDuringSchedulingIgnoredDuringExecution: ATOMIC,
  },
  [`${CORE}PodAffinityTerm`]: { namespaces: ATOMIC, matchLabelKeys: ATOMIC, mismatchLabelKeys: ATOMIC },
  [`${CORE}PodAntiAffinity`]: {
    requiredDuringSchedulingIgnoredDuringExecution: ATOMIC,
    preferredDuringSchedulingIgnoredDuringExecution: ATOMIC,
  },
  [`${CORE}PodDNSConfig`]: { nameservers: ATOMIC, searches: ATOMIC, options: ATOMIC },
  [`${CORE}PodExtendedResourceClaimStatus`]: { requestMappings: ATOMIC },
  [`${CORE}PodSecurityContext`]: { supplementalGroups: ATOMIC, sysctls: ATOMIC },
  [`${CORE}PodSpec`]: {
    volumes: mergeRetainMap('name'),
    initContainers: mergeMap('name'),
    containers: mergeMap('name'),
    ephemeralContainers: mergeMap('name'),
    nodeSelector: ATOMIC_MAP,
    imagePullSecrets: mergeMap('name'),
    tolerations: ATOMIC,
    hostAliases: mergeMap('ip'),
    readinessGates: ATOMIC,
    topologySpreadConstraints: mergeMap('topologyKey', 'whenUnsatisfiable'),
    schedulingGates: mergeMap('name'),
    resourceClaims: mergeRetainMap('name'),
  },
  [`${CORE}PodStatus`]: {
    conditions: mergeMap('type'),
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    podIPs: mergeMap('ip'),
    initContainerStatuses: ATOMIC,
    containerStatuses: ATOMIC,
    ephemeralContainerStatuses: ATOMIC,
    resourceClaimStatuses: mergeRetainMap('name'),
    nodeAllocatableResourceClaimStatuses: mergeMap('resourceClaimName'),
  },
  [`${CORE}ProjectedVolumeSource`]: { sources: ATOMIC },
  [`${CORE}RBDPersistentVolumeSource`]: { monitors: ATOMIC },
  [`${CORE}RBDVolumeSource`]: { monitors: ATOMIC },
  [`${CORE}ReplicationControllerSpec`]: { selector: ATOMIC_MAP },
  [`${CORE}ReplicationControllerStatus`]: { conditions: mergeMap('type') },
  [`${CORE}ResourceQuotaSpec`]: { scopes: ATOMIC },
  [`${CORE}ResourceRequirements`]: { claims: mapList('name') },
  [`${CORE}ResourceStatus`]: { resources: mapList('resourceID') },
  [`${CORE}ScopeSelector`]: { matchExpressions: ATOMIC },
  [`${CORE}ScopedResourceSelectorRequirement`]: { values: ATOMIC },
  [`${CORE}SecretProjection`]: { items: ATOMIC },
  [`${CORE}SecretVolumeSource`]: { items: ATOMIC },
  [`${CORE}ServiceAccount`]: { secrets: mergeMap('name'), imagePullSecrets: ATOMIC },
  [`${CORE}ServiceSpec`]: {
    ports: mergeMap('port', 'protocol'),
    selector: ATOMIC_MAP,
    clusterIPs: ATOMIC,
    externalIPs: ATOMIC,
    loadBalancerSourceRanges: ATOMIC,
    ipFamilies: ATOMIC,
  },
  [`${CORE}ServiceStatus`]: { conditions: mergeMap('type') },
  [`${CORE}TopologySelectorLabelRequirement`]: { values: ATOMIC },
  [`${CORE}TopologySelectorTerm`]: { matchLabelExpressions: ATOMIC },
  [`${CORE}TopologySpreadConstraint`]: { matchLabelKeys: ATOMIC },
  // io.k8s.api.discovery.v1
  [`${DISCOVERY}Endpoint`]: { addresses: SET },
  [`${DISCOVERY}EndpointHints`]: { forZones: ATOMIC, forNodes: ATOMIC },
  [`${DISCOVERY}EndpointSlice`]: { endpoints: ATOMIC, ports: ATOMIC },
  // io.k8s.api.flowcontrol.v1
  [`${FLOWCONTROL}FlowSchemaSpec`]: { rules: ATOMIC },
  [`${FLOWCONTROL}FlowSchemaStatus`]: { conditions: mergeMap('type') },
  [`${FLOWCONTROL}NonResourcePolicyRule`]: { verbs: SET, nonResourceURLs: SET },
  [`${FLOWCONTROL}PolicyRulesWithSubjects`]: { subjects: ATOMIC, resourceRules: ATOMIC, nonResourceRules: ATOMIC },
  [`${FLOWCONTROL}PriorityLevelConfigurationStatus`]: { conditions: mergeMap('type') },
  [`${FLOWCONTROL}ResourcePolicyRule`]: { verbs: SET, apiGroups: SET, resources: SET, namespaces: SET },
  // io.k8s.api.networking.v1
  [`${NETWORKING}HTTPIngressRuleValue`]: { paths: ATOMIC },
  [`${NETWORKING}IPBlock`]: { except: ATOMIC },
  [`${NETWORKING}IngressLoadBalancerIngress`]: { ports: ATOMIC },
  [`${NETWORKING}IngressLoadBalancerStatus`]: { ingress: ATOMIC },
  [`${NETWORKING}IngressSpec`]: { tls: ATOMIC, rules: ATOMIC },
  [`${NETWORKING}IngressTLS`]: { hosts: ATOMIC },
  [`${NETWORKING}NetworkPolicyEgressRule`]: { ports: ATOMIC, to: ATOMIC },
  [`${NETWORKING}NetworkPolicyIngressRule`]: { ports: ATOMIC, from: ATOMIC },
  [`${NETWORKING}NetworkPolicySpec`]: { ingress: ATOMIC, egress: ATOMIC, policyTypes: ATOMIC },
  [`${NETWORKING}ServiceCIDRSpec`]: { cidrs: ATOMIC },
  [`${NETWORKING}ServiceCIDRStatus`]: { conditions: mergeMap('type') },
  // io.k8s.api.node.v1
  [`${NODE}Scheduling`]: { nodeSelector: ATOMIC_MAP, tolerations: ATOMIC },
  // io.k8s.api.policy.v1
  [`${POLICY}PodDisruptionBudgetSpec`]: { selector: { patchStrategy: 'replace' } },
  [`${POLICY}PodDisruptionBudgetStatus`]: { conditions: mergeMap('type') },
  // io.k8s.api.rbac.v1
  [`${RBAC}AggregationRule`]: { clusterRoleSelectors: ATOMIC },
  [`${RBAC}ClusterRole`]: { rules: ATOMIC },
  [`${RBAC}ClusterRoleBinding`]: { subjects: ATOMIC },
  [`${RBAC}PolicyRule`]: { verbs: ATOMIC, apiGroups: ATOMIC, resources: ATOMIC, resourceNames: ATOMIC, nonResourceURLs: ATOMIC },
  [`${RBAC}Role`]: { rules: ATOMIC },
  [`${RBAC}RoleBinding`]: { subjects: ATOMIC },
  // io.k8s.api.resource.v1
  [`${RESOURCE}AllocatedDeviceStatus`]: { conditions: mapList('type') },
  [`${RESOURCE}CapacityRequestPolicy`]: { validValues: ATOMIC },
  [`${RESOURCE}Device`]: {
    consumesCounters: ATOMIC,
    taints: ATOMIC,
    bindingConditions: ATOMIC,
    bindingFailureConditions: ATOMIC,
  },
  [`${RESOURCE}DeviceAllocationConfiguration`]: { requests: ATOMIC },
  [`${RESOURCE}DeviceAllocationResult`]: { results: ATOMIC, config: ATOMIC },
  [`${RESOURCE}DeviceAttribute`]: { ints: ATOMIC, bools: ATOMIC, strings: ATOMIC, versions: ATOMIC },
  [`${RESOURCE}DeviceClaim`]: { requests: ATOMIC, constraints: ATOMIC, config: ATOMIC },
  [`${RESOURCE}DeviceClaimConfiguration`]: { requests: ATOMIC },
  [`${RESOURCE}DeviceClassSpec`]: { selectors: ATOMIC, config: ATOMIC },
  [`${RESOURCE}DeviceConstraint`]: { requests: ATOMIC },
  [`${RESOURCE}DeviceRequest`]: { firstAvailable: ATOMIC },
  [`${RESOURCE}DeviceRequestAllocationResult`]: {
    tolerations: ATOMIC,
    bindingConditions: ATOMIC,
    bindingFailureConditions: ATOMIC,
  },
  [`${RESOURCE}DeviceSubRequest`]: { selectors: ATOMIC, tolerations: ATOMIC },
  [`${RESOURCE}ExactDeviceRequest`]: { selectors: ATOMIC, tolerations: ATOMIC },
  [`${RESOURCE}NetworkDeviceData`]: { ips: ATOMIC },
  [`${RESOURCE}ResourceClaimStatus`]: { reservedFor: mergeMap('uid'), devices: mapList('driver', 'device', 'pool', 'shareID') },
  [`${RESOURCE}ResourceSliceSpec`]: { devices: ATOMIC, sharedCounters: ATOMIC },
  // io.k8s.api.storage.v1
  [`${STORAGE}CSIDriverSpec`]: { volumeLifecycleModes: SET, tokenRequests: ATOMIC },
  [`${STORAGE}CSINodeDriver`]: { topologyKeys: ATOMIC },
  [`${STORAGE}CSINodeSpec`]: { drivers: mergeMap('name') },
  [`${STORAGE}StorageClass`]: { mountOptions: ATOMIC, allowedTopologies: ATOMIC },
};

/** Type-level markers, keyed by OpenAPI definition name. */
const TYPES: Record<string, TypePatchMeta> = {
  [`${ADMREG}MatchResources`]: { structType: 'atomic' },
  [`${ADMREG}NamedRuleWithOperations`]: { structType: 'atomic' },
  [`${ADMREG}ParamKind`]: { structType: 'atomic' },
  [`${ADMREG}ParamRef`]: { structType: 'atomic' },
  [`${ADMREG}Variable`]: { structType: 'atomic' },
  [`${AUTOSCALING1}CrossVersionObjectReference`]: { structType: 'atomic' },
  [`${CORE}ConfigMapKeySelector`]: { structType: 'atomic' },
  [`${CORE}EndpointAddress`]: { structType: 'atomic' },
  [`${CORE}EndpointPort`]: { structType: 'atomic' },
  [`${CORE}FileKeySelector`]: { structType: 'atomic' },
  [`${CORE}LocalObjectReference`]: { structType: 'atomic' },
  [`${CORE}NodeSelector`]: { structType: 'atomic' },
  [`${CORE}NodeSelectorTerm`]: { structType: 'atomic' },
  [`${CORE}ObjectFieldSelector`]: { structType: 'atomic' },
  [`${CORE}ObjectReference`]: { structType: 'atomic' },
  [`${CORE}ResourceFieldSelector`]: { structType: 'atomic' },
  [`${CORE}ScopeSelector`]: { structType: 'atomic' },
  [`${CORE}SecretKeySelector`]: { structType: 'atomic' },
  [`${CORE}SecretReference`]: { structType: 'atomic' },
  [`${CORE}TopologySelectorTerm`]: { structType: 'atomic' },
  [`${CORE}TypedLocalObjectReference`]: { structType: 'atomic' },
  [`${DISCOVERY}EndpointPort`]: { structType: 'atomic' },
  [`${NETWORKING}ServiceBackendPort`]: { structType: 'atomic' },
  [`${RBAC}RoleRef`]: { structType: 'atomic' },
  [`${RBAC}Subject`]: { structType: 'atomic' },
  [`${META}LabelSelector`]: { structType: 'atomic' },
  [`${META}OwnerReference`]: { structType: 'atomic' },
};

// ---------------------------------------------------------------------------------------------------
// Lookups

function own<T>(obj: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

const merged = new Map<string, FieldPatchMeta | undefined>();

/**
 * The patch/apply facts of `field` in `definition`. For a field whose value is a struct, the struct
 * type's own `+structType`/`+mapType` marker is folded in unless the field overrides it (e.g.
 * NodeAffinity.requiredDuringSchedulingIgnoredDuringExecution → NodeSelector is `structType: atomic`;
 * PersistentVolumeSpec.claimRef overrides ObjectReference's atomic with granular). undefined when there
 * is nothing to say (also for unknown definitions and fields).
 */
export function fieldPatchMeta(definition: string, field: string): FieldPatchMeta | undefined {
  const fs = fieldSchema(definition, field);
  if (!fs) return undefined; // every table entry names a field of our schema (checked by the unit tests)
  const key = `${definition}\u0000${field}`;
  if (merged.has(key)) return merged.get(key);
  const facts = own(FIELDS, definition);
  let out = facts ? own(facts, field) : undefined;
  const inherited = fs.kind === 'object' && fs.definition ? definitionPatchMeta(fs.definition) : undefined;
  if (inherited) {
    const extra: FieldPatchMeta = {};
    if (inherited.structType && !out?.structType) extra.structType = inherited.structType;
    if (inherited.mapType && !out?.mapType) extra.mapType = inherited.mapType;
    if (Object.keys(extra).length) out = freeze({ ...out, ...extra });
  }
  merged.set(key, out);
  return out;
}

/** The raw table: definition name → field → facts (tests and tooling; do not mutate). */
export function patchMetaTable(): Readonly<Record<string, Readonly<Record<string, FieldPatchMeta>>>> {
  return FIELDS;
}

/** Markers on the type itself (`structType: atomic` for LabelSelector, ObjectReference, ...). */
export function definitionPatchMeta(definition: string): TypePatchMeta | undefined {
  return own(TYPES, definition);
}

/** Patch strategies of a field as strategic merge patch reads them (`"merge,retainKeys"` → two). */
export function patchStrategies(meta: FieldPatchMeta | undefined): string[] {
  return meta?.patchStrategy ? meta.patchStrategy.split(',') : [];
}

// ---------------------------------------------------------------------------------------------------
// Schema navigation over the generated OpenAPI definitions (compact format: see scripts/gen-openapi.mjs
// and src/api/openapi.ts — r $ref, t type, i items, a additionalProperties, p properties,
// u x-kubernetes-preserve-unknown-fields).

interface Node {
  t?: string;
  r?: string;
  i?: Node;
  a?: Node;
  p?: Record<string, Node>;
  u?: 1;
}

let parsed: Record<string, Node> | undefined;

function definitions(): Record<string, Node> {
  if (!parsed) parsed = (JSON.parse(OPENAPI_DEFS_JSON) as { defs: Record<string, Node> }).defs;
  return parsed;
}

export type SchemaKind = 'object' | 'array' | 'map' | 'scalar';

export interface FieldSchema {
  /** object: a struct (or an untyped object such as RawExtension); map: additionalProperties; array: items. */
  kind: SchemaKind;
  /** The definition of an object, or of the elements of an array / values of a map, when they have one. */
  definition?: string;
  /** For arrays and maps: what the elements / values are. */
  elementKind?: SchemaKind;
  /** x-kubernetes-preserve-unknown-fields (RawExtension, JSON, FieldsV1): any JSON, no schema inside. */
  untyped?: boolean;
}

/** True when we have a schema for this definition name. */
export function hasDefinition(definition: string): boolean {
  return Object.prototype.hasOwnProperty.call(definitions(), definition);
}

/** Field names of a struct definition ([] for unknown definitions and non-structs). */
export function definitionFields(definition: string): string[] {
  const d = hasDefinition(definition) ? definitions()[definition] : undefined;
  return d?.p ? Object.keys(d.p) : [];
}

interface Shape {
  kind: SchemaKind;
  definition?: string;
  untyped?: boolean;
}

function shape(n: Node): Shape {
  if (n.r) {
    const target = hasDefinition(n.r) ? definitions()[n.r] : undefined;
    if (!target) return { kind: 'object', definition: n.r };
    if (target.p) return { kind: 'object', definition: n.r };
    if (target.u) return { kind: target.t === 'object' ? 'object' : 'scalar', definition: n.r, untyped: true };
    if (target.t === 'array') return { kind: 'array', definition: n.r };
    if (target.t === 'object') return { kind: target.a ? 'map' : 'object', definition: n.r };
    return { kind: 'scalar', definition: n.r };
  }
  if (n.u) return { kind: n.t === 'object' ? 'object' : 'scalar', untyped: true };
  if (n.t === 'array') return { kind: 'array' };
  if (n.t === 'object') return { kind: n.a || !n.p ? 'map' : 'object' };
  return { kind: 'scalar' };
}

/**
 * What `field` of `definition` holds: an object (with its definition), an array or a map (with the
 * element / value definition and kind), or a scalar. undefined for unknown definitions and fields.
 */
export function fieldSchema(definition: string, field: string): FieldSchema | undefined {
  const d = hasDefinition(definition) ? definitions()[definition] : undefined;
  if (!d?.p || !Object.prototype.hasOwnProperty.call(d.p, field)) return undefined;
  const n = d.p[field];
  const s = shape(n);
  if (s.kind === 'object' || s.kind === 'scalar' || s.definition) {
    const out: FieldSchema = { kind: s.kind };
    if (s.definition) out.definition = s.definition;
    if (s.untyped) out.untyped = true;
    return out;
  }
  const inner = s.kind === 'array' ? n.i : n.a;
  const out: FieldSchema = { kind: s.kind };
  if (inner) {
    const e = shape(inner);
    out.elementKind = e.kind;
    if (e.definition) out.definition = e.definition;
    if (e.untyped) out.untyped = true;
  }
  return out;
}
