// The cron watchdog wakes only sandboxes that need it: each sandbox DO reports idle/busy transitions
// to the registry (sandboxes.next_due, src/tenancy/load-report.ts) and the sweep selects overdue and
// expired rows only. An idle sandbox is never touched; a busy one whose alarm was lost is re-armed.
import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { LoadReporter, OVERDUE_GRACE_MS } from '../../src/tenancy/load-report';
import { sweepSandboxes } from '../../src/tenancy/sandboxes';
import worker from '../../src/worker';
import { TOKEN } from './helpers';

const ORIGIN = 'https://kubedo.test';

async function req(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

async function create(body: object): Promise<{ id: string; token: string; expiresAt: string | null }> {
  const r = await req('POST', '/v1/sandboxes', TOKEN, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  // kube-system's start-up (readiness delays, rollout deadlines) a hundred times faster, so it settles soon.
  const cm = { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } };
  expect((await req('POST', `/clusters/${r.body.id}/api/v1/namespaces/kube-system/configmaps`, r.body.token, cm)).status).toBe(201);
  return r.body;
}

function stubOf(id: string): DurableObjectStub {
  return env.CLUSTER.get(env.CLUSTER.idFromName(id)) as unknown as DurableObjectStub;
}

async function nextDue(id: string): Promise<number | null> {
  return env.REGISTRY.prepare('SELECT next_due FROM sandboxes WHERE id = ?').bind(id).first<number | null>('next_due');
}

/** The DO's own view: pending timers, its alarm, what it last told the registry. */
interface DoState {
  pending: number;
  alarm: number | null;
  reported: number | null;
}

/** runInDurableObject with the instance untyped (its generic types run too deep for the checker here). */
const run = runInDurableObject as unknown as <T>(stub: DurableObjectStub, cb: (instance: any, s: DurableObjectState) => T | Promise<T>) => Promise<T>;

async function state(id: string): Promise<DoState> {
  return run(stubOf(id), async (instance, s) => ({
    pending: instance.loop.pending() as number,
    alarm: await s.storage.getAlarm(),
    reported: instance.reporter?.reported().nextDue as number | null,
  }));
}

/** Run the sandbox's alarms until its control loop has nothing left but `keep` timers. */
async function settle(id: string, keep = 0, timeoutMs = 15_000) {
  const start = Date.now();
  for (;;) {
    await runDurableObjectAlarm(stubOf(id));
    const s = await state(id);
    if (s.pending <= keep) return s;
    if (Date.now() - start > timeoutMs) {
      const timers = await run(stubOf(id), (_i, st) => st.storage.sql.exec('SELECT * FROM timers').toArray());
      throw new Error(`sandbox ${id} still has ${s.pending} timers: ${JSON.stringify(timers.map((t: any) => ({ ...t, in: t.due - Date.now() })))}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Wait for the DO's report to reach D1 (it is written right after the transition). */
async function reportedAs(id: string, want: (v: number | null) => boolean): Promise<number | null> {
  for (let i = 0; i < 200; i++) {
    const v = await nextDue(id);
    if (want(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`registry row of ${id} says next_due=${await nextDue(id)}`);
}

describe('the cron wakes only what needs it', () => {
  it('an idle sandbox is not woken; a busy one whose alarm was lost is re-armed', async () => {
    const idle = await create({ name: 'idle', workerNodes: 1 });
    const busy = await create({ name: 'busy', workerNodes: 1 });
    for (const sb of [idle, busy]) {
      const s = await settle(sb.id);
      expect(s).toMatchObject({ pending: 0, alarm: null, reported: null });
      // kube-system starting made it busy for a moment; idle again, the row says so.
      expect(await reportedAs(sb.id, (v) => v === null)).toBeNull();
    }
    // Work with a deadline hours out: a pod that turns ready after 1000h (10h at timeScale 100).
    const pod = { metadata: { name: 'slow', annotations: { 'kubedo.dev/ready-after': '1000h' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    expect((await req('POST', `/clusters/${busy.id}/api/v1/namespaces/default/pods`, busy.token, pod)).status).toBe(201);
    const busyState = await settle(busy.id, 1);
    expect(busyState.pending).toBe(1);
    const reported = await reportedAs(busy.id, (v) => v !== null);
    expect(reported).toBeGreaterThan(Date.now() - OVERDUE_GRACE_MS);

    // The Worker's cron handler itself leaves the idle one alone (the sweep stamps checked_at on what it wakes).
    const checkedAt = () => env.REGISTRY.prepare('SELECT checked_at FROM sandboxes WHERE id = ?').bind(idle.id).first<number>('checked_at');
    const stamped = await checkedAt();
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '* * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await checkedAt()).toBe(stamped);

    // Nothing is overdue yet: the cron touches neither.
    const soon = await sweepSandboxes(env, Date.now());
    expect(soon.woken).not.toContain(idle.id);
    expect(soon.woken).not.toContain(busy.id);

    // The alarm is lost (a platform failure); once its deadline is overdue the cron finds the row.
    await run(stubOf(busy.id), (_i, s) => s.storage.deleteAlarm());
    expect((await state(busy.id)).alarm).toBeNull();
    // The row tracks the pending deadline (10h out), not the start-up timers: until then the cron leaves it alone.
    expect(await reportedAs(busy.id, (v) => v !== null && v > Date.now() + 9 * 3_600_000)).toBeGreaterThan(Date.now());
    expect((await sweepSandboxes(env, Date.now() + 2 * 3_600_000)).woken).not.toContain(busy.id);
    const later = await sweepSandboxes(env, Date.now() + 11 * 3_600_000);
    expect(later.woken).toContain(busy.id);
    expect(later.woken).not.toContain(idle.id);
    const after = await state(busy.id);
    expect(after.pending).toBe(1);
    expect(after.alarm).not.toBeNull();
    expect(after.alarm!).toBeGreaterThan(Date.now() + 3_000_000);

    // The idle sandbox's DO was not even loaded by the sweep: its registry row stayed idle, and its
    // storage shows no watchdog side effect (no timer, no alarm).
    expect(await nextDue(idle.id)).toBeNull();
    expect(await state(idle.id)).toMatchObject({ pending: 0, alarm: null });

    // Deleting the pod makes it idle again and the row says so at once.
    expect((await req('DELETE', `/clusters/${busy.id}/api/v1/namespaces/default/pods/slow?gracePeriodSeconds=0`, busy.token)).status).toBe(200);
    await settle(busy.id);
    expect(await reportedAs(busy.id, (v) => v === null)).toBeNull();
  });

  it('an idle sandbox with a TTL reports its expiry; the cron expires it only when due', async () => {
    const sb = await create({ name: 'ttl', workerNodes: 1, ttlSeconds: 3600 });
    const expiresAt = Date.parse(sb.expiresAt!);
    await settle(sb.id, 1);
    expect(await reportedAs(sb.id, (v) => v === expiresAt)).toBe(expiresAt);
    expect((await sweepSandboxes(env, Date.now() + 10 * 60_000)).woken).not.toContain(sb.id);
    const r = await sweepSandboxes(env, expiresAt + 1);
    expect(r.expired).toBe(1);
    expect(await env.REGISTRY.prepare('SELECT count(*) AS n FROM sandboxes WHERE id = ?').bind(sb.id).first('n')).toBe(0);
    expect((await req('GET', `/clusters/${sb.id}/api/v1/namespaces`, sb.token)).status).toBe(401);
  });

  it('a lost report is repaired: a row that says busy for an idle sandbox costs one wake', async () => {
    const sb = await create({ name: 'stale', workerNodes: 1 });
    await settle(sb.id);
    await reportedAs(sb.id, (v) => v === null);
    // As if the sandbox had gone idle while its report could not be written (and the DO was evicted
    // before its next alarm): the row and the DO's memory both still say busy.
    await env.REGISTRY.prepare('UPDATE sandboxes SET next_due = ? WHERE id = ?').bind(Date.now() - 1000, sb.id).run();
    await run(stubOf(sb.id), (i, s) => {
      s.storage.kv.put('kubedo.reported', { nextDue: Date.now() - 1000, at: Date.now() - 1000 });
      i.applyTenant();
    });
    const first = await sweepSandboxes(env, Date.now() + 2 * OVERDUE_GRACE_MS);
    expect(first.woken).toContain(sb.id);
    expect(await nextDue(sb.id)).toBeNull();
    expect((await sweepSandboxes(env, Date.now() + 2 * OVERDUE_GRACE_MS)).woken).not.toContain(sb.id);
  });

  it('a failed registry write is retried at the next arm and remembered only once it succeeded; none after delete', async () => {
    const sb = await create({ name: 'flaky', workerNodes: 1 });
    await settle(sb.id);
    const result = await run(stubOf(sb.id), async (_i, s) => {
      const writes: (number | null)[] = [];
      let down = true;
      const r = new LoadReporter(s.storage, async (v) => {
        writes.push(v);
        if (down) throw new Error('D1 unavailable');
      });
      const before = r.reported();
      const now = Date.now();
      r.observe(now + 5000, now);
      await r.settled();
      const afterFailure = { reported: r.reported(), stored: s.storage.kv.get('kubedo.reported') };
      down = false;
      r.observe(now + 5000, now + 10); // the next arm
      await r.settled();
      const afterRetry = { reported: r.reported(), stored: s.storage.kv.get('kubedo.reported') };
      r.close();
      r.observe(null, now + 20);
      await r.settled();
      return { before, afterFailure, afterRetry, writes, now };
    });
    expect(result.afterFailure.reported).toEqual(result.before);
    expect(result.afterRetry.reported).toEqual({ nextDue: result.now + 5000, at: result.now + 10 });
    expect(result.afterRetry.stored).toEqual(result.afterRetry.reported);
    // Two attempts, nothing after close().
    expect(result.writes).toEqual([result.now + 5000, result.now + 5000]);
  });
});
