import { defineConfig } from 'drizzle-kit';

// The sandbox registry (D1). wrangler.toml's migrations_dir points here too, so
// `wrangler d1 migrations apply` and the Worker's lazy migration (src/tenancy/migrations.ts) agree.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/tenancy/schema.ts',
  out: './migrations/registry',
});
