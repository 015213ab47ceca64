// Small deterministic helpers shared by the simulated kubelet: hashing, Go duration formatting,
// timestamps and image references. Everything here is pure.

/** 32-bit FNV-1a followed by a murmur3 finaliser: a cheap, well-mixed, deterministic hash. */
export function hash32(input: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `len` lowercase hex digits derived from `input` (container IDs, image digests). */
export function hashHex(input: string, len = 64): string {
  let out = '';
  for (let i = 0; out.length < len; i++) out += hash32(input, i * 0x9e3779b9).toString(16).padStart(8, '0');
  return out.slice(0, len);
}

/** A deterministic number in [0, 1) for `input`. */
export function unit(input: string): number {
  return hash32(input) / 4294967296;
}

/** Go's time.Duration.String() for a duration in milliseconds (fractions allowed): 0s, 500ms, 1.2s, 5m0s, 1h0m0s. */
export function formatGoDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const neg = ns < 0;
  if (neg) ns = -ns;
  let out: string;
  if (ns < 1e9) {
    if (ns < 1e3) out = `${ns}ns`;
    else if (ns < 1e6) out = `${trimFraction(ns, 1e3)}µs`;
    else out = `${trimFraction(ns, 1e6)}ms`;
  } else {
    const h = Math.floor(ns / 3.6e12);
    const m = Math.floor((ns % 3.6e12) / 6e10);
    const s = trimFraction(ns % 6e10, 1e9);
    out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFraction(value: number, unitNs: number): string {
  const whole = Math.floor(value / unitNs);
  const frac = value % unitNs;
  if (frac === 0) return String(whole);
  const digits = String(unitNs).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** metav1.Time as the API serialises it: RFC 3339 in UTC, whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go's RFC3339Nano (trailing zeros of the fraction trimmed), with extra nanoseconds below the millisecond. */
export function rfc3339Nano(ms: number, extraNs = 0): string {
  const whole = Math.floor(ms);
  const base = new Date(Math.floor(whole / 1000) * 1000).toISOString().slice(0, 19);
  const nanos = (whole % 1000) * 1e6 + Math.floor(extraNs % 1e6);
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${frac}Z`;
}

/**
 * The reference containerd reports for an image: `nginx` → `docker.io/library/nginx:latest`,
 * `bitnami/redis:7` → `docker.io/bitnami/redis:7`, `registry.k8s.io/pause:3.9` unchanged.
 */
export function normalizeImage(image: string): string {
  let name = image;
  let suffix = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    suffix = name.slice(at);
    name = name.slice(0, at);
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = slash >= 0 ? `docker.io/${name}` : `docker.io/library/${name}`;
  const lastSlash = name.lastIndexOf('/');
  if (!suffix && !name.slice(lastSlash + 1).includes(':')) name += ':latest';
  return name + suffix;
}

/** The repository part of a normalized image reference (no tag, no digest). */
export function imageRepository(image: string): string {
  const norm = normalizeImage(image);
  const at = norm.indexOf('@');
  const noDigest = at >= 0 ? norm.slice(0, at) : norm;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest;
}

/** The short name of an image (`docker.io/library/nginx:1.25` → `nginx`). */
export function imageBaseName(image: string): string {
  const repo = imageRepository(image);
  return repo.slice(repo.lastIndexOf('/') + 1);
}

/** imageID as containerd reports it: `docker.io/library/nginx@sha256:<digest>`. */
export function imageID(image: string): string {
  const norm = normalizeImage(image);
  const at = norm.indexOf('@');
  if (at >= 0) return `${imageRepository(image)}${norm.slice(at)}`;
  return `${imageRepository(image)}@sha256:${hashHex(`image:${norm}`)}`;
}

/** A plausible, deterministic compressed image size in bytes (2–200 MB). */
export function imageSize(image: string): number {
  const u = unit(`size:${normalizeImage(image)}`);
  return Math.floor(2_000_000 + u * u * 198_000_000);
}
