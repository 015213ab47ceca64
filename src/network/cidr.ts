// IPv4 CIDR arithmetic for the sandbox's address pools (service, pod and load-balancer ranges).
// A sandbox is single-stack IPv4, so addresses are plain unsigned 32-bit numbers.

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  bits: number;
  /** Number of addresses in the range (2^(32-bits)). */
  size: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0')) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** A dotted-quad IPv4 literal (octets 0–255; leading zeros allowed, as resolvers accept them). */
export function isIPv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255);
}

/** Numeric order of two IPv4 addresses (how kube-proxy and the endpoints controller sort them). */
export function compareIPv4(a: string, b: string): number {
  return (ipToInt(a) ?? 0) - (ipToInt(b) ?? 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** Parse `a.b.c.d/n`; the host bits are masked off (Go's net.ParseCIDR returns the network too). */
export function parseCidr(text: string): Cidr | undefined {
  const [ip, bitsText, extra] = text.split('/');
  if (extra !== undefined || bitsText === undefined || !/^\d{1,2}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const addr = ipToInt(ip);
  if (addr === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  return { base: Math.floor(addr / size) * size, bits, size };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.bits}`;
}

export function cidrContains(cidr: Cidr | string, ip: string): boolean {
  const c = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const n = ipToInt(ip);
  return !!c && n !== undefined && n >= c.base && n < c.base + c.size;
}

/** The address at `offset` from the network address. */
export function ipAt(c: Cidr, offset: number): string {
  return intToIp(c.base + offset);
}

/** Offset of `ip` from the network address (undefined when outside). */
export function offsetOf(c: Cidr, ip: string): number | undefined {
  const n = ipToInt(ip);
  return n === undefined || n < c.base || n >= c.base + c.size ? undefined : n - c.base;
}

/**
 * The usable host offsets of a service range: the network address is never handed out, nor the
 * broadcast address of an IPv4 range (upstream ipallocator), so [1, size-1) for ranges of 4 or more.
 */
export function usableOffsets(c: Cidr): { first: number; end: number } {
  if (c.size < 4) return { first: 0, end: c.size };
  return { first: 1, end: c.size - 1 };
}

/**
 * Size of the lower band kept for static assignment (KEP-3070 / KEP-3668): min(max(16, size/16), 256),
 * none for ranges under 16. Dynamic allocation prefers the addresses above it.
 */
export function reservedBand(size: number): number {
  const MIN = 16;
  const MAX = 256;
  const STEP = 16;
  if (size < MIN) return 0;
  return Math.min(Math.max(MIN, Math.floor(size / STEP)), MAX);
}

/** The n-th sub-block of `bits` prefix length inside `c` (e.g. /26 blocks of a /16 pod range). */
export function subBlock(c: Cidr, bits: number, n: number): Cidr {
  const size = 2 ** (32 - bits);
  return { base: c.base + n * size, bits, size };
}

/** How many sub-blocks of `bits` fit in `c`. */
export function subBlockCount(c: Cidr, bits: number): number {
  return bits < c.bits ? 0 : 2 ** (bits - c.bits);
}
