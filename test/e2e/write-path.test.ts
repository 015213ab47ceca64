/// <reference types="node" />
// kubectl's write path: imperative creates (protobuf bodies on 1.33, JSON on 1.31), client-side
// apply, strategic merge patches (patch, rollout restart, set image, edit, cordon), server-side
// apply with conflicts, and a CRD with schema, printer columns and status subresource.
import { beforeAll, expect, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

const manifest = (ns: string, image: string, env: Record<string, string>) => `
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: ${ns}
data:
  mode: prod
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: ${ns}
spec:
  replicas: 2
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
        env:
${Object.entries(env)
  .map(([k, v]) => `        - name: ${k}\n          value: "${v}"`)
  .join('\n')}
`;

describeKubectl(
  'write path',
  (k) => {
    const ns = uniqueName(`w${k.version.replace('.', '')}`);
    const json = async (args: string[]) => JSON.parse((await k.run([...args, '-n', ns, '-o', 'json'])).stdout);

    beforeAll(async () => {
      await k.run(['create', 'namespace', ns]);
    });

    it('creates objects imperatively', async () => {
      await k.run(['-n', ns, 'create', 'configmap', 'c', '--from-literal=a=b']);
      await k.run(['-n', ns, 'create', 'secret', 'generic', 's', '--from-literal=a=b']);
      await k.run(['-n', ns, 'create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3']);
      await k.run(['-n', ns, 'create', 'serviceaccount', 'sa']);
      await k.run(['-n', ns, 'create', 'role', 'r', '--verb=get', '--resource=pods']);
      await k.run(['-n', ns, 'create', 'rolebinding', 'rb', '--role=r', `--serviceaccount=${ns}:sa`]);
      expect((await json(['get', 'cm', 'c'])).data).toEqual({ a: 'b' });
      expect((await json(['get', 'secret', 's'])).data).toEqual({ a: 'Yg==' });
      const d = await json(['get', 'deploy', 'web']);
      expect(d.spec.replicas).toBe(3);
      expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.25');
      expect((await json(['get', 'rolebinding', 'rb'])).roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
    });

    it('applies a multi-document manifest idempotently, then with a changed image and an env var removed', async () => {
      const first = await k.run(['apply', '-f', '-'], { input: manifest(ns, 'nginx:1.25', { A: '1', B: '2' }) });
      expect(first.stdout).toContain('deployment.apps/app created');
      const again = await k.run(['apply', '-f', '-'], { input: manifest(ns, 'nginx:1.25', { A: '1', B: '2' }) });
      expect(again.stdout).toContain('configmap/app-config unchanged');
      expect(again.stdout).toContain('deployment.apps/app unchanged');
      const changed = await k.run(['apply', '-f', '-'], { input: manifest(ns, 'nginx:1.26', { A: '1' }) });
      expect(changed.stdout).toContain('deployment.apps/app configured');
      const d = await json(['get', 'deploy', 'app']);
      expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.26');
      expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
      expect(d.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
      expect(d.metadata.generation).toBe(2);
    });

    it('patches with strategic merge: patch, rollout restart, set image, edit, cordon', async () => {
      await k.run(['-n', ns, 'patch', 'deploy', 'app', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']);
      let d = await json(['get', 'deploy', 'app']);
      expect(d.spec.template.spec.containers.map((c: { name: string }) => c.name).sort()).toEqual(['sidecar', 'web']);
      await k.run(['-n', ns, 'rollout', 'restart', 'deploy/app']);
      await k.run(['-n', ns, 'set', 'image', 'deploy/app', 'web=nginx:1.27']);
      d = await json(['get', 'deploy', 'app']);
      expect(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
      expect(d.spec.template.spec.containers.find((c: { name: string }) => c.name === 'web').image).toBe('nginx:1.27');
      await k.run(['-n', ns, 'edit', 'deploy', 'app'], { env: { EDITOR: 'sed -i s/replicas:\\ 2/replicas:\\ 4/', KUBE_EDITOR: '' } });
      expect((await json(['get', 'deploy', 'app'])).spec.replicas).toBe(4);
      const node = k.version === '1.33' ? 'default-worker2' : 'default-worker3';
      await k.run(['cordon', node]);
      expect(JSON.parse((await k.run(['get', 'node', node, '-o', 'json'])).stdout).spec.unschedulable).toBe(true);
      await k.run(['uncordon', node]);
      expect(JSON.parse((await k.run(['get', 'node', node, '-o', 'json'])).stdout).spec.unschedulable).toBeUndefined();
    });

    it('server-side apply: conflicts between managers, then --force-conflicts', async () => {
      const cm = (value: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: ns }, data: { key: value } });
      await k.run(['apply', '--server-side', '-f', '-'], { input: cm('one') });
      const same = await k.run(['apply', '--server-side', '-f', '-'], { input: cm('one') });
      expect(same.stdout).toContain('configmap/ssa serverside-applied');
      const conflict = await k.run(['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: cm('two'), expectFail: true });
      expect(conflict.stderr).toContain('conflict');
      expect(conflict.stderr).toContain('.data.key');
      await k.run(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { input: cm('two') });
      const got = await json(['get', 'cm', 'ssa', '--show-managed-fields']);
      expect(got.data.key).toBe('two');
      expect(got.metadata.managedFields.map((m: { manager: string }) => m.manager)).toContain('other');
    });

    it('migrates a client-side applied object to server-side apply without conflicts', async () => {
      const cm = (value: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'migrate', namespace: ns }, data: { key: value } });
      await k.run(['apply', '-f', '-'], { input: cm('a') });
      await k.run(['apply', '-f', '-'], { input: cm('b') });
      await k.run(['apply', '--server-side', '-f', '-'], { input: cm('c') });
      const got = await json(['get', 'cm', 'migrate', '--show-managed-fields']);
      expect(got.data.key).toBe('c');
      const managers = got.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`);
      expect(managers).toContain('kubectl/Apply');
      expect(managers).not.toContain('kubectl-client-side-apply/Update');
    });

    it('serves a CRD: printer columns, 422, pruning, explain, status subresource, delete removes objects', async () => {
      const group = `${ns}.example.com`;
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: [`wd${k.version.replace('.', '')}`] },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              subresources: { status: {} },
              additionalPrinterColumns: [
                { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
                { name: 'Color', type: 'string', jsonPath: '.spec.color' },
              ],
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      description: 'What the widget should be.',
                      properties: {
                        size: { type: 'integer', minimum: 1, maximum: 10, description: 'How big the widget is.' },
                        color: { type: 'string', enum: ['red', 'blue'] },
                      },
                    },
                    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
                  },
                },
              },
            },
          ],
        },
      };
      await k.run(['apply', '-f', '-'], { input: JSON.stringify(crd) });
      await k.run(['wait', '--for=condition=Established', `crd/widgets.${group}`, '--timeout=20s']);
      const widget = (name: string, spec: object) => JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name, namespace: ns }, spec });
      await k.run(['apply', '-f', '-'], { input: widget('w1', { size: 3, color: 'red' }) });
      const table = await k.run(['get', 'widgets', '-n', ns]);
      expect(table.stdout).toMatch(/^NAME\s+SIZE\s+COLOR$/m);
      expect(table.stdout).toMatch(/^w1\s+3\s+red$/m);
      const bad = await k.run(['apply', '-f', '-'], { input: widget('w2', { size: 50 }), expectFail: true });
      expect(bad.stderr).toContain('spec.size: Invalid value: 50: spec.size in body should be less than or equal to 10');
      await k.run(['apply', '--validate=false', '-f', '-'], { input: widget('w3', { size: 2, extra: 'x' }) });
      expect((await json(['get', 'widget', 'w3'])).spec).toEqual({ size: 2 });
      const explain = await k.run(['explain', `widgets.spec.size`, `--api-version=${group}/v1`]);
      expect(explain.stdout).toContain('How big the widget is.');
      await k.run(['delete', 'crd', `widgets.${group}`, '--timeout=30s']);
      const gone = await k.run(['get', `widgets.${group}`, '-n', ns], { expectFail: true });
      expect(gone.stderr).toMatch(/the server doesn't have a resource type|not find the requested resource|NotFound/);
    });
  },
  ['1.31', '1.33'],
);
