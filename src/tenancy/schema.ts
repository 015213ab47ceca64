// The sandbox registry (D1): who owns which sandbox, its hashed admin token and its expiry.
// Migrations: `npm run db:generate:registry` (drizzle-kit) writes migrations/registry/.
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const sandboxes = sqliteTable(
  'sandboxes',
  {
    id: text('id').primaryKey(), // random, unguessable, a DNS label: the URL /clusters/{id}
    name: text('name').notNull(), // the owner's name for it (unique per owner)
    owner: text('owner').notNull(), // "operator" or an anonymous owner key (see README)
    tokenHash: text('token_hash').notNull(), // SHA-256 (hex) of the admin token; the token itself is never stored
    spec: text('spec').notNull(), // JSON: node counts, capacity, proxy mode
    createdAt: integer('created_at').notNull(), // ms since epoch
    expiresAt: integer('expires_at'), // ms since epoch; null: no TTL
    checkedAt: integer('checked_at').notNull().default(0), // last cron watchdog run (the sweep rotates through sandboxes)
    // The DO's earliest pending deadline as it last reported it (ms since epoch); null: idle, nothing
    // pending. Reported on transitions only (src/tenancy/load-report.ts); the cron wakes overdue ones.
    nextDue: integer('next_due'),
  },
  (t) => [
    uniqueIndex('sandboxes_owner_name').on(t.owner, t.name),
    uniqueIndex('sandboxes_token_hash').on(t.tokenHash),
    index('sandboxes_expires_at').on(t.expiresAt),
    index('sandboxes_checked_at').on(t.checkedAt),
    index('sandboxes_next_due').on(t.nextDue),
  ],
);

/** Token buckets of the creation rate limit (open mode), one per client. */
export const createBuckets = sqliteTable('create_buckets', {
  client: text('client').primaryKey(),
  tokens: real('tokens').notNull(),
  updatedAt: integer('updated_at').notNull(), // ms since epoch
});
