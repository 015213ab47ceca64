// Who is calling: bearer tokens to sandboxes. The local emulator's bootstrap admin token reaches
// every sandbox; per-user tokens come with multi-user tenancy.
import type { UserInfo } from '../api/call';
import type { Env } from '../env';

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function bearerToken(header: string | undefined | null): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** The caller for a sandbox's API, or undefined (401). */
export function authenticate(env: Env, header: string | undefined | null): UserInfo | undefined {
  const token = bearerToken(header);
  if (!token) return undefined;
  const bootstrap = env.KUBEDO_BOOTSTRAP_TOKEN;
  if (bootstrap && timingSafeEqual(token, bootstrap)) return { username: 'kubedo:admin', groups: ['system:masters', 'system:authenticated'] };
  return undefined;
}
