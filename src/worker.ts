// Entry point: wires the Hono app, the cron watchdog and the Durable Object classes together.
import { Hono, type Context, type Next } from 'hono';
import { dnsQueryRequest } from './api/dns';
import { clusterRequest, statusResponse, type ClusterVars } from './api/routes';
import { errors } from './api/status';
import type { Env } from './env';
import { sandboxApi } from './api/sandboxes';
import { authenticate, ownSandboxId } from './tenancy/auth';
import { DEFAULT_SANDBOX_ID, ensureSandbox, sweepSandboxes } from './tenancy/sandboxes';

export { ClusterObject } from './durable/cluster';

type AppEnv = { Bindings: Env; Variables: ClusterVars };
const app = new Hono<AppEnv>();

/** Authenticate, then bind the request to its sandbox's Cluster DO. */
function sandbox(idOf: (c: Context<AppEnv>) => string | Promise<string>, base: (id: string) => string) {
  return async (c: Context<AppEnv>, next: Next) => {
    const id = await idOf(c);
    // Unknown ids answer 401 like a wrong token: the token decides, not the id.
    const auth = await authenticate(c.env, id, c.req.header('Authorization'));
    if (!auth) return statusResponse(errors.unauthorized().status);
    const { user, stub } = auth;
    c.set('user', user);
    c.set('cluster', id);
    c.set('stub', stub);
    c.set('base', base(id));
    await next();
  };
}

app.route('/v1/sandboxes', sandboxApi);

app.use('/clusters/:cluster/*', sandbox((c) => c.req.param('cluster') ?? '', (id) => `/clusters/${id}`));
app.all('/clusters/:cluster/dns-query', dnsQueryRequest);
app.all('/clusters/:cluster/*', (c) => clusterRequest(c, new URL(c.req.url).pathname.slice(c.var.base.length + 1)));

// `kubectl get --raw /readyz` drops the server URL's path: serve the bare API paths for the
// caller's own sandbox (the bootstrap token's is `default`).
const BARE = ['/version', '/healthz', '/livez', '/readyz', '/api', '/apis', '/openapi'];
for (const p of BARE) {
  for (const pattern of [p, `${p}/*`]) {
    app.use(pattern, sandbox((c) => ownSandboxId(c.env, c.req.header('Authorization')), () => ''));
    app.all(pattern, (c) => clusterRequest(c, new URL(c.req.url).pathname.slice(1)));
  }
}

app.notFound(() => statusResponse(errors.resourceNotFound().status));
app.onError((err) => {
  console.error('kubedo: unhandled', err);
  return statusResponse(errors.internal(err instanceof Error ? err.message : String(err)).status);
});

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    // The watchdog: sandboxes with overdue work run it and re-arm their alarm; expired ones go; idle
    // ones are not touched (src/tenancy/load-report.ts). The local emulator's `default` is not in the
    // registry and reachable only with the launcher's bootstrap token: checked only where that is set
    // (a deployment without it never creates `default`).
    if (env.KUBEDO_BOOTSTRAP_TOKEN) {
      const stub = await ensureSandbox(env, DEFAULT_SANDBOX_ID);
      if (stub) ctx.waitUntil(stub.watchdog());
    }
    ctx.waitUntil(sweepSandboxes(env));
  },
} satisfies ExportedHandler<Env>;
