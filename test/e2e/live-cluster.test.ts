/// <reference types="node" />
// A live cluster with real kubectl 1.33: scheduling, simulated kubelets, logs, top, drain and node
// failure. The sandbox runs 20× faster (ConfigMap kube-system/kubedo-config timeScale) so that
// kubelet and node-lifecycle timeouts pass in seconds.
import { spawn } from 'node:child_process';
import { beforeAll, expect, inject, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

describeKubectl(
  'live cluster',
  (k) => {
    const ns = uniqueName('live');
    const json = async (args: string[]) => JSON.parse((await k.run([...args, '-o', 'json'])).stdout);

    beforeAll(async () => {
      await k.run(['create', 'namespace', ns]);
      await k.run(['apply', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubedo-config', namespace: 'kube-system' }, data: { timeScale: '20' } }),
      });
    });

    it('kubectl run reaches Running with an IP from the pod CIDR (Calico IPAM)', async () => {
      await k.run(['run', 'nginx', '--image=nginx', '-n', ns]);
      await k.run(['wait', '--for=condition=Ready', 'pod/nginx', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const pod = await json(['get', 'pod', 'nginx', '-n', ns]);
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.podIP.startsWith('10.244.')).toBe(true);
      const wide = await k.run(['get', 'pod', 'nginx', '-n', ns, '-o', 'wide']);
      expect(wide.stdout).toMatch(new RegExp(`nginx\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${pod.status.podIP.replace(/\./g, '\\.')}\\s+${pod.spec.nodeName}`));
      const events = await k.run(['describe', 'pod', 'nginx', '-n', ns]);
      expect(events.stdout).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned/);
      expect(events.stdout).toMatch(/Normal\s+Started\s+\S+\s+kubelet\s+Started container nginx/);
    });

    it('a pod requesting 100 CPUs stays Pending with kube-scheduler\'s FailedScheduling event', async () => {
      await k.run(['run', 'huge', '--image=nginx', '-n', ns, '--overrides', JSON.stringify({ spec: { containers: [{ name: 'huge', image: 'nginx', resources: { requests: { cpu: '100' } } }] } })]);
      let out = '';
      for (let i = 0; i < 50 && !/FailedScheduling/.test(out); i++) {
        out = (await k.run(['describe', 'pod', 'huge', '-n', ns])).stdout;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(out).toMatch(/^Status:\s+Pending/m);
      expect(out).toMatch(/Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/\d+ nodes are available: 1 node\(s\) had untolerated taint \{node-role\.kubernetes\.io\/control-plane: \}, \d+ Insufficient cpu\. preemption: /);
    });

    it('places pods by affinity, anti-affinity, tolerations and topology spread like kube-scheduler', async () => {
      const podJson = (name: string, labels: Record<string, string>, spec: object) =>
        JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });
      const hostname = 'kubernetes.io/hostname';
      const workers = ['default-worker', 'default-worker2', 'default-worker3'];
      const anti = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'anti' } }, topologyKey: hostname }] } }, nodeSelector: { 'kubedo.dev/e2e-pool': 'a' } };
      for (const w of workers) await k.run(['label', 'node', w, 'kubedo.dev/e2e-pool=a', '--overwrite']);
      for (const i of [1, 2, 3]) await k.run(['create', '-f', '-'], { input: podJson(`anti-${i}`, { app: 'anti' }, anti) });
      await k.run(['create', '-f', '-'], { input: podJson('anti-4', { app: 'anti' }, anti) });
      const spread = {
        nodeSelector: { 'kubedo.dev/e2e-pool': 'a' },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: hostname, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }],
      };
      for (const i of [1, 2, 3]) await k.run(['create', '-f', '-'], { input: podJson(`spread-${i}`, { app: 'spread' }, spread) });
      const cp = { nodeSelector: { 'node-role.kubernetes.io/control-plane': '' }, tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] };
      await k.run(['create', '-f', '-'], { input: podJson('on-cp', {}, cp) });
      await k.run(['create', '-f', '-'], { input: podJson('affine', {}, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'anti' } }, topologyKey: hostname }] } } }) });
      const nodeOf = async (name: string) => {
        for (let i = 0; i < 50; i++) {
          const p = await json(['get', 'pod', name, '-n', ns]);
          if (p.spec.nodeName) return p.spec.nodeName as string;
          await new Promise((r) => setTimeout(r, 200));
        }
        return undefined;
      };
      const antiNodes = await Promise.all([1, 2, 3].map((i) => nodeOf(`anti-${i}`)));
      expect(new Set(antiNodes).size).toBe(3);
      expect((await json(['get', 'pod', 'anti-4', '-n', ns])).spec.nodeName).toBeUndefined();
      const spreadNodes = await Promise.all([1, 2, 3].map((i) => nodeOf(`spread-${i}`)));
      expect(new Set(spreadNodes).size).toBe(3);
      expect(await nodeOf('on-cp')).toBe('default-control-plane');
      expect(antiNodes).toContain(await nodeOf('affine'));
    });

    it('logs and top work', async () => {
      const logs = await k.run(['logs', 'nginx', '-n', ns, '--tail=2']);
      expect(logs.stdout.trim().split('\n')).toHaveLength(2);
      // -f streams new lines (one every 5 s, 20× faster here) until stopped.
      const child = spawn(k.path, ['logs', '-f', 'nginx', '-n', ns, '--tail=1'], {
        env: { ...process.env, KUBECONFIG: inject('kubeconfig'), KUBECACHEDIR: `${inject('cacheDir')}/${k.version}` },
      });
      let followed = '';
      child.stdout.on('data', (d) => (followed += d));
      await new Promise((r) => setTimeout(r, 2500));
      child.kill();
      expect(followed.trim().split('\n').length).toBeGreaterThan(2);
      const top = await k.run(['top', 'pod', 'nginx', '-n', ns]);
      expect(top.stdout).toMatch(/^nginx\s+\d+m\s+\d+Mi\s*$/m);
      const nodes = await k.run(['top', 'nodes']);
      expect(nodes.stdout).toMatch(/default-worker\s+\d+m\s+\d+%/);
    });

    it('describe node shows allocated resources and the lease', async () => {
      const pod = await json(['get', 'pod', 'nginx', '-n', ns]);
      const d = await k.run(['describe', 'node', pod.spec.nodeName]);
      expect(d.stdout).toMatch(/Allocated resources:/);
      expect(d.stdout).toMatch(new RegExp(`${ns}\\s+nginx`));
      expect(d.stdout).toMatch(/Lease:\s*\n\s+HolderIdentity:\s+\S+/);
    });

    it('a stopped kubelet makes its node NotReady and its pods get evicted; drain evicts', async () => {
      const node = uniqueName('node');
      await k.run(['create', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, labels: { 'kubernetes.io/hostname': node, pool: node } } }),
      });
      await k.run(['run', 'pinned', '--image=nginx', '-n', ns, '--overrides', JSON.stringify({ spec: { nodeSelector: { pool: node } } })]);
      await k.run(['wait', '--for=condition=Ready', 'pod/pinned', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await k.run(['annotate', 'node', node, 'kubedo.dev/kubelet=stopped']);
      await k.run(['wait', '--for=condition=Ready=Unknown', `node/${node}`, '--timeout=30s'], { timeoutMs: 40_000 });
      const nodes = await k.run(['get', 'node', node]);
      expect(nodes.stdout).toMatch(new RegExp(`${node}\\s+NotReady`));
      // 300 s default toleration at 20× → evicted after about 15 s.
      let deleting = false;
      for (let i = 0; i < 60 && !deleting; i++) {
        deleting = !!(await json(['get', 'pod', 'pinned', '-n', ns])).metadata.deletionTimestamp;
        if (!deleting) await new Promise((r) => setTimeout(r, 500));
      }
      expect(deleting).toBe(true);
      await k.run(['annotate', 'node', node, 'kubedo.dev/kubelet=running', '--overwrite']);
      await k.run(['wait', '--for=condition=Ready', `node/${node}`, '--timeout=30s'], { timeoutMs: 40_000 });
      await k.run(['wait', '--for=delete', 'pod/pinned', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 });

      // drain: cordon, evict through pods/eviction, wait until the pods are gone.
      await k.run(['run', 'drained', '--image=nginx', '-n', ns, '--overrides', JSON.stringify({ spec: { nodeSelector: { pool: node } } })]);
      await k.run(['wait', '--for=condition=Ready', 'pod/drained', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const drain = await k.run(['drain', node, '--force', '--ignore-daemonsets', '--timeout=40s'], { timeoutMs: 50_000 });
      expect(drain.stdout).toContain(`pod/drained evicted`);
      expect(drain.stdout).toContain(`node/${node} drained`);
      expect((await json(['get', 'node', node])).spec.unschedulable).toBe(true);
    });
  },
  ['1.33'],
);
