// Resource quota arithmetic (k8s.io/apiserver/pkg/quota/v1 and pkg/quota/v1/evaluator/core): what
// an object charges against a quota, which quotas and scopes match it, and the error texts of
// kube-apiserver's ResourceQuota admission. Pure functions over plain objects.
import { addQuantities, compareQuantities, formatQuantity, parseExact, subtractQuantities, zeroQuantity, type Quantity } from './quantity';

type Obj = Record<string, any>;
const objOf = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(objOf) : []);

/** A resource list (ResourceName → Quantity). */
export type Usage = Map<string, Quantity>;

const one = (): Quantity => ({ nanos: 1_000_000_000n, format: 'DecimalSI' });
const count = (n: number): Quantity => ({ nanos: BigInt(n) * 1_000_000_000n, format: 'DecimalSI' });

export function addUsage(a: Usage, b: Usage): Usage {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, out.has(k) ? addQuantities(out.get(k)!, v) : v);
  return out;
}

/** quota.SubtractWithNonNegativeResult */
export function subtractNonNegative(a: Usage, b: Usage): Usage {
  const out: Usage = new Map();
  for (const [k, v] of a) {
    const d = b.has(k) ? subtractQuantities(v, b.get(k)!) : v;
    out.set(k, d.nanos < 0n ? zeroQuantity(d.format) : d);
  }
  return out;
}

export function removeZeros(u: Usage): Usage {
  return new Map([...u].filter(([, v]) => v.nanos !== 0n));
}

/** quota.Mask: only the named resources. */
export function maskUsage(u: Usage, names: Iterable<string>): Usage {
  const keep = new Set(names);
  return new Map([...u].filter(([k]) => keep.has(k)));
}

/** A ResourceList from JSON (invalid quantities are skipped: validation refused them already). */
export function toUsage(rl: unknown): Usage {
  const out: Usage = new Map();
  for (const [k, v] of Object.entries(objOf(rl))) {
    const q = parseExact(v);
    if (q) out.set(k, q);
  }
  return out;
}

export function fromUsage(u: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...u.keys()].sort()) out[k] = formatQuantity(u.get(k)!);
  return out;
}

/** prettyPrint: `pods=1,requests.cpu=500m`, sorted by name. */
export function prettyPrint(u: Usage): string {
  return [...u.keys()].sort().map((k) => `${k}=${formatQuantity(u.get(k)!)}`).join(',');
}

// ---- pods -------------------------------------------------------------------------------------

const POD_RESOURCES = new Set([
  'count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods',
]);
/** Quota resources whose request (or limit) every container must state when a quota tracks them. */
const MUST_SPECIFY = ['cpu', 'limits.cpu', 'limits.memory', 'memory', 'requests.cpu', 'requests.memory'];

const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const isExtended = (name: string) => !isNative(name) && !name.startsWith('requests.');

/** podComputeUsageHelper: what one container's (or a pod's summed) requests and limits charge. */
export function computeUsage(requests: Usage, limits: Usage): Usage {
  const out: Usage = new Map([['pods', one()]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r);
    if (req) {
      out.set(r, req);
      out.set(`requests.${r}`, req);
    }
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [r, q] of requests) {
    if (r.startsWith('hugepages-')) {
      out.set(r, q);
      out.set(`requests.${r}`, q);
    } else if (isExtended(r)) out.set(`requests.${r}`, q);
  }
  return out;
}

function maxUsage(a: Usage, b: Usage): Usage {
  const out = new Map(a);
  for (const [k, v] of b) if (!out.has(k) || compareQuantities(v, out.get(k)!) > 0) out.set(k, v);
  return out;
}

/** resourcehelper.PodRequests/PodLimits: containers and sidecars summed, at least each init container, plus overhead. */
export function podResources(spec: Obj, which: 'requests' | 'limits'): Usage {
  let sum: Usage = new Map();
  for (const c of list(spec.containers)) sum = addUsage(sum, toUsage(objOf(c.resources)[which]));
  let sidecars: Usage = new Map();
  let initMax: Usage = new Map();
  for (const c of list(spec.initContainers)) {
    const r = toUsage(objOf(c.resources)[which]);
    if (c.restartPolicy === 'Always') {
      sidecars = addUsage(sidecars, r);
      sum = addUsage(sum, r);
    } else initMax = maxUsage(initMax, addUsage(r, sidecars));
  }
  const total = maxUsage(sum, initMax);
  return which === 'requests' || spec.overhead ? addUsage(total, toUsage(spec.overhead)) : total;
}

const isTerminal = (pod: Obj) => ['Succeeded', 'Failed'].includes(objOf(pod.status).phase);

/** PodUsageFunc: count/pods always; compute resources only while the pod is not terminal or gone past its grace. */
export function podUsage(pod: Obj, now = Date.now()): Usage {
  const out: Usage = new Map([['count/pods', one()]]);
  const meta = objOf(pod.metadata);
  const gone =
    meta.deletionTimestamp && typeof meta.deletionGracePeriodSeconds === 'number' && Date.parse(meta.deletionTimestamp) + meta.deletionGracePeriodSeconds * 1000 < now;
  if (isTerminal(pod) || gone) return out;
  const spec = objOf(pod.spec);
  return addUsage(out, computeUsage(podResources(spec, 'requests'), podResources(spec, 'limits')));
}

export function podMatchingResources(names: string[]): string[] {
  return names.filter((n) => POD_RESOURCES.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || (n.startsWith('requests.') && isExtended(n)));
}

/** podEvaluator.Constraints: `must specify limits.cpu for: app; memory for: app,side` or undefined. */
export function podConstraints(required: string[], pod: Obj): string | undefined {
  const needed = required.filter((r) => MUST_SPECIFY.includes(r));
  if (!needed.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const spec = objOf(pod.spec);
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
    const res = objOf(c.resources);
    const has = computeUsage(toUsage(res.requests), toUsage(res.limits));
    for (const r of needed) {
      if (has.has(r)) continue;
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)!.add(String(c.name));
    }
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/** qos.GetPodQOS == BestEffort: no cpu or memory request or limit anywhere. */
function isBestEffort(spec: Obj): boolean {
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
    const res = objOf(c.resources);
    for (const rl of [res.requests, res.limits]) {
      for (const [k, v] of Object.entries(objOf(rl))) if ((k === 'cpu' || k === 'memory') && (parseExact(v)?.nanos ?? 0n) > 0n) return false;
    }
  }
  return true;
}

export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

/** The quota's scopes and scopeSelector as requirements (getScopeSelectorsFromQuota). */
export function quotaScopes(quota: Obj): ScopeRequirement[] {
  const spec = objOf(quota.spec);
  const out: ScopeRequirement[] = (Array.isArray(spec.scopes) ? spec.scopes : []).map((s: string) => ({ scopeName: s, operator: 'Exists' }));
  for (const e of list(objOf(spec.scopeSelector).matchExpressions)) out.push({ scopeName: String(e.scopeName), operator: String(e.operator), values: e.values });
  return out;
}

/** podMatchesScopeFunc */
export function podMatchesScope(sel: ScopeRequirement, pod: Obj): boolean {
  const spec = objOf(pod.spec);
  switch (sel.scopeName) {
    case 'Terminating':
      return typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds >= 0;
    case 'NotTerminating':
      return !(typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds >= 0);
    case 'BestEffort':
      return isBestEffort(spec);
    case 'NotBestEffort':
      return !isBestEffort(spec);
    case 'PriorityClass': {
      const pc = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
      const values = sel.values ?? [];
      switch (sel.operator) {
        case 'Exists':
          return pc !== '';
        case 'DoesNotExist':
          return pc === '';
        case 'In':
          return pc !== '' && values.includes(pc);
        case 'NotIn':
          return pc === '' || !values.includes(pc);
      }
      return false;
    }
    case 'CrossNamespacePodAffinity': {
      const aff = objOf(spec.affinity);
      const terms = [objOf(aff.podAffinity), objOf(aff.podAntiAffinity)].flatMap((a) => [
        ...list(a.requiredDuringSchedulingIgnoredDuringExecution),
        ...list(a.preferredDuringSchedulingIgnoredDuringExecution).map((w) => objOf(w.podAffinityTerm)),
      ]);
      return terms.some((t) => (Array.isArray(t.namespaces) && t.namespaces.length > 0) || t.namespaceSelector != null);
    }
  }
  return false;
}

// ---- services, claims, object counts ---------------------------------------------------------

export function serviceUsage(svc: Obj): Usage {
  const spec = objOf(svc.spec);
  const out: Usage = new Map([['count/services', one()], ['services', one()]]);
  const ports = list(spec.ports);
  if (spec.type === 'NodePort') out.set('services.nodeports', count(ports.length));
  if (spec.type === 'LoadBalancer') {
    out.set('services.loadbalancers', one());
    out.set('services.nodeports', count(ports.filter((p) => p.nodePort).length));
  }
  return out;
}

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

export function pvcUsage(pvc: Obj): Usage {
  const spec = objOf(pvc.spec);
  const out: Usage = new Map([['count/persistentvolumeclaims', one()], ['persistentvolumeclaims', one()]]);
  const sc = typeof spec.storageClassName === 'string' ? spec.storageClassName : '';
  if (sc) out.set(`${sc}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, one());
  const storage = parseExact(objOf(objOf(spec.resources).requests).storage);
  if (storage) {
    out.set('requests.storage', storage);
    if (sc) out.set(`${sc}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
  }
  return out;
}

/** The legacy names that count objects of a core resource, besides count/<resource>. */
const LEGACY_COUNT: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

/**
 * What one stored object charges, by storage key (`pods`, `deployments.apps`): the evaluators of
 * pods, services and claims, an object count (`count/<resource>[.<group>]`) for everything else.
 */
export function usageOf(storageKey: string, obj: Obj, now = Date.now()): Usage {
  if (storageKey === 'pods') return podUsage(obj, now);
  if (storageKey === 'services') return serviceUsage(obj);
  if (storageKey === 'persistentvolumeclaims') return pvcUsage(obj);
  const out: Usage = new Map([[`count/${storageKey}`, one()]]);
  if (LEGACY_COUNT[storageKey]) out.set(LEGACY_COUNT[storageKey], one());
  return out;
}

/** Which of a quota's hard resources an object of this storage key can charge. */
export function matchingResources(storageKey: string, names: string[]): string[] {
  if (storageKey === 'pods') return podMatchingResources(names);
  const keys = new Set([`count/${storageKey}`]);
  if (storageKey === 'services') ['services', 'services.nodeports', 'services.loadbalancers'].forEach((k) => keys.add(k));
  if (storageKey === 'persistentvolumeclaims') {
    ['persistentvolumeclaims', 'requests.storage'].forEach((k) => keys.add(k));
    return names.filter((n) => keys.has(n) || n.includes(STORAGE_CLASS_SUFFIX));
  }
  if (LEGACY_COUNT[storageKey]) keys.add(LEGACY_COUNT[storageKey]);
  return names.filter((n) => keys.has(n));
}

/** The storage keys whose objects a quota resource name counts (for recomputing status.used). */
export function storageKeysFor(name: string): string[] {
  if (name.startsWith('count/')) return [name.slice('count/'.length)];
  if (name.includes(STORAGE_CLASS_SUFFIX) || name === 'requests.storage' || name === 'persistentvolumeclaims') return ['persistentvolumeclaims'];
  if (name.startsWith('services')) return ['services'];
  if (LEGACY_COUNT[name]) return [name];
  if (podMatchingResources([name]).length) return ['pods'];
  return [];
}

/** generic.Matches: the quota tracks something this object charges and every scope matches (scopes are pod-only). */
export function quotaMatches(quota: Obj, storageKey: string, obj: Obj): boolean {
  const statusHard = Object.keys(objOf(objOf(quota.status).hard));
  const hard = statusHard.length ? statusHard : Object.keys(objOf(objOf(quota.spec).hard));
  if (!matchingResources(storageKey, hard).length) return false;
  const scopes = quotaScopes(quota);
  if (!scopes.length) return true;
  if (storageKey !== 'pods') return false;
  return scopes.every((s) => podMatchesScope(s, obj));
}

/** status.used for a quota from the objects it may charge (zero for every tracked resource). */
export function calculateUsed(quota: Obj, objects: (storageKey: string) => Iterable<Obj>, now = Date.now()): Usage {
  const hard = Object.keys(objOf(objOf(quota.spec).hard));
  let used: Usage = new Map(hard.map((h) => [h, zeroQuantity()]));
  const keys = new Set(hard.flatMap(storageKeysFor));
  for (const key of keys) {
    const names = matchingResources(key, hard);
    for (const obj of objects(key)) {
      if (!quotaMatches({ spec: quota.spec }, key, obj)) continue;
      used = addUsage(used, maskUsage(usageOf(key, obj, now), names));
    }
  }
  return used;
}

/** quota.LessThanOrEqual: the names in `a` above their limit in `b`. */
export function exceeded(a: Usage, b: Usage): string[] {
  const out: string[] = [];
  for (const [k, v] of a) {
    const lim = b.get(k);
    if (lim && compareQuantities(v, lim) > 0) out.push(k);
  }
  return out;
}
