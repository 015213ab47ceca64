// The registry's D1 migrations, bundled into the Worker and applied lazily (once per isolate), so that
// `wrangler dev`, the workerd tests and a fresh deployment all get the schema without a separate step.
// They are recorded in wrangler's own `d1_migrations` table: `wrangler d1 migrations apply` and this
// agree on what has been applied. A unit test checks this list against drizzle-kit's journal.
import init from '../../migrations/registry/0000_init.sql';
import nextDue from '../../migrations/registry/0001_next_due.sql';

export const REGISTRY_MIGRATIONS: { name: string; sql: string }[] = [
  { name: '0000_init.sql', sql: init },
  { name: '0001_next_due.sql', sql: nextDue },
];

const TABLE = 'd1_migrations';
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TABLE}(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

/** drizzle-kit separates statements with `--> statement-breakpoint`. */
export function statementsOf(sql: string): string[] {
  return sql
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const migrated = new WeakMap<D1Database, Promise<void>>();

async function apply(db: D1Database): Promise<void> {
  await db.prepare(CREATE_TABLE).run();
  const applied = new Set((await db.prepare(`SELECT name FROM ${TABLE}`).all<{ name: string }>()).results.map((r) => r.name));
  for (const m of REGISTRY_MIGRATIONS) {
    if (applied.has(m.name)) continue;
    const stmts = statementsOf(m.sql).map((s) => db.prepare(s));
    stmts.push(db.prepare(`INSERT INTO ${TABLE} (name) VALUES (?)`).bind(m.name));
    try {
      // A batch is one transaction: a migration is applied whole or not at all.
      await db.batch(stmts);
    } catch (err) {
      // Another isolate may have applied it meanwhile (its CREATE TABLE then fails here).
      const now = await db.prepare(`SELECT 1 AS x FROM ${TABLE} WHERE name = ?`).bind(m.name).first();
      if (!now) throw err;
    }
  }
}

/** Make sure the registry schema is in place (one query per isolate once it is). */
export function ensureRegistryMigrated(db: D1Database): Promise<void> {
  let p = migrated.get(db);
  if (!p) {
    p = apply(db).catch((err) => {
      migrated.delete(db);
      throw err;
    });
    migrated.set(db, p);
  }
  return p;
}
