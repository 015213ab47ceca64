// Sandboxes: the registry rows in D1 and their Cluster Durable Objects. Creating writes the row (which
// claims the owner's name) and then seeds the DO with the token hash, expiry and spec; deleting wipes
// the DO first (the token stops working at that moment) and then the row. The local emulator's
// sandbox `default` is not in the registry: the launcher's bootstrap token reaches it.
import { and, asc, eq, gt, isNull, lt, lte, or, inArray, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { errors } from '../api/status';
import type { ClusterObject } from '../durable/cluster';
import type { SandboxSpec } from '../durable/seed';
import type { Env } from '../env';
import { takeToken, type Rate } from './limits';
import { OVERDUE_GRACE_MS } from './load-report';
import { ensureRegistryMigrated } from './migrations';
import { createBuckets, sandboxes } from './schema';
import type { SandboxRequest } from './spec';
import { hashToken, newSandboxId, newToken } from './tokens';

export const DEFAULT_SANDBOX_ID = 'default';

export type SandboxRow = typeof sandboxes.$inferSelect;

/** Sandboxes this isolate has already seen initialized (saves an RPC per request; `default` only). */
const ready = new Set<string>();

/** The local emulator's sandbox `default`, created on first use. */
export async function ensureSandbox(env: Env, id: string): Promise<DurableObjectStub<ClusterObject> | undefined> {
  if (id !== DEFAULT_SANDBOX_ID) return undefined;
  const stub = clusterStub(env, id);
  if (!ready.has(id)) {
    await stub.init({ name: id });
    ready.add(id);
  }
  return stub;
}

export function clusterStub(env: Env, id: string): DurableObjectStub<ClusterObject> {
  return env.CLUSTER.get(env.CLUSTER.idFromName(id));
}

async function db(env: Env) {
  await ensureRegistryMigrated(env.REGISTRY);
  return drizzle(env.REGISTRY);
}

const live = (now: number) => or(isNull(sandboxes.expiresAt), gt(sandboxes.expiresAt, now));

export function specOf(row: SandboxRow): Omit<SandboxSpec, 'name'> {
  return JSON.parse(row.spec) as Omit<SandboxSpec, 'name'>;
}

/** drizzle wraps D1's error ("Failed query: ..."); SQLite's reason is in the cause chain. */
function isUniqueViolation(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as Error).cause, depth++) {
    if (/UNIQUE constraint failed/.test(String((e as Error).message ?? e))) return true;
  }
  return false;
}

/**
 * Create a sandbox for `owner`: 409 when the owner already has one of that name, 403 when they have
 * `maxPerOwner` live sandboxes already (0: no cap).
 */
export async function createSandbox(env: Env, owner: string, req: SandboxRequest, now = Date.now(), maxPerOwner = 0): Promise<{ row: SandboxRow; token: string }> {
  const id = newSandboxId();
  const token = newToken();
  const row: SandboxRow = {
    id,
    name: req.name ?? `sandbox-${id.slice(0, 5)}`,
    owner,
    tokenHash: await hashToken(token),
    spec: JSON.stringify(req.spec),
    createdAt: now,
    expiresAt: req.ttlSeconds !== undefined ? now + req.ttlSeconds * 1000 : null,
    checkedAt: now,
    nextDue: null,
  };
  const d = await db(env);
  try {
    await d.insert(sandboxes).values(row).run();
  } catch (err) {
    if (isUniqueViolation(err)) throw errors.alreadyExists({ group: '', resource: 'sandboxes' }, row.name);
    throw err;
  }
  if (maxPerOwner > 0) await enforceOwnerCap(env, row, maxPerOwner, now);
  const stub = clusterStub(env, id);
  try {
    await stub.init({ name: row.name, ...req.spec }, { id, tokenHash: row.tokenHash, expiresAt: row.expiresAt ?? undefined });
  } catch (err) {
    await stub.destroy().catch(() => {});
    await forgetSandbox(env, id);
    throw err;
  }
  return { row, token };
}

/**
 * At most `cap` live sandboxes per owner. Checked after the insert, by the new row's rank among the
 * owner's sandboxes in creation order: of concurrent creations exactly the first ones stay.
 */
async function enforceOwnerCap(env: Env, row: SandboxRow, cap: number, now: number): Promise<void> {
  const d = await db(env);
  const before = or(lt(sandboxes.createdAt, row.createdAt), and(eq(sandboxes.createdAt, row.createdAt), lte(sandboxes.id, row.id)));
  const rank = (await d.select({ n: sql<number>`count(*)` }).from(sandboxes).where(and(eq(sandboxes.owner, row.owner), live(now), before)).get())?.n ?? 0;
  if (rank <= cap) return;
  await forgetSandbox(env, row.id);
  // Worded like the ResourceQuota admission plugin's 403: deleting one of them is what helps, not waiting.
  throw errors.forbidden(
    { group: '', resource: 'sandboxes' },
    row.name,
    `exceeded owner quota: requested: sandboxes=1, used: sandboxes=${rank - 1}, limited: sandboxes=${cap}`,
  );
}

/** The owner's live sandboxes, oldest first. */
export async function listSandboxes(env: Env, owner: string, now = Date.now()): Promise<SandboxRow[]> {
  return (await db(env)).select().from(sandboxes).where(and(eq(sandboxes.owner, owner), live(now))).orderBy(asc(sandboxes.createdAt)).all();
}

/** One of the owner's live sandboxes (someone else's is as absent as one that never existed). */
export async function findSandbox(env: Env, owner: string, id: string, now = Date.now()): Promise<SandboxRow | undefined> {
  return (await db(env)).select().from(sandboxes).where(and(eq(sandboxes.id, id), eq(sandboxes.owner, owner), live(now))).get();
}

/** The live sandbox whose admin token has this hash. */
export async function sandboxOfToken(env: Env, tokenHash: string, now = Date.now()): Promise<SandboxRow | undefined> {
  return (await db(env)).select().from(sandboxes).where(and(eq(sandboxes.tokenHash, tokenHash), live(now))).get();
}

/** Delete one of the owner's sandboxes; false when there is no such sandbox of theirs. */
export async function deleteSandbox(env: Env, owner: string, id: string): Promise<boolean> {
  const row = await (await db(env)).select({ id: sandboxes.id }).from(sandboxes).where(and(eq(sandboxes.id, id), eq(sandboxes.owner, owner))).get();
  if (!row) return false;
  await clusterStub(env, id).destroy();
  await forgetSandbox(env, id);
  return true;
}

/** Remove the registry row (the DO is gone already). */
export async function forgetSandbox(env: Env, id: string): Promise<void> {
  await (await db(env)).delete(sandboxes).where(eq(sandboxes.id, id)).run();
}

/** The sandbox's DO reports its earliest pending deadline (null: idle); see load-report.ts. */
export async function reportNextDue(env: Env, id: string, nextDue: number | null): Promise<void> {
  await (await db(env)).update(sandboxes).set({ nextDue }).where(eq(sandboxes.id, id)).run();
}

/** Count of registry rows (tests, diagnostics). */
export async function countSandboxes(env: Env): Promise<number> {
  return (await (await db(env)).select({ n: sql<number>`count(*)` }).from(sandboxes).get())?.n ?? 0;
}

/**
 * Take a token from `client`'s creation bucket. The update is conditional on the bucket not having
 * changed since it was read, so concurrent creations cannot both spend the same token.
 */
export async function takeCreateToken(env: Env, client: string, rate: Rate, now = Date.now()): Promise<{ ok: boolean; retryAfterSeconds: number }> {
  const d = await db(env);
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await d.select().from(createBuckets).where(eq(createBuckets.client, client)).get();
    const r = takeToken(cur, rate, now);
    if (!r.ok) return r;
    const res = cur
      ? await d
          .update(createBuckets)
          .set({ tokens: r.bucket.tokens, updatedAt: r.bucket.updatedAt })
          .where(and(eq(createBuckets.client, client), eq(createBuckets.updatedAt, cur.updatedAt), eq(createBuckets.tokens, cur.tokens)))
          .run()
      : await d.insert(createBuckets).values({ client, ...r.bucket }).onConflictDoNothing().run();
    if (res.meta.changes > 0) return r;
  }
  return { ok: false, retryAfterSeconds: 1 };
}

async function eachLimited<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item).catch((err) => console.error('kubedo: sweep', item, err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export interface SweepResult {
  expired: number;
  /** Sandboxes whose watchdog ran (tests, diagnostics). */
  checked: number;
  woken: string[];
}

/** Every sandbox's watchdog runs at least this often, even idle: a backstop against a report lost for good. */
export const BACKSTOP_MS = 24 * 3_600_000;

/**
 * The cron's part: expire what the DO alarms missed, and run the watchdog of the sandboxes that need
 * it — those whose reported deadline is overdue (their alarm may be lost; see load-report.ts) and,
 * once a day, any. Idle sandboxes are not touched. A bounded batch per minute, least recently checked first.
 */
export async function sweepSandboxes(env: Env, now = Date.now(), opts: { batch?: number; concurrency?: number } = {}): Promise<SweepResult> {
  const batch = opts.batch ?? 500;
  const concurrency = opts.concurrency ?? 16;
  const d = await db(env);
  const expired = await d.select({ id: sandboxes.id }).from(sandboxes).where(lte(sandboxes.expiresAt, now)).limit(batch).all();
  await eachLimited(expired, concurrency, async ({ id }) => {
    await clusterStub(env, id).destroy();
    await forgetSandbox(env, id);
  });
  const due = await d
    .select({ id: sandboxes.id, createdAt: sandboxes.createdAt })
    .from(sandboxes)
    .where(and(live(now), or(lte(sandboxes.nextDue, now - OVERDUE_GRACE_MS), lte(sandboxes.checkedAt, now - BACKSTOP_MS))))
    .orderBy(asc(sandboxes.checkedAt))
    .limit(batch)
    .all();
  await eachLimited(due, concurrency, async ({ id, createdAt }) => {
    const r = await clusterStub(env, id).watchdog();
    // A row without a sandbox (a delete that failed half-way); young rows may be mid-creation.
    if (!r.exists && createdAt < now - 60_000) await forgetSandbox(env, id);
  });
  // D1 binds at most 100 parameters per statement.
  for (let i = 0; i < due.length; i += 90) {
    const ids = due.slice(i, i + 90).map((r) => r.id);
    await d.update(sandboxes).set({ checkedAt: now }).where(inArray(sandboxes.id, ids)).run();
  }
  // Buckets idle for an hour are full again: forget them.
  await d.delete(createBuckets).where(lt(createBuckets.updatedAt, now - 3_600_000)).run();
  return { expired: expired.length, checked: due.length, woken: due.map((r) => r.id) };
}
