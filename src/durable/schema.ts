// SQLite tables of a Cluster Durable Object (one etcd partition).
import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';

/** The live objects: one row per (resource, namespace, name); `rv` is the revision of its last write. */
export const objects = sqliteTable(
  'objects',
  {
    resource: text('resource').notNull(), // storage key, e.g. "pods", "deployments.apps"
    namespace: text('namespace').notNull(), // "" for cluster-scoped
    name: text('name').notNull(),
    uid: text('uid').notNull(),
    rv: integer('rv').notNull(),
    data: text('data').notNull(), // the object as JSON, metadata.resourceVersion included
  },
  (t) => [primaryKey({ columns: [t.resource, t.namespace, t.name] })],
);

/**
 * The event log (etcd's revision history, kept for a bounded window): feeds watches and lets a
 * paginated list read a consistent snapshot. `prev` is the object before this change, so the state
 * of any key at revision R >= the compacted revision can be rebuilt.
 */
export const events = sqliteTable(
  'events',
  {
    rev: integer('rev').primaryKey(),
    resource: text('resource').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    type: text('type', { enum: ['ADDED', 'MODIFIED', 'DELETED'] }).notNull(),
    object: text('object').notNull(),
    prev: text('prev'),
    ts: integer('ts').notNull(), // ms since epoch, for time-based compaction
  },
  (t) => [index('events_resource_rev').on(t.resource, t.rev)],
);

/** Counters: `revision` (last committed), `compacted` (oldest revision still answerable), `initialized`. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: integer('value').notNull(),
});

/**
 * Deadlines of the control loop (kubelet steps, node monitor grace, back-offs, TTLs): one DO alarm is
 * armed for the earliest; an idle sandbox has no rows and no alarm.
 */
export const timers = sqliteTable(
  'timers',
  {
    kind: text('kind').notNull(), // which controller
    key: text('key').notNull(), // what it reconciles, e.g. "default/web-1"
    due: integer('due').notNull(), // ms since epoch
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] }), index('timers_due').on(t.due)],
);

/**
 * The sandbox's service-account token signing key (RS256), generated once: tokens from TokenRequest
 * and legacy token Secrets are signed with it, and the API verifies them with its public half.
 */
export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  privateJwk: text('private_jwk').notNull(),
  publicJwk: text('public_jwk').notNull(),
  createdAt: integer('created_at').notNull(), // ms since epoch
});

/**
 * What the sandbox's address and port allocators have handed out (one row per claim, so a value can
 * never be given twice): `pool` is "nodeport", "loadbalancer" or "block:<n>" (pod IPs of IPAM block
 * n); `owner` is the Service or Pod (namespace/name) and `uid` its uid.
 */
export const allocations = sqliteTable(
  'allocations',
  {
    pool: text('pool').notNull(),
    value: text('value').notNull(),
    owner: text('owner').notNull(),
    uid: text('uid').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pool, t.value] }), index('allocations_owner').on(t.owner, t.pool)],
);

/** Calico-style IPAM blocks: /26s of the pod CIDR, each claimed by (affine to) one node. */
export const ipamBlocks = sqliteTable(
  'ipam_blocks',
  {
    idx: integer('idx').primaryKey(), // n-th block of the pod CIDR
    node: text('node').notNull(),
    used: integer('used').notNull(), // addresses handed out (the first one is the node's tunnel address)
  },
  (t) => [index('ipam_blocks_node').on(t.node)],
);

/** The sandbox's fixed settings chosen at creation (service, pod and load-balancer CIDRs). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
