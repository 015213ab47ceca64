// What a Cluster DO knows about itself as a tenant's sandbox: its registry id, the hash of its admin
// token, its expiry and its limits. Kept in the DO's own storage so that one RPC answers "does this
// sandbox exist and is this its token" and so that a delete (deleteAll) revokes the token at once.
// The `default` sandbox of the local emulator has no record: no token of its own, no limits, no TTL.
import type { UserInfo } from '../api/call';
import type { Env } from '../env';
import { limitsFrom, RateLimiter, type SandboxLimits } from './limits';
import { hashToken, timingSafeEqual } from './tokens';

export interface TenantRecord {
  /** Registry id (the URL segment /clusters/{id}). */
  id: string;
  /** SHA-256 hex of the admin token. */
  tokenHash: string;
  /** ms since epoch; absent: no TTL. */
  expiresAt?: number;
}

/** The user a sandbox's admin token authenticates as. */
export const SANDBOX_ADMIN: UserInfo = { username: 'kubedo:admin', groups: ['system:masters', 'system:authenticated'] };

/** The control loop's timer kind that wakes the DO when the sandbox expires. */
export const EXPIRY_TIMER = 'sandbox-expiry';

const RECORD_KEY = 'kubedo.tenant';

export class Tenant {
  readonly record: TenantRecord | undefined;
  readonly limits: SandboxLimits | undefined;
  private rate: RateLimiter | undefined;

  constructor(storage: DurableObjectStorage, env: Env) {
    this.record = storage.kv.get<TenantRecord>(RECORD_KEY);
    // Limits are read from the current configuration on every wake-up, so changing the vars applies
    // to existing sandboxes too.
    this.limits = this.record ? limitsFrom(env as unknown as Record<string, unknown>) : undefined;
    if (this.limits?.requestsPerSecond) {
      this.rate = new RateLimiter({ perSecond: this.limits.requestsPerSecond, burst: Math.max(1, this.limits.requestBurst) });
    }
  }

  static save(storage: DurableObjectStorage, record: TenantRecord): void {
    storage.kv.put(RECORD_KEY, record);
  }

  expired(now = Date.now()): boolean {
    return this.record?.expiresAt !== undefined && this.record.expiresAt <= now;
  }

  /** The admin token's user when `token` is this sandbox's admin token. */
  async admin(token: string): Promise<UserInfo | undefined> {
    if (!this.record) return undefined;
    return timingSafeEqual(await hashToken(token), this.record.tokenHash) ? SANDBOX_ADMIN : undefined;
  }

  /** One API request against the rate limit: the seconds to wait, or 0 when it may go ahead. */
  throttle(now = Date.now()): number {
    if (!this.rate) return 0;
    const r = this.rate.take(now);
    return r.ok ? 0 : r.retryAfterSeconds;
  }
}
