/// <reference types="node" />
// Sandboxes through the sandbox API with real kubectl 1.33: each kubeconfig sees only its own
// cluster, a token of one sandbox is refused by another, deleting one leaves the other intact,
// and a short TTL ends a sandbox by itself.
import fs from 'node:fs';
import path from 'node:path';
import { expect, inject, it } from 'vitest';
import { api, describeKubectl, uniqueName, type KubectlContext } from './kubectl';

interface Created {
  id: string;
  name: string;
  server: string;
  token: string;
  kubeconfig: string;
  expiresAt: string | null;
}

async function createSandbox(body: object, token: string | null): Promise<Created> {
  const r = await api('/v1/sandboxes', { method: 'POST', body, token });
  expect(r.status, r.body).toBe(201);
  return r.json<Created>();
}

function kubeconfigFile(sb: Created): string {
  const file = path.join(inject('tmpDir'), `kubeconfig-${sb.id}`);
  fs.writeFileSync(file, sb.kubeconfig, { mode: 0o600 });
  return file;
}

describeKubectl(
  'sandboxes',
  (k: KubectlContext) => {
    const as = (file: string, args: string[], expectFail = false) => k.run(args, { env: { KUBECONFIG: file }, expectFail });

    it('two sandboxes are isolated from each other; deleting one leaves the other intact', async () => {
      // One created anonymously (open mode), one by the operator (the launcher's bootstrap token).
      const a = await createSandbox({ name: uniqueName('a'), workerNodes: 1 }, null);
      const b = await createSandbox({ name: uniqueName('b'), workerNodes: 2 }, inject('token'));
      expect(a.server).toBe(`${inject('baseUrl')}/clusters/${a.id}`);
      const fa = kubeconfigFile(a);
      const fb = kubeconfigFile(b);

      const nodesA = (await as(fa, ['get', 'nodes', '-o', 'name'])).stdout.trim().split('\n');
      expect(nodesA).toEqual([`node/${a.name}-control-plane`, `node/${a.name}-worker`]);
      const nodesB = (await as(fb, ['get', 'nodes', '-o', 'name'])).stdout.trim().split('\n');
      expect(nodesB).toEqual([`node/${b.name}-control-plane`, `node/${b.name}-worker`, `node/${b.name}-worker2`]);

      await as(fa, ['create', 'configmap', 'only-in-a', '--from-literal=x=1']);
      await as(fb, ['create', 'configmap', 'only-in-b', '--from-literal=x=2']);
      const cmA = (await as(fa, ['get', 'configmaps', '-o', 'name'])).stdout;
      const cmB = (await as(fb, ['get', 'configmaps', '-o', 'name'])).stdout;
      expect(cmA).toContain('configmap/only-in-a');
      expect(cmA).not.toContain('only-in-b');
      expect(cmB).toContain('configmap/only-in-b');
      expect(cmB).not.toContain('only-in-a');

      // `get --raw` drops the server's path: the bare paths serve the token's own sandbox.
      expect((await as(fa, ['get', '--raw', '/api/v1/namespaces/default/configmaps'])).stdout).toContain('only-in-a');
      expect((await as(fb, ['get', '--raw', '/readyz'])).stdout.trim()).toBe('ok');

      // A's token on B's server, and on a made-up id: Unauthorized.
      const cross = await as(fa, ['get', 'configmaps', '--server', b.server], true);
      expect(cross.stderr).toMatch(/Unauthorized|must be logged in/);
      const guessed = await as(fa, ['get', 'configmaps', '--server', `${inject('baseUrl')}/clusters/${'z'.repeat(26)}`], true);
      expect(guessed.stderr).toMatch(/Unauthorized|must be logged in/);

      // Each owner lists only their own.
      const listA = (await api('/v1/sandboxes', { token: a.token })).json<{ items: { id: string }[] }>().items.map((s) => s.id);
      expect(listA).toEqual([a.id]);
      const listOp = (await api('/v1/sandboxes')).json<{ items: { id: string }[] }>().items.map((s) => s.id);
      expect(listOp).toContain(b.id);
      expect(listOp).not.toContain(a.id);

      expect((await api(`/v1/sandboxes/${a.id}`, { method: 'DELETE', token: a.token })).status).toBe(200);
      const gone = await as(fa, ['get', 'configmaps'], true);
      expect(gone.stderr).toMatch(/Unauthorized|must be logged in/);
      expect((await as(fb, ['get', 'configmap', 'only-in-b', '-o', 'jsonpath={.data.x}'])).stdout).toBe('2');
      expect((await api(`/v1/sandboxes/${b.id}`, { method: 'DELETE' })).status).toBe(200);
    });

    it('a sandbox with a TTL expires by itself', async () => {
      const c = await createSandbox({ name: uniqueName('ttl'), workerNodes: 1, ttlSeconds: 3 }, inject('token'));
      const fc = kubeconfigFile(c);
      expect((await as(fc, ['get', 'namespaces', '-o', 'name'])).stdout).toContain('namespace/default');
      await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(c.expiresAt!) - Date.now()) + 500));
      // The DO's alarm fires in wrangler dev like in production.
      let status = 0;
      for (let i = 0; i < 20; i++) {
        status = (await api(`/clusters/${c.id}/api/v1/namespaces`, { token: c.token })).status;
        if (status === 401) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(401);
      expect((await api(`/v1/sandboxes/${c.id}`)).status).toBe(404);
      expect((await as(fc, ['get', 'namespaces'], true)).stderr).toMatch(/Unauthorized|must be logged in/);
    });
  },
  ['1.33'],
);
