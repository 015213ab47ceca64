// kube-controller-manager's CronJob controller (pkg/controller/cronjob, batch/v1), level-triggered per
// "ns/name": tracks the CronJob's child Jobs in status.active, records SawCompletedJob and
// lastSuccessfulTime, prunes finished Jobs beyond the history limits (oldest first), and creates a Job
// named `<cronjob>-<scheduled time in minutes since the epoch>` for the most recent unmet schedule time,
// honouring suspend, startingDeadlineSeconds and concurrencyPolicy (Allow / Forbid / Replace).
//
// Time: kubedo-config's timeScale makes every controller timer faster, so the schedule is evaluated on a
// simulated clock that runs `timeScale` times faster from the CronJob's creationTimestamp:
//   simulatedNow = created + (now - created) * timeScale
// status.lastScheduleTime (and the job names) are simulated schedule times; the reconcile returns the
// real time of the next run, real = created + (simulatedNext - created) / timeScale, which arms the alarm.
// With timeScale 1 both clocks coincide.
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import type { StoredEvent } from '../durable/store';
import { clone } from '../registry/common';
import type { KObject, OwnerReference } from '../registry/types';
import { sandboxConfig } from './config';
import { splitKey, systemCall, type ClusterContext } from './context';
import { controllerRef, sortedJson } from './podutil';
import { eventRecorder } from './events';

const COMPONENT = 'cronjob-controller';
const API_VERSION = 'batch/v1';
const API = { group: 'batch', version: 'v1' } as const;
const SCHEDULED_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const ERROR_RETRY_MS = 5_000;
const MINUTE = 60_000;

interface ObjectRef {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: string;
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
}

// ---------------------------------------------------------------------------------------------
// Cron schedules (robfig/cron's standard parser: 5 fields, descriptors, @every, TZ= / CRON_TZ=).

interface FieldSchedule {
  kind: 'fields';
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  /** Either day field starts with * or ?: both must match (else either). */
  domStar: boolean;
  dowStar: boolean;
  tz: string;
}
interface EverySchedule {
  kind: 'every';
  ms: number;
}
export type Schedule = FieldSchedule | EverySchedule;

const NAMES: Record<string, number>[] = [
  {},
  {},
  {},
  { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
  { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 },
];
const BOUNDS: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseField(f: string, i: number): Set<number> {
  const [min, max] = BOUNDS[i];
  const num = (s: string) => {
    const n = NAMES[i][s.toLowerCase()] ?? Number(s);
    if (!Number.isInteger(n)) throw new Error(`bad cron value ${s}`);
    return n;
  };
  const out = new Set<number>();
  for (const expr of f.split(',').filter(Boolean)) {
    const [range, stepS] = expr.split('/');
    const [lo, hi] = range.split('-');
    let start: number, end: number;
    if (lo === '*' || lo === '?') [start, end] = [min, max];
    else {
      start = num(lo);
      end = hi !== undefined ? num(hi) : stepS !== undefined ? max : start;
    }
    const step = stepS !== undefined ? num(stepS) : 1;
    if (step <= 0 || start < min || end > max || start > end) throw new Error(`bad cron range ${expr}`);
    for (let v = start; v <= end; v += step) out.add(v);
  }
  return out;
}

/** Parses a schedule (timeZone: spec.timeZone, overridden by a TZ= prefix); undefined when invalid. */
export function parseSchedule(schedule: string, timeZone = 'UTC'): Schedule | undefined {
  try {
    let spec = schedule.trim();
    let tz = timeZone || 'UTC';
    const m = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(spec);
    if (m) [tz, spec] = [m[1], m[2].trim()];
    if (tz === 'Local') tz = 'UTC';
    if (spec.startsWith('@every ')) {
      const ms = goDurationMs(spec.slice(7).trim());
      return ms !== undefined && ms > 0 ? { kind: 'every', ms: Math.max(1000, Math.floor(ms / 1000) * 1000) } : undefined;
    }
    spec = DESCRIPTORS[spec] ?? spec;
    const fields = spec.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) return undefined;
    if (tz !== 'UTC') new Intl.DateTimeFormat('en-US', { timeZone: tz }); // throws on an unknown zone
    const sets = fields.map(parseField);
    return {
      kind: 'fields',
      minute: sets[0],
      hour: sets[1],
      dom: sets[2],
      month: sets[3],
      dow: sets[4],
      domStar: fields[2].startsWith('*') || fields[2].startsWith('?'),
      dowStar: fields[4].startsWith('*') || fields[4].startsWith('?'),
      tz,
    };
  } catch {
    return undefined;
  }
}

function goDurationMs(s: string): number | undefined {
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: MINUTE, h: 3_600_000 };
  if (!/^((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The UTC offset (ms) of `tz` at instant t. */
function offsetAt(tz: string, t: number): number {
  if (tz === 'UTC') return 0;
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  return wall - Math.floor(t / 1000) * 1000;
}

/** The first schedule time strictly after instant t (ms), or undefined if none within 5 years. */
export function nextAfter(s: Schedule, t: number): number | undefined {
  if (s.kind === 'every') return t + s.ms;
  // Search on the wall clock of the zone (a Date whose UTC fields are the local fields).
  const off = offsetAt(s.tz, t);
  const d = new Date(Math.floor((t + off) / MINUTE) * MINUTE + MINUTE);
  const limit = d.getTime() + 5 * 366 * 24 * 3_600_000;
  while (d.getTime() < limit) {
    if (!s.month.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    const domOk = s.dom.has(d.getUTCDate());
    const dowOk = s.dow.has(d.getUTCDay());
    if (!(s.domStar || s.dowStar ? domOk && dowOk : domOk || dowOk)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hour.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minute.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    // Wall clock → instant (twice, for offsets that change around it).
    const wall = d.getTime();
    let inst = wall - offsetAt(s.tz, wall);
    inst = wall - offsetAt(s.tz, inst);
    if (inst > t) return inst;
    d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
  }
  return undefined;
}

/** The most recent schedule time in (earliest, now], or undefined (getMostRecentScheduleTime). */
export function mostRecent(s: Schedule, earliest: number, now: number): number | undefined {
  if (now <= earliest) return undefined;
  if (s.kind === 'every') {
    const k = Math.floor((now - earliest) / s.ms);
    return k >= 1 ? earliest + k * s.ms : undefined;
  }
  // Look back in growing windows; the first window holding a time holds the most recent one.
  for (const w of [MINUTE, 3_600_000, 86_400_000, 32 * 86_400_000, 367 * 86_400_000, Infinity]) {
    const start = Math.max(earliest, now - w);
    let t = nextAfter(s, start);
    if (t === undefined || t > now) {
      if (start === earliest) return undefined;
      continue;
    }
    for (let n = 0; n < 1_000_000; n++) {
      const u = nextAfter(s, t);
      if (u === undefined || u > now) break;
      t = u;
    }
    return t;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The controller

const isCronJobRef = (r: OwnerReference | undefined): r is OwnerReference => !!r && r.kind === 'CronJob' && r.apiVersion.split('/')[0] === 'batch';

/** The finished condition of a Job (Complete or Failed, status True), if any. */
function finishedType(job: KObject): 'Complete' | 'Failed' | undefined {
  for (const c of ((job.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}


const objectRef = (job: KObject): ObjectRef => ({
  kind: 'Job',
  namespace: job.metadata.namespace,
  name: job.metadata.name,
  uid: job.metadata.uid,
  apiVersion: API_VERSION,
  resourceVersion: job.metadata.resourceVersion,
});

const startOf = (j: KObject): number =>
  Date.parse(((j.status ?? {}) as { startTime?: string }).startTime ?? '') || Date.parse(j.metadata.creationTimestamp ?? '') || 0;

export function cronJobController(ctx: ClusterContext): Controller {
  const recorder = eventRecorder(ctx, COMPONENT);
  const event = (cj: KObject, type: 'Normal' | 'Warning', reason: string, message: string) => recorder.event(cj, 'CronJob', API_VERSION, type, reason, message);
  const failures = new Map<string, number>();

  function deleteJob(cj: KObject, job: KObject): boolean {
    const r = systemCall(ctx, COMPONENT, {
      ...API,
      resource: 'jobs',
      verb: 'delete',
      namespace: job.metadata.namespace,
      name: job.metadata.name,
      body: { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } },
    });
    if (r.status < 300) {
      event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
      return true;
    }
    if (r.status === 404) return true;
    event(cj, 'Warning', 'FailedDelete', `Deleted job: ${String((r.body as { message?: string } | undefined)?.message ?? r.status)}`);
    return false;
  }

  return {
    name: 'cronjob',
    keysFor(e: StoredEvent) {
      if (e.resource === 'cronjobs.batch' || e.resource === 'cronjobs') return [`${e.namespace}/${e.name}`];
      if (e.resource !== 'jobs.batch' && e.resource !== 'jobs') return [];
      const keys = new Set<string>();
      for (const ref of [controllerRef(e.object), controllerRef(e.prev)]) if (isCronJobRef(ref)) keys.add(`${e.namespace}/${ref.name}`);
      return [...keys];
    },
    reconcile(key, now) {
      const { namespace, name } = splitKey(key);
      const cj = ctx.store.get('cronjobs.batch', namespace, name);
      if (!cj) {
        failures.delete(key);
        return;
      }
      const spec = (cj.spec ?? {}) as CronJobSpec;
      const status = clone((cj.status ?? {}) as Record<string, unknown>);
      const uid = cj.metadata.uid;
      let error = false;

      // Child jobs: reconcile status.active and lastSuccessfulTime.
      const children = [...ctx.store.list('jobs.batch', { namespace })].filter((j) => controllerRef(j)?.uid === uid);
      const byUid = new Map(children.map((j) => [j.metadata.uid, j]));
      const prevRefs = new Map(((status.active ?? []) as ObjectRef[]).map((r) => [r.uid, r]));
      let active: ObjectRef[] = [];
      for (const j of children) {
        const fin = finishedType(j);
        if (!fin) {
          active.push(prevRefs.get(j.metadata.uid) ?? objectRef(j));
          continue;
        }
        if (prevRefs.has(j.metadata.uid)) event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${fin}`);
        if (fin === 'Complete') {
          const done = ((j.status ?? {}) as { completionTime?: string }).completionTime;
          const last = status.lastSuccessfulTime as string | undefined;
          if (done && (!last || Date.parse(done) > Date.parse(last))) status.lastSuccessfulTime = done;
        }
      }
      // Keep refs to jobs no longer in the store out (upstream drops refs of missing jobs).
      active = active.filter((r) => byUid.has(r.uid));

      if (!cj.metadata.deletionTimestamp) {
        // History limits: delete the oldest finished jobs beyond each limit.
        const prune = (type: 'Complete' | 'Failed', limit: number | undefined) => {
          if (typeof limit !== 'number') return;
          const done = children.filter((j) => finishedType(j) === type && !j.metadata.deletionTimestamp);
          done.sort((a, b) => startOf(a) - startOf(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
          for (const j of done.slice(0, Math.max(0, done.length - limit))) if (!deleteJob(cj, j)) error = true;
        };
        prune('Complete', spec.successfulJobsHistoryLimit);
        prune('Failed', spec.failedJobsHistoryLimit);
      }

      // Scheduling on the simulated clock.
      const { timeScale } = sandboxConfig(ctx.store);
      const created = Date.parse(cj.metadata.creationTimestamp ?? '') || now;
      const simNow = created + (now - created) * timeScale;
      const toReal = (sim: number) => created + (sim - created) / timeScale;
      const schedule = parseSchedule(spec.schedule ?? '', spec.timeZone);
      let nextSim: number | undefined;
      if (!schedule) {
        event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule ?? '')}`);
      } else if (!cj.metadata.deletionTimestamp && spec.suspend !== true) {
        nextSim = nextAfter(schedule, simNow);
        const last = Date.parse((status.lastScheduleTime as string | undefined) ?? '');
        let earliest = Number.isFinite(last) ? last : created;
        const deadline = spec.startingDeadlineSeconds;
        if (typeof deadline === 'number') earliest = Math.max(earliest, simNow - deadline * 1000);
        const scheduled = mostRecent(schedule, earliest, simNow);
        const policy = spec.concurrencyPolicy ?? 'Allow';
        if (scheduled !== undefined && !(policy === 'Forbid' && active.length > 0)) {
          if (policy === 'Replace') {
            for (const r of active) {
              const j = byUid.get(r.uid);
              if (j && !deleteJob(cj, j)) error = true;
            }
            active = [];
          }
          const tm = spec.jobTemplate?.metadata ?? {};
          const jobName = `${name}-${Math.floor(scheduled / MINUTE)}`;
          const body = {
            apiVersion: API_VERSION,
            kind: 'Job',
            metadata: {
              name: jobName,
              namespace,
              labels: { ...(tm.labels ?? {}) },
              annotations: { ...(tm.annotations ?? {}), [SCHEDULED_ANNOTATION]: nowTimestamp(scheduled) },
              ownerReferences: [{ apiVersion: API_VERSION, kind: 'CronJob', name, uid, controller: true, blockOwnerDeletion: true }],
            },
            spec: clone(spec.jobTemplate?.spec ?? {}),
          };
          const r = systemCall(ctx, COMPONENT, { ...API, resource: 'jobs', verb: 'create', namespace, body });
          if (r.status < 300) {
            const job = r.body as KObject;
            event(cj, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
            if (!finishedType(job)) active.push(objectRef(job));
            status.lastScheduleTime = nowTimestamp(scheduled);
          } else if (r.status === 409 && controllerRef(ctx.store.get('jobs.batch', namespace, jobName))?.uid === uid) {
            status.lastScheduleTime = nowTimestamp(scheduled); // already created for this time
          } else {
            event(cj, 'Warning', 'FailedCreate', `Error creating job: ${String((r.body as { message?: string } | undefined)?.message ?? r.status)}`);
            error = true;
          }
        }
      }

      if (active.length) status.active = active;
      else delete status.active;
      if (sortedJson(status) !== sortedJson(cj.status ?? {})) {
        const r = systemCall(ctx, COMPONENT, { ...API, resource: 'cronjobs', verb: 'update', subresource: 'status', namespace, name, body: { ...cj, status } });
        if (r.status >= 300) error = true;
      }

      let next = nextSim !== undefined ? Math.max(now + 1, Math.ceil(toReal(nextSim))) : undefined;
      if (error) {
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        next = Math.min(next ?? Infinity, now + Math.min(ERROR_RETRY_MS * 2 ** (n - 1), 5 * 60_000));
      } else failures.delete(key);
      return next;
    },
  };
}
