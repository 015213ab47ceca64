// Who may create sandboxes and how fast: configuration (wrangler.toml [vars], launcher environment).
import type { Env } from '../env';
import { limitsFrom, type Rate } from './limits';
import type { CreationPolicy } from './spec';

export interface SandboxPolicy extends CreationPolicy {
  mode: 'open' | 'operator';
  /** Creations per client in open mode. */
  createRate: Rate;
  /** Live sandboxes one owner may have (0: no cap); the operator has none. */
  maxPerOwner: number;
}

export const DEFAULT_CREATE_PER_MINUTE = 10;
export const DEFAULT_CREATE_BURST = 20;
export const DEFAULT_MAX_PER_OWNER = 50;

function num(v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function policyFrom(env: Env): SandboxPolicy {
  // Fail closed: anything but "open" (or unset) needs the operator.
  const mode = (env.KUBEDO_SANDBOX_CREATION ?? '').trim().toLowerCase();
  return {
    mode: mode === '' || mode === 'open' ? 'open' : 'operator',
    createRate: {
      perSecond: num(env.KUBEDO_SANDBOX_CREATE_PER_MINUTE, DEFAULT_CREATE_PER_MINUTE) / 60,
      burst: Math.max(1, num(env.KUBEDO_SANDBOX_CREATE_BURST, DEFAULT_CREATE_BURST)),
    },
    maxPerOwner: num(env.KUBEDO_SANDBOX_MAX_PER_OWNER, DEFAULT_MAX_PER_OWNER),
    maxNodes: limitsFrom(env as unknown as Record<string, unknown>).maxNodes,
    defaultTtlSeconds: num(env.KUBEDO_SANDBOX_DEFAULT_TTL_SECONDS, 0),
    maxTtlSeconds: num(env.KUBEDO_SANDBOX_MAX_TTL_SECONDS, 0),
  };
}
