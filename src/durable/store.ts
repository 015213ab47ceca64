// The etcd partition: objects keyed by (resource, namespace, name), one monotonically increasing
// revision used as resourceVersion, and an event log kept for a bounded window (compaction).
// Narrow on purpose (get, list, create, update-with-precondition, delete, events) so that which
// partition holds which resource stays configuration.
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import type { KObject } from '../registry/types';
import { events, meta, objects } from './schema';
import type { PendingWrite, Usage } from '../tenancy/limits';
import { profiled, PROFILING } from './control-loop';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  rev: number;
  resource: string;
  namespace: string;
  name: string;
  type: EventType;
  object: KObject;
  /** The object before this change (absent for ADDED). */
  prev?: KObject;
}

export interface Key {
  namespace: string;
  name: string;
}

/** How long the event log keeps history: watches and continue tokens older than this get 410 Gone. */
export const COMPACTION_WINDOW_MS = 5 * 60_000;
/** Never keep more than this many events, whatever their age (bounded storage for busy sandboxes). */
export const MAX_EVENTS = 50_000;
const COMPACT_EVERY_MS = 30_000;

export class StoreConflict extends Error {
  constructor(readonly kind: 'exists' | 'missing' | 'stale', readonly currentRv?: number) {
    super(kind);
  }
}

function compareKeys(a: Key, b: Key): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

// The hot statements as plain SQL (the query builder's per-call cost showed in every write).
const SELECT_DATA = 'SELECT data FROM objects WHERE resource = ? AND namespace = ? AND name = ?';
const SELECT_ROW = 'SELECT rv, data FROM objects WHERE resource = ? AND namespace = ? AND name = ?';
const DELETE_OBJECT = 'DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?';
const INSERT_OBJECT = 'INSERT INTO objects (resource, namespace, name, uid, rv, data) VALUES (?, ?, ?, ?, ?, ?)';
const UPDATE_OBJECT = 'UPDATE objects SET rv = ?, data = ?, uid = ? WHERE resource = ? AND namespace = ? AND name = ?';
const INSERT_EVENT = 'INSERT INTO events (rev, resource, namespace, name, type, object, prev, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const WRITE_REVISION = "INSERT INTO meta (key, value) VALUES ('revision', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/** The namespace of the sandbox's own system components (counted apart for the pod limit). */
const SYSTEM_NAMESPACE = 'kube-system';

export class Store {
  private rev: number;
  private compacted: number;
  private lastCompaction = 0;
  private listeners: ((e: StoredEvent) => void)[] = [];
  /** Object counts and stored bytes (computed once on first use, then kept up to date by write()). */
  private counts?: { objects: number; bytes: number; byResource: Map<string, number>; system: Map<string, number> };
  /** Checked inside each write's transaction before it changes anything (sandbox quotas). */
  guard?: (w: PendingWrite, usage: Usage) => void;

  private readonly sql: SqlStorage;

  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly storage: DurableObjectStorage,
  ) {
    this.sql = storage.sql;
    this.rev = this.readMeta('revision');
    this.compacted = this.readMeta('compacted');
  }

  /** Called after each committed change (the watch hub, caches). */
  onEvent(listener: (e: StoredEvent) => void): void {
    this.listeners.push(listener);
  }

  revision(): number {
    return this.rev;
  }

  /** Oldest revision whose state can still be reconstructed. */
  compactedRevision(): number {
    return this.compacted;
  }

  private readMeta(key: string): number {
    const row = this.db.select().from(meta).where(eq(meta.key, key)).get();
    return row ? row.value : 0;
  }

  private writeMeta(key: string, value: number): void {
    this.db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
  }

  /** How many objects and stored bytes the partition holds (one aggregate query per DO wake-up). */
  usage(): Usage {
    if (!this.counts) {
      const rows = this.db
        .select({ resource: objects.resource, n: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(length(${objects.data})), 0)` })
        .from(objects)
        .groupBy(objects.resource)
        .all();
      const byResource = new Map(rows.map((r) => [r.resource, r.n]));
      const systemRows = this.db
        .select({ resource: objects.resource, n: sql<number>`count(*)` })
        .from(objects)
        .where(eq(objects.namespace, SYSTEM_NAMESPACE))
        .groupBy(objects.resource)
        .all();
      const system = new Map(systemRows.map((r) => [r.resource, r.n]));
      this.counts = { objects: rows.reduce((a, r) => a + r.n, 0), bytes: rows.reduce((a, r) => a + r.bytes, 0), byResource, system };
    }
    const c = this.counts;
    return { objects: c.objects, bytes: c.bytes, count: (resource) => c.byResource.get(resource) ?? 0, system: (resource) => c.system.get(resource) ?? 0 };
  }

  get(resource: string, namespace: string, name: string): KObject | undefined {
    const row = this.sql.exec<{ data: string }>(SELECT_DATA, resource, namespace, name).toArray()[0];
    return row ? (JSON.parse(row.data) as KObject) : undefined;
  }

  /**
   * Objects of a resource in key order (namespace, name), optionally in one namespace, starting after
   * a key, as they were at revision `at` (default: now). Reading the past needs `at` >= compactedRevision().
   */
  *list(resource: string, opts: { namespace?: string; after?: Key; at?: number } = {}): Generator<KObject> {
    const at = opts.at ?? this.rev;
    const rows = this.rowsInKeyOrder(resource, opts.namespace, opts.after);
    if (at >= this.rev) {
      for (const row of rows) yield JSON.parse(row.data) as KObject;
      return;
    }
    // A past snapshot: keys changed after `at` take the state before their first later change.
    const past = this.pastStates(resource, at, opts);
    let i = 0;
    for (const row of rows) {
      while (i < past.length && compareKeys(past[i].key, row) < 0) {
        if (past[i].object) yield past[i].object!;
        i++;
      }
      if (i < past.length && compareKeys(past[i].key, row) === 0) {
        if (past[i].object) yield past[i].object!;
        i++;
        continue;
      }
      if (row.rv <= at) yield JSON.parse(row.data) as KObject;
    }
    for (; i < past.length; i++) if (past[i].object) yield past[i].object!;
  }

  /** Rows in key order, fetched in pages so that a large resource never sits in memory at once. */
  private *rowsInKeyOrder(resource: string, namespace: string | undefined, after: Key | undefined) {
    const PAGE = 256;
    let cursor = after;
    for (;;) {
      let where = 'resource = ?';
      const args: (string | number)[] = [resource];
      if (namespace !== undefined) {
        where += ' AND namespace = ?';
        args.push(namespace);
      }
      if (cursor) {
        where += ' AND (namespace, name) > (?, ?)';
        args.push(cursor.namespace, cursor.name);
      }
      const page = this.sql
        .exec<{ namespace: string; name: string; rv: number; data: string }>(`SELECT namespace, name, rv, data FROM objects WHERE ${where} ORDER BY namespace, name LIMIT ${PAGE}`, ...args)
        .toArray();
      yield* page;
      if (page.length < PAGE) return;
      cursor = page[page.length - 1];
    }
  }

  private pastStates(resource: string, at: number, opts: { namespace?: string; after?: Key }): { key: Key; object?: KObject }[] {
    const seen = new Map<string, { key: Key; object?: KObject }>();
    const rows = this.db
      .select({ namespace: events.namespace, name: events.name, prev: events.prev })
      .from(events)
      .where(and(eq(events.resource, resource), gt(events.rev, at)))
      .orderBy(asc(events.rev))
      .all();
    for (const row of rows) {
      if (opts.namespace !== undefined && row.namespace !== opts.namespace) continue;
      const key = { namespace: row.namespace, name: row.name };
      if (opts.after && compareKeys(key, opts.after) <= 0) continue;
      const id = `${row.namespace}/${row.name}`;
      if (seen.has(id)) continue;
      seen.set(id, { key, object: row.prev ? (JSON.parse(row.prev) as KObject) : undefined });
    }
    return [...seen.values()].sort((a, b) => compareKeys(a.key, b.key));
  }

  /** Events of a resource after revision `rev`, oldest first. */
  *eventsSince(resource: string, rev: number): Generator<StoredEvent> {
    const rows = this.db
      .select()
      .from(events)
      .where(and(eq(events.resource, resource), gt(events.rev, rev)))
      .orderBy(asc(events.rev))
      .all();
    for (const row of rows) {
      yield {
        rev: row.rev,
        resource: row.resource,
        namespace: row.namespace,
        name: row.name,
        type: row.type,
        object: JSON.parse(row.object) as KObject,
        prev: row.prev ? (JSON.parse(row.prev) as KObject) : undefined,
      };
    }
  }

  /** Insert a new object; `build` receives the revision and returns the object to store (its RV set). */
  create(resource: string, key: Key, build: (rev: number) => KObject): StoredEvent {
    return this.write(resource, key, 'ADDED', (current) => {
      if (current) throw new StoreConflict('exists');
      return build;
    });
  }

  /**
   * Replace an existing object. `expectedRv` (when given) must equal the stored revision of the
   * object (optimistic concurrency), else StoreConflict('stale').
   */
  update(resource: string, key: Key, expectedRv: number | undefined, build: (rev: number, current: KObject) => KObject): StoredEvent {
    return this.write(resource, key, 'MODIFIED', (current, currentRv) => {
      if (!current) throw new StoreConflict('missing');
      if (expectedRv !== undefined && expectedRv !== currentRv) throw new StoreConflict('stale', currentRv);
      return (rev: number) => build(rev, current);
    });
  }

  /** Remove an object; the DELETED event carries its last state with the deletion's revision. */
  delete(resource: string, key: Key, expectedRv?: number): StoredEvent {
    return this.write(resource, key, 'DELETED', (current, currentRv) => {
      if (!current) throw new StoreConflict('missing');
      if (expectedRv !== undefined && expectedRv !== currentRv) throw new StoreConflict('stale', currentRv);
      return (rev: number) => ({ ...current, metadata: { ...current.metadata, resourceVersion: String(rev) } });
    });
  }

  private write(
    resource: string,
    key: Key,
    type: EventType,
    plan: (current: KObject | undefined, currentRv: number) => (rev: number) => KObject,
  ): StoredEvent {
    const { event, bytesDelta } = profiled('store.tx', () =>
      this.storage.transactionSync(() => {
        const row = this.sql.exec<{ rv: number; data: string }>(SELECT_ROW, resource, key.namespace, key.name).toArray()[0];
        const current = row ? (JSON.parse(row.data) as KObject) : undefined;
        const build = plan(current, row?.rv ?? 0);
        const rev = this.rev + 1;
        const object = build(rev);
        const data = JSON.stringify(object);
        const bytesDelta = type === 'DELETED' ? -(row?.data.length ?? 0) : data.length - (row?.data.length ?? 0);
        if (this.guard) this.guard({ resource, namespace: key.namespace, name: key.name, type, bytesDelta }, this.usage());
        if (type === 'DELETED') this.sql.exec(DELETE_OBJECT, resource, key.namespace, key.name);
        else if (type === 'ADDED') this.sql.exec(INSERT_OBJECT, resource, key.namespace, key.name, object.metadata.uid ?? '', rev, data);
        else this.sql.exec(UPDATE_OBJECT, rev, data, object.metadata.uid ?? '', resource, key.namespace, key.name);
        this.sql.exec(INSERT_EVENT, rev, resource, key.namespace, key.name, type, data, row ? row.data : null, Date.now());
        this.sql.exec(WRITE_REVISION, rev);
        this.rev = rev;
        return { event: { rev, resource, namespace: key.namespace, name: key.name, type, object, prev: current } satisfies StoredEvent, bytesDelta };
      }),
    );
    this.count(resource, key.namespace, type, bytesDelta);
    this.maybeCompact();
    // The write has committed: a failing listener must not turn it into an error for the writer.
    for (const l of this.listeners) {
      try {
        if (PROFILING) profiled(`store listener ${String(l).slice(0, 40)}`, () => l(event));
        else l(event);
      } catch (err) {
        console.error('kubedo: store listener failed', err);
      }
    }
    return event;
  }

  private count(resource: string, namespace: string, type: EventType, bytesDelta: number): void {
    const c = this.counts;
    if (!c) return;
    const n = type === 'ADDED' ? 1 : type === 'DELETED' ? -1 : 0;
    c.objects += n;
    c.bytes += bytesDelta;
    if (n) c.byResource.set(resource, (c.byResource.get(resource) ?? 0) + n);
    if (n && namespace === SYSTEM_NAMESPACE) c.system.set(resource, (c.system.get(resource) ?? 0) + n);
  }

  /** Drop history older than the window (or beyond MAX_EVENTS); cheap, at most every 30 s. */
  maybeCompact(now = Date.now(), force = false): void {
    if (!force && now - this.lastCompaction < COMPACT_EVERY_MS) return;
    this.lastCompaction = now;
    const byAge = this.db
      .select({ rev: sql<number>`max(${events.rev})` })
      .from(events)
      .where(lte(events.ts, now - COMPACTION_WINDOW_MS))
      .get();
    let upTo = byAge?.rev ?? 0;
    if (this.rev - MAX_EVENTS > upTo) upTo = this.rev - MAX_EVENTS;
    if (upTo <= this.compacted) return;
    this.storage.transactionSync(() => {
      this.db.delete(events).where(lte(events.rev, upTo)).run();
      this.writeMeta('compacted', upTo);
    });
    this.compacted = upTo;
  }
}
