// Simulated container logs: a deterministic log per container instance, computed on demand.
//
// An instance (one runtime container, identified by its containerID) prints a start-up banner when it
// starts, then one line every LOG_PERIOD_MS until it exits. Line k is a pure function of (containerID, k),
// so `--tail`, `--since` and `-f` never generate more text than they return. The instance is taken from the
// pod's status as the kubelet's validateContainerLogStatus does (current, or lastState with --previous).

import type { Container, ContainerStatus, Pod } from 'kubernetes-types/core/v1';
import { inferRun } from './knobs';
import { hash32, imageBaseName, rfc3339Nano, unit } from './util';

/** One line every 5s (divided by timeScale) while a long-running container runs. */
export const LOG_PERIOD_MS = 5000;

export interface LogOptions {
  now: number;
  /** Only lines at or after this instant (sinceTime / sinceSeconds, in ms). */
  since?: number;
  tailLines?: number;
  timestamps?: boolean;
  previous?: boolean;
  limitBytes?: number;
  timeScale?: number;
}

/** What kube-apiserver / kubelet answer instead of a log (400 BadRequest unless `code` says otherwise). */
export class LogError extends Error {
  constructor(
    message: string,
    readonly code = 400,
  ) {
    super(message);
    this.name = 'LogError';
  }
}

interface Instance {
  id: string;
  start: number;
  end?: number;
  container: Container;
  restartCount: number;
}

/**
 * The container kubectl logs means: the named one, else the default-container annotation, else the only one.
 * Throws the API server's BadRequest texts otherwise.
 */
export function resolveLogContainer(pod: Pod, name?: string): string {
  const spec = pod.spec;
  const podName = pod.metadata?.name ?? '';
  const mains = spec?.containers ?? [];
  const inits = spec?.initContainers ?? [];
  const eph = spec?.ephemeralContainers ?? [];
  if (name) {
    if ([...mains, ...inits, ...eph].some((c) => c.name === name)) return name;
    throw new LogError(`container ${name} is not valid for pod ${podName}`);
  }
  if (mains.length === 1) return mains[0].name;
  const names = mains.map((c) => c.name);
  let msg = `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`;
  if (inits.length) msg += ` or one of the init containers: [${inits.map((c) => c.name).join(' ')}]`;
  if (eph.length) msg += ` or one of the ephemeral containers: [${eph.map((c) => c.name).join(' ')}]`;
  throw new LogError(msg);
}

function findStatus(pod: Pod, name: string): { status?: ContainerStatus; spec?: Container } {
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
  const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c) => c.name === name);
  return { status, spec };
}

const ms = (t: string | undefined) => (t ? Date.parse(t) : NaN);

/** kubelet's validateContainerLogStatus: which instance the request reads. */
function instanceFor(pod: Pod, name: string, previous: boolean): Instance {
  const podName = pod.metadata?.name ?? '';
  const { status, spec } = findStatus(pod, name);
  if (!spec) throw new LogError(`container ${name} is not valid for pod ${podName}`);
  if (!status) throw new LogError(`container "${name}" in pod "${podName}" is not available`);
  const st = status.state ?? {};
  const last = status.lastState?.terminated;
  const fromTerminated = (t: NonNullable<typeof last>, restarts: number): Instance => ({
    id: t.containerID ?? `${name}/${restarts}`,
    start: ms(t.startedAt),
    end: ms(t.finishedAt),
    container: spec,
    restartCount: restarts,
  });
  if (previous) {
    if (!last?.containerID) throw new LogError(`previous terminated container "${name}" in pod "${podName}" not found`);
    return fromTerminated(last, Math.max(status.restartCount - (st.waiting ? 0 : 1), 0));
  }
  if (st.running) return { id: status.containerID ?? name, start: ms(st.running.startedAt), container: spec, restartCount: status.restartCount };
  if (st.terminated) {
    if (st.terminated.containerID) return fromTerminated(st.terminated, status.restartCount);
    if (last?.containerID) return fromTerminated(last, status.restartCount);
    throw new LogError(`container "${name}" in pod "${podName}" is terminated`);
  }
  if (last) {
    if (!last.containerID) throw new LogError(`container "${name}" in pod "${podName}" is terminated`);
    return fromTerminated(last, status.restartCount);
  }
  if (st.waiting) {
    const reason = st.waiting.reason ?? '';
    if (reason === 'ErrImagePull') throw new LogError(`container "${name}" in pod "${podName}" is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') throw new LogError(`container "${name}" in pod "${podName}" is waiting to start: trying and failing to pull image`);
    throw new LogError(`container "${name}" in pod "${podName}" is waiting to start: ${reason}`);
  }
  throw new LogError(`container "${name}" in pod "${podName}" is waiting to start - no logs yet`);
}

// ---------------------------------------------------------------------------------------------------------
// Line generation.

interface Script {
  banner: (inst: Instance) => string[];
  /** line for tick k ≥ 1 at time t; undefined: the container prints nothing after its banner */
  tick?: (inst: Instance, k: number, t: number) => string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function nginxTime(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function clfTime(t: number): string {
  const d = new Date(t);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const PATHS = ['/', '/', '/', '/index.html', '/healthz', '/api/items', '/api/items/42', '/static/app.js', '/favicon.ico', '/login'];
const AGENTS = ['kube-probe/1.33', 'curl/8.5.0', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36', 'python-requests/2.32.3', 'Go-http-client/1.1'];

const NGINX: Script = {
  banner(inst) {
    const tag = /:(\d+\.\d+(?:\.\d+)?)/.exec(inst.container.image ?? '')?.[1];
    const version = tag && tag.split('.').length === 3 ? tag : tag ? `${tag}.0` : '1.27.3';
    const ts = nginxTime(inst.start);
    const worker = 20 + (hash32(inst.id) % 30);
    return [
      '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
      '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
      '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
      '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
      '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
      `${ts} [notice] 1#1: using the "epoll" event method`,
      `${ts} [notice] 1#1: nginx/${version}`,
      `${ts} [notice] 1#1: OS: Linux 6.8.0-kubedo`,
      `${ts} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576`,
      `${ts} [notice] 1#1: start worker processes`,
      `${ts} [notice] 1#1: start worker process ${worker}`,
    ];
  },
  tick(inst, k, t) {
    const h = hash32(`${inst.id}#${k}`);
    const path = PATHS[h % PATHS.length];
    const status = path === '/favicon.ico' ? 404 : path === '/login' ? 302 : (h >>> 8) % 7 === 0 ? 304 : 200;
    const bytes = status === 200 ? (path === '/' || path === '/index.html' ? 615 : 120 + ((h >>> 12) % 4000)) : status === 404 ? 153 : 0;
    const agent = path === '/healthz' ? AGENTS[0] : AGENTS[(h >>> 4) % AGENTS.length];
    const ip = `10.244.${(h >>> 16) % 4}.${1 + ((h >>> 20) % 250)}`;
    return `${ip} - - [${clfTime(t)}] "GET ${path} HTTP/1.1" ${status} ${bytes} "-" "${agent}" "-"`;
  },
};

const GENERIC: Script = {
  banner(inst) {
    const c = inst.container;
    return [`kubedo: container ${c.name} started (image ${c.image ?? ''}, restart ${inst.restartCount})`];
  },
  tick(inst, k) {
    return `kubedo: container ${inst.container.name} running (tick ${k})`;
  },
};

function scriptFor(c: Container): Script {
  const run = inferRun(c);
  if (run.kind === 'exits') return { banner: () => run.output };
  if (run.kind === 'forever') return { banner: () => [] };
  const base = imageBaseName(c.image ?? '');
  if (base === 'nginx' || base === 'nginx-unprivileged' || base.startsWith('nginx-')) return NGINX;
  return GENERIC;
}

interface Line {
  t: number;
  ns: number;
  text: string;
}

class Generator {
  readonly banner: string[];
  readonly period: number;
  constructor(
    readonly inst: Instance,
    readonly script: Script,
    timeScale: number,
  ) {
    this.banner = script.banner(inst);
    this.period = LOG_PERIOD_MS / timeScale;
  }
  /** time of tick k ≥ 1 (jitter below half a period keeps lines ordered; the banner is printed at the start) */
  tickAt(k: number): number {
    const jitter = Math.floor(unit(`${this.inst.id}@${k}`) * Math.min(this.period / 2, 1000));
    return this.inst.start + k * this.period + jitter;
  }
  /** the last tick at or before t (0 when none) */
  lastTickBy(t: number): number {
    if (!this.script.tick || t < this.inst.start + this.period) return 0;
    let k = Math.floor((t - this.inst.start) / this.period);
    while (k >= 1 && this.tickAt(k) > t) k--;
    return k;
  }
  /** the first tick at or after t (≥ 1) */
  firstTickFrom(t: number): number {
    let k = Math.max(1, Math.floor((t - this.inst.start) / this.period));
    while (this.tickAt(k) < t) k++;
    return k;
  }
  line(i: number): Line {
    if (i < this.banner.length) return { t: this.inst.start, ns: 1000 * i + (hash32(`${this.inst.id}^${i}`) % 1000), text: this.banner[i] };
    const k = i - this.banner.length + 1;
    const t = this.tickAt(k);
    return { t, ns: hash32(`${this.inst.id}~${k}`) % 1_000_000, text: this.script.tick!(this.inst, k, t) };
  }
  /** index range [from, to) of the lines with since <= t <= until */
  range(since: number, until: number): [number, number] {
    const B = this.banner.length;
    if (until < this.inst.start) return [0, 0];
    const to = B + this.lastTickBy(until);
    let from: number;
    if (since <= this.inst.start) from = 0;
    else from = this.script.tick ? B + this.firstTickFrom(since) - 1 : B;
    return [Math.min(from, to), to];
  }
}

function generatorFor(pod: Pod, containerName: string, previous: boolean, timeScale = 1): Generator {
  const inst = instanceFor(pod, containerName, previous);
  if (Number.isNaN(inst.start)) throw new LogError(`container "${containerName}" in pod "${pod.metadata?.name ?? ''}" is waiting to start - no logs yet`);
  const scale = timeScale > 0 && Number.isFinite(timeScale) ? timeScale : 1;
  return new Generator(inst, scriptFor(inst.container), scale);
}

/**
 * The log text of a container (kubectl logs), as of `opts.now`. Throws LogError with the kubelet's message
 * when there is nothing to read (waiting container, no previous instance, unknown container).
 */
export function containerLog(pod: Pod, containerName: string, opts: LogOptions): string {
  const g = generatorFor(pod, containerName, !!opts.previous, opts.timeScale);
  const until = g.inst.end !== undefined && !Number.isNaN(g.inst.end) ? Math.min(opts.now, g.inst.end) : opts.now;
  let [from, to] = g.range(opts.since ?? -Infinity, until);
  if (opts.tailLines !== undefined && opts.tailLines >= 0) from = Math.max(from, to - opts.tailLines);
  let out = '';
  for (let i = from; i < to; i++) {
    const l = g.line(i);
    out += opts.timestamps ? `${rfc3339Nano(l.t, l.ns)} ${l.text}\n` : `${l.text}\n`;
    if (opts.limitBytes !== undefined && out.length >= opts.limitBytes) break;
  }
  if (opts.limitBytes !== undefined && opts.limitBytes >= 0) out = new TextDecoder().decode(new TextEncoder().encode(out).slice(0, opts.limitBytes));
  return out;
}

/**
 * For `kubectl logs -f`: when the next line after `now` appears, or undefined when the instance has exited
 * or prints nothing more (the stream then waits for a restart: re-read the pod).
 */
export function nextLogLineAt(pod: Pod, containerName: string, now: number, opts: { timeScale?: number; previous?: boolean } = {}): number | undefined {
  const g = generatorFor(pod, containerName, !!opts.previous, opts.timeScale);
  const end = g.inst.end !== undefined && !Number.isNaN(g.inst.end) ? g.inst.end : Infinity;
  let next: number;
  if (now < g.inst.start && g.banner.length > 0) next = g.inst.start;
  else if (g.script.tick) next = g.tickAt(g.lastTickBy(now) + 1);
  else return undefined;
  return next <= end ? next : undefined;
}
