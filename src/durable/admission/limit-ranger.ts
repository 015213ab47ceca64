// The LimitRanger admission plugin (plugin/pkg/admission/limitranger): a namespace's LimitRanges
// default the requests and limits of a new pod's containers (and say so in the
// kubernetes.io/limit-ranger annotation), then bound Container, Pod and PersistentVolumeClaim
// resources by min, max and maxLimitRequestRatio, refusing with kube-apiserver's 403 wording.
import { errors } from '../../api/status';
import { compareQuantities, formatQuantity, parseExact, type Quantity } from '../../machinery/quantity';
import { podResources, toUsage, type Usage } from '../../machinery/quota';
import { podQOSClass } from '../../registry/core';
import type { KObject, ResourceDef } from '../../registry/types';
import type { Store } from '../store';

type Obj = Record<string, any>;
const objOf = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(objOf) : []);
const sortedEntries = (m: unknown) => Object.entries(objOf(m)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** mergeContainerResources over every container: fills missing limits and requests; the annotation text, if any. */
export function applyContainerDefaults(pod: KObject, limitRanges: KObject[]): string | undefined {
  const limits: Obj = {};
  const requests: Obj = {};
  for (const lr of limitRanges) {
    for (const item of list(objOf(lr.spec).limits)) {
      if (item.type !== 'Container') continue;
      Object.assign(limits, objOf(item.default));
      Object.assign(requests, objOf(item.defaultRequest));
    }
  }
  if (!Object.keys(limits).length && !Object.keys(requests).length) return undefined;
  const notes: string[] = [];
  const spec = objOf(pod.spec);
  for (const [key, prefix] of [['initContainers', 'init container'], ['containers', 'container']] as const) {
    for (const c of list(spec[key])) {
      const res = (c.resources = objOf(c.resources));
      const set = { limit: [] as string[], request: [] as string[] };
      for (const [which, defaults, field] of [['limit', limits, 'limits'], ['request', requests, 'requests']] as const) {
        const have = objOf(res[field]);
        for (const [k, v] of Object.entries(defaults)) {
          if (k in have) continue;
          have[k] = v;
          set[which].push(k);
        }
        if (Object.keys(have).length) res[field] = have;
      }
      if (set.request.length) notes.push(`${set.request.sort().join(', ')} request for ${prefix} ${c.name}`);
      if (set.limit.length) notes.push(`${set.limit.sort().join(', ')} limit for ${prefix} ${c.name}`);
    }
  }
  if (!notes.length) return undefined;
  const text = `LimitRanger plugin set: ${notes.join('; ')}`;
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: text };
  return text;
}

const fmt = (q: Quantity) => formatQuantity(q);

/** minConstraint */
function minConstraint(type: string, name: string, enforced: Quantity, requests: Usage, limits: Usage): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  if (!req) return `minimum ${name} usage per ${type} is ${fmt(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) < 0) return `minimum ${name} usage per ${type} is ${fmt(enforced)}, but request is ${fmt(req)}`;
  if (lim && compareQuantities(lim, enforced) < 0) return `minimum ${name} usage per ${type} is ${fmt(enforced)}, but limit is ${fmt(lim)}`;
  return undefined;
}

/** maxConstraint */
function maxConstraint(type: string, name: string, enforced: Quantity, requests: Usage, limits: Usage): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  if (!lim) return `maximum ${name} usage per ${type} is ${fmt(enforced)}.  No limit is specified`;
  if (compareQuantities(lim, enforced) > 0) return `maximum ${name} usage per ${type} is ${fmt(enforced)}, but limit is ${fmt(lim)}`;
  if (req && compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${fmt(enforced)}, but request is ${fmt(req)}`;
  return undefined;
}

/** maxRequestConstraint (claims have requests only) */
function maxRequestConstraint(type: string, name: string, enforced: Quantity, requests: Usage): string | undefined {
  const req = requests.get(name);
  if (!req) return `maximum ${name} usage per ${type} is ${fmt(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${fmt(enforced)}, but request is ${fmt(req)}`;
  return undefined;
}

/** limitRequestRatioConstraint: the ratio is printed like Go's %f. */
function ratioConstraint(type: string, name: string, enforced: Quantity, requests: Usage, limits: Usage): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const ratioText = fmt(enforced);
  if (!req || req.nanos === 0n) return `${name} max limit to request ratio per ${type} is ${ratioText}, but no request is specified or request is 0`;
  if (!lim || lim.nanos === 0n) return `${name} max limit to request ratio per ${type} is ${ratioText}, but no limit is specified or limit is 0`;
  const observed = Number(lim.nanos) / Number(req.nanos);
  // Compared in milli-units like upstream (enforced.MilliValue()).
  if (observed * 1000 > Math.ceil(Number(enforced.nanos) / 1e6)) {
    return `${name} max limit to request ratio per ${type} is ${ratioText}, but provided ratio is ${observed.toFixed(6)}`;
  }
  return undefined;
}

function checkItem(item: Obj, type: string, requests: Usage, limits: Usage, errs: string[]): void {
  const each = (m: unknown, fn: (name: string, q: Quantity) => string | undefined) => {
    for (const [name, v] of sortedEntries(m)) {
      const q = parseExact(v);
      const e = q && fn(name, q);
      if (e) errs.push(e);
    }
  };
  each(item.min, (n, q) => minConstraint(type, n, q, requests, limits));
  each(item.max, (n, q) => maxConstraint(type, n, q, requests, limits));
  each(item.maxLimitRequestRatio, (n, q) => ratioConstraint(type, n, q, requests, limits));
}

/** PodValidateLimitFunc: every violation, in upstream's order (items, then containers). */
export function podLimitViolations(pod: KObject, limitRanges: KObject[]): string[] {
  const errs: string[] = [];
  const spec = objOf(pod.spec);
  for (const lr of limitRanges) {
    for (const item of list(objOf(lr.spec).limits)) {
      if (item.type === 'Container') {
        for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
          const res = objOf(c.resources);
          checkItem(item, 'Container', toUsage(res.requests), toUsage(res.limits), errs);
        }
      } else if (item.type === 'Pod') {
        checkItem(item, 'Pod', podResources(spec, 'requests'), podResources(spec, 'limits'), errs);
      }
    }
  }
  return errs;
}

/** PersistentVolumeClaimValidateLimitFunc */
export function claimLimitViolations(pvc: KObject, limitRanges: KObject[]): string[] {
  const errs: string[] = [];
  const requests = toUsage(objOf(objOf(objOf(pvc.spec).resources).requests));
  for (const lr of limitRanges) {
    for (const item of list(objOf(lr.spec).limits)) {
      if (item.type !== 'PersistentVolumeClaim') continue;
      for (const [name, v] of sortedEntries(item.min)) {
        const q = parseExact(v);
        const e = q && minConstraint('PersistentVolumeClaim', name, q, requests, new Map());
        if (e) errs.push(e);
      }
      for (const [name, v] of sortedEntries(item.max)) {
        const q = parseExact(v);
        const e = q && maxRequestConstraint('PersistentVolumeClaim', name, q, requests);
        if (e) errs.push(e);
      }
    }
  }
  return errs;
}

/** utilerrors.NewAggregate(...).Error() */
export function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

const isPod = (def: ResourceDef) => def.group === '' && def.resource === 'pods';
const isClaim = (def: ResourceDef) => def.group === '' && def.resource === 'persistentvolumeclaims';

function limitRangesOf(store: Store, ns: string | undefined): KObject[] {
  return ns ? [...store.list('limitranges', { namespace: ns })] : [];
}

/** Mutating half, on create: container defaults for pods. */
export function defaultLimitRanges(store: Store, def: ResourceDef, obj: KObject): void {
  if (!isPod(def)) return;
  const ranges = limitRangesOf(store, obj.metadata.namespace);
  // The pod strategy classified the pod before admission: classify it again with the defaults.
  if (ranges.length && applyContainerDefaults(obj, ranges)) (obj.status as { qosClass?: string }).qosClass = podQOSClass(obj.spec as Record<string, unknown>);
}

/** Validating half: pods on create, claims on create and update (the plugin skips pod updates and subresources). */
export function admitLimitRanges(store: Store, def: ResourceDef, obj: KObject, old: KObject | undefined, subresource: string | undefined): void {
  if (subresource || obj.metadata.deletionTimestamp) return;
  if (!(isPod(def) && !old) && !isClaim(def)) return;
  const ranges = limitRangesOf(store, obj.metadata.namespace);
  if (!ranges.length) return;
  const errs = isPod(def) ? podLimitViolations(obj, ranges) : claimLimitViolations(obj, ranges);
  if (errs.length) throw errors.forbidden({ group: '', resource: def.resource }, obj.metadata.name ?? '', aggregate(errs));
}
