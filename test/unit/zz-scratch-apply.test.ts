import { test } from 'vitest';
import { serverSideApply, updateManagedFields, fieldSetOf, toFieldsV1 } from '../../src/machinery/apply';
const DEF = 'io.k8s.api.apps.v1.Deployment';
const T = '2024-05-01T10:00:00Z';
test('scratch', () => {
  const dep = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'nginx' } }, progressDeadlineSeconds: 600, revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', imagePullPolicy: 'Always', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
        dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30 } } },
  };
  console.log(JSON.stringify(updateManagedFields(undefined, dep, { manager: 'kubectl-create', apiVersion: 'apps/v1', definition: DEF, time: T }), null, 1));
  const cfg = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', finalizers: ['a', 'b'] }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] } } } };
  const r = serverSideApply(undefined, cfg, { manager: 'kubectl', apiVersion: 'apps/v1', definition: DEF, time: T, force: false });
  console.log(JSON.stringify(r, null, 1));
});
