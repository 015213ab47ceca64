/// <reference types="node" />
// A HorizontalPodAutoscaler with real kubectl: `kubectl autoscale` a Deployment with CPU requests,
// raise the simulated load (`kubedo.dev/cpu-usage` on the pod template) and see `kubectl get hpa`
// report it and the Deployment grow to maxReplicas; lower it and see the Deployment shrink only
// after the downscale stabilization window (300 s, 10 s at timeScale 30).
import { beforeAll, expect, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

const TIME_SCALE = 30;
const WINDOW_MS = (300 * 1000) / TIME_SCALE;

describeKubectl(
  'horizontal pod autoscaler',
  (k) => {
    const ns = uniqueName('hpa');
    const run = (args: string[], timeoutMs = 30_000) => k.run([...args, '-n', ns], { timeoutMs });
    const json = async (args: string[]) => JSON.parse((await run([...args, '-o', 'json'])).stdout);
    const setLoad = (usage: string) =>
      run(['patch', 'deployment', 'web', '--type=merge', '-p', JSON.stringify({ spec: { template: { metadata: { annotations: { 'kubedo.dev/cpu-usage': usage } } } } })]);
    async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
      const end = Date.now() + timeoutMs;
      let last: unknown;
      while (Date.now() < end) {
        try {
          const v = await fn();
          if (v !== undefined) return v;
        } catch (err) {
          last = err;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    }
    const hpaLine = async () => (await run(['get', 'hpa', 'web'])).stdout.split('\n')[1] ?? '';
    const replicas = async () => (await json(['get', 'deployment', 'web'])).spec.replicas as number;

    beforeAll(async () => {
      await k.run(['create', 'namespace', ns]);
      await k.run(['apply', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubedo-config', namespace: 'kube-system' }, data: { timeScale: String(TIME_SCALE) } }),
      });
    });

    it('kubectl autoscale: get hpa reports the utilisation, the Deployment scales up with the load', async () => {
      await run(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=1']);
      await run(['set', 'resources', 'deployment', 'web', '--requests=cpu=100m,memory=64Mi']);
      await setLoad('20m'); // 20% of the request: below the target
      await run(['rollout', 'status', 'deployment/web', '--timeout=60s'], 70_000);
      const autoscaled = await run(['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5']);
      expect(autoscaled.stdout).toContain('horizontalpodautoscaler.autoscaling/web autoscaled');

      // NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE
      await until('the HPA to report 20%', async () => ((/^web\s+Deployment\/web\s+cpu: 20%\/50%\s+1\s+5\s+1\s+/.test(await hpaLine())) ? true : undefined));
      expect(await replicas()).toBe(1);

      await setLoad('150m'); // 150% of the request against 50%: 1 → 3 → 5 (maxReplicas)
      await until('5 replicas', async () => ((await replicas()) === 5 ? true : undefined));
      await run(['rollout', 'status', 'deployment/web', '--timeout=60s'], 70_000);
      await until('the HPA to report 150% with 5 replicas', async () => ((/^web\s+Deployment\/web\s+cpu: 150%\/50%\s+1\s+5\s+5\s+/.test(await hpaLine())) ? true : undefined));
      const hpa = await json(['get', 'hpa', 'web']);
      expect(hpa.status).toMatchObject({ currentReplicas: 5, desiredReplicas: 5, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 150, averageValue: '150m' } } }] });
      expect(hpa.status.lastScaleTime).toBeTruthy();
      const described = (await run(['describe', 'hpa', 'web'])).stdout;
      expect(described).toMatch(/ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)/);
      expect(described).toMatch(/ScalingLimited\s+True\s+TooManyReplicas\s+the desired replica count is more than the maximum replica count/);
      const rescales = (await json(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale'])).items.map((e: { message: string }) => e.message);
      expect(rescales).toContain('New size: 5; reason: cpu resource utilization (percentage of request) above target');
      const deploy = await json(['get', 'deployment', 'web']);
      expect(deploy.status).toMatchObject({ replicas: 5, availableReplicas: 5, updatedReplicas: 5 });
    });

    it('when the load falls the Deployment shrinks only after the stabilization window', async () => {
      // The pods' own annotation overrides the template's (no rollout): the load falls at one instant.
      const loweredAt = Date.now();
      await run(['annotate', 'pods', '-l', 'app=web', 'kubedo.dev/cpu-usage=10m', '--overwrite']);
      await until('the HPA to report 10%', async () => ((/^web\s+Deployment\/web\s+cpu: 10%\/50%\s+1\s+5\s+5\s+/.test(await hpaLine())) ? true : undefined));
      expect(await replicas()).toBe(5); // recommendations of the last window still say 5
      const hpa = await json(['get', 'hpa', 'web']);
      expect(hpa.status.conditions.find((c: { type: string }) => c.type === 'AbleToScale')).toMatchObject({ status: 'True', reason: 'ScaleDownStabilized' });

      await until('1 replica', async () => ((await replicas()) === 1 ? true : undefined), WINDOW_MS + 30_000);
      const shrunkAfter = Date.now() - loweredAt;
      expect(shrunkAfter).toBeGreaterThanOrEqual(WINDOW_MS - 2_000);
      expect(shrunkAfter).toBeLessThan(WINDOW_MS + 15_000);
      await run(['rollout', 'status', 'deployment/web', '--timeout=60s'], 70_000);
      await until('the HPA to show 1 replica', async () => ((/^web\s+Deployment\/web\s+cpu: 10%\/50%\s+1\s+5\s+1\s+/.test(await hpaLine())) ? true : undefined));
      const rescales = (await json(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale'])).items.map((e: { message: string }) => e.message);
      expect(rescales).toContain('New size: 1; reason: All metrics below target');
    });
  },
  ['1.33'],
);
