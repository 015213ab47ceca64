import { defineConfig } from 'drizzle-kit';

// Cluster Durable Object storage; the registry D1 database has its own config (drizzle.registry.config.ts).
export default defineConfig({
  dialect: 'sqlite',
  driver: 'durable-sqlite',
  schema: './src/durable/schema.ts',
  out: './migrations/cluster',
});
