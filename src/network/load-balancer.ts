// The emulated cloud's load-balancer address pool (the sandbox's loadBalancerCIDR): like MetalLB,
// a LoadBalancer Service gets the lowest free address, or the one it asked for in
// spec.loadBalancerIP when that is in the pool and free. Claims are rows in the allocations table.
import type { Allocations } from './allocations';
import { ipAt, offsetOf, usableOffsets, type Cidr } from './cidr';
import { lowestFree } from './ipam';

export const LB_POOL = 'loadbalancer';

export class LoadBalancerPool {
  constructor(
    private readonly claims: Allocations,
    private readonly cidr: () => Cidr,
  ) {}

  /** The address the Service holds, else a new one; undefined when the pool is exhausted or the request cannot be met. */
  ensure(owner: string, uid: string, requested?: string): string | undefined {
    const held = this.claims.held(owner, LB_POOL).find((c) => c.uid === uid);
    if (held && (!requested || held.value === requested)) return held.value;
    const pool = this.cidr();
    const { first, end } = usableOffsets(pool);
    let ip: string | undefined;
    if (requested) {
      const o = offsetOf(pool, requested);
      if (o === undefined || o < first || o >= end) return undefined;
      const h = this.claims.holder(LB_POOL, requested);
      if (h && (h.owner !== owner || h.uid !== uid)) return undefined;
      ip = requested;
    } else {
      const used = this.claims.values(LB_POOL).map((v) => (offsetOf(pool, v) ?? 0) - first);
      const o = lowestFree(end - first, used);
      if (o === undefined) return undefined;
      ip = ipAt(pool, first + o);
    }
    if (held) this.claims.release(LB_POOL, held.value);
    this.claims.claim(LB_POOL, ip, owner, uid);
    return ip;
  }

  /** Give back the Service's address(es); true when there was one. */
  release(owner: string, uid?: string): boolean {
    let any = false;
    for (const c of this.claims.held(owner, LB_POOL)) {
      if (uid !== undefined && c.uid !== uid) continue;
      this.claims.release(LB_POOL, c.value);
      any = true;
    }
    return any;
  }
}
