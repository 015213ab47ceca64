// Who is calling. For a sandbox's Kubernetes API (/clusters/{id}/...): the sandbox's admin token
// (user kubedo:admin in system:masters), a service-account token of that sandbox, or for the local
// `default` sandbox the launcher's bootstrap token; anything else is 401 Unauthorized. For the sandbox
// API (/v1/sandboxes): the operator, an owner (known by any of their sandboxes' tokens), or anonymous.
import type { UserInfo } from '../api/call';
import type { ClusterObject } from '../durable/cluster';
import type { Env } from '../env';
import { clusterStub, DEFAULT_SANDBOX_ID, ensureSandbox, sandboxOfToken } from './sandboxes';
import { SANDBOX_ADMIN } from './tenant';
import { hashToken, isSandboxId, timingSafeEqual } from './tokens';

export function bearerToken(header: string | undefined | null): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

function isBootstrap(env: Env, token: string): boolean {
  const bootstrap = env.KUBEDO_BOOTSTRAP_TOKEN;
  return !!bootstrap && timingSafeEqual(token, bootstrap);
}

/**
 * The caller of sandbox `id`'s API and that sandbox's DO, or undefined (401). Unknown, deleted and
 * expired ids answer exactly like a wrong token, so guessing ids tells nothing. Nothing is cached:
 * the DO answers from its own storage, so a delete takes effect on the next request.
 */
export async function authenticate(
  env: Env,
  id: string,
  header: string | undefined | null,
): Promise<{ user: UserInfo; stub: DurableObjectStub<ClusterObject> } | undefined> {
  const token = bearerToken(header);
  if (!token) return undefined;
  if (id === DEFAULT_SANDBOX_ID) {
    const stub = (await ensureSandbox(env, id))!;
    if (isBootstrap(env, token)) return { user: SANDBOX_ADMIN, stub };
    const user = await stub.authenticate(token);
    return user ? { user, stub } : undefined;
  }
  if (!isSandboxId(id)) return undefined;
  const stub = clusterStub(env, id);
  const user = await stub.authenticate(token);
  return user ? { user, stub } : undefined;
}

/**
 * Which sandbox a request on the bare API paths is for (`kubectl get --raw /readyz` drops the
 * server URL's path): the one whose admin token is presented, else `default`.
 */
export async function ownSandboxId(env: Env, header: string | undefined | null): Promise<string> {
  const token = bearerToken(header);
  if (!token || isBootstrap(env, token)) return DEFAULT_SANDBOX_ID;
  return (await sandboxOfToken(env, await hashToken(token)))?.id ?? DEFAULT_SANDBOX_ID;
}

/** The owner of every sandbox the operator creates. */
export const OPERATOR_OWNER = 'operator';

export type SandboxCaller =
  | { kind: 'operator'; owner: string }
  /** Presented the admin token of one of their sandboxes (`sandbox` is its id). */
  | { kind: 'owner'; owner: string; sandbox: string }
  | { kind: 'anonymous' };

/**
 * The caller of the sandbox API, or undefined for a token that is neither the operator's nor a live
 * sandbox's (401). The operator token (KUBEDO_OPERATOR_TOKEN) and the bootstrap token are the operator.
 */
export async function sandboxCaller(env: Env, header: string | undefined | null): Promise<SandboxCaller | undefined> {
  const token = bearerToken(header);
  if (!token) return header ? undefined : { kind: 'anonymous' };
  const operator = env.KUBEDO_OPERATOR_TOKEN;
  if ((operator && timingSafeEqual(token, operator)) || isBootstrap(env, token)) return { kind: 'operator', owner: OPERATOR_OWNER };
  const row = await sandboxOfToken(env, await hashToken(token));
  return row ? { kind: 'owner', owner: row.owner, sandbox: row.id } : undefined;
}
