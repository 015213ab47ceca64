import { describe, expect, it } from 'vitest';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { containerLog, LogError, LOG_PERIOD_MS, nextLogLineAt, resolveLogContainer } from '../../src/kubelet/logs';
import { podStatusAt } from '../../src/kubelet/lifecycle';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (s: number) => T0 + s * 1000;
const OPTS = { podIP: '10.244.1.5', hostIP: '172.18.0.3' };

/** A pod whose status is what the lifecycle model reports at `s` seconds after binding. */
function podAt(s: number, containers: Partial<Container>[] = [{}], annotations: Record<string, string> = { 'kubedo.dev/image-pull': '0s' }): Pod {
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', annotations },
    spec: { containers: containers.map((c, i) => ({ name: i === 0 ? 'nginx' : `c${i}`, image: 'nginx:1.27', ...c }) as Container) },
  };
  return { ...pod, status: podStatusAt(pod, undefined, T0, at(s), OPTS).status };
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('containerLog', () => {
  it('prints the nginx banner at start and one access line per period', () => {
    const pod = podAt(0);
    const first = lines(containerLog(pod, 'nginx', { now: at(0) }));
    expect(first[0]).toBe('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
    expect(first.at(-1)).toMatch(/\[notice\] 1#1: start worker process \d+$/);
    expect(first.some((l) => l.includes('nginx/1.27.0'))).toBe(true);
    const later = lines(containerLog(pod, 'nginx', { now: at(61) }));
    expect(later.length).toBe(first.length + 12);
    expect(later.at(-1)).toMatch(/^10\.244\.\d+\.\d+ - - \[01\/Jan\/2025:00:01:0\d \+0000\] "GET \S+ HTTP\/1\.1" \d{3} \d+ "-" ".+" "-"$/);
  });

  it('is deterministic and prefix-stable (a later read extends an earlier one)', () => {
    const pod = podAt(0);
    const a = containerLog(pod, 'nginx', { now: at(30), timestamps: true });
    const b = containerLog(pod, 'nginx', { now: at(300), timestamps: true });
    expect(b.startsWith(a)).toBe(true);
    expect(containerLog(pod, 'nginx', { now: at(300), timestamps: true })).toBe(b);
  });

  it('tailLines returns the last lines without generating the whole history', () => {
    const pod = podAt(0);
    const now = at(86400 * 365);
    const tail = lines(containerLog(pod, 'nginx', { now, tailLines: 3 }));
    expect(tail.length).toBe(3);
    const full = lines(containerLog(pod, 'nginx', { now: at(600) }));
    expect(lines(containerLog(pod, 'nginx', { now: at(600), tailLines: 5 }))).toEqual(full.slice(-5));
    expect(containerLog(pod, 'nginx', { now: at(600), tailLines: 0 })).toBe('');
  });

  it('since filters by time and timestamps prefix RFC3339Nano', () => {
    const pod = podAt(0);
    const text = containerLog(pod, 'nginx', { now: at(60), since: at(30), timestamps: true });
    const ls = lines(text);
    expect(ls.length).toBeGreaterThanOrEqual(5);
    expect(ls.length).toBeLessThanOrEqual(7);
    for (const l of ls) {
      const ts = l.split(' ')[0];
      expect(ts).toMatch(/^2025-01-01T00:0\d:\d\d(\.\d{1,9})?Z$/);
      expect(Date.parse(ts)).toBeGreaterThanOrEqual(at(30));
      expect(Date.parse(ts)).toBeLessThanOrEqual(at(60));
    }
  });

  it('limitBytes truncates', () => {
    expect(containerLog(podAt(0), 'nginx', { now: at(60), limitBytes: 10 })).toBe('/docker-en');
  });

  it('prints a generic line for unknown images and the echo output of simple commands', () => {
    const pod = podAt(0, [{ image: 'ghcr.io/acme/api:2' }, { image: 'busybox', command: ['sh', '-c', 'echo hello world; sleep 3600'] }]);
    const g = lines(containerLog(pod, 'nginx', { now: at(11) }));
    expect(g).toEqual(['kubedo: container nginx started (image ghcr.io/acme/api:2, restart 0)', 'kubedo: container nginx running (tick 1)', 'kubedo: container nginx running (tick 2)']);
    expect(containerLog(pod, 'c1', { now: at(100) })).toBe('hello world\n');
  });

  it('reads the previous instance with --previous and the last one during CrashLoopBackOff', () => {
    const ann = { 'kubedo.dev/image-pull': '0s', 'kubedo.dev/exit-after': '12s', 'kubedo.dev/exit-code': '1' };
    const running = podAt(14, [{ image: 'ghcr.io/acme/api:2' }], ann); // restarted at 12s
    expect(lines(containerLog(running, 'nginx', { now: at(14) }))).toEqual(['kubedo: container nginx started (image ghcr.io/acme/api:2, restart 1)']);
    const prev = lines(containerLog(running, 'nginx', { now: at(14), previous: true }));
    expect(prev[0]).toBe('kubedo: container nginx started (image ghcr.io/acme/api:2, restart 0)');
    expect(prev.at(-1)).toBe('kubedo: container nginx running (tick 2)');
    const waiting = podAt(25, [{ image: 'ghcr.io/acme/api:2' }], ann); // second exit at 24s, back-off 10s
    expect(waiting.status!.containerStatuses![0].state!.waiting!.reason).toBe('CrashLoopBackOff');
    expect(lines(containerLog(waiting, 'nginx', { now: at(25) }))[0]).toBe('kubedo: container nginx started (image ghcr.io/acme/api:2, restart 1)');
  });

  it.each([
    [() => podAt(0, [{}], { 'kubedo.dev/image-pull': '10s' }), 'nginx', false, 'container "nginx" in pod "web" is waiting to start: ContainerCreating'],
    [() => podAt(5), 'nginx', true, 'previous terminated container "nginx" in pod "web" not found'],
    [() => podAt(5), 'nope', false, 'container nope is not valid for pod web'],
  ])('errors like the kubelet (%#)', (mk, name, previous, message) => {
    expect(() => containerLog(mk(), name, { now: at(5), previous })).toThrowError(new LogError(message));
  });

  it('nextLogLineAt drives follow', () => {
    const pod = podAt(0, [{ image: 'ghcr.io/acme/api:2' }]);
    const n1 = nextLogLineAt(pod, 'nginx', at(0))!;
    expect(n1).toBeGreaterThan(at(0));
    expect(n1).toBeLessThan(at(0) + LOG_PERIOD_MS + 1000);
    const before = lines(containerLog(pod, 'nginx', { now: n1 - 1 })).length;
    expect(lines(containerLog(pod, 'nginx', { now: n1 })).length).toBe(before + 1);
    const done = podAt(5, [{ image: 'busybox', command: ['echo', 'hi'] }]);
    expect(nextLogLineAt(done, 'nginx', at(5))).toBeUndefined();
  });

  it('resolveLogContainer picks the only container or explains the choice', () => {
    expect(resolveLogContainer(podAt(0))).toBe('nginx');
    const multi = podAt(0, [{}, {}]);
    expect(() => resolveLogContainer(multi)).toThrowError('a container name must be specified for pod web, choose one of: [nginx c1]');
    expect(resolveLogContainer(multi, 'c1')).toBe('c1');
  });
});
