// The sandbox API: POST/GET /v1/sandboxes, GET/DELETE /v1/sandboxes/{id}, GET /v1/sandboxes/{id}/kubeconfig.
// JSON in and out, failures as Kubernetes Status objects. Callers only ever see their own sandboxes:
// someone else's answers 404 exactly like an id that never existed.
import { Hono, type Context } from 'hono';
import type { Env } from '../env';
import { bearerToken, sandboxCaller, type SandboxCaller } from '../tenancy/auth';
import { renderKubeconfig } from '../tenancy/kubeconfig';
import { policyFrom } from '../tenancy/policy';
import { createSandbox, deleteSandbox, findSandbox, listSandboxes, specOf, takeCreateToken, type SandboxRow } from '../tenancy/sandboxes';
import { parseSandboxRequest } from '../tenancy/spec';
import { newOwnerKey } from '../tenancy/tokens';
import { errors, failure, StatusError, success, toStatus } from './status';

type Ctx = Context<{ Bindings: Env }>;

const GR = { group: '', resource: 'sandboxes' };

export const sandboxApi = new Hono<{ Bindings: Env }>();

function reply(err: unknown): Response {
  const s = toStatus(err);
  if (!(err instanceof StatusError)) console.error('kubedo: sandbox API', err);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (s.details?.retryAfterSeconds) headers['Retry-After'] = String(s.details.retryAfterSeconds);
  return new Response(JSON.stringify(s), { status: s.code, headers });
}

function guarded(fn: (c: Ctx) => Promise<Response>) {
  return async (c: Ctx) => {
    try {
      return await fn(c);
    } catch (e) {
      return reply(e);
    }
  };
}

/** The caller, who must be known (operator or owner) unless `anonymousOk`. */
async function caller(c: Ctx, anonymousOk = false): Promise<SandboxCaller> {
  const who = await sandboxCaller(c.env, c.req.header('Authorization'));
  if (!who || (who.kind === 'anonymous' && !anonymousOk)) throw errors.unauthorized();
  return who;
}

function ownerOf(who: SandboxCaller): string {
  if (who.kind === 'anonymous') throw errors.unauthorized();
  return who.owner;
}

function server(c: Ctx, id: string): string {
  return `${new URL(c.req.url).origin}/clusters/${id}`;
}

function view(c: Ctx, row: SandboxRow) {
  return {
    id: row.id,
    name: row.name,
    server: server(c, row.id),
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString(),
    ...specOf(row),
  };
}

/** A create request is a few hundred bytes; anything this large is not one. */
const MAX_BODY_BYTES = 64 * 1024;

async function jsonBody(c: Ctx): Promise<unknown> {
  const ct = c.req.header('Content-Type');
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw errors.requestEntityTooLarge(`the request body is larger than ${MAX_BODY_BYTES} bytes`);
  if (text.trim() === '') return undefined;
  if (ct && !/^application\/json\b/i.test(ct)) throw errors.unsupportedMediaType(ct);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

sandboxApi.post(
  '/',
  guarded(async (c) => {
    const who = await caller(c, true);
    const policy = policyFrom(c.env);
    if (policy.mode === 'operator' && who.kind !== 'operator') {
      if (who.kind === 'anonymous') throw errors.unauthorized();
      throw new StatusError(failure(403, 'Forbidden', 'sandboxes is forbidden: only the operator may create sandboxes', { kind: 'sandboxes' }));
    }
    const req = parseSandboxRequest(await jsonBody(c), policy);
    if (who.kind !== 'operator') {
      const client = who.kind === 'owner' ? `owner:${who.owner}` : `ip:${c.req.header('CF-Connecting-IP') ?? 'unknown'}`;
      const r = await takeCreateToken(c.env, client, policy.createRate);
      if (!r.ok) throw errors.tooManyRequests('Too many sandboxes created by this client, please try again later.', r.retryAfterSeconds);
    }
    const owner = who.kind === 'anonymous' ? newOwnerKey() : who.owner;
    const { row, token } = await createSandbox(c.env, owner, req, Date.now(), who.kind === 'operator' ? 0 : policy.maxPerOwner);
    const kubeconfig = renderKubeconfig({ name: row.name, server: server(c, row.id), caData: c.env.KUBEDO_CA_DATA || undefined, token });
    return c.json({ ...view(c, row), token, kubeconfig }, 201);
  }),
);

sandboxApi.get(
  '/',
  guarded(async (c) => {
    const owner = ownerOf(await caller(c));
    const rows = await listSandboxes(c.env, owner);
    return c.json({ items: rows.map((r) => view(c, r)) });
  }),
);

sandboxApi.get(
  '/:id',
  guarded(async (c) => {
    const id = c.req.param('id') ?? '';
    const row = await findSandbox(c.env, ownerOf(await caller(c)), id);
    if (!row) throw errors.notFound(GR, id);
    return c.json(view(c, row));
  }),
);

sandboxApi.get(
  '/:id/kubeconfig',
  guarded(async (c) => {
    const id = c.req.param('id') ?? '';
    const who = await caller(c);
    const row = await findSandbox(c.env, ownerOf(who), id);
    if (!row) throw errors.notFound(GR, id);
    // Tokens are shown once: only a caller presenting this sandbox's own token gets it back.
    const token = who.kind === 'owner' && who.sandbox === id ? bearerToken(c.req.header('Authorization')) : undefined;
    const text = renderKubeconfig({ name: row.name, server: server(c, row.id), caData: c.env.KUBEDO_CA_DATA || undefined, token });
    return c.body(text, 200, { 'Content-Type': 'application/yaml' });
  }),
);

sandboxApi.delete(
  '/:id',
  guarded(async (c) => {
    const id = c.req.param('id') ?? '';
    if (!(await deleteSandbox(c.env, ownerOf(await caller(c)), id))) throw errors.notFound(GR, id);
    return c.json(success({ name: id, kind: 'sandboxes' }));
  }),
);

// Known paths with another method.
const notAllowed = guarded(async () => {
  throw errors.methodNotAllowed();
});
sandboxApi.all('/', notAllowed);
sandboxApi.all('/:id', notAllowed);
sandboxApi.all('/:id/kubeconfig', notAllowed);
