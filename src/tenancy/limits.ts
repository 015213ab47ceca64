// Per-sandbox limits and the token buckets behind every rate limit. Pure: the Cluster DO holds the
// counts and calls these on its request path (all O(1)).
import { errors, failure, StatusError } from '../api/status';

/** A token bucket: `rate` tokens per second, at most `burst` saved up. */
export interface Bucket {
  tokens: number;
  updatedAt: number; // ms
}

export interface Rate {
  perSecond: number;
  burst: number;
}

/** Take one token at `now`: the new bucket, and how long to wait when there was none. */
export function takeToken(bucket: Bucket | undefined, rate: Rate, now: number): { ok: boolean; bucket: Bucket; retryAfterSeconds: number } {
  const elapsed = bucket ? Math.max(0, now - bucket.updatedAt) / 1000 : 0;
  const tokens = bucket ? Math.min(rate.burst, bucket.tokens + elapsed * rate.perSecond) : rate.burst;
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, updatedAt: now }, retryAfterSeconds: 0 };
  const wait = rate.perSecond > 0 ? (1 - tokens) / rate.perSecond : Infinity;
  // Retry-After is whole seconds, at least 1 (kube-apiserver's APF answers the same way).
  return { ok: false, bucket: { tokens, updatedAt: now }, retryAfterSeconds: Number.isFinite(wait) ? Math.max(1, Math.ceil(wait)) : 60 };
}

/** A bucket held in memory (one per sandbox in its DO: the DO is the only place its requests pass). */
export class RateLimiter {
  private bucket: Bucket | undefined;
  constructor(private readonly rate: Rate) {}
  take(now = Date.now()): { ok: boolean; retryAfterSeconds: number } {
    const r = takeToken(this.bucket, this.rate, now);
    this.bucket = r.bucket;
    return r;
  }
}

/** What one API-created sandbox may use. 0 means unlimited. */
export interface SandboxLimits {
  maxObjects: number;
  maxBytes: number;
  maxNodes: number;
  maxPods: number;
  /** Kubernetes API requests per second (sustained) and burst. */
  requestsPerSecond: number;
  requestBurst: number;
  maxWatches: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  maxObjects: 20_000,
  maxBytes: 64 * 1024 * 1024,
  maxNodes: 100,
  maxPods: 2_000,
  requestsPerSecond: 100,
  requestBurst: 200,
  maxWatches: 100,
};

/** The configuration variables (wrangler.toml [vars]) for each limit. */
export const LIMIT_VARS: Record<keyof SandboxLimits, string> = {
  maxObjects: 'KUBEDO_SANDBOX_MAX_OBJECTS',
  maxBytes: 'KUBEDO_SANDBOX_MAX_BYTES',
  maxNodes: 'KUBEDO_SANDBOX_MAX_NODES',
  maxPods: 'KUBEDO_SANDBOX_MAX_PODS',
  requestsPerSecond: 'KUBEDO_SANDBOX_REQUESTS_PER_SECOND',
  requestBurst: 'KUBEDO_SANDBOX_REQUEST_BURST',
  maxWatches: 'KUBEDO_SANDBOX_MAX_WATCHES',
};

/** Limits from the environment: each var a non-negative number, else the default. */
export function limitsFrom(vars: Record<string, unknown>): SandboxLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const [k, name] of Object.entries(LIMIT_VARS) as [keyof SandboxLimits, string][]) {
    const raw = vars[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (Number.isFinite(n) && n >= 0) out[k] = n;
  }
  return out;
}

/** The API's rate limit answer: 429 with Retry-After, worded like API Priority and Fairness. */
export function tooManyRequests(retryAfterSeconds: number): StatusError {
  return errors.tooManyRequests('Too many requests, please try again later.', retryAfterSeconds);
}

export function tooManyWatches(limit: number): StatusError {
  return errors.tooManyRequests(`Too many concurrent watches in this sandbox (limit ${limit}), please try again later.`, 1);
}

/** Current usage as the store counts it. */
export interface Usage {
  objects: number;
  bytes: number;
  count(resource: string): number;
  /** Objects of a resource in kube-system (the sandbox's own add-ons). */
  system(resource: string): number;
}

/** One write about to happen (before commit). */
export interface PendingWrite {
  resource: string;
  namespace: string;
  name: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Growth of the stored bytes (may be negative). */
  bytesDelta: number;
}

function exceeded(resource: string, name: string, what: string, requested: number, used: number, limited: number): StatusError {
  // Worded like the ResourceQuota admission plugin's 403 ("exceeded quota: q, requested: pods=1, used: pods=10, limited: pods=10").
  return new StatusError(
    failure(
      403,
      'Forbidden',
      `${resource} "${name}" is forbidden: exceeded sandbox quota: requested: ${what}=${requested}, used: ${what}=${used}, limited: ${what}=${limited}`,
      { name, kind: resource },
    ),
  );
}

/**
 * Throws a 403 when the write would take the sandbox over a limit. Deletes and writes that do not
 * grow it always pass, so a sandbox at its limit can always be cleaned up.
 */
export function checkQuota(limits: SandboxLimits, usage: Usage, w: PendingWrite): void {
  if (w.type === 'DELETED') return;
  const resource = w.resource.split('.')[0];
  if (w.type === 'ADDED') {
    if (limits.maxObjects && usage.objects + 1 > limits.maxObjects) throw exceeded(resource, w.name, 'objects', 1, usage.objects, limits.maxObjects);
    // kube-system's pods (CoreDNS, kube-proxy, Calico, mirror pods) are the sandbox's own: the
    // limit is on the pods its users run.
    const userPods = usage.count('pods') - usage.system('pods');
    if (limits.maxPods && w.resource === 'pods' && w.namespace !== 'kube-system' && userPods + 1 > limits.maxPods) {
      throw exceeded(resource, w.name, 'pods', 1, userPods, limits.maxPods);
    }
    if (limits.maxNodes && w.resource === 'nodes' && usage.count('nodes') + 1 > limits.maxNodes) {
      throw exceeded(resource, w.name, 'nodes', 1, usage.count('nodes'), limits.maxNodes);
    }
  }
  if (limits.maxBytes && w.bytesDelta > 0 && usage.bytes + w.bytesDelta > limits.maxBytes) {
    throw exceeded(resource, w.name, 'bytes', w.bytesDelta, usage.bytes, limits.maxBytes);
  }
}
