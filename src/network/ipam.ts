// Calico-style IPAM for pod IPs: the cluster's pod CIDR (Calico's default IPPool) is cut into /26
// blocks; a node claims a block when it first needs one (block affinity) and another when its
// blocks are full. Each pod IP is a recorded claim (allocations row, pool "block:<n>"), so no address
// can be handed out twice; the first address of a node's first block is its tunnel address
// (tunl0 / vxlan.calico), as on a Calico node. Claims go when the pod is deleted.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import { ipamBlocks } from '../durable/schema';
import type { Allocations } from './allocations';
import { ipAt, offsetOf, subBlock, subBlockCount, type Cidr } from './cidr';

export const BLOCK_BITS = 26;
const BLOCK_SIZE = 2 ** (32 - BLOCK_BITS);
const POOL_PREFIX = 'block:';

/** Lowest offset in [0, size) not in `used` (a block holds 64 addresses: a bounded scan). */
export function lowestFree(size: number, used: Iterable<number>): number | undefined {
  const taken = new Set(used);
  for (let i = 0; i < size; i++) if (!taken.has(i)) return i;
  return undefined;
}

/** Lowest block index in [0, count) not in `claimed` (sorted ascending). */
export function firstGap(claimed: number[], count: number): number | undefined {
  let want = 0;
  for (const c of claimed) {
    if (c > want) break;
    if (c === want) want++;
  }
  return want < count ? want : undefined;
}

export class PodIPAM {
  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly storage: DurableObjectStorage,
    private readonly claims: Allocations,
    private readonly podCIDR: () => Cidr,
  ) {}

  /** The pod's IP: the one it already holds, else a new one from a block affine to its node. */
  assign(podKey: string, uid: string, node: string): string | undefined {
    return this.storage.transactionSync(() => {
      const held = this.claims.held(podKey, POOL_PREFIX, true).find((c) => c.uid === uid);
      if (held) return held.value;
      const pool = this.podCIDR();
      let block = this.db
        .select({ idx: ipamBlocks.idx })
        .from(ipamBlocks)
        .where(and(eq(ipamBlocks.node, node), sql`${ipamBlocks.used} < ${BLOCK_SIZE}`))
        .orderBy(asc(ipamBlocks.idx))
        .get()?.idx;
      if (block === undefined) {
        block = this.claimBlock(pool, node);
        if (block === undefined) return undefined; // the pool is exhausted
        // A node's first block starts with its tunnel address (which may be what was asked for).
        const tunnel = this.claims.held(podKey, POOL_PREFIX, true).find((c) => c.uid === uid);
        if (tunnel) return tunnel.value;
      }
      return this.take(pool, block, podKey, uid);
    });
  }

  /** Give back every address the pod holds. */
  release(podKey: string, uid?: string): void {
    this.storage.transactionSync(() => {
      for (const c of this.claims.held(podKey, POOL_PREFIX, true)) {
        if (uid !== undefined && c.uid !== uid) continue;
        this.claims.release(c.pool, c.value);
        const idx = Number(c.pool.slice(POOL_PREFIX.length));
        this.db.update(ipamBlocks).set({ used: sql`${ipamBlocks.used} - 1` }).where(eq(ipamBlocks.idx, idx)).run();
      }
    });
  }

  /** A node left the cluster: its tunnel address goes, and so do its blocks no pod uses any more. */
  releaseNode(node: string): void {
    this.release(`node/${node}`);
    this.db.delete(ipamBlocks).where(and(eq(ipamBlocks.node, node), sql`${ipamBlocks.used} <= 0`)).run();
  }

  /** The CIDRs of the blocks affine to a node (calicoctl ipam show --show-blocks). */
  blocksOf(node: string): string[] {
    const pool = this.podCIDR();
    return this.db
      .select({ idx: ipamBlocks.idx })
      .from(ipamBlocks)
      .where(eq(ipamBlocks.node, node))
      .orderBy(asc(ipamBlocks.idx))
      .all()
      .map((r) => {
        const b = subBlock(pool, BLOCK_BITS, r.idx);
        return `${ipAt(b, 0)}/${BLOCK_BITS}`;
      });
  }

  /** The node's tunnel address (first address of its first block), claiming a block if needed. */
  tunnelAddress(node: string): string | undefined {
    return this.assign(`node/${node}`, 'tunnel', node);
  }

  private claimBlock(pool: Cidr, node: string): number | undefined {
    const claimed = this.db.select({ idx: ipamBlocks.idx }).from(ipamBlocks).orderBy(asc(ipamBlocks.idx)).all().map((r) => r.idx);
    const idx = firstGap(claimed, subBlockCount(pool, BLOCK_BITS));
    if (idx === undefined) return undefined;
    const first = this.db.select({ idx: ipamBlocks.idx }).from(ipamBlocks).where(eq(ipamBlocks.node, node)).get() === undefined;
    this.db.insert(ipamBlocks).values({ idx, node, used: 0 }).run();
    if (first) this.take(pool, idx, `node/${node}`, 'tunnel');
    return idx;
  }

  private take(pool: Cidr, idx: number, owner: string, uid: string): string {
    const block = subBlock(pool, BLOCK_BITS, idx);
    const name = `${POOL_PREFIX}${idx}`;
    const used = this.claims.values(name).map((ip) => offsetOf(block, ip) ?? -1);
    const offset = lowestFree(BLOCK_SIZE, used)!;
    const ip = ipAt(block, offset);
    this.claims.claim(name, ip, owner, uid);
    this.db.update(ipamBlocks).set({ used: sql`${ipamBlocks.used} + 1` }).where(eq(ipamBlocks.idx, idx)).run();
    return ip;
  }
}
