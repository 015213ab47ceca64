/// <reference types="node" />
// The guestbook from the Kubernetes documentation's tutorial (Redis leader, two Redis followers,
// three PHP frontends, each a Deployment with its Service), as our own multi-document manifest:
// `kubectl apply -f` brings it up fully, `rollout status` and `wait --for=condition=Available`
// complete, `get all` shows what the tutorial shows, and `delete -f` leaves nothing behind.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

const MANIFEST = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'guestbook.yaml');
const DEPLOYMENTS = { 'redis-leader': 1, 'redis-follower': 2, frontend: 3 } as const;

interface PodJson {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase: string; conditions?: { type: string; status: string }[]; containerStatuses?: { ready: boolean; started?: boolean }[] };
}

describeKubectl(
  'guestbook',
  (k) => {
    const ns = uniqueName('guestbook');
    const run = (args: string[], timeoutMs = 30_000) => k.run([...args, '-n', ns], { timeoutMs });

    beforeAll(async () => {
      await k.run(['create', 'namespace', ns]);
    });

    it('kubectl apply -f brings every Deployment up, Available and Ready', async () => {
      const applied = await run(['apply', '-f', MANIFEST]);
      for (const name of Object.keys(DEPLOYMENTS)) {
        expect(applied.stdout).toContain(`deployment.apps/${name} created`);
        expect(applied.stdout).toContain(`service/${name} created`);
      }
      for (const name of Object.keys(DEPLOYMENTS)) {
        const status = await run(['rollout', 'status', `deployment/${name}`, '--timeout=90s'], 100_000);
        expect(status.stdout).toContain(`deployment "${name}" successfully rolled out`);
      }
      const waited = await run(['wait', '--for=condition=Available', 'deployment', '--all', '--timeout=60s'], 70_000);
      for (const name of Object.keys(DEPLOYMENTS)) expect(waited.stdout).toContain(`deployment.apps/${name} condition met`);

      const deployments = JSON.parse((await run(['get', 'deployments', '-o', 'json'])).stdout).items;
      for (const [name, replicas] of Object.entries(DEPLOYMENTS)) {
        const d = deployments.find((x: { metadata: { name: string } }) => x.metadata.name === name);
        expect(d.status).toMatchObject({ replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas });
      }

      const pods: PodJson[] = JSON.parse((await run(['get', 'pods', '-o', 'json'])).stdout).items;
      expect(pods).toHaveLength(6);
      const byRole = (labels: Record<string, string>) => (labels.tier === 'frontend' ? 'frontend' : `redis-${labels.role}`);
      const counts: Record<string, number> = {};
      for (const p of pods) {
        counts[byRole(p.metadata.labels)] = (counts[byRole(p.metadata.labels)] ?? 0) + 1;
        expect(p.status.phase).toBe('Running');
        expect(p.spec.nodeName).toMatch(/^default-worker/);
        expect(p.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
        expect(p.status.containerStatuses?.every((c) => c.ready)).toBe(true);
      }
      expect(counts).toEqual(DEPLOYMENTS);
    });

    it('kubectl get all lists what the tutorial shows', async () => {
      const all = (await run(['get', 'all'])).stdout;
      // Pods: NAME READY STATUS RESTARTS AGE
      expect(all.match(/^pod\/frontend-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+/gm)).toHaveLength(3);
      expect(all.match(/^pod\/redis-follower-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+/gm)).toHaveLength(2);
      expect(all.match(/^pod\/redis-leader-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+/gm)).toHaveLength(1);
      // Services (addresses are not checked here: the service network is its own feature).
      expect(all).toMatch(/^service\/frontend\s+ClusterIP\s+\S+\s+\S+\s+80\/TCP\s+/m);
      expect(all).toMatch(/^service\/redis-leader\s+ClusterIP\s+\S+\s+\S+\s+6379\/TCP\s+/m);
      expect(all).toMatch(/^service\/redis-follower\s+ClusterIP\s+\S+\s+\S+\s+6379\/TCP\s+/m);
      // Deployments: NAME READY UP-TO-DATE AVAILABLE AGE
      expect(all).toMatch(/^deployment\.apps\/frontend\s+3\/3\s+3\s+3\s+/m);
      expect(all).toMatch(/^deployment\.apps\/redis-follower\s+2\/2\s+2\s+2\s+/m);
      expect(all).toMatch(/^deployment\.apps\/redis-leader\s+1\/1\s+1\s+1\s+/m);
      // ReplicaSets: NAME DESIRED CURRENT READY AGE
      expect(all).toMatch(/^replicaset\.apps\/frontend-[a-z0-9]+\s+3\s+3\s+3\s+/m);
      expect(all).toMatch(/^replicaset\.apps\/redis-follower-[a-z0-9]+\s+2\s+2\s+2\s+/m);
      expect(all).toMatch(/^replicaset\.apps\/redis-leader-[a-z0-9]+\s+1\s+1\s+1\s+/m);
    });

    it('kubectl delete -f removes everything, pods included', async () => {
      const deleted = await run(['delete', '-f', MANIFEST, '--timeout=60s'], 70_000);
      for (const name of Object.keys(DEPLOYMENTS)) {
        expect(deleted.stdout).toContain(`deployment.apps "${name}" deleted`);
        expect(deleted.stdout).toContain(`service "${name}" deleted`);
      }
      // The garbage collector deletes the ReplicaSets, their controller the pods (graceful).
      let left = '';
      for (let i = 0; i < 120; i++) {
        left = (await run(['get', 'all', '-o', 'name'])).stdout.trim();
        if (!left) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(left).toBe('');
      const none = await run(['get', 'all']);
      expect(none.stderr).toContain(`No resources found in ${ns} namespace.`);
    });
  },
  ['1.29', '1.33'],
);
