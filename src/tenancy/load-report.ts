// Which sandboxes the cron watchdog must wake. An idle sandbox costs nothing, so the cron may not
// poll every sandbox: each Cluster DO tells the registry (D1 `sandboxes.next_due`) its earliest pending
// deadline, but only on transitions — idle ↔ busy, or when the reported value no longer says when it
// must be looked at — never per timer. The cron then wakes only rows whose `next_due` is overdue by
// more than OVERDUE_GRACE_MS (a live alarm would have run it by then), plus expired ones.
//
// Robust by construction: the reported state is remembered in the DO's storage only after D1 took the
// write, and every alarm (every arm of the control loop) compares again, so a lost or failed write is
// retried by the next alarm; a row that says "busy" for a sandbox that is not gets corrected by the
// one cron wake it causes.

/** What the registry row says, as the DO last wrote it. */
export interface Reported {
  /** ms since epoch; null: idle. */
  nextDue: number | null;
  /** When it was written (ms). */
  at: number;
}

/** The cron wakes a sandbox whose reported deadline is this much overdue: its own alarm should have run it. */
export const OVERDUE_GRACE_MS = 60_000;
/** Refreshing a stale (overdue but still busy) report: at most this often, so a busy sandbox writes D1 rarely. */
export const REFRESH_MS = 30_000;

export const NEVER_REPORTED: Reported = { nextDue: null, at: 0 };

/**
 * Should the DO write `next` (its earliest deadline now, null when it has none) to the registry?
 * Writes happen on idle↔busy transitions, when earlier work would hide behind a later report, and
 * (rate-limited) when the report went stale, so the cron neither misses nor needlessly wakes it.
 */
export function reportDue(last: Reported, next: number | null, now: number): boolean {
  if ((last.nextDue === null) !== (next === null)) return true;
  if (next === null || last.nextDue === null || next === last.nextDue) return false;
  // New work well before what the row says (a TTL sandbox reports its expiry while idle): a lost
  // alarm would otherwise go unnoticed until then.
  if (next < last.nextDue - OVERDUE_GRACE_MS) return true;
  // The reported deadline passed and a later one is pending: the cron would wake a healthy sandbox.
  if (last.nextDue < now) return now - last.at >= REFRESH_MS || next - now >= REFRESH_MS;
  return false;
}

const KEY = 'kubedo.reported';

/** The DO's side: watches its control loop's earliest deadline and writes the registry when due. */
export class LoadReporter {
  private last: Reported;
  private latest: number | null | undefined;
  private inflight: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly write: (nextDue: number | null) => Promise<void>,
  ) {
    this.last = storage.kv.get<Reported>(KEY) ?? NEVER_REPORTED;
  }

  /** The control loop computed its earliest deadline (every arm): report it if the registry must know. */
  observe(next: number | null, now = Date.now()): void {
    this.latest = next;
    if (this.closed || this.inflight || !reportDue(this.last, next, now)) return;
    this.inflight = this.flush(next, now);
  }

  private async flush(next: number | null, now: number): Promise<void> {
    let ok = false;
    try {
      await this.write(next);
      ok = !this.closed;
      if (ok) {
        this.last = { nextDue: next, at: now };
        this.storage.kv.put(KEY, this.last);
      }
    } catch (err) {
      // Retried at the next arm (alarm, request or cron wake): the stored state still differs.
      console.error('kubedo: reporting to the registry failed', err);
    } finally {
      this.inflight = undefined;
    }
    // The deadline moved while we were writing.
    if (ok && this.latest !== undefined && this.latest !== next) this.observe(this.latest);
  }

  /** The write in flight, if any (the cron's watchdog waits so that the row is current when it returns). */
  async settled(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

  /** The sandbox is being deleted: no more writes to its storage. */
  close(): void {
    this.closed = true;
  }

  /** What the registry row was last told (tests, diagnostics). */
  reported(): Reported {
    return this.last;
  }
}
