// Claims on addresses and ports, one SQLite row each (primary key: pool + value), so a value can
// never be handed out twice and checking one costs an index lookup. Random selection with a
// reserved lower band follows kube-apiserver's allocators.
import { and, eq, sql } from 'drizzle-orm';
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import { allocations } from '../durable/schema';

export interface Claim {
  owner: string;
  uid: string;
}

export class Allocations {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  holder(pool: string, value: string): Claim | undefined {
    return this.db.select({ owner: allocations.owner, uid: allocations.uid }).from(allocations).where(and(eq(allocations.pool, pool), eq(allocations.value, value))).get();
  }

  /** Record the claim. A value already held fails the primary key: nothing is ever handed out twice. */
  claim(pool: string, value: string, owner: string, uid: string): void {
    this.db.insert(allocations).values({ pool, value, owner, uid }).run();
  }

  release(pool: string, value: string): void {
    this.db.delete(allocations).where(and(eq(allocations.pool, pool), eq(allocations.value, value))).run();
  }

  /** Values an owner holds in a pool (or in pools starting with a prefix, "block:"). */
  held(owner: string, pool: string, prefix = false): { pool: string; value: string; uid: string }[] {
    const poolCond = prefix ? sql`${allocations.pool} LIKE ${`${pool}%`}` : eq(allocations.pool, pool);
    return this.db.select({ pool: allocations.pool, value: allocations.value, uid: allocations.uid }).from(allocations).where(and(eq(allocations.owner, owner), poolCond)).all();
  }

  values(pool: string): string[] {
    return this.db.select({ value: allocations.value }).from(allocations).where(eq(allocations.pool, pool)).all().map((r) => r.value);
  }

  count(pool: string): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(allocations).where(eq(allocations.pool, pool)).get()?.n ?? 0;
  }
}

/**
 * A free offset in [first, end): a random start in the upper part [first+band, end), walking up and
 * wrapping; then the lower band [first, first+band) kept for static requests. Expected O(1) probes
 * while the range is not nearly full (kube-apiserver's ipallocator and portallocator do the same).
 */
export function pickFree(first: number, end: number, band: number, taken: (offset: number) => boolean, random: (n: number) => number = randomInt): number | undefined {
  const walk = (lo: number, hi: number): number | undefined => {
    const n = hi - lo;
    if (n <= 0) return undefined;
    const start = random(n);
    for (let i = 0; i < n; i++) {
      const o = lo + ((start + i) % n);
      if (!taken(o)) return o;
    }
    return undefined;
  };
  const split = Math.min(end, first + band);
  return walk(split, end) ?? walk(first, split);
}

export function randomInt(n: number): number {
  const buf = new Uint32Array(1);
  crypto.getRandomValues(buf);
  return buf[0] % n;
}
