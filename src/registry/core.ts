// The core API group (group "", version v1), as kube-apiserver 1.33 serves it: discovery data
// (scope, verbs, short names, categories, subresources), server-side printers
// (pkg/printers/internalversion/printers.go), field selectors (pkg/registry/core/*/strategy.go),
// defaults (pkg/apis/core/v1/defaults.go plus the admission plugins every cluster runs:
// ServiceAccount, DefaultTolerationSeconds, Priority), strategy hooks and validation
// (pkg/apis/core/validation) worded like upstream.
//
// Printers always produce the wide cells: kube-apiserver's TableConvertor prints with Wide=true and
// kubectl hides priority-1 columns itself.
import { errors } from '../api/status';
import { age } from '../machinery/duration';
import { parseQuantity } from '../machinery/quantity';
import { base64ToUtf8, utf8ToBase64 } from '../machinery/base64';
import {
  byteLength,
  deepEqual,
  field,
  goQuote,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  validateAnnotations,
  validateImmutableField,
  validateLabels,
} from '../machinery/validation';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  NEGATIVE_ERROR,
  asArray,
  col,
  ensureObj,
  formatLabels,
  goStringMap,
  invalidRendered,
  isObj,
  isValidPortName,
  isValidPortNum,
  nonNegative,
  objOf,
  statusOf,
  wide,
  type Obj,
} from './common';
import { clusterFamilyErrors, defaultServiceFamilies, prepareServiceUpdate } from './core-service';
import { SYSTEM_PRIORITY_CLASSES as PRIORITY_CLASS_LIST } from './scheduling';
import { ALL_VERBS, STATUS_VERBS, type FieldError, type KObject, type Printer, type ResourceDef, type SubresourceDef } from './types';

// ---------------------------------------------------------------------------------------------
// Small accessors for plain JSON objects (more in common.ts)

const objs = (v: unknown): Obj[] => asArray(v).map(objOf);
const strOf = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const numOf = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);

/** obj.spec, created when missing. */
const specOf = (obj: KObject): Obj => ensureObj(obj as Obj, 'spec');

/** time.Before on RFC 3339 timestamps; a missing time is the zero time. */
const timeMs = (t: unknown): number => (typeof t === 'string' && !Number.isNaN(Date.parse(t)) ? Date.parse(t) : 0);

// ---------------------------------------------------------------------------------------------
// Go-formatted values for the few field errors whose bad value is a slice, map or struct
// (field.Error prints those with %#v).

const goStringSlice = (v: string[]): string => `[]string{${v.map(goQuote).join(', ')}}`;
/** field.Duplicate whose value is already Go-formatted. */
const duplicateRaw = (path: string, value: string, detail?: string): FieldError => ({
  type: 'FieldValueDuplicate',
  field: path,
  message: `Duplicate value: ${value}${detail ? `: ${detail}` : ''}`,
});

// ---------------------------------------------------------------------------------------------
// Shared validation pieces

const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';
const MAX_INT32 = 2147483647;

/** ValidatePortNumOrName (targetPort, probe ports). */
function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'string') {
    if (port === '') return [field.required(path)];
    return isValidPortName(port).map((m) => field.invalid(path, port, m));
  }
  return isValidPortNum(port).map((m) => field.invalid(path, port, m));
}

const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
function validateProtocol(protocol: unknown, path: string): FieldError[] {
  if (!protocol) return [field.required(path)];
  return SUPPORTED_PROTOCOLS.includes(strOf(protocol)) ? [] : [field.notSupported(path, protocol, SUPPORTED_PROTOCOLS)];
}

/** ValidateDNS1123Label / ValidateDNS1123Subdomain: one Invalid per message. */
const dnsLabelErrors = (v: string, path: string) => isDNS1123Label(v).map((m) => field.invalid(path, v, m));
const dnsSubdomainErrors = (v: string, path: string) => isDNS1123Subdomain(v).map((m) => field.invalid(path, v, m));
/** ValidateLabelName: label keys (taint and toleration keys). */
const labelNameErrors = (v: string, path: string) => isQualifiedName(v).map((m) => field.invalid(path, v, m));

/** netutils.ParseIPSloppy-ish: dotted quad (leading zeros tolerated) or an IPv6 literal. */
function isIP(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  if (!s.includes(':') || /[^0-9a-fA-F:.]/.test(s)) return false;
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
}
const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** A quantity field: its text (for messages) and value (for comparisons). */
function quantityText(v: unknown): string {
  return typeof v === 'number' ? String(v) : strOf(v);
}
const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Base64 text → decoded byte length, or undefined when it is not base64 (Go rejects it while decoding). */
function base64Length(v: unknown): number | undefined {
  const s = strOf(v);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  return (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
}

/**
 * apiequality.Semantic.DeepEqual on JSON: nil and empty slices/maps are equal, and a missing field equals
 * its zero value for the string and boolean fields clients drop with omitempty.
 */
function semanticEqual(a: unknown, b: unknown): boolean {
  return deepEqual(normalize(a), normalize(b));
}
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(normalize) : undefined;
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === null || v === '' || v === false) return undefined;
  return v;
}

/** A short stand-in for cmp.Diff in "may not change" messages: the changed top-level fields. */
function specDiff(oldSpec: Obj, newSpec: Obj, typeName: string): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines = [`  ${typeName}{`];
  for (const k of keys) {
    if (semanticEqual(oldSpec[k], newSpec[k])) continue;
    if (oldSpec[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(oldSpec[k])},`);
    if (newSpec[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(newSpec[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Printer columns

const createdAge = (obj: KObject, now: number) => age(obj.metadata.creationTimestamp, now);

/** layoutContainerCells on a container list (entries that are not objects print as empty names and images). */
function containerCells(containers: unknown): [string, string] {
  const cs = objs(containers);
  return [cs.map((c) => strOf(c.name)).join(','), cs.map((c) => strOf(c.image)).join(',')];
}

function subresource(name: string, kind: string, verbs: string[], group = '', version = 'v1'): SubresourceDef {
  return { name, group, version, kind, verbs };
}
const statusSub = (kind: string) => subresource('status', kind, STATUS_VERBS);
const PROXY_VERBS = ['create', 'delete', 'get', 'patch', 'update'];

// =============================================================================================
// Pods
// =============================================================================================

const isRestartableInit = (c: Obj | undefined): boolean => c?.restartPolicy === 'Always';
const conditionTrue = (status: Obj, type: string): boolean => objs(status.conditions).find((c) => c.type === type)?.status === 'True';
const hasPodReadyCondition = (status: Obj): boolean => objs(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True');

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** printPod's READY, STATUS and RESTARTS cells. */
export function podSummary(pod: KObject, now: number): PodSummary {
  const spec = objOf(pod.spec);
  const status = statusOf(pod);
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = asArray(spec.containers).length;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;

  const phase = strOf(status.phase);
  let reason = status.reason ? strOf(status.reason) : phase;
  for (const c of objs(status.conditions)) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initContainers = new Map<string, Obj>();
  for (const c of objs(spec.initContainers)) {
    initContainers.set(strOf(c.name), c);
    if (isRestartableInit(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = objs(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const state = objOf(cs.state);
    const terminated = isObj(state.terminated) ? state.terminated : undefined;
    const waiting = isObj(state.waiting) ? state.waiting : undefined;
    const lastTerminated = objOf(cs.lastState).terminated;
    restarts += numOf(cs.restartCount);
    if (isObj(lastTerminated)) lastRestart = Math.max(lastRestart, timeMs(lastTerminated.finishedAt));
    const restartable = isRestartableInit(initContainers.get(strOf(cs.name)));
    if (restartable) {
      restartableInitRestarts += numOf(cs.restartCount);
      if (isObj(lastTerminated)) lastRestartableInitRestart = Math.max(lastRestartableInitRestart, timeMs(lastTerminated.finishedAt));
    }
    if (terminated && numOf(terminated.exitCode) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready === true) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = numOf(terminated.signal) !== 0 ? `Init:Signal:${numOf(terminated.signal)}` : `Init:ExitCode:${numOf(terminated.exitCode)}`;
      } else {
        reason = `Init:${strOf(terminated.reason)}`;
      }
    } else if (waiting && waiting.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${strOf(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${asArray(spec.initContainers).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = objs(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      const state = objOf(cs.state);
      const lastTerminated = objOf(cs.lastState).terminated;
      restarts += numOf(cs.restartCount);
      if (isObj(lastTerminated)) lastRestart = Math.max(lastRestart, timeMs(lastTerminated.finishedAt));
      if (isObj(state.waiting) && state.waiting.reason) {
        reason = strOf(state.waiting.reason);
      } else if (isObj(state.terminated) && state.terminated.reason) {
        reason = strOf(state.terminated.reason);
      } else if (isObj(state.terminated)) {
        const t = state.terminated;
        reason = numOf(t.signal) !== 0 ? `Signal:${numOf(t.signal)}` : `ExitCode:${numOf(t.exitCode)}`;
      } else if (cs.ready === true && isObj(state.running)) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose last container completed but another is still running is Running (or NotReady).
    if (reason === 'Completed' && hasRunning) reason = hasPodReadyCondition(status) ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsText = restarts !== 0 && lastRestart !== 0 ? `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)` : String(restarts);
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsText };
}

/** The pod's primary IP (v1 conversion makes status.podIP authoritative over podIPs[0]). */
function podIP(pod: KObject): string {
  const status = statusOf(pod);
  return strOf(status.podIP) || strOf(objs(status.podIPs)[0]?.ip);
}

function readinessGatesCell(pod: KObject): string {
  const gates = objs(objOf(pod.spec).readinessGates);
  if (!gates.length) return '<none>';
  const conditions = objs(statusOf(pod).conditions);
  const trueCount = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${trueCount}/${gates.length}`;
}

const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    wide('IP', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
    wide('Node', 'NodeName indicates in which node this pod is scheduled.'),
    wide('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node.'),
    wide('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.'),
  ],
  cells(pod, now) {
    const s = podSummary(pod, now);
    return [
      pod.metadata.name,
      s.ready,
      s.status,
      s.restarts,
      createdAge(pod, now),
      podIP(pod) || '<none>',
      strOf(objOf(pod.spec).nodeName) || '<none>',
      strOf(statusOf(pod).nominatedNodeName) || '<none>',
      readinessGatesCell(pod),
    ];
  },
};

// ---- pod defaults ----------------------------------------------------------------------------

// distribution/reference grammar, enough for parsers.ParseImageName (which fails on invalid references).
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

/** parsers.ParseImageName's tag: "latest" when the reference has neither tag nor digest, "" when invalid. */
export function imageTag(image: string): string {
  const m = IMAGE_REFERENCE.exec(image);
  if (!m) return '';
  if (m[1]) return m[1];
  return m[2] ? '' : 'latest';
}

function defaultProbe(probe: unknown): void {
  if (!isObj(probe)) return;
  probe.timeoutSeconds ||= 1;
  probe.periodSeconds ||= 10;
  probe.successThreshold ||= 1;
  probe.failureThreshold ||= 3;
  defaultHTTPGet(probe.httpGet);
}
function defaultHTTPGet(action: unknown): void {
  if (!isObj(action)) return;
  action.path ||= '/';
  action.scheme ||= 'HTTP';
}
/** SetDefaults_ObjectFieldSelector */
function defaultFieldRef(ref: unknown): void {
  if (isObj(ref) && !ref.apiVersion) ref.apiVersion = 'v1';
}

/** SetDefaults_Container plus the declarative defaults of what a container holds. */
export function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(strOf(c.image)) === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  if (!isObj(c.resources)) c.resources = {};
  for (const p of objs(c.ports)) p.protocol ||= 'TCP';
  for (const e of objs(c.env)) defaultFieldRef(objOf(e.valueFrom).fieldRef);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  const lifecycle = objOf(c.lifecycle);
  defaultHTTPGet(objOf(lifecycle.postStart).httpGet);
  defaultHTTPGet(objOf(lifecycle.preStop).httpGet);
}

// In validateVolumeSource's order (the second source found is the one reported).
const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs', 'flocker',
  'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap', 'azureFile',
  'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO', 'csi', 'ephemeral',
  'image',
];
const DEFAULT_MODE = 0o644; // 420

/** SetDefaults_Volume and the defaults of each volume source. */
function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (isObj(v[k]) && v[k].defaultMode === undefined) v[k].defaultMode = DEFAULT_MODE;
  }
  if (isObj(v.hostPath) && v.hostPath.type === undefined) v.hostPath.type = '';
  for (const item of objs(objOf(v.downwardAPI).items)) defaultFieldRef(item.fieldRef);
  for (const src of objs(objOf(v.projected).sources)) {
    if (isObj(src.serviceAccountToken) && src.serviceAccountToken.expirationSeconds === undefined) {
      src.serviceAccountToken.expirationSeconds = 3600;
    }
    for (const item of objs(objOf(src.downwardAPI).items)) defaultFieldRef(item.fieldRef);
  }
  if (isObj(v.iscsi)) v.iscsi.iscsiInterface ||= 'default';
}

/**
 * SetDefaults_PodSpec and what it contains: every PodSpec gets these, pods and pod templates alike
 * (workload modules reuse this for their templates).
 */
export function defaultPodSpec(spec: Obj): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = 30;
  }
  spec.schedulerName ||= 'default-scheduler';
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) for (const c of objs(spec[key])) defaultContainer(c);
  for (const v of objs(spec.volumes)) defaultVolume(v);
  // v1 conversion: the deprecated serviceAccount is an alias of serviceAccountName and mirrors it.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
}

/** SetDefaults_Pod: requests from limits, resize policies, enableServiceLinks, host-network ports. */
function defaultPod(pod: KObject): void {
  const spec = specOf(pod);
  defaultPodSpec(spec);
  for (const key of ['containers', 'initContainers']) {
    for (const c of objs(spec[key])) {
      const resources = ensureObj(c, 'resources');
      if (isObj(resources.limits)) {
        const requests = ensureObj(resources, 'requests');
        for (const [name, q] of Object.entries(resources.limits)) if (!(name in requests)) requests[name] = q;
      }
      // InPlacePodVerticalScaling (beta, on in 1.33): regular containers get NotRequired resize policies.
      if (key === 'containers' && isObj(resources.requests)) {
        const policies = asArray(c.resizePolicy);
        const has = new Set(objs(policies).map((p) => p.resourceName));
        for (const name of ['cpu', 'memory']) {
          if (name in resources.requests && !has.has(name)) policies.push({ resourceName: name, restartPolicy: 'NotRequired' });
        }
        if (policies.length) c.resizePolicy = policies;
      }
    }
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const key of ['containers', 'initContainers']) {
      for (const c of objs(spec[key])) for (const p of objs(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

// ---- pod admission (create) ------------------------------------------------------------------

const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(n = 5): string {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => NAME_CHARS[b % NAME_CHARS.length]).join('');
}

/**
 * The ServiceAccount admission plugin: serviceAccountName "default" and the projected
 * kube-api-access-xxxxx token volume mounted into every container (unless automount is off on the pod).
 */
export function admitServiceAccount(pod: KObject): void {
  const spec = specOf(pod);
  if (!spec.serviceAccountName) spec.serviceAccountName = 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (spec.automountServiceAccountToken === false) return;
  const volumes = objs(spec.volumes);
  const existing = volumes.find((v) => strOf(v.name).startsWith('kube-api-access-'));
  const volumeName = existing ? strOf(existing.name) : `kube-api-access-${randomSuffix()}`;
  let needsVolume = false;
  for (const key of ['initContainers', 'containers']) {
    for (const c of objs(spec[key])) {
      const mounts = asArray(c.volumeMounts);
      if (objs(mounts).some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
      mounts.push({ name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH });
      c.volumeMounts = mounts;
      needsVolume = true;
    }
  }
  if (existing || !needsVolume) return;
  spec.volumes = [
    ...volumes,
    {
      name: volumeName,
      projected: {
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
        defaultMode: DEFAULT_MODE,
      },
    },
  ];
}

/** The DefaultTolerationSeconds admission plugin (--default-not-ready/unreachable-toleration-seconds). */
export function admitDefaultTolerations(pod: KObject, seconds = 300): void {
  const spec = specOf(pod);
  const tolerations = objs(spec.tolerations);
  const tolerates = (key: string) =>
    tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const added: Obj[] = [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerates(key)) added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  if (added.length) spec.tolerations = [...tolerations, ...added];
}

/** Built-in PriorityClasses; others are looked up by the Priority admission plugin (not here). */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = Object.fromEntries(PRIORITY_CLASS_LIST.map((c) => [c.name, c.value]));

/** The Priority admission plugin for pods without a class (no global default) or with a system class. */
export function admitPriority(pod: KObject): void {
  const spec = specOf(pod);
  const className = strOf(spec.priorityClassName);
  if (className && !(className in SYSTEM_PRIORITY_CLASSES)) return;
  if (spec.priority === undefined || spec.priority === null) spec.priority = className ? SYSTEM_PRIORITY_CLASSES[className] : 0;
  spec.preemptionPolicy ||= 'PreemptLowerPriority';
}

/** qos.GetPodQOS (requests are already defaulted from limits). */
export function podQOSClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...objs(spec.containers), ...objs(spec.initContainers)]) {
    const res = objOf(c.resources);
    for (const [name, q] of Object.entries(objOf(res.requests))) {
      const v = parseQuantity(quantityText(q));
      if ((name === 'cpu' || name === 'memory') && v !== undefined && v > 0) requests.set(name, (requests.get(name) ?? 0) + v);
    }
    const found = new Set<string>();
    for (const [name, q] of Object.entries(objOf(res.limits))) {
      const v = parseQuantity(quantityText(q));
      if ((name === 'cpu' || name === 'memory') && v !== undefined && v > 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0) + v);
      }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Admission (ServiceAccount, DefaultTolerationSeconds, Priority) then podStrategy.PrepareForCreate. */
function preparePodForCreate(pod: KObject): void {
  admitServiceAccount(pod);
  admitDefaultTolerations(pod);
  admitPriority(pod);
  const spec = specOf(pod);
  const status: Obj = { phase: 'Pending', qosClass: podQOSClass(spec) };
  // applySchedulingGatedCondition
  if (asArray(spec.schedulingGates).length > 0) {
    status.conditions = [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: nowTimestamp(),
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ];
  }
  pod.status = status;
}

/** podStrategy.CheckGracefulDelete */
function podGracePeriod(pod: KObject, requested: number | undefined): number {
  const spec = objOf(pod.spec);
  let period = requested ?? (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 0);
  if (!spec.nodeName) period = 0;
  const phase = statusOf(pod).phase;
  if (phase === 'Failed' || phase === 'Succeeded') period = 0;
  if (period < 0) period = 1;
  return period;
}

// ---- pod validation --------------------------------------------------------------------------

/** Resources whose requests may be below limits: native ones (no domain or kubernetes.io), not hugepages. */
function overcommitAllowed(name: string): boolean {
  const native = !name.includes('/') || name.includes('kubernetes.io/');
  return native && !name.startsWith('hugepages-');
}
const INTEGER_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);
/** helper.IsIntegerResourceName: the object counts and extended resources (count/* included). */
function isIntegerResource(name: string): boolean {
  const extended = name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');
  return INTEGER_RESOURCES.has(name) || extended;
}

/** ValidateResourceQuantityValue: parseable, non-negative, whole for integer resources. */
function validateQuantity(name: string, q: unknown, path: string): FieldError[] {
  const text = quantityText(q);
  const v = parseQuantity(text);
  if (v === undefined) return [field.invalid(path, text, QUANTITY_ERROR)];
  const errs: FieldError[] = [];
  if (v < 0) errs.push(field.invalid(path, text, NEGATIVE_ERROR));
  if (isIntegerResource(name) && Math.round(v * 1000) % 1000 !== 0) errs.push(invalidRendered(path, text, 'must be an integer'));
  return errs;
}

/** ValidateResourceRequirements (container resources). */
function validateResources(resources: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const res = objOf(resources);
  const limits = objOf(res.limits);
  const requests = objOf(res.requests);
  for (const [name, q] of Object.entries(limits)) errs.push(...validateQuantity(name, q, `${path}.limits[${name}]`));
  for (const [name, q] of Object.entries(requests)) {
    errs.push(...validateQuantity(name, q, `${path}.requests[${name}]`));
    const req = parseQuantity(quantityText(q));
    if (name in limits) {
      const lim = parseQuantity(quantityText(limits[name]));
      if (req === undefined || lim === undefined) continue;
      if (req !== lim && !overcommitAllowed(name)) {
        errs.push(field.invalid(`${path}.requests`, quantityText(q), `must be equal to ${name} limit of ${quantityText(limits[name])}`));
      } else if (req > lim) {
        errs.push(field.invalid(`${path}.requests`, quantityText(q), `must be less than or equal to ${name} limit of ${quantityText(limits[name])}`));
      }
    } else if (!overcommitAllowed(name)) {
      errs.push(field.required(`${path}.limits`, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

/** validateContainerPorts */
function validateContainerPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  objs(ports).forEach((p, i) => {
    const idx = `${path}[${i}]`;
    const name = strOf(p.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...msgs.map((m) => field.invalid(`${idx}.name`, name, m)));
      else if (names.has(name)) errs.push(field.duplicate(`${idx}.name`, name));
      else names.add(name);
    }
    if (!p.containerPort) errs.push(field.required(`${idx}.containerPort`));
    else errs.push(...isValidPortNum(p.containerPort).map((m) => field.invalid(`${idx}.containerPort`, p.containerPort, m)));
    if (p.hostPort) errs.push(...isValidPortNum(p.hostPort).map((m) => field.invalid(`${idx}.hostPort`, p.hostPort, m)));
    errs.push(...validateProtocol(p.protocol, `${idx}.protocol`));
  });
  return errs;
}

/** ValidateEnv with RelaxedEnvironmentVariableValidation (beta, on in 1.33). */
function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objs(env).forEach((e, i) => {
    const name = strOf(e.name);
    if (!name) errs.push(field.required(`${path}[${i}].name`));
    else if (name.length !== 1 && !/^[ -<>-~]+$/.test(name)) {
      errs.push(
        field.invalid(`${path}[${i}].name`, name, "a valid environment variable name must consist only of printable ASCII characters other than '='"),
      );
    }
  });
  return errs;
}

/** ValidateVolumeMounts (names must refer to valid volumes, mount paths unique). */
function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  objs(mounts).forEach((m, i) => {
    const idx = `${path}[${i}]`;
    const name = strOf(m.name);
    const mountPath = strOf(m.mountPath);
    if (!name) errs.push(field.required(`${idx}.name`));
    if (!volumes.has(name)) errs.push(field.notFound(`${idx}.name`, name));
    if (!mountPath) errs.push(field.required(`${idx}.mountPath`));
    if (mountPoints.has(mountPath)) errs.push(field.invalid(`${idx}.mountPath`, mountPath, 'must be unique'));
    mountPoints.add(mountPath);
  });
  return errs;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

/** validateContainerCommon */
function validateContainerCommon(c: Obj, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = strOf(c.name);
  if (!name) errs.push(field.required(`${path}.name`));
  else errs.push(...dnsLabelErrors(name, `${path}.name`));
  if (!c.image) errs.push(field.required(`${path}.image`));
  const tmp = strOf(c.terminationMessagePolicy);
  if (!tmp) errs.push(field.required(`${path}.terminationMessagePolicy`));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(tmp)) errs.push(field.notSupported(`${path}.terminationMessagePolicy`, tmp, TERMINATION_MESSAGE_POLICIES));
  errs.push(...validateContainerPorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${path}.volumeMounts`));
  const pull = strOf(c.imagePullPolicy);
  if (!pull) errs.push(field.required(`${path}.imagePullPolicy`));
  else if (!PULL_POLICIES.includes(pull)) errs.push(field.notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  return errs;
}

/** ValidateVolumes: the names of the valid volumes, and the errors. */
function validateVolumes(volumes: unknown, path: string): { names: Set<string>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  objs(volumes).forEach((v, i) => {
    const idx = `${path}[${i}]`;
    const el: FieldError[] = [];
    const sources = VOLUME_SOURCES.filter((k) => v[k] !== undefined && v[k] !== null);
    if (sources.length === 0) el.push(field.required(idx, 'must specify a volume type'));
    for (const extra of sources.slice(1)) el.push(field.forbidden(`${idx}.${extra}`, 'may not specify more than 1 volume type'));
    if (isObj(v.secret) && !v.secret.secretName) el.push(field.required(`${idx}.secret.secretName`));
    if (isObj(v.configMap) && !v.configMap.name) el.push(field.required(`${idx}.configMap.name`));
    if (isObj(v.persistentVolumeClaim) && !v.persistentVolumeClaim.claimName) el.push(field.required(`${idx}.persistentVolumeClaim.claimName`));
    if (isObj(v.hostPath) && !v.hostPath.path) el.push(field.required(`${idx}.hostPath.path`));
    const name = strOf(v.name);
    if (!name) el.push(field.required(`${idx}.name`));
    else el.push(...dnsLabelErrors(name, `${idx}.name`));
    if (names.has(name)) el.push(field.duplicate(`${idx}.name`, name));
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return { names, errs };
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
function validateTaintEffect(effect: unknown, allowEmpty: boolean, path: string): FieldError[] {
  if (!effect) return allowEmpty ? [] : [field.required(path)];
  return TAINT_EFFECTS.includes(strOf(effect)) ? [] : [field.notSupported(path, effect, TAINT_EFFECTS)];
}

/** ValidateTolerations */
function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objs(tolerations).forEach((t, i) => {
    const idx = `${path}[${i}]`;
    const key = strOf(t.key);
    if (key) errs.push(...labelNameErrors(key, `${idx}.key`));
    if (!key && t.operator !== 'Exists') {
      errs.push(field.invalid(`${idx}.operator`, strOf(t.operator), 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(field.invalid(`${idx}.effect`, strOf(t.effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (strOf(t.operator)) {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(strOf(t.value));
        if (msgs.length) errs.push(field.invalid(`${idx}.operator`, strOf(t.value), msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(field.invalid(`${idx}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(field.notSupported(`${idx}.operator`, t.operator, ['Equal', 'Exists']));
    }
    errs.push(...validateTaintEffect(t.effect, true, `${idx}.effect`));
  });
  return errs;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];

/** validateRestartPolicy / validateDNSPolicy: Required when empty, NotSupported when unknown. */
function validateEnum(value: unknown, valid: string[], path: string): FieldError[] {
  if (!value) return [field.required(path)];
  return valid.includes(strOf(value)) ? [] : [field.notSupported(path, value, valid)];
}

/** ValidatePodSpec for a pod (path "spec") or a pod template (e.g. "spec.template.spec"). */
export function validatePodSpec(specValue: unknown, path: string): FieldError[] {
  const spec = objOf(specValue);
  const errs: FieldError[] = [];
  const { names: volumes, errs: volumeErrs } = validateVolumes(spec.volumes, `${path}.volumes`);
  errs.push(...volumeErrs);

  const containers = objs(spec.containers);
  if (containers.length === 0) errs.push(field.required(`${path}.containers`));
  const containerNames = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${path}.containers[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = strOf(c.name);
    if (containerNames.has(name)) errs.push(field.duplicate(`${p}.name`, name));
    else containerNames.add(name);
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) errs.push(field.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });

  const initNames = new Set(containerNames);
  objs(spec.initContainers).forEach((c, i) => {
    const p = `${path}.initContainers[${i}]`;
    const name = strOf(c.name);
    if (initNames.has(name)) errs.push(field.duplicate(`${p}.name`, name));
    else initNames.add(name);
    errs.push(...validateContainerCommon(c, volumes, p));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null && c.restartPolicy !== 'Always') {
      errs.push(field.notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
    }
    if (!isRestartableInit(c)) {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[k] !== undefined && c[k] !== null) errs.push(field.forbidden(`${p}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });

  errs.push(...validateEnum(spec.restartPolicy, RESTART_POLICIES, `${path}.restartPolicy`));
  errs.push(...validateEnum(spec.dnsPolicy, DNS_POLICIES, `${path}.dnsPolicy`));
  errs.push(...validateLabels(isObj(spec.nodeSelector) ? spec.nodeSelector : undefined, `${path}.nodeSelector`));
  if (spec.serviceAccountName) errs.push(...dnsSubdomainErrors(strOf(spec.serviceAccountName), `${path}.serviceAccountName`));
  if (spec.nodeName) errs.push(...dnsSubdomainErrors(strOf(spec.nodeName), `${path}.nodeName`));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = numOf(spec.activeDeadlineSeconds);
    if (v < 1 || v > MAX_INT32) errs.push(field.invalid(`${path}.activeDeadlineSeconds`, v, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  if (spec.hostname) errs.push(...dnsLabelErrors(strOf(spec.hostname), `${path}.hostname`));
  if (spec.subdomain) errs.push(...dnsLabelErrors(strOf(spec.subdomain), `${path}.subdomain`));
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  return errs;
}

/** The template check of ReplicationControllers and PodTemplates: template labels (at `<path>.metadata.labels`), then the pod spec. */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t = objOf(template);
  const meta = objOf(t.metadata);
  return [
    ...validateLabels(isObj(meta.labels) ? meta.labels : undefined, `${path}.metadata.labels`),
    ...validatePodSpec(t.spec, `${path}.spec`),
  ];
}

// ---- pod templates of the workload groups (apps, batch) -------------------------------------

/** Defaults the PodTemplateSpec at parent[key] in place (creating it when absent, as Go's zero struct would be). */
export function defaultPodTemplateSpec(parent: Obj, key = 'template'): void {
  const template = ensureObj(parent, key);
  defaultPodSpec(ensureObj(template, 'spec'));
}

/** ValidatePodTemplateSpec as the workload groups run it: labels (at `<path>.labels`, as upstream), annotations, the pod spec. */
export function validateWorkloadPodTemplate(template: unknown, path: string): FieldError[] {
  const t = isObj(template) ? template : {};
  const meta = isObj(t.metadata) ? t.metadata : {};
  const spec = isObj(t.spec) ? t.spec : {};
  const errs: FieldError[] = [];
  errs.push(...validateLabels(isObj(meta.labels) ? meta.labels : undefined, `${path}.labels`));
  errs.push(...validateAnnotations(isObj(meta.annotations) ? meta.annotations : undefined, `${path}.annotations`));
  errs.push(...validatePodSpec(spec, `${path}.spec`));
  if (asArray(spec.ephemeralContainers).length > 0) {
    errs.push(field.forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

/**
 * ValidatePodCreate minus metadata. The store also runs validate on updates; a create is recognised by
 * the missing resourceVersion (the store fills it in before validating an update).
 */
function validatePod(pod: KObject): FieldError[] {
  const errs = validatePodSpec(pod.spec, 'spec');
  const isCreate = !pod.metadata.resourceVersion;
  if (isCreate && asArray(objOf(pod.spec).ephemeralContainers).length > 0) {
    errs.push(field.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
  return errs;
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** validateOnlyAddedTolerations */
function validateOnlyAddedTolerations(next: unknown, old: unknown, path: string): FieldError[] {
  const nextTolerations = objs(next);
  for (const o of objs(old)) {
    const found = nextTolerations.some((n) => semanticEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [field.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return [];
}

/** ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations and removed scheduling gates may change. */
function validatePodUpdate(pod: KObject, old: KObject): FieldError[] {
  const spec = objOf(pod.spec);
  const oldSpec = objOf(old.spec);
  const errs: FieldError[] = [];
  for (const key of ['containers', 'initContainers']) {
    if (asArray(spec[key]).length !== asArray(oldSpec[key]).length) {
      return [field.forbidden(`spec.${key}`, 'pod updates may not add or remove containers')];
    }
    objs(spec[key]).forEach((c, i) => {
      const image = strOf(c.image);
      if (image && image.trim() !== image) errs.push(field.invalid(`spec.${key}[${i}].image`, image, 'must not have leading or trailing whitespace'));
    });
  }
  const deadline = spec.activeDeadlineSeconds;
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) {
    if (deadline < 0 || deadline > MAX_INT32) {
      return [...errs, field.invalid('spec.activeDeadlineSeconds', deadline, `must be between 0 and ${MAX_INT32}, inclusive`)];
    }
    if (oldDeadline !== undefined && oldDeadline !== null && oldDeadline < deadline) {
      return [...errs, field.invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value')];
    }
  } else if (oldDeadline !== undefined && oldDeadline !== null) {
    errs.push(field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(spec.tolerations, oldSpec.tolerations, 'spec.tolerations'));
  // Scheduling gates may only be removed.
  const oldGates = new Set(objs(oldSpec.schedulingGates).map((g) => strOf(g.name)));
  if (asArray(spec.schedulingGates).length) {
    objs(spec.schedulingGates).forEach((g, i) => {
      const name = strOf(g.name);
      if (!oldGates.has(name)) errs.push(field.forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${name}'`));
    });
  }
  if (semanticEqual(spec, oldSpec)) return errs;

  // Munge the fields that may change, then anything left over is forbidden.
  const munged: Obj = structuredClone(spec);
  for (const key of ['containers', 'initContainers']) {
    objs(munged[key]).forEach((c, i) => {
      c.image = objs(oldSpec[key])[i]?.image;
    });
  }
  for (const key of ['activeDeadlineSeconds', 'schedulingGates', 'tolerations']) {
    if (oldSpec[key] === undefined) delete munged[key];
    else munged[key] = oldSpec[key];
  }
  if (numOf(oldSpec.terminationGracePeriodSeconds) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  // Gated pods may gain node selector terms.
  if (oldGates.size > 0 && isObj(munged.nodeSelector)) {
    const oldSel = objOf(oldSpec.nodeSelector);
    const onlyAdded = Object.entries(oldSel).every(([k, v]) => munged.nodeSelector[k] === v);
    if (onlyAdded) munged.nodeSelector = oldSpec.nodeSelector;
  }
  if (!semanticEqual(munged, oldSpec)) {
    errs.push(field.forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n${specDiff(oldSpec, munged, 'core.PodSpec')}`));
  }
  return errs;
}

// =============================================================================================
// Services
// =============================================================================================

function clusterIPsOf(svc: KObject): string[] {
  const spec = objOf(svc.spec);
  const ips = asArray(spec.clusterIPs).map(strOf);
  if (ips.length) return ips;
  return spec.clusterIP ? [strOf(spec.clusterIP)] : [];
}
const isHeadless = (svc: KObject): boolean => clusterIPsOf(svc)[0] === 'None';
/** service.ExternallyAccessible */
function externallyAccessible(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && asArray(spec.externalIPs).length > 0);
}

/** loadBalancerStatusStringer (wide: never clipped). */
function loadBalancerIPs(svc: KObject): string {
  const ingress = objs(objOf(statusOf(svc).loadBalancer).ingress);
  const set = new Set<string>();
  for (const i of ingress) {
    if (i.ip) set.add(strOf(i.ip));
    else if (i.hostname) set.add(strOf(i.hostname));
  }
  return [...set].sort().join(',');
}

/** getServiceExternalIP */
export function serviceExternalIP(svc: KObject): string {
  const spec = objOf(svc.spec);
  const externalIPs = asArray(spec.externalIPs).map(strOf);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIPs(svc);
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return strOf(spec.externalName);
  }
  return '<unknown>';
}

/** makePortString */
export function servicePorts(svc: KObject): string {
  const s = objs(objOf(svc.spec).ports)
    .map((p) => (numOf(p.nodePort) > 0 ? `${p.port}:${p.nodePort}/${strOf(p.protocol)}` : `${p.port}/${strOf(p.protocol)}`))
    .join(',');
  return s || '<none>';
}

const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Type', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    wide('Selector', 'Route service traffic to pods with label keys and values matching this selector.'),
  ],
  cells: (svc, now) => [
    svc.metadata.name,
    strOf(objOf(svc.spec).type),
    clusterIPsOf(svc)[0] ?? '<none>',
    serviceExternalIP(svc),
    servicePorts(svc),
    createdAge(svc, now),
    formatLabels(objOf(svc.spec).selector),
  ],
};

/**
 * SetDefaults_Service plus the IP family fields the service REST storage fills in (single-stack IPv4
 * cluster). ClusterIPs and node ports are allocated elsewhere.
 */
function defaultService(svc: KObject): void {
  const spec = specOf(svc);
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = objOf(objOf(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (timeout === undefined || timeout === null) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of objs(spec.ports)) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  if (spec.type !== 'ExternalName') {
    // Headless services without a selector default to RequireDualStack (it degrades to one family).
    const selectorless = isHeadless(svc) && isEmpty(spec.selector);
    spec.ipFamilyPolicy ||= selectorless ? 'RequireDualStack' : 'SingleStack';
    if (isEmpty(spec.ipFamilies)) spec.ipFamilies = ['IPv4'];
  }
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];

/** ServicePort with only Protocol and Port set, as Go's %#v prints it (duplicate ports). */
const goServicePortKey = (p: Obj) =>
  `core.ServicePort{Name:"", Protocol:${goQuote(strOf(p.protocol))}, AppProtocol:(*string)(nil), Port:${numOf(p.port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;

/** validateServicePort */
function validateServicePort(p: Obj, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = strOf(p.name);
  if (requireName && !name) errs.push(field.required(`${path}.name`));
  else if (name) {
    errs.push(...dnsLabelErrors(name, `${path}.name`));
    if (names.has(name)) errs.push(field.duplicate(`${path}.name`, name));
    else names.add(name);
  }
  errs.push(...isValidPortNum(p.port).map((m) => field.invalid(`${path}.port`, p.port ?? 0, m)));
  errs.push(...validateProtocol(p.protocol, `${path}.protocol`));
  errs.push(...validatePortNumOrName(p.targetPort, `${path}.targetPort`));
  if (p.appProtocol) errs.push(...isQualifiedName(strOf(p.appProtocol)).map((m) => field.invalid(`${path}.appProtocol`, p.appProtocol, m)));
  return errs;
}

/** ValidateService (ValidateServiceCreate) minus metadata. */
function validateService(svc: KObject): FieldError[] {
  const spec = objOf(svc.spec);
  const errs: FieldError[] = [];
  const ports = objs(spec.ports);
  const headless = isHeadless(svc);
  const ips = clusterIPsOf(svc);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(field.required('spec.ports'));
  switch (spec.type) {
    case 'LoadBalancer':
      if (headless) errs.push(field.invalid('spec.clusterIPs[0]', ips[0], "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) errs.push(field.invalid('spec.clusterIPs[0]', ips[0], "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if (ips.length) errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (asArray(spec.ipFamilies).length) errs.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy) errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = strOf(spec.externalName).replace(/\.$/, '');
      if (cname) errs.push(...dnsSubdomainErrors(cname, 'spec.externalName'));
      else errs.push(field.required('spec.externalName'));
      break;
    }
  }
  ips.forEach((ip, i) => {
    if (ip !== 'None' && ip !== '' && !isIP(ip)) errs.push(field.invalid(`spec.clusterIPs[${i}]`, ip, IP_ERROR));
  });
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (isObj(spec.selector)) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...validateEnum(spec.sessionAffinity, SESSION_AFFINITIES, 'spec.sessionAffinity'));
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = objOf(objOf(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (typeof timeout !== 'number' || timeout <= 0 || timeout > 86400) {
      errs.push(field.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout ?? 0, 'must be greater than 0 and less than 86400'));
    }
  } else if (spec.sessionAffinityConfig) {
    errs.push(field.invalid('spec.sessionAffinityConfig', spec.sessionAffinityConfig, `must not be set when session affinity is ${strOf(spec.sessionAffinity)}`));
  }
  asArray(spec.externalIPs).forEach((ip, i) => {
    if (!isIP(strOf(ip))) errs.push(field.invalid(`spec.externalIPs[${i}]`, ip, IP_ERROR));
  });
  errs.push(...validateEnum(spec.type, SERVICE_TYPES, 'spec.type'));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (numOf(p.nodePort) !== 0) errs.push(field.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!numOf(p.nodePort)) return;
    const key = `${strOf(p.protocol)}/${numOf(p.nodePort)}`;
    if (nodePorts.has(key)) errs.push(field.duplicate(`spec.ports[${i}].nodePort`, numOf(p.nodePort)));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${strOf(p.protocol)}/${numOf(p.port)}`;
    if (portKeys.has(key)) errs.push(duplicateRaw(`spec.ports[${i}]`, goServicePortKey(p)));
    portKeys.add(key);
  });
  // validateServiceExternalTrafficPolicy
  if (!externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy) errs.push(field.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else {
    errs.push(...validateEnum(spec.externalTrafficPolicy, TRAFFIC_POLICIES, 'spec.externalTrafficPolicy'));
  }
  // validateServiceInternalTrafficFieldsValue
  if (['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) {
    errs.push(...validateEnum(spec.internalTrafficPolicy, TRAFFIC_POLICIES, 'spec.internalTrafficPolicy'));
  }
  return errs;
}

/** validateUpgradeDowngradeClusterIPs: cluster IPs may not change once set (except to/from ExternalName). */
function validateServiceUpdate(svc: KObject, old: KObject): FieldError[] {
  const spec = objOf(svc.spec);
  const oldSpec = objOf(old.spec);
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  if (isHeadless(svc) && isHeadless(old)) return [];
  const ips = clusterIPsOf(svc);
  const oldIPs = clusterIPsOf(old);
  const value = goStringSlice(ips);
  const errs: FieldError[] = [];
  if (ips.length === oldIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalidRendered(`spec.clusterIPs[${i}]`, value, 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalidRendered('spec.clusterIPs[0]', value, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalidRendered('spec.clusterIPs[0]', value, 'may not change once set'));
    if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalidRendered('spec.clusterIPs[0]', value, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalidRendered('spec.clusterIPs[0]', value, 'may not change once set'));
  }
  return errs;
}

// =============================================================================================
// Nodes
// =============================================================================================

/** printNode's STATUS: Ready/NotReady/Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: KObject): string {
  const ready = objs(statusOf(node).conditions).filter((c) => c.type === 'Ready').pop();
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (objOf(node.spec).unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

/** findNodeRoles: node-role.kubernetes.io/<role> keys and the kubernetes.io/role value, sorted. */
export function nodeRoles(node: KObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort().join(',') || '<none>';
}

const nodeAddress = (node: KObject, type: string): string =>
  strOf(objs(statusOf(node).addresses).find((a) => a.type === type)?.address) || '<none>';

const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE_COLUMN,
    col('Version', 'Kubelet Version reported by the node.'),
    wide('Internal-IP', 'List of addresses reachable to the node.'),
    wide('External-IP', 'List of addresses reachable to the node.'),
    wide('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
    wide('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    wide('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
  ],
  cells(node, now) {
    const info = objOf(statusOf(node).nodeInfo);
    return [
      node.metadata.name,
      nodeStatus(node),
      nodeRoles(node),
      createdAge(node, now),
      strOf(info.kubeletVersion),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      strOf(info.osImage) || '<unknown>',
      strOf(info.kernelVersion) || '<unknown>',
      strOf(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};

/** SetDefaults_NodeStatus: allocatable defaults to capacity. */
function defaultNode(node: KObject): void {
  const status = objOf(node.status);
  if (isObj(status.capacity) && !isObj(status.allocatable)) status.allocatable = { ...status.capacity };
}

const goTaint = (t: Obj) =>
  `core.Taint{Key:${goQuote(strOf(t.key))}, Value:${goQuote(strOf(t.value))}, Effect:${goQuote(strOf(t.effect))}, TimeAdded:(*v1.Time)(nil)}`;

/** ValidateNode minus metadata. Taint errors sit under metadata.taints, as upstream reports them. */
function validateNode(node: KObject): FieldError[] {
  const spec = objOf(node.spec);
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  objs(spec.taints).forEach((t, i) => {
    const idx = `metadata.taints[${i}]`;
    errs.push(...labelNameErrors(strOf(t.key), `${idx}.key`));
    const valueErrs = isValidLabelValue(strOf(t.value));
    if (valueErrs.length) errs.push(field.invalid(`${idx}.value`, strOf(t.value), valueErrs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, `${idx}.effect`));
    const key = `${strOf(t.effect)}\u0000${strOf(t.key)}`;
    if (seen.has(key)) errs.push(duplicateRaw(idx, goTaint(t), 'taints must be unique by key and effect pair'));
    seen.add(key);
  });
  return errs;
}

function podCIDRsOf(spec: Obj): string[] {
  const cidrs = asArray(spec.podCIDRs).map(strOf);
  return cidrs.length ? cidrs : spec.podCIDR ? [strOf(spec.podCIDR)] : [];
}

/** ValidateNodeUpdate: podCIDRs and providerID may only go from unset to set. */
function validateNodeUpdate(node: KObject, old: KObject): FieldError[] {
  const spec = objOf(node.spec);
  const oldSpec = objOf(old.spec);
  const errs: FieldError[] = [];
  const cidrs = podCIDRsOf(spec);
  const oldCIDRs = podCIDRsOf(oldSpec);
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== cidrs.length) errs.push(field.forbidden('spec.podCIDRs', cidrMsg));
    else oldCIDRs.forEach((c, i) => c !== cidrs[i] && errs.push(field.forbidden('spec.podCIDRs', cidrMsg)));
  }
  if (oldSpec.providerID && oldSpec.providerID !== spec.providerID) {
    errs.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

// =============================================================================================
// Namespaces
// =============================================================================================

const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, col('Status', 'The status of the namespace'), AGE_COLUMN],
  cells: (ns, now) => [ns.metadata.name, strOf(statusOf(ns).phase), createdAge(ns, now)],
};

/** SetDefaults_Namespace (the kubernetes.io/metadata.name label) and SetDefaults_NamespaceStatus. */
function defaultNamespace(ns: KObject): void {
  if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name };
  if (isObj(ns.status) && !ns.status.phase) ns.status.phase = 'Active';
  else if (!isObj(ns.status)) ns.status = { phase: 'Active' };
}

/** namespaceStrategy.PrepareForCreate: Active, and the "kubernetes" finalizer the namespace controller removes. */
function prepareNamespaceForCreate(ns: KObject): void {
  ns.status = { phase: 'Active' };
  const spec = specOf(ns);
  const finalizers = asArray(spec.finalizers).map(strOf);
  if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
  spec.finalizers = finalizers;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** ValidateNamespace: spec.finalizers are qualified names, standard or domain-prefixed. */
function validateNamespace(ns: KObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of asArray(objOf(ns.spec).finalizers).map(strOf)) {
    errs.push(...isQualifiedName(f).map((m) => field.invalid('spec.finalizers', f, m)));
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(field.invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

// =============================================================================================
// ConfigMaps and Secrets
// =============================================================================================

const MAX_SECRET_SIZE = 1024 * 1024;

/** validation.IsConfigMapKey */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (byteLength(key) > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, col('Data', 'Data contains the configuration data.'), AGE_COLUMN],
  cells: (cm, now) => [cm.metadata.name, Object.keys(objOf(cm.data)).length + Object.keys(objOf(cm.binaryData)).length, createdAge(cm, now)],
};

/** ValidateConfigMap minus metadata. */
function validateConfigMap(cm: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = objOf(cm.data);
  const binaryData = objOf(cm.binaryData);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...isConfigMapKey(key).map((m) => field.invalid(`data[${key}]`, key, m)));
    if (key in binaryData) errs.push(field.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    total += byteLength(strOf(value));
  }
  for (const [key, value] of Object.entries(binaryData)) {
    errs.push(...isConfigMapKey(key).map((m) => field.invalid(`binaryData[${key}]`, key, m)));
    const n = base64Length(value);
    if (n === undefined) errs.push(field.invalid(`binaryData[${key}]`, '<binary data redacted>', 'illegal base64 data'));
    else total += n;
  }
  if (total > MAX_SECRET_SIZE) errs.push(field.tooLong('[]', '', MAX_SECRET_SIZE));
  return errs;
}

/** The `immutable: true` rule shared by ConfigMaps and Secrets. */
function validateImmutableData(obj: KObject, old: KObject, keys: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(field.forbidden('immutable', IMMUTABLE_WHEN_SET));
  // Map values are compared as they are (an empty string is a value); nil and empty maps are equal.
  for (const k of keys) if (!deepEqual(objOf(obj[k]), objOf(old[k]))) errs.push(field.forbidden(k, IMMUTABLE_WHEN_SET));
  return errs;
}

const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Type', 'Used to facilitate programmatic handling of secret data.'),
    col('Data', 'Data contains the secret data.'),
    AGE_COLUMN,
  ],
  cells: (s, now) => [s.metadata.name, strOf(s.type), Object.keys(objOf(s.data)).length, createdAge(s, now)],
};

/** SetDefaults_Secret, and v1 conversion folding write-only stringData into data. */
function defaultSecret(secret: KObject): void {
  secret.type ||= 'Opaque';
  if (isObj(secret.stringData)) {
    const data = ensureObj(secret as Obj, 'data');
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = utf8ToBase64(strOf(v));
  }
  delete secret.stringData;
}

/** ValidateSecret minus metadata: keys, total size, and what each well-known type requires. */
function validateSecret(secret: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = objOf(secret.data);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...isConfigMapKey(key).map((m) => field.invalid(`data[${key}]`, key, m)));
    const n = base64Length(value);
    if (n === undefined) errs.push(field.invalid(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'));
    else total += n;
  }
  if (total > MAX_SECRET_SIZE) errs.push(field.tooLong('data', '', MAX_SECRET_SIZE));
  const required = (key: string) => (key in data ? [] : [field.required(`data[${key}]`)]);
  const jsonKey = (key: string) => {
    if (!(key in data)) return [field.required(`data[${key}]`)];
    try {
      const parsed = JSON.parse(base64ToUtf8(strOf(data[key])));
      if (!isObj(parsed)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
      return [];
    } catch (e) {
      return [field.invalid(`data[${key}]`, '<secret contents redacted>', (e as Error).message)];
    }
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(field.required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
      errs.push(...jsonKey('.dockercfg'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      errs.push(...jsonKey('.dockerconfigjson'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) errs.push(...required('username'), ...required('password'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) errs.push(field.required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      errs.push(...required('tls.crt'), ...required('tls.key'));
      break;
  }
  return errs;
}

// =============================================================================================
// Events
// =============================================================================================

/** formatEventSource: component (or reportingController), then ", host" (or reportingInstance). */
function eventSource(ev: KObject): string {
  const source = objOf(ev.source);
  const component = strOf(source.component) || strOf(ev.reportingComponent);
  const instance = strOf(source.host) || strOf(ev.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'The object that this event is about.'),
    wide('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
    wide('Source', 'The component reporting this event. Should be a short machine understandable string.'),
    col('Message', 'A human-readable description of the status of this operation.'),
    wide('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
    wide('Count', 'The number of times this event has occurred.'),
    { ...NAME_COLUMN, priority: 1 },
  ],
  cells(ev, now) {
    const involved = objOf(ev.involvedObject);
    const first = ev.firstTimestamp ? age(strOf(ev.firstTimestamp), now) : age(strOf(ev.eventTime) || undefined, now);
    let last = ev.lastTimestamp ? age(strOf(ev.lastTimestamp), now) : first;
    let count = numOf(ev.count);
    if (isObj(ev.series)) {
      last = age(strOf(ev.series.lastObservedTime) || undefined, now);
      count = numOf(ev.series.count);
    } else if (count === 0) {
      count = 1; // singleton events of the new API have no count
    }
    const kind = strOf(involved.kind).toLowerCase();
    const target = involved.name ? `${kind}/${strOf(involved.name)}` : kind;
    return [
      last,
      strOf(ev.type),
      strOf(ev.reason),
      target,
      strOf(involved.fieldPath),
      eventSource(ev),
      strOf(ev.message).trim(),
      first,
      count,
      ev.metadata.name,
    ];
  },
};

/** legacyValidateEvent for core/v1 requests. */
function validateEvent(ev: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata.namespace ?? '';
  const involvedNs = strOf(objOf(ev.involvedObject).namespace);
  const mismatch = () => field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!ev.eventTime) {
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== involvedNs) errs.push(mismatch());
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
    const controller = strOf(ev.reportingComponent);
    if (!controller) errs.push(field.required('reportingComponent'));
    errs.push(...isQualifiedName(controller).map((m) => field.invalid('reportingComponent', controller, m)));
    const instance = strOf(ev.reportingInstance);
    if (!instance) errs.push(field.required('reportingInstance'));
    if (byteLength(instance) > 128) errs.push(field.invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = strOf(ev.action);
    if (!action) errs.push(field.required('action'));
    if (byteLength(action) > 128) errs.push(field.invalid('action', '', 'can have at most 128 characters'));
    const reason = strOf(ev.reason);
    if (!reason) errs.push(field.required('reason'));
    if (byteLength(reason) > 128) errs.push(field.invalid('reason', '', 'can have at most 128 characters'));
    if (byteLength(strOf(ev.message)) > 1024) errs.push(field.invalid('message', '', 'can have at most 1024 characters'));
  }
  errs.push(...dnsSubdomainErrors(ns, 'namespace'));
  return errs;
}

// =============================================================================================
// Endpoints
// =============================================================================================

/** formatEndpoints: up to three ip:port pairs, then "+ N more...". */
export function formatEndpoints(ep: KObject): string {
  const subsets = objs(ep.subsets);
  if (!subsets.length) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  for (const ss of subsets) {
    const addresses = objs(ss.addresses);
    const ports = objs(ss.ports);
    if (!ports.length) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(strOf(a.ip));
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(hostPort(strOf(a.ip), numOf(p.port)));
      }
    }
  }
  const s = list.join(',');
  return more ? `${s} + ${count - max} more...` : s;
}

const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, col('Endpoints', 'The set of all endpoints is the union of all subsets.'), AGE_COLUMN],
  cells: (ep, now) => [ep.metadata.name, formatEndpoints(ep), createdAge(ep, now)],
};

function defaultEndpoints(ep: KObject): void {
  for (const ss of objs(ep.subsets)) for (const p of objs(ss.ports)) p.protocol ||= 'TCP';
}

/** ValidateEndpoints minus metadata: addresses are IPs, ports valid and named when several. */
function validateEndpoints(ep: KObject): FieldError[] {
  const errs: FieldError[] = [];
  objs(ep.subsets).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    for (const key of ['addresses', 'notReadyAddresses']) {
      objs(ss[key]).forEach((a, j) => {
        const ip = strOf(a.ip);
        const path = `${p}.${key}[${j}].ip`;
        if (!isIP(ip)) errs.push(field.invalid(path, ip, IP_ERROR));
        else if (ip === '0.0.0.0' || ip === '::') errs.push(field.invalid(path, ip, 'may not be unspecified (0.0.0.0, ::)'));
        else if (ip.startsWith('127.') || ip === '::1') errs.push(field.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
        if (a.hostname) errs.push(...dnsLabelErrors(strOf(a.hostname), `${p}.${key}[${j}].hostname`));
      });
    }
    const ports = objs(ss.ports);
    ports.forEach((port, j) => {
      const path = `${p}.ports[${j}]`;
      const name = strOf(port.name);
      if (ports.length > 1 && !name) errs.push(field.required(`${path}.name`));
      else if (name) errs.push(...dnsLabelErrors(name, `${path}.name`));
      errs.push(...isValidPortNum(port.port).map((m) => field.invalid(`${path}.port`, port.port ?? 0, m)));
      errs.push(...validateProtocol(port.protocol, `${path}.protocol`));
    });
  });
  return errs;
}

// =============================================================================================
// PersistentVolumes and PersistentVolumeClaims
// =============================================================================================

/** GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order. */
export function accessModesString(modes: unknown): string {
  const set = new Set(asArray(modes).map(strOf));
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** The storage class, from the beta annotation first. */
function storageClassOf(obj: KObject): string {
  const ann = obj.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  return ann !== undefined ? ann : strOf(objOf(obj.spec).storageClassName);
}

const storageQuantity = (list: unknown): string => quantityText(objOf(list).storage) || '0';

const persistentVolumePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Capacity', 'capacity is the description of the persistent volume\'s resources and capacity.'),
    col('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    col('Reason', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    AGE_COLUMN,
    wide('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.'),
  ],
  cells(pv, now) {
    const spec = objOf(pv.spec);
    const claim = isObj(spec.claimRef) ? `${strOf(spec.claimRef.namespace)}/${strOf(spec.claimRef.name)}` : '';
    const phase = pv.metadata.deletionTimestamp ? 'Terminating' : strOf(statusOf(pv).phase);
    return [
      pv.metadata.name,
      storageQuantity(spec.capacity),
      accessModesString(spec.accessModes),
      strOf(spec.persistentVolumeReclaimPolicy),
      phase,
      claim,
      storageClassOf(pv),
      strOf(spec.volumeAttributesClassName) || '<unset>',
      strOf(statusOf(pv).reason),
      createdAge(pv, now),
      strOf(spec.volumeMode) || '<unset>',
    ];
  },
};

const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    wide('VolumeMode', 'volumeMode defines what type of volume is required by the claim.'),
  ],
  cells(pvc, now) {
    const spec = objOf(pvc.spec);
    const status = statusOf(pvc);
    const bound = !!spec.volumeName;
    return [
      pvc.metadata.name,
      pvc.metadata.deletionTimestamp ? 'Terminating' : strOf(status.phase),
      strOf(spec.volumeName),
      bound ? storageQuantity(status.capacity) : '',
      bound ? accessModesString(status.accessModes) : '',
      storageClassOf(pvc),
      strOf(spec.volumeAttributesClassName) || '<unset>',
      createdAge(pvc, now),
      strOf(spec.volumeMode) || '<unset>',
    ];
  },
};

function defaultPersistentVolume(pv: KObject): void {
  const spec = specOf(pv);
  spec.persistentVolumeReclaimPolicy ||= 'Retain';
  spec.volumeMode ||= 'Filesystem';
  if (isObj(spec.iscsi)) spec.iscsi.iscsiInterface ||= 'default';
  if (isObj(spec.hostPath) && spec.hostPath.type === undefined) spec.hostPath.type = '';
  const status = ensureObj(pv as Obj, 'status');
  status.phase ||= 'Pending';
}

/** persistentvolumeStrategy.PrepareForCreate: Pending since now. */
function preparePersistentVolumeForCreate(pv: KObject): void {
  pv.status = { phase: 'Pending', lastPhaseTransitionTime: nowTimestamp() };
}

function defaultPersistentVolumeClaim(pvc: KObject): void {
  specOf(pvc).volumeMode ||= 'Filesystem';
  ensureObj(pvc as Obj, 'status').phase ||= 'Pending';
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const PV_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi',
  'cinder', 'fc', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'scaleIO',
  'local', 'storageos', 'csi',
];

function validateAccessModes(modes: unknown, path: string, detail: string): FieldError[] {
  const list = asArray(modes).map(strOf);
  const errs: FieldError[] = [];
  if (!list.length) errs.push(field.required(path, detail));
  for (const m of list) if (!ACCESS_MODES.includes(m)) errs.push(field.notSupported(path, m, ACCESS_MODES));
  if (list.includes('ReadWriteOncePod') && list.some((m) => m !== 'ReadWriteOncePod')) {
    errs.push(field.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

/** A positive, parseable quantity (ValidatePositiveQuantityValue). */
function validatePositiveQuantity(q: unknown, path: string): FieldError[] {
  const text = quantityText(q);
  const v = parseQuantity(text);
  if (v === undefined) return [field.invalid(path, text, QUANTITY_ERROR)];
  return v > 0 ? [] : [field.invalid(path, text, 'must be greater than zero')];
}

/** ValidatePersistentVolumeSpec minus metadata. */
function validatePersistentVolume(pv: KObject): FieldError[] {
  const spec = objOf(pv.spec);
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', '');
  const capacity = objOf(spec.capacity);
  if (Object.keys(capacity).length === 0) errs.push(field.required('spec.capacity'));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(field.notSupported('spec.capacity', capacity, ['storage']));
  for (const [name, q] of Object.entries(capacity)) errs.push(...validatePositiveQuantity(q, `spec.capacity[${name}]`));
  if (spec.storageClassName) errs.push(...dnsSubdomainErrors(strOf(spec.storageClassName), 'spec.storageClassName'));
  if (spec.volumeMode && !VOLUME_MODES.includes(strOf(spec.volumeMode))) errs.push(field.notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  const sources = PV_SOURCES.filter((k) => spec[k] !== undefined && spec[k] !== null);
  if (sources.length === 0) errs.push(field.required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) errs.push(field.forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (isObj(spec.hostPath) && !spec.hostPath.path) errs.push(field.required('spec.hostPath.path'));
  if (isObj(spec.local) && !spec.local.path) errs.push(field.required('spec.local.path'));
  if (spec.persistentVolumeReclaimPolicy && !RECLAIM_POLICIES.includes(strOf(spec.persistentVolumeReclaimPolicy))) {
    errs.push(field.notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
  }
  return errs;
}

/** ValidatePersistentVolumeUpdate: the volume source and volumeMode are immutable. */
function validatePersistentVolumeUpdate(pv: KObject, old: KObject): FieldError[] {
  const spec = objOf(pv.spec);
  const oldSpec = objOf(old.spec);
  const source = (s: Obj) => Object.fromEntries(PV_SOURCES.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  const errs: FieldError[] = [];
  if (!semanticEqual(source(spec), source(oldSpec))) {
    errs.push(
      field.forbidden(
        'spec.persistentvolumesource',
        `spec.persistentvolumesource is immutable after creation\n${specDiff(source(oldSpec), source(spec), 'core.PersistentVolumeSource')}`,
      ),
    );
  }
  errs.push(...validateImmutableField(spec.volumeMode ?? null, oldSpec.volumeMode ?? null, 'volumeMode'));
  return errs;
}

/** ValidatePersistentVolumeClaimSpec minus metadata. */
function validatePersistentVolumeClaim(pvc: KObject): FieldError[] {
  const spec = objOf(pvc.spec);
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required');
  const requests = objOf(objOf(spec.resources).requests);
  if (!('storage' in requests)) errs.push(field.required('spec.resources[storage]'));
  else errs.push(...validatePositiveQuantity(requests.storage, 'spec.resources[storage]'));
  if (spec.storageClassName) errs.push(...dnsSubdomainErrors(strOf(spec.storageClassName), 'spec.storageClassName'));
  if (spec.volumeMode && !VOLUME_MODES.includes(strOf(spec.volumeMode))) errs.push(field.notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return errs;
}

/** ValidatePersistentVolumeClaimUpdate: only resources.requests (bound claims, growing) and volumeName (once). */
function validatePersistentVolumeClaimUpdate(pvc: KObject, old: KObject): FieldError[] {
  const spec: Obj = structuredClone(objOf(pvc.spec));
  const oldSpec: Obj = structuredClone(objOf(old.spec));
  const errs: FieldError[] = [];
  if (!oldSpec.volumeName) oldSpec.volumeName = spec.volumeName;
  const oldStorage = objOf(objOf(oldSpec.resources).requests).storage;
  const newStorage = objOf(objOf(spec.resources).requests).storage;
  if (statusOf(pvc).phase === 'Bound' && isObj(objOf(spec.resources).requests)) spec.resources.requests.storage = oldStorage;
  oldSpec.volumeAttributesClassName = spec.volumeAttributesClassName;
  if (!semanticEqual(spec, oldSpec)) {
    errs.push(field.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const oldSize = parseQuantity(quantityText(oldStorage));
  const newSize = parseQuantity(quantityText(newStorage));
  if (oldSize !== undefined && newSize !== undefined && newSize < oldSize) {
    errs.push(field.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return errs;
}

// =============================================================================================
// ReplicationControllers and PodTemplates
// =============================================================================================

const replicationControllerPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'Replicas is the number of desired replicas.', 'integer'),
    col('Current', 'Replicas is the most recently observed number of replicas.', 'integer'),
    col('Ready', 'The number of ready replicas for this replication controller.', 'integer'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wide('Selector', 'Selector is a label query over pods that should match the Replicas count.'),
  ],
  cells(rc, now) {
    const spec = objOf(rc.spec);
    const status = statusOf(rc);
    const [names, images] = containerCells(objOf(objOf(spec.template).spec).containers);
    return [
      rc.metadata.name,
      numOf(spec.replicas),
      numOf(status.replicas),
      numOf(status.readyReplicas),
      createdAge(rc, now),
      names,
      images,
      formatLabels(spec.selector),
    ];
  },
};

/** SetDefaults_ReplicationController: selector and labels from the template, one replica. */
function defaultReplicationController(rc: KObject): void {
  const spec = specOf(rc);
  const template = isObj(spec.template) ? spec.template : undefined;
  const labels = template && isObj(objOf(template.metadata).labels) ? template.metadata.labels : undefined;
  if (labels) {
    if (isEmpty(spec.selector)) spec.selector = { ...labels };
    if (isEmpty(rc.metadata.labels)) rc.metadata.labels = { ...labels };
  }
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (template) defaultPodSpec(ensureObj(template, 'spec'));
}

/** ValidateReplicationControllerSpec */
function validateReplicationController(rc: KObject): FieldError[] {
  const spec = objOf(rc.spec);
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isEmpty(spec.selector)) errs.push(field.required('spec.selector'));
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  if (!isObj(spec.template)) {
    errs.push(field.required('spec.template'));
    return errs;
  }
  const template = spec.template;
  const labels = objOf(objOf(template.metadata).labels);
  const selector = objOf(spec.selector);
  if (Object.keys(selector).length && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(invalidRendered('spec.template.metadata.labels', goStringMap(objOf(template.metadata).labels, strOf), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const templateSpec = objOf(template.spec);
  if (templateSpec.restartPolicy !== 'Always') {
    errs.push(field.notSupported('spec.template.spec.restartPolicy', strOf(templateSpec.restartPolicy), ['Always']));
  }
  if (templateSpec.activeDeadlineSeconds !== undefined && templateSpec.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

const podTemplatePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Containers', 'Names of each container in the template.'),
    col('Images', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'The labels for the pod template.'),
  ],
  cells(pt) {
    const template = objOf(pt.template);
    const [names, images] = containerCells(objOf(template.spec).containers);
    return [pt.metadata.name, names, images, formatLabels(objOf(template.metadata).labels)];
  },
};

function defaultPodTemplate(pt: KObject): void {
  if (isObj(pt.template)) defaultPodSpec(ensureObj(pt.template, 'spec'));
}

// =============================================================================================
// ResourceQuotas, LimitRanges, ServiceAccounts, ComponentStatuses
// =============================================================================================

/** printResourceQuota: "resource: used/hard" pairs, limits.* in the LIMIT column. */
function quotaColumns(rq: KObject): [string, string] {
  const status = statusOf(rq);
  const hard = objOf(status.hard);
  const used = objOf(status.used);
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const text = `${name}: ${quantityText(used[name]) || '0'}/${quantityText(hard[name])}`;
    const pieces = name.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(text);
  }
  return [request.join(', '), limit.join(', ')];
}

const resourceQuotaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    AGE_COLUMN,
  ],
  cells(rq, now) {
    const [request, limit] = quotaColumns(rq);
    return [rq.metadata.name, request, limit, createdAge(rq, now)];
  },
};

const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];
const STANDARD_QUOTA_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory',
  'requests.storage', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
const isStandardQuotaResource = (name: string) =>
  STANDARD_QUOTA_RESOURCES.has(name) || /^(requests\.|limits\.)?hugepages-/.test(name);

/** ValidateResourceQuotaResourceName */
function validateQuotaResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => field.invalid(path, name, m));
  if (!name.includes('/') && !isStandardQuotaResource(name)) {
    errs.push(field.invalid(path, name, 'must be a standard resource type or fully qualified'));
    errs.push(field.invalid(path, name, 'must be a standard resource for quota'));
  }
  return errs;
}

/** ValidateResourceQuotaSpec minus metadata. */
function validateResourceQuota(rq: KObject): FieldError[] {
  const spec = objOf(rq.spec);
  const errs: FieldError[] = [];
  for (const [name, q] of Object.entries(objOf(spec.hard))) {
    const path = `spec.hard[${name}]`;
    errs.push(...validateQuotaResourceName(name, path), ...validateQuantity(name, q, path));
  }
  asArray(spec.scopes).forEach((s) => {
    if (!QUOTA_SCOPES.includes(strOf(s))) errs.push(field.invalid('spec.scopes', s, 'unsupported scope'));
  });
  return errs;
}

/** SetDefaults_LimitRangeItem: container items default limits from max and requests from limits or min. */
function defaultLimitRange(lr: KObject): void {
  for (const item of objs(objOf(lr.spec).limits)) {
    if (item.type !== 'Container') continue;
    const def = ensureObj(item, 'default');
    const defReq = ensureObj(item, 'defaultRequest');
    for (const [k, v] of Object.entries(objOf(item.max))) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
    for (const [k, v] of Object.entries(objOf(item.min))) if (!(k in defReq)) defReq[k] = v;
  }
}

const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];
function validateLimitRange(lr: KObject): FieldError[] {
  const errs: FieldError[] = [];
  objs(objOf(lr.spec).limits).forEach((item, i) => {
    if (!LIMIT_TYPES.includes(strOf(item.type))) errs.push(field.notSupported(`spec.limits[${i}].type`, strOf(item.type), LIMIT_TYPES));
    for (const key of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
      for (const [name, q] of Object.entries(objOf(item[key]))) errs.push(...validateQuantity(name, q, `spec.limits[${i}].${key}[${name}]`));
    }
  });
  return errs;
}

const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN],
  cells: (sa, now) => [sa.metadata.name, asArray(sa.secrets).length, createdAge(sa, now)],
};

const componentStatusPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'Status of the component conditions'),
    col('Message', 'Message of the component conditions'),
    col('Error', 'Error of the component conditions'),
  ],
  cells(cs) {
    const healthy = objs(cs.conditions).find((c) => c.type === 'Healthy');
    const status = healthy ? (healthy.status === 'True' ? 'Healthy' : 'Unhealthy') : 'Unknown';
    return [cs.metadata.name, status, strOf(healthy?.message), strOf(healthy?.error)];
  },
};

// =============================================================================================
// The resources, in kube-apiserver's discovery order
// =============================================================================================

function core(def: Omit<ResourceDef, 'group' | 'version'>): ResourceDef {
  return { group: '', version: 'v1', ...def };
}

const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];
const NAMESPACE_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const resources: ResourceDef[] = [
  core({
    resource: 'bindings',
    singular: 'binding',
    kind: 'Binding',
    scope: 'Namespaced',
    verbs: ['create'],
  }),
  core({
    resource: 'componentstatuses',
    singular: 'componentstatus',
    kind: 'ComponentStatus',
    scope: 'Cluster',
    verbs: ['get', 'list'],
    shortNames: ['cs'],
    printer: componentStatusPrinter,
  }),
  core({
    resource: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['cm'],
    printer: configMapPrinter,
    validate: validateConfigMap,
    validateUpdate: (cm, old) => validateImmutableData(cm, old, ['data', 'binaryData']),
  }),
  core({
    resource: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['ep'],
    printer: endpointsPrinter,
    defaults: defaultEndpoints,
    validate: validateEndpoints,
  }),
  core({
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['ev'],
    printer: eventPrinter,
    fieldSelectors: {
      'involvedObject.kind': (o) => strOf(objOf(o.involvedObject).kind),
      'involvedObject.namespace': (o) => strOf(objOf(o.involvedObject).namespace),
      'involvedObject.name': (o) => strOf(objOf(o.involvedObject).name),
      'involvedObject.uid': (o) => strOf(objOf(o.involvedObject).uid),
      'involvedObject.apiVersion': (o) => strOf(objOf(o.involvedObject).apiVersion),
      'involvedObject.resourceVersion': (o) => strOf(objOf(o.involvedObject).resourceVersion),
      'involvedObject.fieldPath': (o) => strOf(objOf(o.involvedObject).fieldPath),
      reason: (o) => strOf(o.reason),
      reportingComponent: (o) => strOf(o.reportingComponent),
      source: (o) => strOf(objOf(o.source).component) || strOf(o.reportingComponent),
      type: (o) => strOf(o.type),
    },
    validate: validateEvent,
  }),
  core({
    resource: 'limitranges',
    singular: 'limitrange',
    kind: 'LimitRange',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['limits'],
    // No printer upstream either: the default table (NAME, CREATED AT).
    defaults: defaultLimitRange,
    validate: validateLimitRange,
  }),
  core({
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    scope: 'Cluster',
    verbs: NAMESPACE_VERBS,
    shortNames: ['ns'],
    subresources: [subresource('finalize', 'Namespace', ['update']), statusSub('Namespace')],
    statusSubresource: true,
    nameValidator: isDNS1123Label,
    fieldSelectors: { 'status.phase': (o) => strOf(statusOf(o).phase) },
    printer: namespacePrinter,
    defaults: defaultNamespace,
    prepareForCreate: prepareNamespaceForCreate,
    twoPhaseDelete: true,
    prepareForDelete: (ns) => {
      // NamespaceLifecycle admission: the system namespaces are immortal.
      if (IMMORTAL_NAMESPACES.includes(ns.metadata.name ?? '')) {
        throw errors.forbidden({ group: '', resource: 'namespaces' }, ns.metadata.name!, 'this namespace may not be deleted');
      }
      ns.status = { ...objOf(ns.status), phase: 'Terminating' };
    },
    returnDeletedObject: true,
    validate: validateNamespace,
  }),
  core({
    resource: 'nodes',
    singular: 'node',
    kind: 'Node',
    scope: 'Cluster',
    verbs: ALL_VERBS,
    shortNames: ['no'],
    subresources: [subresource('proxy', 'NodeProxyOptions', PROXY_VERBS), statusSub('Node')],
    statusSubresource: true,
    fieldSelectors: { 'spec.unschedulable': (o) => String(objOf(o.spec).unschedulable === true) },
    printer: nodePrinter,
    defaults: defaultNode,
    validate: validateNode,
    validateUpdate: validateNodeUpdate,
  }),
  core({
    resource: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    kind: 'PersistentVolumeClaim',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['pvc'],
    subresources: [statusSub('PersistentVolumeClaim')],
    statusSubresource: true,
    printer: persistentVolumeClaimPrinter,
    defaults: defaultPersistentVolumeClaim,
    prepareForCreate: (pvc) => {
      pvc.status = { phase: 'Pending' };
    },
    returnDeletedObject: true,
    validate: validatePersistentVolumeClaim,
    validateUpdate: validatePersistentVolumeClaimUpdate,
  }),
  core({
    resource: 'persistentvolumes',
    singular: 'persistentvolume',
    kind: 'PersistentVolume',
    scope: 'Cluster',
    verbs: ALL_VERBS,
    shortNames: ['pv'],
    subresources: [statusSub('PersistentVolume')],
    statusSubresource: true,
    printer: persistentVolumePrinter,
    defaults: defaultPersistentVolume,
    prepareForCreate: preparePersistentVolumeForCreate,
    returnDeletedObject: true,
    validate: validatePersistentVolume,
    validateUpdate: validatePersistentVolumeUpdate,
  }),
  core({
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      subresource('attach', 'PodAttachOptions', ['create', 'get']),
      subresource('binding', 'Binding', ['create']),
      subresource('ephemeralcontainers', 'Pod', STATUS_VERBS),
      subresource('eviction', 'Eviction', ['create'], 'policy', 'v1'),
      subresource('exec', 'PodExecOptions', ['create', 'get']),
      subresource('log', 'Pod', ['get']),
      subresource('portforward', 'PodPortForwardOptions', ['create', 'get']),
      subresource('proxy', 'PodProxyOptions', PROXY_VERBS),
      subresource('resize', 'Pod', STATUS_VERBS),
      statusSub('Pod'),
    ],
    // 1.33 sets metadata.generation on pods (KEP-5067) and bumps it on spec changes.
    generation: true,
    statusSubresource: true,
    fieldSelectors: {
      'spec.nodeName': (o) => strOf(objOf(o.spec).nodeName),
      'spec.restartPolicy': (o) => strOf(objOf(o.spec).restartPolicy),
      'spec.schedulerName': (o) => strOf(objOf(o.spec).schedulerName),
      'spec.serviceAccountName': (o) => strOf(objOf(o.spec).serviceAccountName),
      'spec.hostNetwork': (o) => String(objOf(o.spec).hostNetwork === true),
      'status.phase': (o) => strOf(statusOf(o).phase),
      'status.podIP': (o) => podIP(o),
      // Accepted by the v1 field label conversion but absent from the selectable fields: always "".
      'status.podIPs': () => '',
      'status.nominatedNodeName': (o) => strOf(statusOf(o).nominatedNodeName),
    },
    printer: podPrinter,
    defaults: defaultPod,
    prepareForCreate: preparePodForCreate,
    gracefulDeletion: podGracePeriod,
    returnDeletedObject: true,
    validate: validatePod,
    validateUpdate: validatePodUpdate,
  }),
  core({
    resource: 'podtemplates',
    singular: 'podtemplate',
    kind: 'PodTemplate',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    printer: podTemplatePrinter,
    defaults: defaultPodTemplate,
    validate: (pt) => validatePodTemplateSpec(pt.template, 'template'),
  }),
  core({
    resource: 'replicationcontrollers',
    singular: 'replicationcontroller',
    kind: 'ReplicationController',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['rc'],
    categories: ['all'],
    subresources: [subresource('scale', 'Scale', STATUS_VERBS, 'autoscaling', 'v1'), statusSub('ReplicationController')],
    generation: true,
    statusSubresource: true,
    fieldSelectors: { 'status.replicas': (o) => String(numOf(statusOf(o).replicas)) },
    printer: replicationControllerPrinter,
    defaults: defaultReplicationController,
    prepareForCreate: (rc) => {
      rc.status = { replicas: 0 };
    },
    validate: validateReplicationController,
  }),
  core({
    resource: 'resourcequotas',
    singular: 'resourcequota',
    kind: 'ResourceQuota',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['quota'],
    subresources: [statusSub('ResourceQuota')],
    statusSubresource: true,
    printer: resourceQuotaPrinter,
    prepareForCreate: (rq) => {
      rq.status = {};
    },
    validate: validateResourceQuota,
  }),
  core({
    resource: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    fieldSelectors: { type: (o) => strOf(o.type) },
    printer: secretPrinter,
    defaults: defaultSecret,
    validate: validateSecret,
    validateUpdate: (s, old) => [
      ...validateImmutableField(strOf(s.type), strOf(old.type), 'type'),
      ...validateImmutableData(s, old, ['data']),
    ],
  }),
  core({
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['sa'],
    subresources: [subresource('token', 'TokenRequest', ['create'], 'authentication.k8s.io', 'v1')],
    printer: serviceAccountPrinter,
    returnDeletedObject: true,
  }),
  core({
    resource: 'services',
    singular: 'service',
    kind: 'Service',
    scope: 'Namespaced',
    verbs: ALL_VERBS,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [subresource('proxy', 'ServiceProxyOptions', PROXY_VERBS), statusSub('Service')],
    statusSubresource: true,
    nameValidator: isDNS1035Label,
    fieldSelectors: {
      'spec.clusterIP': (o) => strOf(objOf(o.spec).clusterIP),
      'spec.type': (o) => strOf(objOf(o.spec).type),
    },
    printer: servicePrinter,
    defaults: (svc) => {
      defaultService(svc);
      defaultServiceFamilies(svc);
    },
    prepareForCreate: (svc) => {
      svc.status = { loadBalancer: {} };
    },
    prepareForUpdate: prepareServiceUpdate,
    returnDeletedObject: true,
    validate: (svc) => [...validateService(svc), ...clusterFamilyErrors(svc)],
    validateUpdate: validateServiceUpdate,
  }),
];
