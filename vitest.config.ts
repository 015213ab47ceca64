import { configDefaults, defineConfig } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-plugin';

export default defineConfig({
  test: {
    projects: [
      {
        // Pure functions (selectors, patches, printers, validation) inside workerd too: they run there in production.
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings: { KUBEDO_BOOTSTRAP_TOKEN: 'test-token' } } })],
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        // Durable Objects and the Worker's HTTP surface, in workerd with isolated storage per file.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                KUBEDO_BOOTSTRAP_TOKEN: 'test-token',
                KUBEDO_BOOKMARK_INTERVAL_MS: '200',
                // Small enough that test/integration/sandboxes.test.ts reaches them (API-created sandboxes only).
                KUBEDO_SANDBOX_MAX_NODES: '6',
                KUBEDO_SANDBOX_MAX_PODS: '4',
                KUBEDO_SANDBOX_MAX_WATCHES: '3',
                KUBEDO_SANDBOX_REQUESTS_PER_SECOND: '20',
                KUBEDO_SANDBOX_REQUEST_BURST: '150',
                KUBEDO_SANDBOX_CREATE_PER_MINUTE: '6',
                KUBEDO_SANDBOX_CREATE_BURST: '5',
                KUBEDO_SANDBOX_MAX_PER_OWNER: '3',
              },
            },
          }),
        ],
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/integration/sandboxes-operator.test.ts'],
          testTimeout: 30000,
        },
      },
      {
        // The same in an operator-mode deployment: only the operator token creates; object and byte limits reached.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                KUBEDO_BOOTSTRAP_TOKEN: 'test-token',
                KUBEDO_SANDBOX_CREATION: 'operator',
                KUBEDO_OPERATOR_TOKEN: 'op-secret',
                KUBEDO_SANDBOX_MAX_OBJECTS: '1000',
                KUBEDO_SANDBOX_MAX_BYTES: '4194304',
                KUBEDO_SANDBOX_REQUESTS_PER_SECOND: '0',
              },
            },
          }),
        ],
        test: { name: 'integration-operator', include: ['test/integration/sandboxes-operator.test.ts'], testTimeout: 60000 },
      },
      {
        // Real kubectl and @kubernetes/client-node against `wrangler dev` started through the npm start launcher.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 90000,
          hookTimeout: 120000,
          fileParallelism: false,
        },
      },
    ],
  },
});
