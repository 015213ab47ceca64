import { describe, expect, it } from 'vitest';
import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1';
import { eventsBetween, podStatusAt, terminatingStatusAt, type LifecycleOptions } from '../../src/kubelet/lifecycle';
import { inferRun } from '../../src/kubelet/knobs';
import { eventKey, toEventObject } from '../../src/kubelet/events';
import { formatGoDuration, imageID, normalizeImage } from '../../src/kubelet/util';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (s: number) => T0 + s * 1000;
const iso = (s: number) => new Date(at(s)).toISOString().replace('.000Z', 'Z');
const OPTS: LifecycleOptions = { podIP: '10.244.1.5', hostIP: '172.18.0.3' };

function mkPod(opts: {
  annotations?: Record<string, string>;
  containers?: Partial<Container>[];
  initContainers?: Partial<Container>[];
  restartPolicy?: string;
  job?: boolean;
  grace?: number;
  activeDeadlineSeconds?: number;
}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'uid-1',
      annotations: opts.annotations,
      ownerReferences: opts.job ? [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true }] : undefined,
    },
    spec: {
      restartPolicy: opts.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: opts.grace ?? 30,
      activeDeadlineSeconds: opts.activeDeadlineSeconds,
      initContainers: opts.initContainers?.map((c, i) => ({ name: `init${i + 1}`, image: 'busybox:1.36', ...c }) as Container),
      containers: (opts.containers ?? [{}]).map((c, i) => ({ name: i === 0 ? 'nginx' : `c${i}`, image: 'nginx', imagePullPolicy: 'Always', ...c }) as Container),
    },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

function statusAt(pod: Pod, s: number, extra: Partial<LifecycleOptions> = {}) {
  return podStatusAt(pod, undefined, T0, at(s), { ...OPTS, ...extra });
}
const cond = (conds: PodCondition[] | undefined, type: string) => conds!.find((c) => c.type === type)!;
const cs = (r: ReturnType<typeof statusAt>, i = 0): ContainerStatus => r.status.containerStatuses![i];
const ics = (r: ReturnType<typeof statusAt>, i = 0): ContainerStatus => r.status.initContainerStatuses![i];
const rel = (ms: number | undefined) => (ms === undefined ? undefined : (ms - T0) / 1000);

describe('plain pod', () => {
  const pod = mkPod({ annotations: { 'kubedo.dev/image-pull': '2s' } });

  it('is Pending with ContainerCreating while the image is pulled', () => {
    const r = statusAt(pod, 0);
    expect(r.status.phase).toBe('Pending');
    expect(cs(r).state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    expect(cs(r)).toMatchObject({ name: 'nginx', image: 'nginx', imageID: '', ready: false, started: false, restartCount: 0 });
    expect(cs(r).containerID).toBeUndefined();
    expect(cond(r.status.conditions, 'PodReadyToStartContainers').status).toBe('True');
    expect(cond(r.status.conditions, 'Initialized').status).toBe('True');
    expect(cond(r.status.conditions, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [nginx]' });
    expect(cond(r.status.conditions, 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    expect(cond(r.status.conditions, 'PodScheduled')).toMatchObject({ status: 'True', lastTransitionTime: iso(0) });
    expect(r.status.podIP).toBe('10.244.1.5');
    expect(r.status.podIPs).toEqual([{ ip: '10.244.1.5' }]);
    expect(r.status.hostIPs).toEqual([{ ip: '172.18.0.3' }]);
    expect(r.status.startTime).toBe(iso(0));
    expect(r.status.qosClass).toBe('BestEffort');
    expect(rel(r.nextChangeAt)).toBe(2);
    expect(r.events.map((e) => [e.reason, e.message])).toEqual([['Pulling', 'Pulling image "nginx"']]);
  });

  it('reaches Running at boundAt + pull and then stays quiet', () => {
    const r = statusAt(pod, 2, { eventsSince: at(0) });
    expect(r.status.phase).toBe('Running');
    const c = cs(r);
    expect(c.state).toEqual({ running: { startedAt: iso(2) } });
    expect(c).toMatchObject({ ready: true, started: true, restartCount: 0, image: 'docker.io/library/nginx:latest', lastState: {} });
    expect(c.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(c.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(c.resources).toEqual({});
    expect(cond(r.status.conditions, 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: iso(2) });
    expect(cond(r.status.conditions, 'Ready').reason).toBeUndefined();
    expect(r.nextChangeAt).toBeUndefined();
    expect(r.events.map((e) => e.reason)).toEqual(['Pulled', 'Created', 'Started']);
    expect(r.events[0].message).toMatch(/^Successfully pulled image "nginx" in 2s \(2s including waiting\)\. Image size: \d+ bytes\.$/);
    expect(r.events[1].message).toBe('Created container: nginx');
    expect(r.events[2].message).toBe('Started container nginx');
    expect(r.events[2].fieldPath).toBe('spec.containers{nginx}');
  });

  it('is deterministic and identical at any later instant (idle sandbox arms nothing)', () => {
    const a = statusAt(pod, 60);
    const b = statusAt(pod, 86400 * 30);
    expect(a.status).toEqual(b.status);
    expect(a.nextChangeAt).toBeUndefined();
    expect(b.nextChangeAt).toBeUndefined();
    expect(statusAt(pod, 60).status).toEqual(a.status);
  });

  it('uses the default pull time without a knob', () => {
    const p = mkPod({});
    expect(statusAt(p, 0.5).status.phase).toBe('Pending');
    expect(statusAt(p, 1).status.phase).toBe('Running');
  });

  it('reports "already present" for IfNotPresent images after the first pull and pulls Always images again', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s' }, containers: [{ image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' }, { image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' }] });
    const ev = statusAt(p, 1).events.filter((e) => e.reason === 'Pulled' || e.reason === 'Pulling');
    expect(ev.map((e) => e.message)).toEqual([
      'Pulling image "nginx:1.25"',
      expect.stringMatching(/^Successfully pulled image "nginx:1.25" in 0s/),
      'Container image "nginx:1.25" already present on machine',
    ]);
  });

  it('keeps conditions owned by others and the scheduler’s PodScheduled time', () => {
    const p = mkPod({});
    p.status!.conditions = [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-12-31T23:59:59Z' },
      { type: 'DisruptionTarget', status: 'True', reason: 'Test' },
    ];
    const r = statusAt(p, 5);
    expect(r.status.conditions!.map((c) => c.type)).toEqual(['DisruptionTarget', 'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    expect(cond(r.status.conditions, 'PodScheduled').lastTransitionTime).toBe('2024-12-31T23:59:59Z');
  });

  it('starts several containers one after another (serialized pulls)', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '2s' }, containers: [{}, { image: 'redis' }] });
    const r3 = statusAt(p, 3);
    expect(cs(r3, 0).state?.running).toBeDefined();
    expect(cs(r3, 1).state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    expect(r3.status.phase).toBe('Pending');
    const r4 = statusAt(p, 4);
    expect(r4.status.phase).toBe('Running');
    expect(cs(r4, 1).state).toEqual({ running: { startedAt: iso(4) } });
  });
});

describe('conditions progression', () => {
  it('flips each condition at the right instant', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '1s', 'kubedo.dev/ready-after': '4s' } });
    const table: [number, string, string, string][] = [
      // t, phase, Ready, ContainersReady
      [0, 'Pending', 'False', 'False'],
      [1, 'Running', 'False', 'False'],
      [4.9, 'Running', 'False', 'False'],
      [5, 'Running', 'True', 'True'],
      [100, 'Running', 'True', 'True'],
    ];
    for (const [t, phase, ready, cready] of table) {
      const r = statusAt(p, t);
      expect([t, r.status.phase, cond(r.status.conditions, 'Ready').status, cond(r.status.conditions, 'ContainersReady').status]).toEqual([t, phase, ready, cready]);
    }
    const r = statusAt(p, 100);
    expect(cond(r.status.conditions, 'Ready').lastTransitionTime).toBe(iso(5));
    expect(cond(r.status.conditions, 'Initialized').lastTransitionTime).toBe(iso(0));
    expect(rel(statusAt(p, 2).nextChangeAt)).toBe(5);
  });

  it('follows the readinessProbe initialDelaySeconds without a knob', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s' }, containers: [{ readinessProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds: 7 } }] });
    expect(cs(statusAt(p, 6.9)).ready).toBe(false);
    expect(cs(statusAt(p, 7)).ready).toBe(true);
  });

  it('keeps started false until the startup probe passes', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s' }, containers: [{ startupProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds: 3 } }] });
    expect(cs(statusAt(p, 1))).toMatchObject({ started: false, ready: false });
    expect(cs(statusAt(p, 3))).toMatchObject({ started: true, ready: true });
  });
});

describe('init containers', () => {
  const p = mkPod({
    annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/exit-after.init1': '3s', 'kubedo.dev/exit-after.init2': '2s' },
    initContainers: [{}, {}],
  });

  it('run in order before the regular containers', () => {
    const table: [number, string, string, string, string][] = [
      [1, 'running', 'waiting:PodInitializing', 'waiting:PodInitializing', 'Pending'],
      [3, 'terminated:Completed', 'running', 'waiting:PodInitializing', 'Pending'],
      [4, 'terminated:Completed', 'running', 'waiting:PodInitializing', 'Pending'],
      [5, 'terminated:Completed', 'terminated:Completed', 'running', 'Running'],
    ];
    const show = (c: ContainerStatus) => {
      const s = c.state!;
      if (s.running) return 'running';
      if (s.terminated) return `terminated:${s.terminated.reason}`;
      return `waiting:${s.waiting!.reason}`;
    };
    for (const [t, i1, i2, m, phase] of table) {
      const r = statusAt(p, t);
      expect([t, show(ics(r, 0)), show(ics(r, 1)), show(cs(r)), r.status.phase]).toEqual([t, i1, i2, m, phase]);
    }
  });

  it('reports Initialized with the incomplete init containers, and completed ones as ready', () => {
    const r1 = statusAt(p, 1);
    expect(cond(r1.status.conditions, 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init1 init2]' });
    expect(ics(r1)).toMatchObject({ ready: false, started: true });
    const r4 = statusAt(p, 4);
    expect(cond(r4.status.conditions, 'Initialized').message).toBe('containers with incomplete status: [init2]');
    expect(ics(r4, 0)).toMatchObject({ ready: true, started: false });
    expect(ics(r4, 0).state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', startedAt: iso(0), finishedAt: iso(3) });
    const r5 = statusAt(p, 5);
    expect(cond(r5.status.conditions, 'Initialized')).toMatchObject({ status: 'True', lastTransitionTime: iso(5) });
    expect(r5.nextChangeAt).toBeUndefined();
  });

  it('complete by default (an init container must finish for the pod to start)', () => {
    const q = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s' }, initContainers: [{ command: ['sh', '-c', 'until nslookup db; do sleep 2; done'] }] });
    expect(statusAt(q, 1).status.phase).toBe('Running');
  });

  it('a failing init container with restartPolicy Never fails the pod', () => {
    const q = mkPod({ restartPolicy: 'Never', annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/exit-after.init1': '1s', 'kubedo.dev/exit-code.init1': '2' }, initContainers: [{}] });
    const r = statusAt(q, 2);
    expect(r.status.phase).toBe('Failed');
    expect(cs(r).state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(r.nextChangeAt).toBeUndefined();
  });

  it('a failing init container with restartPolicy Always crash-loops (Init:CrashLoopBackOff)', () => {
    const q = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/exit-after.init1': '1s', 'kubedo.dev/exit-code.init1': '1' }, initContainers: [{}] });
    const r = statusAt(q, 3.5);
    expect(r.status.phase).toBe('Pending');
    expect(ics(r).state!.waiting).toMatchObject({ reason: 'CrashLoopBackOff' });
    expect(ics(r).restartCount).toBe(1);
    expect(ics(r).lastState!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });

  it('sidecars start, stay running, and let the next init container start', () => {
    const q = mkPod({
      restartPolicy: 'Never',
      annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/exit-after.init2': '1s', 'kubedo.dev/exit-after.nginx': '5s' },
      initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }, {}],
    });
    const r0 = statusAt(q, 0.5);
    expect(ics(r0, 0).state!.running).toBeDefined();
    expect(ics(r0, 1).state!.running).toBeDefined();
    const r2 = statusAt(q, 2);
    expect(r2.status.phase).toBe('Running');
    expect(ics(r2, 0)).toMatchObject({ ready: true, started: true });
    expect(cs(r2).state!.running).toEqual({ startedAt: iso(1) });
    expect(cond(r2.status.conditions, 'ContainersReady').status).toBe('True');
    // The regular container finishes at 6s: the sidecar is stopped, the pod Succeeded.
    const r6 = statusAt(q, 6);
    expect(r6.status.phase).toBe('Succeeded');
    expect(ics(r6, 0).state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(r6.events.filter((e) => e.reason === 'Killing').map((e) => e.message)).toEqual(['Stopping container proxy']);
    expect(r6.nextChangeAt).toBeUndefined();
  });
});

describe('exit-after and restart policies', () => {
  const crash = (restartPolicy: string, code: string) =>
    mkPod({ restartPolicy, annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/exit-after': '5s', 'kubedo.dev/exit-code': code } });

  it('Always: CrashLoopBackOff with 10s, 20s, 40s … back-off and restartCount', () => {
    const p = crash('Always', '1');
    // runs: [0,5) → immediate restart [5,10) → wait 10s → [20,25) → wait 20s → [45,50) → wait 40s → [90,95) → wait 80s → [175,…)
    const table: [number, string, number, number | undefined][] = [
      [0, 'running', 0, 5],
      [5, 'running', 1, 10],
      [10, 'CrashLoopBackOff:10s', 1, 20],
      [19.9, 'CrashLoopBackOff:10s', 1, 20],
      [20, 'running', 2, 25],
      [25, 'CrashLoopBackOff:20s', 2, 45],
      [45, 'running', 3, 50],
      [50, 'CrashLoopBackOff:40s', 3, 90],
      [95, 'CrashLoopBackOff:1m20s', 4, 175],
    ];
    for (const [t, state, restarts, next] of table) {
      const r = statusAt(p, t);
      const c = cs(r);
      const shown = c.state!.running ? 'running' : `${c.state!.waiting!.reason}:${/back-off (\S+)/.exec(c.state!.waiting!.message!)![1]}`;
      expect([t, shown, c.restartCount, rel(r.nextChangeAt), r.status.phase]).toEqual([t, state, restarts, next, 'Running']);
    }
    const r = statusAt(p, 30);
    expect(cs(r).state!.waiting!.message).toBe('back-off 20s restarting failed container=nginx pod=web_default(uid-1)');
    expect(cs(r).lastState!.terminated).toMatchObject({ exitCode: 1, reason: 'Error', startedAt: iso(20), finishedAt: iso(25) });
    expect(cs(r).ready).toBe(false);
    expect(cond(r.status.conditions, 'Ready').lastTransitionTime).toBe(iso(25));
    const bo = eventsBetween(p, undefined, T0, at(0), at(30), OPTS).filter((e) => e.reason === 'BackOff');
    expect(bo.map((e) => [rel(e.at), e.type, e.message])).toEqual([
      [10, 'Warning', 'Back-off restarting failed container nginx in pod web_default(uid-1)'],
      [25, 'Warning', 'Back-off restarting failed container nginx in pod web_default(uid-1)'],
    ]);
  });

  it('Always: the back-off is capped at 5m0s and a day of crash loop stays cheap and consistent', () => {
    const p = crash('Always', '1');
    const day = 86400;
    const full = statusAt(p, day);
    const windowed = statusAt(p, day, { eventsSince: at(day - 60) });
    expect(windowed.status).toEqual(full.status);
    expect(windowed.nextChangeAt).toBe(full.nextChangeAt);
    const c = full.status.containerStatuses![0];
    expect(c.restartCount).toBeGreaterThan(280);
    if (c.state!.waiting) expect(c.state!.waiting.message).toMatch(/^back-off 5m0s /);
  });

  it('Always: exit code 0 restarts too (Completed), reason Completed in lastState', () => {
    const r = statusAt(crash('Always', '0'), 12);
    expect(cs(r).state!.waiting!.reason).toBe('CrashLoopBackOff');
    expect(cs(r).lastState!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('resets the back-off once the container ran for more than 10 minutes', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/exit-after': '11m', 'kubedo.dev/exit-code': '1' } });
    for (const n of [1, 2, 3, 4]) {
      const r = statusAt(p, n * 660 + 1);
      expect(cs(r).state!.running).toEqual({ startedAt: iso(n * 660) });
      expect(cs(r).restartCount).toBe(n);
    }
  });

  it.each([
    ['Never', '0', 'Succeeded', 'PodCompleted'],
    ['Never', '1', 'Failed', 'PodFailed'],
    ['OnFailure', '0', 'Succeeded', 'PodCompleted'],
  ])('%s with exit code %s → %s', (policy, code, phase, reason) => {
    const p = crash(policy, code);
    expect(statusAt(p, 4).status.phase).toBe('Running');
    const r = statusAt(p, 5);
    expect(r.status.phase).toBe(phase);
    expect(cs(r).state!.terminated).toMatchObject({ exitCode: Number(code), reason: code === '0' ? 'Completed' : 'Error', finishedAt: iso(5) });
    expect(cs(r).restartCount).toBe(0);
    expect(cond(r.status.conditions, 'Ready')).toMatchObject({ status: 'False', reason });
    expect(cond(r.status.conditions, 'ContainersReady')).toMatchObject({ status: 'False', reason });
    expect(cond(r.status.conditions, 'PodReadyToStartContainers')).toMatchObject({ status: 'False', lastTransitionTime: iso(5) });
    expect(cond(r.status.conditions, 'Initialized')).toMatchObject({ status: 'True', ...(phase === 'Succeeded' ? { reason: 'PodCompleted' } : {}) });
    expect(r.status.podIP).toBe('10.244.1.5');
    expect(r.nextChangeAt).toBeUndefined();
    expect(statusAt(p, 5000).status).toEqual(r.status);
  });

  it('OnFailure with a failure restarts with back-off and stays Running', () => {
    const p = crash('OnFailure', '3');
    const r = statusAt(p, 12);
    expect(r.status.phase).toBe('Running');
    expect(cs(r).restartCount).toBe(1);
    expect(cs(r).state!.waiting!.reason).toBe('CrashLoopBackOff');
    expect(cs(r).lastState!.terminated!.exitCode).toBe(3);
  });

  it('a Job pod without knobs completes after a short run', () => {
    const p = mkPod({ restartPolicy: 'Never', job: true, annotations: { 'kubedo.dev/image-pull': '0s' }, containers: [{ image: 'perl', command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'] }] });
    expect(statusAt(p, 2).status.phase).toBe('Running');
    expect(statusAt(p, 3).status.phase).toBe('Succeeded');
  });

  it('reads simple commands: sleep N exits 0 after N seconds', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s' }, containers: [{ image: 'busybox', command: ['sh', '-c', 'echo hi; sleep 3600'] }] });
    expect(cs(statusAt(p, 3599)).state!.running).toBeDefined();
    const r = statusAt(p, 3600);
    expect(cs(r).restartCount).toBe(1);
    expect(cs(r).lastState!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });
});

describe('liveness failures', () => {
  it('kill and restart the container after failureThreshold × periodSeconds', () => {
    const p = mkPod({
      annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/fail-liveness-after': '30s' },
      containers: [{ livenessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5, failureThreshold: 3 } }],
    });
    expect(cs(statusAt(p, 39)).restartCount).toBe(0);
    const r = statusAt(p, 40);
    expect(cs(r).restartCount).toBe(1);
    expect(cs(r).state!.running).toEqual({ startedAt: iso(40) });
    expect(cs(r).lastState!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', startedAt: iso(0), finishedAt: iso(40) });
    const ev = r.events.filter((e) => e.reason === 'Unhealthy' || e.reason === 'Killing');
    expect(ev.map((e) => [rel(e.at), e.type, e.reason, e.message])).toEqual([
      [30, 'Warning', 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500'],
      [35, 'Warning', 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500'],
      [40, 'Warning', 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500'],
      [40, 'Normal', 'Killing', 'Container nginx failed liveness probe, will be restarted'],
    ]);
    expect(rel(statusAt(p, 41).nextChangeAt)).toBe(70);
    // Each run lasts 40s: restarts at 80, 120, 160, 200 are immediate; at 240 the back-off (80s) exceeds the run.
    expect(cs(statusAt(p, 200)).restartCount).toBe(5);
    const w = statusAt(p, 250);
    expect(cs(w).state!.waiting).toMatchObject({ reason: 'CrashLoopBackOff', message: expect.stringMatching(/^back-off 1m20s /) });
    expect(rel(w.nextChangeAt)).toBe(320);
  });

  it('uses default probe settings when the container has no livenessProbe, and tcp messages', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/fail-liveness-after': '15s' } });
    expect(cs(statusAt(p, 40)).restartCount).toBe(1); // ticks at 20, 30, 40 (period 10s, threshold 3)
    const q = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/fail-liveness-after': '0s' }, containers: [{ livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1 } }] });
    expect(statusAt(q, 0).events.find((e) => e.reason === 'Unhealthy')!.message).toBe('Liveness probe failed: dial tcp 10.244.1.5:8080: connect: connection refused');
  });

  it('with restartPolicy Never the killed container stays terminated', () => {
    const p = mkPod({ restartPolicy: 'Never', annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/fail-liveness-after': '0s' }, containers: [{ livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2 } }] });
    const r = statusAt(p, 5);
    expect(cs(r).restartCount).toBe(0);
    expect(r.events.find((e) => e.reason === 'Killing')!.message).toBe('Container nginx failed liveness probe');
    expect(r.status.phase).toBe('Succeeded');
  });
});

describe('timeScale', () => {
  it('divides every duration', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '2s', 'kubedo.dev/exit-after': '5s', 'kubedo.dev/exit-code': '1' } });
    const o = { timeScale: 10 };
    expect(statusAt(p, 0.19, o).status.phase).toBe('Pending');
    expect(statusAt(p, 0.2, o).status.phase).toBe('Running');
    // first exit at 0.7s → restart at once (re-pull ≤ 50ms) → exit at 1.25s → back-off 1s
    const r = statusAt(p, 1.3, o);
    expect(cs(r).state!.waiting!.message).toMatch(/^back-off 1s /);
    expect(rel(r.nextChangeAt)).toBeCloseTo(2.25, 6);
  });
});

describe('termination', () => {
  const pod = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s' } });

  it('stops containers gracefully (exit 0) and removes the pod at once', () => {
    const r = terminatingStatusAt(pod, undefined, T0, at(100), at(100), OPTS);
    expect(cs(r).state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', finishedAt: iso(100) });
    expect(r.status.phase).toBe('Succeeded');
    expect(rel(r.removeAt)).toBe(100);
    expect(r.events.filter((e) => e.reason === 'Killing').map((e) => e.message)).toEqual(['Stopping container nginx']);
  });

  it('SIGKILLs after the grace period (137) when the container takes longer to stop', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/shutdown-after': '60s' }, grace: 30 });
    const mid = terminatingStatusAt(p, undefined, T0, at(100), at(110), OPTS);
    expect(mid.status.phase).toBe('Running');
    expect(cs(mid).state!.running).toBeDefined();
    expect(rel(mid.nextChangeAt)).toBe(130);
    expect(rel(mid.removeAt)).toBe(130);
    const end = terminatingStatusAt(p, undefined, T0, at(100), at(130), OPTS);
    expect(cs(end).state!.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(end.status.phase).toBe('Failed');
  });

  it('derives the start of the deletion from metadata.deletionTimestamp', () => {
    const base = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/shutdown-after': '5s' } });
    const p: Pod = { ...base, metadata: { ...base.metadata, deletionTimestamp: iso(130), deletionGracePeriodSeconds: 30 } };
    const r = statusAt(p, 102);
    expect(rel(r.removeAt)).toBe(105);
    expect(rel(r.nextChangeAt)).toBe(105);
  });

  it('a completed pod is removed as soon as it is deleted', () => {
    const p = mkPod({ restartPolicy: 'Never', annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/exit-after': '5s' } });
    const before = statusAt(p, 50);
    expect(before.removeAt).toBeUndefined();
    const r = terminatingStatusAt(p, undefined, T0, at(60), at(60), OPTS);
    expect(rel(r.removeAt)).toBe(60);
    expect(r.status).toEqual(before.status);
    expect(r.events.filter((e) => e.reason === 'Killing')).toEqual([]);
  });

  it('a pod deleted while pulling never starts its container', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '10s' } });
    const r = terminatingStatusAt(p, undefined, T0, at(3), at(3), OPTS);
    expect(rel(r.removeAt)).toBe(3);
    expect(cs(r).state!.waiting).toBeDefined();
    expect(r.status.phase).toBe('Failed');
  });

  it('activeDeadlineSeconds fails the pod with DeadlineExceeded', () => {
    const p = mkPod({ activeDeadlineSeconds: 60, annotations: { 'kubedo.dev/image-pull': '0s' } });
    expect(rel(statusAt(p, 10).nextChangeAt)).toBe(60);
    const r = statusAt(p, 60);
    expect(r.status).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
    expect(r.removeAt).toBeUndefined();
    expect(r.events.map((e) => e.reason)).toContain('DeadlineExceeded');
  });
});

describe('termination with sidecars', () => {
  it('stops regular containers first, then sidecars, within the grace period', () => {
    const p = mkPod({
      grace: 30,
      annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/shutdown-after.nginx': '10s', 'kubedo.dev/shutdown-after.proxy': '5s' },
      initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }],
    });
    const r = terminatingStatusAt(p, undefined, T0, at(100), at(112), OPTS);
    expect(ics(r).state!.running).toBeDefined();
    expect(cs(r).state!.terminated).toMatchObject({ exitCode: 0, finishedAt: iso(110) });
    const kills = eventsBetween(p, undefined, T0, at(0), at(120), { ...OPTS, deletionStartedAt: at(100) }).filter((e) => e.reason === 'Killing');
    expect(kills.map((e) => [rel(e.at), e.message])).toEqual([
      [100, 'Stopping container nginx'],
      [110, 'Stopping container proxy'],
    ]);
    expect(rel(r.removeAt)).toBe(115);
    const q = terminatingStatusAt({ ...p, metadata: { ...p.metadata, annotations: { ...p.metadata!.annotations, 'kubedo.dev/shutdown-after.proxy': '1m' } } }, undefined, T0, at(100), at(130), OPTS);
    expect(ics(q).state!.terminated).toMatchObject({ exitCode: 137, reason: 'Error', finishedAt: iso(130) });
    expect(rel(q.removeAt)).toBe(130);
  });
});

describe('event objects', () => {
  it('are named and keyed like the kubelet recorder', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s' } });
    const evs = statusAt(p, 1).events;
    const objs = evs.map((e) => toEventObject(p, 'node-1', e));
    expect(new Set(objs.map((o) => (o.metadata as { name: string }).name)).size).toBe(evs.length);
    expect(objs[0]).toMatchObject({
      metadata: { name: expect.stringMatching(/^web\.[0-9a-f]+$/), namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'uid-1', apiVersion: 'v1', fieldPath: 'spec.containers{nginx}' },
      reason: 'Pulling',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: iso(0),
      count: 1,
      type: 'Normal',
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    });
    expect(eventKey(p, 'node-1', evs[0])).toBe(eventKey(p, 'node-1', { ...evs[0], at: evs[0].at + 5000 }));
    expect(eventKey(p, 'node-1', evs[0])).not.toBe(eventKey(p, 'node-1', evs[1]));
  });

  it('of a pod recreated under the same name (a StatefulSet pod) in the same instant get other names', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s' } });
    const again = { ...p, metadata: { ...p.metadata, uid: 'uid-2' } };
    const names = (pod: Pod) => statusAt(pod, 1).events.map((e) => (toEventObject(pod, 'node-1', e).metadata as { name: string }).name);
    const first = names(p);
    const second = names(again);
    expect(second.filter((n) => first.includes(n))).toEqual([]);
    // Still `<pod>.<hex UnixNano>` of the event's time (same millisecond).
    const ms = (n: string) => Number(BigInt(`0x${n.split('.')[1]}`) / 1_000_000n);
    expect(second.map(ms)).toEqual(first.map(ms));
    // The same pod gets the same names again (a restarted Durable Object finds its Events).
    expect(names(p)).toEqual(first);
  });
});

describe('alarm contract (fuzz)', () => {
  const variants: Pod[] = [
    mkPod({ annotations: { 'kubedo.dev/image-pull': '1.5s', 'kubedo.dev/exit-after': '7s', 'kubedo.dev/exit-code': '2', 'kubedo.dev/ready-after': '3s' } }),
    mkPod({ restartPolicy: 'OnFailure', annotations: { 'kubedo.dev/exit-after.c1': '4s', 'kubedo.dev/exit-code.c1': '1' }, containers: [{}, { image: 'redis:7' }] }),
    mkPod({ annotations: { 'kubedo.dev/fail-liveness-after': '12s', 'kubedo.dev/image-pull': '700ms' }, containers: [{ livenessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 3 } }] }),
    mkPod({
      restartPolicy: 'Never',
      annotations: { 'kubedo.dev/exit-after.nginx': '20s', 'kubedo.dev/exit-after.init2': '2s', 'kubedo.dev/shutdown-after.proxy': '3s' },
      initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always', startupProbe: { httpGet: { path: '/', port: 1 }, initialDelaySeconds: 2 } }, {}],
    }),
    mkPod({ activeDeadlineSeconds: 25, annotations: { 'kubedo.dev/exit-after': '3s', 'kubedo.dev/exit-code': '1' } }),
  ];
  it.each(variants.map((p, i) => [i, p] as const))('variant %i: nothing changes before nextChangeAt, events add up', (_, p) => {
    for (const [del, timeScale] of [[undefined, 1], [at(33), 1], [undefined, 7], [at(4), 7]] as const) {
      const o = { ...OPTS, deletionStartedAt: del, timeScale };
      let t = T0;
      let since: number | undefined;
      let evaluated = T0;
      const seen: string[] = [];
      for (let step = 0; step < 60 && t < at(200); step++) {
        const r = podStatusAt(p, undefined, T0, t, { ...o, eventsSince: since });
        evaluated = t;
        seen.push(...r.events.map((e) => `${e.at} ${e.reason} ${e.fieldPath} ${e.message}`));
        if (r.nextChangeAt === undefined) {
          expect(podStatusAt(p, undefined, T0, at(5000), o).status).toEqual(r.status);
          break;
        }
        expect(r.nextChangeAt).toBeGreaterThan(t);
        // Sample instants before the next change: identical status.
        for (const f of [0.25, 0.5, 0.999]) {
          const mid = t + (r.nextChangeAt - t) * f;
          if (mid >= r.nextChangeAt) continue;
          expect(podStatusAt(p, undefined, T0, mid, o).status).toEqual(r.status);
        }
        since = t;
        t = r.nextChangeAt;
      }
      const all = podStatusAt(p, undefined, T0, evaluated, o).events.map((e) => `${e.at} ${e.reason} ${e.fieldPath} ${e.message}`);
      expect(seen.sort()).toEqual(all.sort());
    }
  });
});

describe('long crash loop stepped alarm by alarm', () => {
  it('matches a one-shot evaluation after hours (fast-forward is exact)', () => {
    const p = mkPod({ annotations: { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/exit-after': '2s', 'kubedo.dev/exit-code': '1' } });
    let t = T0;
    let since: number | undefined;
    let steps = 0;
    let last = podStatusAt(p, undefined, T0, t, OPTS);
    while (t < at(4 * 3600)) {
      last = podStatusAt(p, undefined, T0, t, { ...OPTS, eventsSince: since });
      since = t;
      t = last.nextChangeAt!;
      steps++;
    }
    const oneShot = podStatusAt(p, undefined, T0, since!, OPTS);
    expect(last.status).toEqual(oneShot.status);
    expect(steps).toBeLessThan(250);
    expect(last.status.containerStatuses![0].restartCount).toBeGreaterThan(40);
  });
});

describe('helpers', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1200, '1.2s'],
    [1234, '1.234s'],
    [10_000, '10s'],
    [80_000, '1m20s'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
    [0.5, '500µs'],
  ])('formatGoDuration(%s) = %s', (ms, text) => expect(formatGoDuration(ms)).toBe(text));

  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
  ])('normalizeImage(%s) = %s', (img, norm) => expect(normalizeImage(img)).toBe(norm));

  it('imageID keeps a pinned digest', () => {
    expect(imageID('nginx@sha256:abc')).toBe('docker.io/library/nginx@sha256:abc');
    expect(imageID('nginx:1.25')).toBe(imageID('docker.io/library/nginx:1.25'));
  });

  it.each([
    [{ command: ['sleep', '3600'] }, { kind: 'exits', afterMs: 3_600_000, exitCode: 0 }],
    [{ command: ['sh', '-c', 'sleep 10 && exit 3'] }, { kind: 'exits', afterMs: 10_000, exitCode: 3 }],
    [{ command: ['sleep', 'infinity'] }, { kind: 'forever' }],
    [{ image: 'busybox' }, { kind: 'exits', afterMs: 0, exitCode: 0 }],
    [{ image: 'busybox', stdin: true }, { kind: 'forever' }],
    [{ image: 'nginx' }, { kind: 'unknown' }],
    [{ command: ['sh', '-c', 'while true; do echo hi; sleep 5; done'] }, { kind: 'unknown' }],
    [{ command: ['sh', '-c', 'cat /etc/hosts | grep x'] }, { kind: 'unknown' }],
    [{ args: ['/bin/sh', '-c', 'echo "a; b"; false'] }, { kind: 'exits', afterMs: 0, exitCode: 1, output: ['a; b'] }],
  ])('inferRun(%j)', (c, expected) => expect(inferRun({ name: 'x', ...c } as Container)).toMatchObject(expected));
});
