// The HorizontalPodAutoscaler scales a Deployment on the simulated CPU usage.
import { describe, expect, it } from 'vitest';
import { k, until } from './helpers';

describe('horizontal pod autoscaler', () => {
  it('scales a deployment up when its load rises above the target', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'hpa' } });
    const deploy = (usage: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' }, annotations: { 'kubedo.dev/cpu-usage': usage } },
          spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
        },
      },
    });
    expect((await k('POST', '/apis/apps/v1/namespaces/hpa/deployments', deploy('150m'))).status).toBe(201);
    const hpa = await k('POST', '/apis/autoscaling/v2/namespaces/hpa/horizontalpodautoscalers', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      },
    });
    expect(hpa.status).toBe(201);
    // 150% of the request against a 50% target: 1 → 3 replicas; each pod keeps its usage, so the
    // load grows with the pods and the next step stops at maxReplicas.
    const events = await until('rescaled twice', async () => {
      const evs = (await k('GET', '/api/v1/namespaces/hpa/events?fieldSelector=reason%3DSuccessfulRescale')).body.items.map((e: any) => e.message);
      return evs.length >= 2 ? evs : undefined;
    }, 20_000);
    expect(events).toContain('New size: 3; reason: cpu resource utilization (percentage of request) above target');
    expect(events).toContain('New size: 5; reason: cpu resource utilization (percentage of request) above target');
    const status = await until('HPA at max', async () => {
      const h = (await k('GET', '/apis/autoscaling/v2/namespaces/hpa/horizontalpodautoscalers/web')).body;
      return h.status?.desiredReplicas === 5 ? h.status : undefined;
    }, 20_000);
    expect(status.conditions.find((c: any) => c.type === 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
    expect((await k('GET', '/apis/apps/v1/namespaces/hpa/deployments/web')).body.spec.replicas).toBe(5);
  });
});
