// The simulated kubelet's pod lifecycle as a pure, time-driven model.
//
// Given a pod, the node it is bound to and the time it was bound, `podStatusAt` answers what a real kubelet
// would report at any later instant: phase, conditions, init/regular container statuses, restart counts,
// CrashLoopBackOff back-off, probes, plus the events it would have emitted and the next instant at which
// anything changes (so the caller arms exactly one alarm, and none for a steady pod).
//
// Semantics follow pkg/kubelet: kuberuntime's SyncPod (init containers in order, sidecars = restartable init
// containers, serialized image pulls), flowcontrol.Backoff for restarts (10s doubling to 5m, reset after the
// container stayed up for 10m), the prober (initialDelaySeconds, periodSeconds, failureThreshold), getPhase and
// the condition generators of pkg/kubelet/status. The history is recomputed from `boundAt` on every call, so a
// late evaluation (after the Durable Object slept) sees exactly what an on-time one would have.

import type { Container, ContainerState, ContainerStatus, Node, Pod, PodCondition, PodStatus, Probe } from 'kubernetes-types/core/v1';
import { durationKnob, inferRun, intKnob } from './knobs';
import { formatGoDuration, hashHex, imageID, imageSize, normalizeImage, rfc3339 } from './util';

/** kubelet's container restart back-off (pkg/kubelet: backOffPeriod, MaxContainerBackOff). */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** Image pull time when `kubedo.dev/image-pull` is not set. */
export const DEFAULT_IMAGE_PULL_MS = 1000;
/** A re-pull of an image already on the node (imagePullPolicy Always) takes at most this long. */
export const REPULL_MAX_MS = 500;
/** How long a regular init container runs when nothing says otherwise (it must complete for the pod to start). */
export const DEFAULT_INIT_RUN_MS = 1000;
/** How long a Job's container runs when nothing says otherwise (exit 0, so Jobs complete). */
export const DEFAULT_JOB_RUN_MS = 3000;
/** kuberuntime's minimumGracePeriodInSeconds. */
export const MIN_GRACE_MS = 2000;

/** One event the kubelet records (source component `kubelet`, host = node name). */
export interface SimEvent {
  /** When it happened (ms since epoch). */
  at: number;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** involvedObject.fieldPath, e.g. `spec.containers{nginx}`; absent for pod-level events. */
  fieldPath?: string;
  container?: string;
}

export interface LifecycleOptions {
  podIP: string;
  hostIP: string;
  /** Divides every simulated duration (10 → ten times faster). Default 1. */
  timeScale?: number;
  /** Return only events with `eventsSince < at <= now` (the previous evaluation time); default: all. */
  eventsSince?: number;
  /**
   * When the kubelet saw the deletion (graceful termination starts). Defaults to
   * `metadata.deletionTimestamp - deletionGracePeriodSeconds` when the pod carries a deletionTimestamp.
   */
  deletionStartedAt?: number;
  /** Pull time when the pod has no `kubedo.dev/image-pull` knob (ms, unscaled). */
  defaultImagePullMs?: number;
}

type Kind = 'init' | 'sidecar' | 'main';

/** One run (one runtime container) of a pod's container. */
export interface Run {
  /** restartCount while this run is the current one. */
  attempt: number;
  containerID: string;
  startedAt: number;
  /** `started` becomes true (startup probe passed). */
  startupAt: number;
  /** `ready` becomes true; Infinity when never. */
  readyAt: number;
  /** When it exited; undefined while it runs (forever, or past the simulated window). */
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  /** Stopped from outside (deletion, deadline, pod completion for sidecars), not by itself. */
  stopped?: boolean;
}

/** A CrashLoopBackOff window: the container stays `waiting` from `from` to `to`. */
export interface BackoffWait {
  from: number;
  to: number;
  backoffMs: number;
}

export interface ContainerTimeline {
  name: string;
  kind: Kind;
  /** When the kubelet first works on it (pull); undefined: not reached (yet). */
  reachedAt?: number;
  runs: Run[];
  waits: BackoffWait[];
  /** The container exited for good: no restart follows. */
  doneAt?: number;
  /** Nothing more will happen to it (exited for good, or stopped with the pod). */
  settled?: boolean;
}

export interface PodTimeline {
  boundAt: number;
  sandboxAt: number;
  /** Every regular init container succeeded and every sidecar started: regular containers start. */
  initDoneAt?: number;
  /** Init containers (spec order), then regular containers (spec order). */
  containers: ContainerTimeline[];
  /** The kubelet stops every container: deletion or activeDeadlineSeconds. */
  killAt?: number;
  killReason?: 'Deleted' | 'DeadlineExceeded';
  /** Every container has stopped for good: the pod is terminal. */
  terminalAt?: number;
  /** A deleted pod is fully stopped: the kubelet removes it from the API (delete with grace 0). */
  removeAt?: number;
  /** Every instant at which something changes (status or events); unsorted. */
  points: number[];
  events: SimEvent[];
}

export interface PodStatusResult {
  status: PodStatus;
  /** The next instant the status changes or an event is due; undefined when nothing will happen by itself. */
  nextChangeAt?: number;
  events: SimEvent[];
  /** Set for a deleted pod: when the kubelet removes it (its containers have all stopped). */
  removeAt?: number;
  timeline: PodTimeline;
}

interface Liveness {
  failAfterMs: number;
  initialDelayMs: number;
  periodMs: number;
  threshold: number;
  failMessage: string;
  graceMs: number;
}

interface Plan {
  name: string;
  kind: Kind;
  spec: Container;
  fieldPath: string;
  image: string;
  pullPolicy: string;
  pullMs: number;
  repullMs: number;
  /** undefined: the process runs until stopped. */
  run?: { afterMs: number; exitCode: number };
  readyDelayMs: number;
  startupDelayMs: number;
  liveness?: Liveness;
  shutdownMs: number;
  restartPolicy: string;
}

interface Ctx {
  pod: Pod;
  podRef: string;
  uid: string;
  scale: number;
  events: SimEvent[];
  points: number[];
  /** normalized image → when this pod first had it on the node */
  pulled: Map<string, number>;
  /** fast-forward crash loops only before this instant (events before it are not wanted) */
  ffLimit: number;
  podIP: string;
}

// ---------------------------------------------------------------------------------------------------------
// Plans: what each container will do, from its spec and the knobs.

function defaultPullPolicy(image: string): string {
  const norm = normalizeImage(image);
  if (norm.includes('@')) return 'IfNotPresent';
  return norm.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

function isJobPod(pod: Pod): boolean {
  if (pod.metadata?.ownerReferences?.some((o) => o.kind === 'Job')) return true;
  const labels = pod.metadata?.labels ?? {};
  return 'batch.kubernetes.io/job-name' in labels || 'job-name' in labels;
}

function probeFailMessage(p: Probe | undefined, podIP: string): string {
  if (p?.tcpSocket) return `dial tcp ${podIP}:${p.tcpSocket.port}: connect: connection refused`;
  if (p?.grpc) return 'service unhealthy (responded with "NOT_SERVING")';
  if (p?.exec) return '';
  return 'HTTP probe failed with statuscode: 500';
}

function secondsMs(s: number | undefined, fallback: number, scale: number): number {
  return ((s ?? fallback) * 1000) / scale;
}

function planFor(pod: Pod, c: Container, kind: Kind, scale: number, opts: LifecycleOptions): Plan {
  const name = c.name;
  const image = c.image ?? '';
  const pullKnob = durationKnob(pod, 'image-pull', name);
  const pullMs = (pullKnob ?? opts.defaultImagePullMs ?? DEFAULT_IMAGE_PULL_MS) / scale;
  const exitAfter = durationKnob(pod, 'exit-after', name);
  const exitCode = intKnob(pod, 'exit-code', name);
  const inferred = inferRun(c);
  let run: Plan['run'];
  if (exitAfter !== undefined) run = { afterMs: exitAfter / scale, exitCode: exitCode ?? 0 };
  else if (exitCode !== undefined) run = { afterMs: inferred.kind === 'exits' ? inferred.afterMs / scale : 0, exitCode };
  else if (inferred.kind === 'exits') run = { afterMs: inferred.afterMs / scale, exitCode: inferred.exitCode };
  else if (inferred.kind === 'unknown' && kind === 'init') run = { afterMs: DEFAULT_INIT_RUN_MS / scale, exitCode: 0 };
  else if (inferred.kind === 'unknown' && kind === 'main' && isJobPod(pod)) run = { afterMs: DEFAULT_JOB_RUN_MS / scale, exitCode: 0 };
  if (run) run.exitCode = ((run.exitCode % 256) + 256) % 256;

  const podGrace = pod.spec?.terminationGracePeriodSeconds;
  let readyDelayMs = 0;
  let startupDelayMs = 0;
  let liveness: Liveness | undefined;
  if (kind !== 'init') {
    const readyAfter = durationKnob(pod, 'ready-after', name);
    readyDelayMs = readyAfter !== undefined ? readyAfter / scale : c.readinessProbe ? secondsMs(c.readinessProbe.initialDelaySeconds, 0, scale) : 0;
    if (c.startupProbe) startupDelayMs = secondsMs(c.startupProbe.initialDelaySeconds, 0, scale);
    const failAfter = durationKnob(pod, 'fail-liveness-after', name);
    if (failAfter !== undefined) {
      const p = c.livenessProbe;
      liveness = {
        failAfterMs: failAfter / scale,
        initialDelayMs: secondsMs(p?.initialDelaySeconds, 0, scale),
        periodMs: secondsMs(Math.max(p?.periodSeconds ?? 10, 1), 10, scale),
        threshold: Math.max(p?.failureThreshold ?? 3, 1),
        failMessage: probeFailMessage(p, opts.podIP),
        graceMs: Math.max(secondsMs(p?.terminationGracePeriodSeconds ?? podGrace, 30, scale), MIN_GRACE_MS / scale),
      };
    }
  }
  const preStopSleep = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
  const shutdownMs = ((durationKnob(pod, 'shutdown-after', name) ?? 0) + preStopSleep * 1000) / scale;
  return {
    name,
    kind,
    spec: c,
    fieldPath: kind === 'main' ? `spec.containers{${name}}` : `spec.initContainers{${name}}`,
    image,
    pullPolicy: c.imagePullPolicy ?? defaultPullPolicy(image),
    pullMs,
    repullMs: Math.min(pullMs, REPULL_MAX_MS / scale),
    run,
    readyDelayMs,
    startupDelayMs,
    liveness,
    shutdownMs,
    restartPolicy: kind === 'sidecar' ? 'Always' : pod.spec?.restartPolicy ?? 'Always',
  };
}

// ---------------------------------------------------------------------------------------------------------
// Simulation of one container: pulls, runs, exits, restarts with back-off.

/** client-go's flowcontrol.Backoff for one key, as kuberuntime's doBackOff uses it. */
class Backoff {
  b: number | undefined;
  last = 0;
  constructor(
    readonly initial: number,
    readonly max: number,
  ) {}
  private expired(ev: number) {
    return ev - this.last > 2 * this.max;
  }
  inBackOffSince(ev: number, now: number): boolean {
    if (this.b === undefined || this.expired(ev)) return false;
    return now - ev < this.b;
  }
  next(ev: number, now: number) {
    this.b = this.b === undefined || this.expired(ev) ? this.initial : Math.min(this.b * 2, this.max);
    this.last = now;
  }
}

interface Bounds {
  /** SIGTERM for whatever runs at this instant; nothing starts from then on. */
  stopAt: number;
  /** SIGKILL deadline for the stop. */
  hardKillAt: number;
  /** simulate up to here (then record the next pending instant and stop) */
  until: number;
}

function emit(ctx: Ctx, plan: Plan, at: number, type: SimEvent['type'], reason: string, message: string) {
  ctx.events.push({ at, type, reason, message, fieldPath: plan.fieldPath, container: plan.name });
  ctx.points.push(at);
}

/** The image pull before a start attempt; returns its duration. */
function pull(ctx: Ctx, plan: Plan, t: number): number {
  const norm = normalizeImage(plan.image);
  const have = ctx.pulled.get(norm);
  const present = have !== undefined && have <= t;
  if (plan.pullPolicy === 'Never' || (plan.pullPolicy === 'IfNotPresent' && present)) {
    emit(ctx, plan, t, 'Normal', 'Pulled', `Container image "${plan.image}" already present on machine`);
    return 0;
  }
  const ms = present ? plan.repullMs : plan.pullMs;
  emit(ctx, plan, t, 'Normal', 'Pulling', `Pulling image "${plan.image}"`);
  const d = formatGoDuration(Math.floor(ms));
  emit(ctx, plan, t + ms, 'Normal', 'Pulled', `Successfully pulled image "${plan.image}" in ${d} (${d} including waiting). Image size: ${imageSize(plan.image)} bytes.`);
  if (have === undefined || have > t + ms) ctx.pulled.set(norm, t + ms);
  return ms;
}

function simulateContainer(ctx: Ctx, plan: Plan, firstAt: number, bounds: Bounds): ContainerTimeline {
  const tl: ContainerTimeline = { name: plan.name, kind: plan.kind, reachedAt: firstAt, runs: [], waits: [] };
  const backoff = new Backoff(BACKOFF_INITIAL_MS / ctx.scale, BACKOFF_MAX_MS / ctx.scale);
  const { stopAt, hardKillAt, until } = bounds;
  const podFmt = ctx.podRef;
  let t = firstAt;
  let attempt = 0;
  let prevFinish: number | undefined;
  let prevStart: number | undefined;
  let prevCycle: number | undefined;
  ctx.points.push(firstAt);
  for (;;) {
    if (t >= stopAt) {
      tl.settled = true;
      break;
    }
    if (t > until) {
      ctx.points.push(t);
      break;
    }
    // Fast-forward a saturated crash loop (identical cycles) up to the window the caller cares about.
    if (prevStart !== undefined) {
      const cycle = t - prevStart;
      if (prevCycle !== undefined && backoff.b === backoff.max && Math.abs(cycle - prevCycle) < 1e-6 && cycle > 0) {
        const k = Math.floor((Math.min(ctx.ffLimit, stopAt) - t) / cycle) - 2;
        if (k > 0) {
          t += k * cycle;
          attempt += k;
          backoff.last += k * cycle;
          if (prevFinish !== undefined) prevFinish += k * cycle;
        }
      }
      prevCycle = cycle;
    }
    prevStart = t;

    const pullMs = pull(ctx, plan, t);
    const s = t + pullMs;
    if (s >= stopAt) {
      tl.settled = true; // stopped while pulling: never created
      break;
    }
    const containerID = `containerd://${hashHex(`${ctx.uid}/${plan.name}/${attempt}`)}`;
    emit(ctx, plan, s, 'Normal', 'Created', `Created container: ${plan.name}`);
    emit(ctx, plan, s, 'Normal', 'Started', `Started container ${plan.name}`);
    const startupAt = s + plan.startupDelayMs;
    const run: Run = { attempt, containerID, startedAt: s, startupAt, readyAt: plan.kind === 'init' ? Infinity : Math.max(startupAt, s + plan.readyDelayMs) };
    tl.runs.push(run);

    // How the run ends by itself: the process exits, or liveness kills it.
    const exitAt = plan.run ? s + plan.run.afterMs : Infinity;
    let end = exitAt;
    let code = plan.run?.exitCode ?? 0;
    let byLiveness = false;
    const lv = plan.liveness;
    const probeTicks: number[] = [];
    let killAt = Infinity;
    if (lv) {
      const t0 = Math.max(s + lv.initialDelayMs, startupAt);
      const failFrom = s + lv.failAfterMs;
      const firstFail = failFrom <= t0 ? t0 : t0 + Math.ceil((failFrom - t0) / lv.periodMs - 1e-9) * lv.periodMs;
      for (let i = 0; i < lv.threshold; i++) probeTicks.push(firstFail + i * lv.periodMs);
      killAt = probeTicks[probeTicks.length - 1];
      if (killAt < exitAt) {
        byLiveness = true;
        const graceful = plan.shutdownMs <= lv.graceMs;
        end = killAt + (graceful ? plan.shutdownMs : lv.graceMs);
        code = graceful ? 0 : 137;
      }
    }
    // Liveness events up to the earliest of: natural exit, SIGTERM from outside.
    const eventsUntil = Math.min(exitAt, stopAt);
    for (const tick of probeTicks) {
      if (tick >= eventsUntil) break;
      emit(ctx, plan, tick, 'Warning', 'Unhealthy', `Liveness probe failed: ${lv!.failMessage}`);
    }
    if (byLiveness && killAt < stopAt) {
      const msg = plan.restartPolicy === 'Never' ? `Container ${plan.name} failed liveness probe` : `Container ${plan.name} failed liveness probe, will be restarted`;
      emit(ctx, plan, killAt, 'Normal', 'Killing', msg);
    }
    // Stopped from outside (deletion, deadline, pod completion for sidecars) before it ends by itself.
    const selfStop = byLiveness ? killAt : end;
    if (stopAt < selfStop) {
      emit(ctx, plan, stopAt, 'Normal', 'Killing', `Stopping container ${plan.name}`);
      const graceful = stopAt + plan.shutdownMs <= hardKillAt;
      run.finishedAt = graceful ? stopAt + plan.shutdownMs : hardKillAt;
      run.exitCode = graceful ? 0 : 137;
      run.reason = graceful ? 'Completed' : 'Error';
      run.stopped = true;
      ctx.points.push(run.finishedAt, run.startupAt);
      if (Number.isFinite(run.readyAt) && run.readyAt < run.finishedAt) ctx.points.push(run.readyAt);
      tl.doneAt = run.finishedAt;
      tl.settled = true;
      break;
    }
    ctx.points.push(run.startupAt);
    if (Number.isFinite(run.readyAt) && run.readyAt < end) ctx.points.push(run.readyAt);
    if (end === Infinity) break; // runs until stopped
    run.finishedAt = end;
    run.exitCode = code;
    run.reason = code === 0 ? 'Completed' : 'Error';
    ctx.points.push(end);
    const before = prevFinish;
    prevFinish = end;
    if (end > until) break; // the next change is this exit

    // Restart? (computePodActions: liveness failures restart unless Never; otherwise the restart policy.)
    let restart: boolean;
    if (plan.kind === 'sidecar') restart = true;
    else if (plan.kind === 'init') restart = code !== 0 && plan.restartPolicy !== 'Never';
    else if (byLiveness) restart = plan.restartPolicy !== 'Never';
    else restart = plan.restartPolicy === 'Always' || (plan.restartPolicy === 'OnFailure' && code !== 0);
    if (!restart) {
      tl.doneAt = end;
      tl.settled = true;
      break;
    }
    // doBackOff: the reference is the finish time of the latest exited container the sync knows about.
    const ref = byLiveness ? before : end;
    if (ref !== undefined && backoff.inBackOffSince(ref, end)) {
      const b = backoff.b!;
      const to = end + b;
      tl.waits.push({ from: end, to: Math.min(to, stopAt), backoffMs: b });
      emit(ctx, plan, end, 'Warning', 'BackOff', `Back-off restarting failed container ${plan.name} in pod ${podFmt}`);
      ctx.points.push(Math.min(to, stopAt));
      backoff.next(end, to);
      t = to;
    } else {
      if (ref !== undefined) backoff.next(ref, end);
      t = end;
    }
    attempt++;
  }
  return tl;
}

// ---------------------------------------------------------------------------------------------------------
// The pod: init sequence, regular containers, completion, deletion.

function scaleOf(opts: LifecycleOptions): number {
  const s = opts.timeScale;
  return s !== undefined && Number.isFinite(s) && s > 0 ? s : 1;
}

function deletionStart(pod: Pod, opts: LifecycleOptions, boundAt: number): number | undefined {
  let d = opts.deletionStartedAt;
  if (d === undefined && pod.metadata?.deletionTimestamp) {
    const ts = Date.parse(pod.metadata.deletionTimestamp);
    if (!Number.isNaN(ts)) d = ts - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  }
  return d === undefined ? undefined : Math.max(d, boundAt);
}

function podRefOf(pod: Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

/** Runs `fn` with fresh event/point lists and hands them back instead of recording them. */
function capture<T>(ctx: Ctx, fn: () => T): [T, { events: SimEvent[]; points: number[] }] {
  const events = ctx.events;
  const points = ctx.points;
  ctx.events = [];
  ctx.points = [];
  try {
    const out = fn();
    return [out, { events: ctx.events, points: ctx.points }];
  } finally {
    ctx.events = events;
    ctx.points = points;
  }
}

/** Simulates the pod from `boundAt` far enough to know everything up to `until` and the next change after it. */
export function simulatePod(pod: Pod, boundAt: number, until: number, opts: LifecycleOptions): PodTimeline {
  const scale = scaleOf(opts);
  const ctx: Ctx = {
    pod,
    podRef: podRefOf(pod),
    uid: pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`,
    scale,
    events: [],
    points: [],
    pulled: new Map(),
    ffLimit: opts.eventsSince !== undefined ? Math.min(opts.eventsSince, until) : -Infinity,
    podIP: opts.podIP,
  };
  const spec = pod.spec ?? { containers: [] };
  const sandboxAt = boundAt;
  ctx.points.push(boundAt, sandboxAt);
  const specGrace = Math.max(secondsMs(spec.terminationGracePeriodSeconds, 30, scale), MIN_GRACE_MS / scale);

  // Deletion and activeDeadlineSeconds stop the whole pod.
  let killAt: number | undefined;
  let killReason: PodTimeline['killReason'];
  let killGrace = specGrace;
  const del = deletionStart(pod, opts, boundAt);
  if (del !== undefined) {
    killAt = del;
    killReason = 'Deleted';
    const g = pod.metadata?.deletionGracePeriodSeconds;
    if (g !== undefined) killGrace = Math.max((g * 1000) / scale, MIN_GRACE_MS / scale);
  }
  if (spec.activeDeadlineSeconds !== undefined) {
    const ads = boundAt + (spec.activeDeadlineSeconds * 1000) / scale;
    if (killAt === undefined || ads < killAt) {
      killAt = ads;
      killReason = 'DeadlineExceeded';
      killGrace = specGrace;
    }
  }
  if (killAt !== undefined) ctx.points.push(killAt);
  const stop0 = killAt ?? Infinity;
  const hard0 = killAt !== undefined ? killAt + killGrace : Infinity;

  const initPlans = (spec.initContainers ?? []).map((c) => planFor(pod, c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', scale, opts));
  const mainPlans = (spec.containers ?? []).map((c) => planFor(pod, c, 'main', scale, opts));
  if (killReason === 'DeadlineExceeded') {
    ctx.events.push({ at: killAt!, type: 'Normal', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
  }

  // Init containers in order; a sidecar lets the next one start once it has started.
  const initTimelines: (ContainerTimeline | undefined)[] = [];
  let cursor: number | undefined = sandboxAt;
  let initFailedAt: number | undefined;
  const sidecarFirstPass = new Map<number, { events: SimEvent[]; points: number[] }>();
  for (let i = 0; i < initPlans.length; i++) {
    const plan = initPlans[i];
    if (cursor === undefined || cursor >= stop0) {
      initTimelines.push(undefined);
      cursor = undefined;
      continue;
    }
    const at: number = cursor;
    if (plan.kind === 'sidecar') {
      // First pass without knowing when the regular containers finish; redone below if they do.
      const [tl, captured] = capture<ContainerTimeline>(ctx, () => simulateContainer(ctx, plan, at, { stopAt: stop0, hardKillAt: hard0, until }));
      sidecarFirstPass.set(i, captured);
      initTimelines.push(tl);
      const ok: Run | undefined = tl.runs.find((r: Run) => r.startupAt < (r.finishedAt ?? Infinity));
      cursor = ok ? ok.startupAt : undefined;
      continue;
    }
    const tl = simulateContainer(ctx, plan, at, { stopAt: stop0, hardKillAt: hard0, until });
    initTimelines.push(tl);
    const ok = tl.runs.find((r) => r.exitCode === 0 && r.finishedAt !== undefined && !r.stopped);
    cursor = ok ? ok.finishedAt : undefined;
    if (!ok && tl.doneAt !== undefined && !tl.runs[tl.runs.length - 1]?.stopped) initFailedAt = tl.doneAt;
  }
  const initDoneAt = cursor;
  if (initDoneAt !== undefined) ctx.points.push(initDoneAt);

  // Regular containers: one sync starts them in order, pulls serialized.
  const mainTimelines: (ContainerTimeline | undefined)[] = [];
  let next: number | undefined = initDoneAt;
  for (const plan of mainPlans) {
    if (next === undefined || next >= stop0) {
      mainTimelines.push(undefined);
      next = undefined;
      continue;
    }
    const tl = simulateContainer(ctx, plan, next, { stopAt: stop0, hardKillAt: hard0, until });
    mainTimelines.push(tl);
    next = tl.runs[0]?.startedAt;
  }

  // Natural completion (restartPolicy Never/OnFailure, or a failed init container with Never).
  let naturalStop: number | undefined;
  if (initFailedAt !== undefined) naturalStop = initFailedAt;
  else if (mainTimelines.length > 0 && mainTimelines.every((tl) => tl?.doneAt !== undefined)) {
    naturalStop = Math.max(...mainTimelines.map((tl) => tl!.doneAt!));
  }

  // Sidecars stop after the regular containers: at pod completion, or once the regular containers have
  // stopped after a deletion (SIGKILL at the overall deadline). Re-simulate them with that bound.
  let sidecarStop: number | undefined;
  let sidecarHard = Infinity;
  if (naturalStop !== undefined && (killAt === undefined || naturalStop < killAt)) {
    sidecarStop = naturalStop;
    sidecarHard = naturalStop + specGrace;
  } else if (killAt !== undefined) {
    const mainEnds = mainTimelines.map((tl) => (tl ? (tl.runs[tl.runs.length - 1]?.finishedAt ?? killAt) : killAt));
    sidecarStop = Math.max(killAt!, ...mainEnds);
    sidecarHard = hard0;
  }
  if (sidecarStop !== undefined) ctx.points.push(sidecarStop);
  initPlans.forEach((plan, i) => {
    const first = sidecarFirstPass.get(i);
    if (!first) return;
    const old = initTimelines[i]!;
    if (sidecarStop === undefined) {
      ctx.events.push(...first.events);
      ctx.points.push(...first.points);
      return;
    }
    initTimelines[i] = simulateContainer(ctx, plan, old.reachedAt!, { stopAt: Math.min(sidecarStop, hard0), hardKillAt: Math.min(sidecarHard, hard0), until });
  });

  const containers: ContainerTimeline[] = [
    ...initTimelines.map((tl, i) => tl ?? { name: initPlans[i].name, kind: initPlans[i].kind, runs: [], waits: [] }),
    ...mainTimelines.map((tl, i) => tl ?? { name: mainPlans[i].name, kind: 'main' as Kind, runs: [], waits: [] }),
  ];

  // Terminal: every container stopped for good after a stop (completion, init failure, deletion, deadline).
  let terminalAt: number | undefined;
  const stopAll = Math.min(killAt ?? Infinity, naturalStop ?? Infinity);
  if (stopAll !== Infinity) {
    let last = stopAll;
    let known = true;
    for (const tl of containers) {
      if (tl.reachedAt === undefined) continue;
      if (!tl.settled) {
        known = false;
        break;
      }
      const r = tl.runs[tl.runs.length - 1];
      if (r?.finishedAt !== undefined) last = Math.max(last, r.finishedAt);
    }
    if (known) terminalAt = last;
  }
  if (terminalAt !== undefined) ctx.points.push(terminalAt);
  const removeAt = killReason === 'Deleted' && terminalAt !== undefined ? Math.max(terminalAt, killAt!) : undefined;
  if (removeAt !== undefined) ctx.points.push(removeAt);

  return { boundAt, sandboxAt, initDoneAt, containers, killAt, killReason, terminalAt, removeAt, points: ctx.points, events: ctx.events };
}

// ---------------------------------------------------------------------------------------------------------
// Status at an instant.

interface CState {
  state: 'waiting' | 'running' | 'terminated';
  waitingReason?: string;
  waitingMessage?: string;
  run?: Run;
  last?: Run;
  ready: boolean;
  started: boolean;
  restartCount: number;
}

function lastRunAt(tl: ContainerTimeline, t: number): number {
  const runs = tl.runs;
  let lo = 0;
  let hi = runs.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid].startedAt <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** The latest back-off window starting at or before t, if t falls inside it. */
function waitAt(tl: ContainerTimeline, t: number): BackoffWait | undefined {
  const ws = tl.waits;
  let lo = 0;
  let hi = ws.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ws[mid].from <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans >= 0 && t < ws[ans].to ? ws[ans] : undefined;
}

function containerStateAt(tl: ContainerTimeline, t: number, defaultReason: string, podRef: string): CState {
  if (tl.reachedAt === undefined || t < tl.reachedAt) return { state: 'waiting', waitingReason: defaultReason, ready: false, started: false, restartCount: 0 };
  const i = lastRunAt(tl, t);
  if (i < 0) return { state: 'waiting', waitingReason: defaultReason, ready: false, started: false, restartCount: 0 };
  const r = tl.runs[i];
  const prev = i > 0 ? tl.runs[i - 1] : undefined;
  if (r.finishedAt === undefined || t < r.finishedAt) {
    return { state: 'running', run: r, last: prev, ready: t >= r.readyAt, started: t >= r.startupAt, restartCount: r.attempt };
  }
  const w = waitAt(tl, t);
  if (w && w.from < r.finishedAt!) return { state: 'terminated', run: r, last: prev, ready: tl.kind === 'init' && r.exitCode === 0, started: false, restartCount: r.attempt };
  if (w) {
    return {
      state: 'waiting',
      waitingReason: 'CrashLoopBackOff',
      waitingMessage: `back-off ${formatGoDuration(w.backoffMs)} restarting failed container=${tl.name} pod=${podRef}`,
      last: r,
      ready: false,
      started: false,
      restartCount: r.attempt,
    };
  }
  return { state: 'terminated', run: r, last: prev, ready: tl.kind === 'init' && r.exitCode === 0, started: false, restartCount: r.attempt };
}

interface Cond {
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

interface Snapshot {
  phase: string;
  states: CState[];
  readyToStart: boolean;
  initialized: Cond;
  containersReady: Cond;
  ready: Cond;
}

const goList = (names: string[]) => `[${names.join(' ')}]`;

class PodView {
  readonly inits: ContainerTimeline[];
  readonly mains: ContainerTimeline[];
  readonly hasInit: boolean;
  readonly podRef: string;
  constructor(
    readonly pod: Pod,
    readonly tl: PodTimeline,
  ) {
    const n = pod.spec?.initContainers?.length ?? 0;
    this.inits = tl.containers.slice(0, n);
    this.mains = tl.containers.slice(n);
    this.hasInit = n > 0;
    this.podRef = podRefOf(pod);
  }

  snapshot(t: number): Snapshot {
    const def = this.hasInit ? 'PodInitializing' : 'ContainerCreating';
    const states = this.tl.containers.map((c) => containerStateAt(c, t, def, this.podRef));
    const nInit = this.inits.length;
    const initStates = states.slice(0, nInit);
    const mainStates = states.slice(nInit);
    const terminalNow = this.tl.terminalAt !== undefined && t >= this.tl.terminalAt;
    const podIsTerminal = terminalNow || (this.tl.killAt !== undefined && t >= this.tl.killAt);
    let phase = getPhase(this.pod, this.inits, initStates, mainStates, podIsTerminal);
    if (this.tl.killReason === 'DeadlineExceeded' && t >= this.tl.killAt!) phase = 'Failed';
    else if (terminalNow && phase !== 'Succeeded' && phase !== 'Failed') phase = 'Failed';

    const anyRegularStarted = mainStates.some((s) => s.state === 'running' || s.state === 'terminated');
    // Initialized
    let initialized: Cond;
    const incomplete = this.inits.filter((c, i) => (c.kind === 'sidecar' ? !(initStates[i].state === 'running' && initStates[i].started) : !initStates[i].ready)).map((c) => c.name);
    if (phase === 'Succeeded') initialized = { status: 'True', reason: 'PodCompleted' };
    else if (anyRegularStarted || incomplete.length === 0) initialized = { status: 'True' };
    else initialized = { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${goList(incomplete)}` };
    // ContainersReady
    let containersReady: Cond;
    if (phase === 'Succeeded') containersReady = { status: 'False', reason: 'PodCompleted' };
    else if (phase === 'Failed') containersReady = { status: 'False', reason: 'PodFailed' };
    else {
      const unready = [
        ...this.inits.filter((c, i) => c.kind === 'sidecar' && !initStates[i].ready).map((c) => c.name),
        ...this.mains.filter((_, i) => !mainStates[i].ready).map((c) => c.name),
      ];
      containersReady = unready.length ? { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${goList(unready)}` } : { status: 'True' };
    }
    // Ready: ContainersReady plus readiness gates (conditions other controllers own).
    let ready: Cond = containersReady;
    if (containersReady.status === 'True') {
      const msgs: string[] = [];
      for (const g of this.pod.spec?.readinessGates ?? []) {
        const c = this.pod.status?.conditions?.find((x) => x.type === g.conditionType);
        if (!c) msgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
        else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
      }
      if (msgs.length) ready = { status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
    }
    const readyToStart = t >= this.tl.sandboxAt && !terminalNow;
    return { phase, states, readyToStart, initialized, containersReady, ready };
  }
}

/** pkg/kubelet getPhase over our container states. */
function getPhase(pod: Pod, inits: ContainerTimeline[], initStates: CState[], mainStates: CState[], podIsTerminal: boolean): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInitialization = 0;
  let failedInitialization = 0;
  inits.forEach((c, i) => {
    if (c.kind === 'sidecar') return;
    const s = initStates[i];
    if (s.state === 'running') pendingInitialization++;
    else if (s.state === 'terminated') {
      if (s.run!.exitCode !== 0) failedInitialization++;
    } else if (s.last) {
      if (s.last.exitCode !== 0) failedInitialization++;
    } else pendingInitialization++;
  });
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  inits.forEach((c, i) => {
    if (c.kind !== 'sidecar') return;
    const s = initStates[i];
    if (s.state === 'running') {
      if (!s.started) pendingInitialization++;
      running++;
    } else if (s.state === 'waiting' && !s.last) {
      pendingInitialization++;
      waiting++;
    }
  });
  for (const s of mainStates) {
    if (s.state === 'running') running++;
    else if (s.state === 'terminated') {
      stopped++;
      if (s.run!.exitCode === 0) succeeded++;
    } else if (s.last) stopped++;
    else waiting++;
  }
  if (failedInitialization > 0 && policy === 'Never') return 'Failed';
  const anyRegularStarted = mainStates.some((s) => s.state === 'running' || s.state === 'terminated');
  if ((pendingInitialization > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

// ---------------------------------------------------------------------------------------------------------
// Rendering the API status.

function terminatedOf(r: Run): NonNullable<ContainerState['terminated']> {
  return {
    exitCode: r.exitCode ?? 0,
    reason: r.reason ?? (r.exitCode ? 'Error' : 'Completed'),
    startedAt: rfc3339(r.startedAt),
    finishedAt: rfc3339(r.finishedAt!),
    containerID: r.containerID,
  };
}

const STATUS_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

function statusResources(c: Container): ContainerStatus['resources'] {
  const pick = (m: Record<string, string> | undefined) => {
    if (!m) return undefined;
    const out: Record<string, string> = {};
    for (const k of STATUS_RESOURCES) if (m[k] !== undefined) out[k] = m[k];
    return Object.keys(out).length ? out : undefined;
  };
  const limits = pick(c.resources?.limits as Record<string, string> | undefined);
  const requests = pick(c.resources?.requests as Record<string, string> | undefined);
  const res: NonNullable<ContainerStatus['resources']> = {};
  if (limits) res.limits = limits;
  if (requests) res.requests = requests;
  return res;
}

function renderContainer(c: Container, s: CState): ContainerStatus {
  const created = s.run ?? s.last;
  let state: ContainerState;
  if (s.state === 'running') state = { running: { startedAt: rfc3339(s.run!.startedAt) } };
  else if (s.state === 'terminated') state = { terminated: terminatedOf(s.run!) };
  else state = { waiting: s.waitingMessage ? { reason: s.waitingReason, message: s.waitingMessage } : { reason: s.waitingReason } };
  const lastState: ContainerState = s.last && s.last.finishedAt !== undefined ? { terminated: terminatedOf(s.last) } : {};
  const out: ContainerStatus = {
    name: c.name,
    state,
    lastState,
    ready: s.ready,
    restartCount: s.restartCount,
    image: created ? normalizeImage(c.image ?? '') : c.image ?? '',
    imageID: created ? imageID(c.image ?? '') : '',
  };
  if (created) out.containerID = (s.run ?? s.last)!.containerID;
  out.started = s.started;
  if (created) out.resources = statusResources(c);
  if (c.volumeMounts?.length) {
    out.volumeMounts = c.volumeMounts.map((m) => (m.readOnly ? { name: m.name, mountPath: m.mountPath, readOnly: true, recursiveReadOnly: 'Disabled' } : { name: m.name, mountPath: m.mountPath }));
  }
  return out;
}

function qosClassOf(pod: Pod): string {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of all) {
    const req = (c.resources?.requests ?? {}) as Record<string, string>;
    const lim = (c.resources?.limits ?? {}) as Record<string, string>;
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) anySet = true;
      if (lim[r] === undefined || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The status a real kubelet would report at `now` for `pod`, bound to `node` at `boundAt`, the events it
 * emitted in (`opts.eventsSince`, `now`], and the next instant anything changes.
 */
export function podStatusAt(pod: Pod, node: Node | undefined, boundAt: number, now: number, opts: LifecycleOptions): PodStatusResult {
  void node;
  const tl = simulatePod(pod, boundAt, now, opts);
  const view = new PodView(pod, tl);
  const snap = view.snapshot(now);

  // lastTransitionTime of each kubelet condition: the latest flip at or before now.
  const pts = [...new Set(tl.points.filter((p) => Number.isFinite(p) && p >= boundAt && p <= now))].sort((a, b) => a - b);
  const keyOf = (s: Snapshot) => [s.readyToStart ? 'T' : 'F', s.initialized.status, s.ready.status, s.containersReady.status];
  const since = [boundAt, boundAt, boundAt, boundAt];
  let prevKey: string[] | undefined;
  for (const p of pts) {
    const k = p === now ? keyOf(snap) : keyOf(view.snapshot(p));
    if (prevKey) k.forEach((v, i) => v !== prevKey![i] && (since[i] = p));
    prevKey = k;
  }

  const spec = pod.spec ?? { containers: [] };
  const old = pod.status ?? {};
  const cond = (type: string, c: Cond, at: number): PodCondition => {
    const out: Record<string, unknown> = { lastProbeTime: null, lastTransitionTime: rfc3339(at) };
    if (c.message) out.message = c.message;
    if (c.reason) out.reason = c.reason;
    out.status = c.status;
    out.type = type;
    return out as unknown as PodCondition;
  };
  const scheduled = old.conditions?.find((c) => c.type === 'PodScheduled');
  const conditions: PodCondition[] = [
    ...(old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type)),
    cond('PodReadyToStartContainers', { status: snap.readyToStart ? 'True' : 'False' }, since[0]),
    cond('Initialized', snap.initialized, since[1]),
    cond('Ready', snap.ready, since[2]),
    cond('ContainersReady', snap.containersReady, since[3]),
    {
      lastProbeTime: null,
      lastTransitionTime: scheduled?.lastTransitionTime ?? rfc3339(boundAt),
      status: 'True',
      type: 'PodScheduled',
    } as unknown as PodCondition,
  ];

  const status: Mutable<PodStatus> = { phase: snap.phase, conditions };
  if (tl.killReason === 'DeadlineExceeded' && now >= tl.killAt!) {
    status.message = 'Pod was active on the node longer than the specified deadline';
    status.reason = 'DeadlineExceeded';
  } else {
    if (old.message) status.message = old.message;
    if (old.reason) status.reason = old.reason;
  }
  if (old.nominatedNodeName) status.nominatedNodeName = old.nominatedNodeName;
  status.hostIP = opts.hostIP;
  status.hostIPs = [{ ip: opts.hostIP }];
  if (now >= tl.sandboxAt) {
    const ip = spec.hostNetwork ? opts.hostIP : opts.podIP;
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  status.startTime = old.startTime ?? rfc3339(boundAt);
  const nInit = spec.initContainers?.length ?? 0;
  if (nInit > 0) status.initContainerStatuses = spec.initContainers!.map((c, i) => renderContainer(c, snap.states[i]));
  status.containerStatuses = spec.containers.map((c, i) => renderContainer(c, snap.states[nInit + i]));
  status.qosClass = old.qosClass ?? qosClassOf(pod);
  if (old.resourceClaimStatuses) status.resourceClaimStatuses = old.resourceClaimStatuses;

  let nextChangeAt: number | undefined;
  for (const p of tl.points) if (Number.isFinite(p) && p > now && (nextChangeAt === undefined || p < nextChangeAt)) nextChangeAt = p;
  const from = opts.eventsSince ?? -Infinity;
  const events = tl.events.filter((e) => e.at > from && e.at <= now).sort((a, b) => a.at - b.at);
  return { status, nextChangeAt, events, removeAt: tl.removeAt, timeline: tl };
}

/** The events the kubelet emits for the pod in (`from`, `to`]. */
export function eventsBetween(pod: Pod, node: Node | undefined, boundAt: number, from: number, to: number, opts: LifecycleOptions): SimEvent[] {
  void node;
  const tl = simulatePod(pod, boundAt, to, { ...opts, eventsSince: from });
  return tl.events.filter((e) => e.at > from && e.at <= to).sort((a, b) => a.at - b.at);
}

/**
 * Graceful termination: the status while the kubelet stops the pod's containers (SIGTERM, SIGKILL after the
 * grace period: exit code 0 "Completed" or 137 "Error"), the Killing events, and `removeAt`, when every
 * container has stopped and the kubelet deletes the pod object.
 */
export function terminatingStatusAt(
  pod: Pod,
  node: Node | undefined,
  boundAt: number,
  deletionStartedAt: number,
  now: number,
  opts: LifecycleOptions,
): PodStatusResult {
  return podStatusAt(pod, node, boundAt, now, { ...opts, deletionStartedAt });
}
