// Entry point: wires the Hono app, the cron watchdog and the Durable Object classes together.
import { Hono } from 'hono';
import { clusterRoutes, statusResponse, type ClusterVars } from './api/routes';
import { errors } from './api/status';
import type { Env } from './env';
import { authenticate } from './tenancy/auth';
import { ensureSandbox } from './tenancy/sandboxes';

export { ClusterObject } from './durable/cluster';

const app = new Hono<{ Bindings: Env; Variables: ClusterVars }>();

app.use('/clusters/:cluster/*', async (c, next) => {
  if (!authenticate(c.env, c.req.header('Authorization'))) return statusResponse(errors.unauthorized().status);
  const cluster = c.req.param('cluster');
  const stub = await ensureSandbox(c.env, cluster);
  if (!stub) return statusResponse(errors.notFound({ group: '', resource: 'sandboxes' }, cluster).status);
  c.set('cluster', cluster);
  c.set('stub', stub);
  c.set('base', `/clusters/${cluster}`);
  await next();
});
app.route('/clusters/:cluster', clusterRoutes());
app.notFound(() => statusResponse(errors.resourceNotFound().status));
app.onError((err) => {
  console.error('kubedo: unhandled', err);
  return statusResponse(errors.internal(err instanceof Error ? err.message : String(err)).status);
});

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, _env: Env, _ctx: ExecutionContext) {
    // The watchdog: controllers and sandbox expiry come with their issues.
  },
} satisfies ExportedHandler<Env>;
