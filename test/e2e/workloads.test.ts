/// <reference types="node" />
// Deployments with real kubectl 1.33: rollout, history and undo, scaling, pause/resume and cascading
// deletes through ReplicaSets and the garbage collector.
import { beforeAll, expect, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

describeKubectl(
  'workloads',
  (k) => {
    const ns = uniqueName('wl');
    const json = async (args: string[]) => JSON.parse((await k.run([...args, '-n', ns, '-o', 'json'])).stdout);
    const rollout = (name: string) => k.run(['rollout', 'status', `deploy/${name}`, '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });

    beforeAll(async () => {
      await k.run(['create', 'namespace', ns]);
      await k.run(['apply', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubedo-config', namespace: 'kube-system' }, data: { timeScale: '20' } }),
      });
    });

    it('create deployment, rollout status, set image, history and undo', async () => {
      await k.run(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3', '-n', ns]);
      await rollout('web');
      let d = await json(['get', 'deploy', 'web']);
      expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
      expect(d.status.conditions.find((c: { type: string }) => c.type === 'Available').status).toBe('True');
      const pods = (await json(['get', 'pods', '-l', 'app=web'])).items;
      expect(pods).toHaveLength(3);
      expect(pods.every((p: { status: { phase: string } }) => p.status.phase === 'Running')).toBe(true);

      await k.run(['set', 'image', 'deploy/web', 'nginx=nginx:1.26', '-n', ns]);
      await rollout('web');
      const history = await k.run(['rollout', 'history', 'deploy/web', '-n', ns]);
      expect(history.stdout).toMatch(/^1\s+<none>$/m);
      expect(history.stdout).toMatch(/^2\s+<none>$/m);
      const images = (await json(['get', 'pods', '-l', 'app=web'])).items.map((p: { spec: { containers: { image: string }[] } }) => p.spec.containers[0].image);
      expect(new Set(images)).toEqual(new Set(['nginx:1.26']));

      await k.run(['rollout', 'undo', 'deploy/web', '-n', ns]);
      await rollout('web');
      d = await json(['get', 'deploy', 'web']);
      expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.25');
      expect((await json(['get', 'rs', '-l', 'app=web'])).items).toHaveLength(2); // the old ReplicaSet came back
    });

    it('scales, pauses and resumes', async () => {
      await k.run(['scale', 'deploy/web', '--replicas=10', '-n', ns]);
      await rollout('web');
      expect((await json(['get', 'deploy', 'web'])).status.availableReplicas).toBe(10);
      await k.run(['scale', 'deploy/web', '--replicas=2', '-n', ns]);
      await rollout('web');
      expect((await json(['get', 'pods', '-l', 'app=web', '--field-selector=status.phase=Running'])).items.filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp)).toHaveLength(2);
      await k.run(['rollout', 'pause', 'deploy/web', '-n', ns]);
      await k.run(['set', 'image', 'deploy/web', 'nginx=nginx:1.27', '-n', ns]);
      await new Promise((r) => setTimeout(r, 500));
      expect((await json(['get', 'rs', '-l', 'app=web'])).items).toHaveLength(2); // paused: no new ReplicaSet
      await k.run(['rollout', 'resume', 'deploy/web', '-n', ns]);
      await rollout('web');
      expect((await json(['get', 'rs', '-l', 'app=web'])).items).toHaveLength(3);
    });

    it('a DaemonSet runs on every worker but not on the tainted control plane', async () => {
      await k.run(['apply', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'agent', namespace: ns },
          spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'nginx' }] } } },
        }),
      });
      await k.run(['rollout', 'status', 'ds/agent', '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });
      const nodes = (await json(['get', 'pods', '-l', 'app=agent'])).items.map((p: { spec: { nodeName: string } }) => p.spec.nodeName);
      expect(nodes).not.toContain('default-control-plane');
      for (const w of ['default-worker', 'default-worker2', 'default-worker3']) expect(nodes).toContain(w);
    });

    it('Jobs complete: completions=5 parallelism=2, and an Indexed Job', async () => {
      const job = (name: string, spec: object) =>
        JSON.stringify({
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name, namespace: ns },
          spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'example.com/worker:1' }] } } },
        });
      await k.run(['apply', '-f', '-'], { input: job('batch', { completions: 5, parallelism: 2 }) });
      await k.run(['apply', '-f', '-'], { input: job('indexed', { completions: 3, parallelism: 3, completionMode: 'Indexed' }) });
      await k.run(['wait', '--for=condition=Complete', 'job/batch', 'job/indexed', '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });
      expect((await json(['get', 'job', 'batch'])).status.succeeded).toBe(5);
      expect((await json(['get', 'job', 'indexed'])).status.completedIndexes).toBe('0-2');
      const table = await k.run(['get', 'jobs', '-n', ns]);
      expect(table.stdout).toMatch(/^batch\s+Complete\s+5\/5\s+/m);
    });

    it('a StatefulSet of 3 comes up in order with Bound PVCs, and a CronJob creates Jobs on schedule', async () => {
      await k.run(['apply', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'db', namespace: ns },
          spec: {
            serviceName: 'db',
            replicas: 3,
            selector: { matchLabels: { app: 'db' } },
            template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
            volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
          },
        }),
      });
      await k.run(['rollout', 'status', 'sts/db', '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });
      const pods = (await json(['get', 'pods', '-l', 'app=db'])).items.map((p: { metadata: { name: string } }) => p.metadata.name).sort();
      expect(pods).toEqual(['db-0', 'db-1', 'db-2']);
      const pvcs = (await json(['get', 'pvc'])).items.filter((c: { metadata: { name: string } }) => c.metadata.name.startsWith('data-db-'));
      expect(pvcs.map((c: { status: { phase: string } }) => c.status.phase)).toEqual(['Bound', 'Bound', 'Bound']);
      const created = (await json(['get', 'events', '--field-selector', 'involvedObject.name=db,reason=SuccessfulCreate'])).items
        .sort((a: { firstTimestamp: string; metadata: { name: string } }, b: { firstTimestamp: string; metadata: { name: string } }) => a.metadata.name.localeCompare(b.metadata.name))
        .map((e: { message: string }) => e.message)
        .filter((m: string) => m.startsWith('create Pod'));
      expect(created).toHaveLength(3);

      await k.run(['create', 'cronjob', 'tick', '--image=example.com/worker:1', '--schedule=*/1 * * * *', '-n', ns]);
      let jobs: { metadata: { name: string } }[] = [];
      for (let i = 0; i < 60 && jobs.length < 2; i++) {
        jobs = (await json(['get', 'jobs'])).items.filter((j: { metadata: { name: string } }) => j.metadata.name.startsWith('tick-'));
        if (jobs.length < 2) await new Promise((r) => setTimeout(r, 500));
      }
      expect(jobs.length).toBeGreaterThanOrEqual(2);
      expect((await json(['get', 'cronjob', 'tick'])).status.lastScheduleTime).toBeTruthy();
    });

    it('deletes cascade, and --cascade=orphan leaves the ReplicaSet', async () => {
      await k.run(['delete', 'deploy', 'web', '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });
      for (let i = 0; i < 50; i++) {
        if ((await json(['get', 'rs'])).items.length === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await json(['get', 'rs'])).items).toHaveLength(0);
      await k.run(['create', 'deployment', 'keep', '--image=nginx', '--replicas=2', '-n', ns]);
      await rollout('keep');
      await k.run(['delete', 'deploy', 'keep', '-n', ns, '--cascade=orphan', '--timeout=60s'], { timeoutMs: 70_000 });
      const rs = (await json(['get', 'rs', '-l', 'app=keep'])).items;
      expect(rs).toHaveLength(1);
      expect(rs[0].metadata.ownerReferences).toBeUndefined();
      expect(rs[0].status.replicas).toBe(2);
    });
  },
  ['1.33'],
);
