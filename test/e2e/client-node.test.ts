/// <reference types="node" />
// The same everyday operations through @kubernetes/client-node, including an informer.
import { CoreV1Api, AppsV1Api, makeInformer, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientNodeConfig, uniqueName } from './kubectl';

describe('@kubernetes/client-node', () => {
  const kc = clientNodeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const ns = uniqueName('cn');

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: ns } } });
  });

  it('creates, reads, lists with selectors, patches and deletes', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'a', labels: { app: 'x' } }, data: { k: 'v' } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'b' }, data: {} } });
    const a = await core.readNamespacedConfigMap({ name: 'a', namespace: ns });
    expect(a.data).toEqual({ k: 'v' });
    const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=x' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['a']);
    const page = await core.listNamespacedConfigMap({ namespace: ns, limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.metadata?._continue).toBeTruthy();
    const patched = await core.patchNamespacedConfigMap(
      { name: 'a', namespace: ns, body: [{ op: 'add', path: '/data/extra', value: '1' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(patched.data).toEqual({ k: 'v', extra: '1' });
    const merged = await core.patchNamespacedConfigMap(
      { name: 'a', namespace: ns, body: { data: { k: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.data).toEqual({ extra: '1' });
    await core.deleteNamespacedConfigMap({ name: 'b', namespace: ns });
    await expect(core.readNamespacedConfigMap({ name: 'b', namespace: ns })).rejects.toMatchObject({ code: 404 });
  });

  it('creates a deployment with defaults and generation 1', async () => {
    const d = await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
      },
    });
    expect(d.metadata?.generation).toBe(1);
    expect(d.spec?.replicas).toBe(1);
    expect(d.spec?.strategy?.type).toBe('RollingUpdate');
  });

  it('an informer lists then watches changes', async () => {
    const seen: string[] = [];
    const informer = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'inf' }, data: {} } });
      await core.patchNamespacedConfigMap(
        { name: 'inf', namespace: ns, body: { data: { x: 'y' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ name: 'inf', namespace: ns });
      const start = Date.now();
      while (!seen.includes('delete:inf') && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await informer.stop();
    }
    expect(seen).toContain('add:a');
    expect(seen).toContain('add:inf');
    expect(seen).toContain('update:inf');
    expect(seen).toContain('delete:inf');
  });
});
