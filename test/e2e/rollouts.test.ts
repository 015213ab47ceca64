/// <reference types="node" />
// StatefulSet and DaemonSet rollouts with real kubectl 1.33, which reads ControllerRevisions for
// `rollout history` and patches the owner with a revision's data for `rollout undo`; and a claim
// deleted while a pod uses it stays Terminating until the pod is gone (pvc-protection).
import { beforeAll, expect, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

type Obj = Record<string, any>;

describeKubectl(
  'rollouts',
  (k) => {
    const ns = uniqueName('ro');
    const json = async (args: string[]): Promise<Obj> => JSON.parse((await k.run([...args, '-n', ns, '-o', 'json'])).stdout);
    const apply = (obj: Obj) => k.run(['apply', '-f', '-'], { input: JSON.stringify(obj) });
    const status = (what: string) => k.run(['rollout', 'status', what, '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });
    const images = async (label: string) => ((await json(['get', 'pods', '-l', label])).items as Obj[]).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0].image);

    beforeAll(async () => {
      await k.run(['create', 'namespace', ns]);
      await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubedo-config', namespace: 'kube-system' }, data: { timeScale: '20' } });
    });

    it('a StatefulSet comes up in order with Bound claims; set image, history and undo', async () => {
      await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] } });
      await apply({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'web', namespace: ns },
        spec: {
          serviceName: 'web',
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } },
          volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        },
      });
      const first = await status('sts/web');
      expect(first.stdout).toMatch(/partitioned roll out complete: 3 new pods have been updated/);
      const pods = ((await json(['get', 'pods', '-l', 'app=web'])).items as Obj[]).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      expect(pods.map((p) => p.metadata.name)).toEqual(['web-0', 'web-1', 'web-2']);
      // OrderedReady: each pod was created once the one before it was Ready.
      for (let i = 1; i < 3; i++) {
        const readyAt = Date.parse(pods[i - 1].status.conditions.find((c: Obj) => c.type === 'Ready').lastTransitionTime);
        expect(Date.parse(pods[i].metadata.creationTimestamp)).toBeGreaterThanOrEqual(readyAt);
      }
      for (const p of pods) expect(p.spec).toMatchObject({ hostname: p.metadata.name, subdomain: 'web' });
      const claims = ((await json(['get', 'pvc'])).items as Obj[]).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      expect(claims.map((c) => [c.metadata.name, c.status.phase])).toEqual([
        ['www-web-0', 'Bound'],
        ['www-web-1', 'Bound'],
        ['www-web-2', 'Bound'],
      ]);

      await k.run(['set', 'image', 'sts/web', 'nginx=nginx:1.26', '-n', ns]);
      await status('sts/web');
      expect(await images('app=web')).toEqual(['nginx:1.26', 'nginx:1.26', 'nginx:1.26']);
      const history = await k.run(['rollout', 'history', 'sts/web', '-n', ns]);
      expect(history.stdout).toMatch(/^1\s+<none>$/m);
      expect(history.stdout).toMatch(/^2\s+<none>$/m);
      const rev1 = await k.run(['rollout', 'history', 'sts/web', '-n', ns, '--revision=1']);
      expect(rev1.stdout).toMatch(/Image:\s+nginx:1\.25/);
      const revs = ((await json(['get', 'controllerrevisions', '-l', 'app=web'])).items as Obj[]).map((r) => r.revision).sort();
      expect(revs).toEqual([1, 2]);

      const undo = await k.run(['rollout', 'undo', 'sts/web', '-n', ns]);
      expect(undo.stdout).toMatch(/statefulset.apps\/web rolled back/);
      await status('sts/web');
      const sts = await json(['get', 'sts', 'web']);
      expect(sts.spec.template.spec.containers[0].image).toBe('nginx:1.25');
      expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
      expect(await images('app=web')).toEqual(['nginx:1.25', 'nginx:1.25', 'nginx:1.25']);
      // The old revision was re-used and renumbered, not copied.
      const after = await k.run(['rollout', 'history', 'sts/web', '-n', ns]);
      expect(after.stdout).toMatch(/^2\s+<none>$/m);
      expect(after.stdout).toMatch(/^3\s+<none>$/m);
      expect(after.stdout).not.toMatch(/^1\s+/m);
    });

    it('rollout undo on a DaemonSet', async () => {
      await apply({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: ns },
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'nginx:1.25' }] } } },
      });
      await status('ds/agent');
      await k.run(['set', 'image', 'ds/agent', 'agent=nginx:1.26', '-n', ns]);
      const rolled = await status('ds/agent');
      expect(rolled.stdout).toMatch(/daemon set "agent" successfully rolled out/);
      expect(new Set(await images('app=agent'))).toEqual(new Set(['nginx:1.26']));
      expect((await k.run(['rollout', 'history', 'ds/agent', '-n', ns])).stdout).toMatch(/^2\s+<none>$/m);
      await k.run(['rollout', 'undo', 'ds/agent', '-n', ns]);
      await status('ds/agent');
      expect((await json(['get', 'ds', 'agent'])).spec.template.spec.containers[0].image).toBe('nginx:1.25');
      expect(new Set(await images('app=agent'))).toEqual(new Set(['nginx:1.25']));
    });

    it('a claim deleted while a pod uses it stays Terminating until the pod is deleted', async () => {
      await apply({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'scratch', namespace: ns }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
      await apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'user', namespace: ns },
        spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'scratch' } }] },
      });
      await k.run(['wait', '--for=condition=Ready', 'pod/user', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await k.run(['delete', 'pvc', 'scratch', '-n', ns, '--wait=false']);
      await new Promise((r) => setTimeout(r, 1000));
      const pvc = await json(['get', 'pvc', 'scratch']);
      expect(pvc.metadata.deletionTimestamp).toBeTruthy();
      expect(pvc.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
      expect((await k.run(['get', 'pvc', 'scratch', '-n', ns])).stdout).toMatch(/^scratch\s+Terminating\s+/m);
      await k.run(['delete', 'pod', 'user', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await k.run(['wait', '--for=delete', 'pvc/scratch', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 });
    });
  },
  ['1.33'],
);
