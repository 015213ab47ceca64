// The control loop of a sandbox: controllers are level-triggered reconcilers fed by store events
// (through a de-duplicating work queue) and by deadlines (a timers table with one DO alarm armed
// for the earliest). Failed reconciles retry with exponential back-off. The cron watchdog calls
// resync() to re-arm the alarm and run whatever is overdue. Nothing is armed when nothing is due.
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import { timers } from './schema';
import type { StoredEvent } from './store';

export interface Controller {
  /** Unique name; also the timers' kind. */
  name: string;
  /** Keys this controller must look at after a store change (may be none). */
  keysFor(e: StoredEvent): string[];
  /** Bring one key to its desired state. Returns a time (ms) to be called again, if any. */
  reconcile(key: string, now: number): number | undefined | void;
}

const RETRY_BASE_MS = 5;
/** Reconciles per event (request or alarm) before the rest moves to the next alarm: short events keep requests answered during big rollouts. */
const DRAIN_ROUNDS = 200;
const RETRY_MAX_MS = 1000 * 60;
// The hot timer statements as plain SQL (the query builder's per-call cost adds up over many reconciles).
const UPSERT_TIMER = 'INSERT INTO timers (kind, key, due) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET due = min(due, excluded.due)';
const DELETE_TIMER = 'DELETE FROM timers WHERE kind = ? AND key = ?';

/**
 * KUBEDO_PROFILE=1 (a wrangler var; `npm start` passes it through): time keysFor and reconcile per
 * controller and log the heaviest every 10 s of wall time, to find what a big rollout spends on.
 */
export const PROFILING = typeof process !== 'undefined' && process.env?.KUBEDO_PROFILE === '1';
class Profile {
  private ms = new Map<string, { ms: number; n: number }>();
  private since = Date.now();
  add(what: string, t0: number): void {
    const e = this.ms.get(what) ?? { ms: 0, n: 0 };
    e.ms += performance.now() - t0;
    e.n++;
    this.ms.set(what, e);
    if (Date.now() - this.since < 10_000) return;
    const top = [...this.ms].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20);
    console.log(`kubedo profile: ${top.map(([k, v]) => `${k} ${v.ms.toFixed(0)}ms/${v.n}`).join(', ')}`);
    this.ms.clear();
    this.since = Date.now();
  }
}
const profile = PROFILING ? new Profile() : undefined;

/** Runs `fn`, timed under `what` when KUBEDO_PROFILE=1. */
export function profiled<T>(what: string, fn: () => T): T {
  if (!profile) return fn();
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    profile.add(what, t0);
  }
}

export class ControlLoop {
  private controllers = new Map<string, Controller>();
  private queue = new Map<string, { controller: Controller; key: string }>();
  private failures = new Map<string, number>();
  private draining = false;

  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly storage: DurableObjectStorage,
  ) {}

  register(c: Controller): void {
    this.controllers.set(c.name, c);
  }

  /** Feed a committed store change to the controllers that care; they run right after. */
  onEvent(e: StoredEvent): void {
    for (const c of this.controllers.values()) {
      const t0 = profile ? performance.now() : 0;
      for (const key of c.keysFor(e)) this.enqueue(c, key);
      profile?.add(`${c.name}.keysFor`, t0);
    }
  }

  enqueue(c: Controller, key: string): void {
    this.queue.set(`${c.name}\u0000${key}`, { controller: c, key });
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => this.drain());
    }
  }

  /** Process the queue until empty; each key once per round however often it was enqueued. */
  private drain(): void {
    try {
      let rounds = 0;
      while (this.queue.size && rounds < DRAIN_ROUNDS) {
        const [id, item] = this.queue.entries().next().value as [string, { controller: Controller; key: string }];
        this.queue.delete(id);
        this.run(item.controller, item.key);
        rounds++;
      }
    } finally {
      this.draining = false;
      if (this.queue.size) {
        // The rest runs in a new event (the alarm, at once): the request or alarm that started this
        // drain gets its reply, each event's CPU time stays bounded, and nothing waits for a later change.
        this.armed = Date.now();
        void this.storage.setAlarm(this.armed);
      } else this.arm();
    }
  }

  private run(c: Controller, key: string): void {
    const id = `${c.name}\u0000${key}`;
    const now = Date.now();
    // A reconcile recomputes every deadline of its key: what it returns replaces what an earlier
    // run asked for (a finished rollout no longer needs its progress-deadline check).
    this.cancel(c.name, key);
    const t0 = profile ? performance.now() : 0;
    try {
      const again = c.reconcile(key, now);
      this.failures.delete(id);
      if (typeof again === 'number') this.schedule(c.name, key, again);
    } catch (err) {
      // Rate-limited retry: 5 ms doubling up to a minute, like client-go's default controller rate limiter.
      const n = (this.failures.get(id) ?? 0) + 1;
      this.failures.set(id, n);
      console.error(`kubedo: ${c.name} ${key} failed (attempt ${n})`, err);
      this.schedule(c.name, key, now + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (n - 1)));
    } finally {
      profile?.add(c.name, t0);
    }
  }

  /**
   * Which kind/key pairs have a timer row, mirrored in memory (loaded once per wake-up): every
   * reconcile cancels its key's timer, and most keys have none, so most cancels need no statement.
   */
  private timed?: Set<string>;
  private timedKeys(): Set<string> {
    this.timed ??= new Set(this.db.select({ kind: timers.kind, key: timers.key }).from(timers).all().map((t) => `${t.kind}\u0000${t.key}`));
    return this.timed;
  }

  /** Ask for `kind/key` to be reconciled at `due` (an earlier request for the same key wins). */
  schedule(kind: string, key: string, due: number): void {
    this.storage.sql.exec(UPSERT_TIMER, kind, key, due);
    this.timedKeys().add(`${kind}\u0000${key}`);
    if (!this.draining) void this.arm();
  }

  cancel(kind: string, key: string): void {
    const id = `${kind}\u0000${key}`;
    const timed = this.timedKeys();
    if (!timed.has(id)) return;
    this.storage.sql.exec(DELETE_TIMER, kind, key);
    timed.delete(id);
  }

  /** Arm the one alarm for the earliest deadline, or none. */
  private armed: number | null | undefined;
  /** Told the earliest deadline (null: none) at every arm; the sandbox reports idle/busy transitions to the registry. */
  onArm: ((next: number | null) => void) | undefined;
  arm(): void {
    const next = this.db.select({ due: sql<number | null>`min(${timers.due})` }).from(timers).get()?.due ?? null;
    this.onArm?.(next);
    if (next === this.armed) return;
    this.armed = next;
    if (next === null) void this.storage.deleteAlarm();
    else void this.storage.setAlarm(next);
  }

  /** The alarm fired: run every due timer. */
  fire(now = Date.now()): void {
    this.armed = undefined;
    const due = this.db.select().from(timers).where(lte(timers.due, now)).orderBy(asc(timers.due)).limit(5000).all();
    for (const t of due) {
      this.db.delete(timers).where(and(eq(timers.kind, t.kind), eq(timers.key, t.key), lte(timers.due, now))).run();
      this.timed?.delete(`${t.kind}\u0000${t.key}`);
      const c = this.controllers.get(t.kind);
      if (c) this.enqueue(c, t.key);
    }
    // Work a previous drain left for this alarm.
    if (this.queue.size && !this.draining) {
      this.draining = true;
      queueMicrotask(() => this.drain());
    }
    if (!this.draining) this.arm();
  }

  /** Watchdog: whatever is overdue runs now, and the alarm is re-armed. */
  resync(now = Date.now()): void {
    this.armed = undefined;
    this.fire(now);
    this.arm();
  }

  /** Number of pending timers (tests, diagnostics). */
  pending(): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(timers).get()?.n ?? 0;
  }
}
