/// <reference types="node" />
// Everyday kubectl against the emulator, for each installed kubectl version (1.28, 1.31, 1.33):
// read paths, writes with merge/json patches, watches, finalizers and explain.
import { spawn } from 'node:child_process';
import { beforeAll, expect, inject, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

const CONFIGMAP = (name: string, ns: string, labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { key: 'value' } });

describeKubectl('kubectl basics', (k) => {
  const ns = uniqueName(`k${k.version.replace('.', '')}`);

  beforeAll(async () => {
    // `create namespace` sends protobuf on 1.32+ (its own issue); a manifest goes as JSON everywhere.
    await k.run(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) });
  });

  it('lists api-resources with short names and groups', async () => {
    const { stdout } = await k.run(['api-resources']);
    expect(stdout).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(stdout).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(stdout).toMatch(/^nodes\s+no\s+v1\s+false\s+Node$/m);
    expect(stdout).toMatch(/^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false\s+CustomResourceDefinition$/m);
  });

  it('gets nodes as a table with kube-apiserver columns, and -o wide', async () => {
    const { stdout } = await k.run(['get', 'nodes']);
    expect(stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(stdout).toMatch(/default-control-plane\s+Ready\s+control-plane\s+\S+\s+v1\.33\.0/);
    const wide = await k.run(['get', 'nodes', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
  });

  it('creates from a file, gets as yaml/json/name, and reports duplicates', async () => {
    await k.run(['create', '-f', '-'], { input: CONFIGMAP('app-config', ns, { app: 'web' }) });
    const yaml = await k.run(['get', 'configmap', 'app-config', '-n', ns, '-o', 'yaml']);
    expect(yaml.stdout).toContain('key: value');
    expect(yaml.stdout).toMatch(/uid: [0-9a-f-]{36}/);
    const json = JSON.parse((await k.run(['get', 'cm', 'app-config', '-n', ns, '-o', 'json'])).stdout);
    expect(json.metadata.labels).toEqual({ app: 'web' });
    const name = await k.run(['get', 'cm', '-n', ns, '-o', 'name']);
    expect(name.stdout.trim().split('\n')).toContain('configmap/app-config');
    const dup = await k.run(['create', '-f', '-'], { input: CONFIGMAP('app-config', ns), expectFail: true });
    expect(dup.stderr).toContain('Error from server (AlreadyExists): error when creating "STDIN": configmaps "app-config" already exists');
  });

  it('rejects unknown fields with strict validation', async () => {
    const bad = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict', namespace: ns }, data: {}, bogus: 1 });
    const r = await k.run(['create', '-f', '-'], { input: bad, expectFail: true });
    expect(r.stderr).toMatch(/unknown field "bogus"/);
  });

  it('selects with -l, --field-selector and -A, and pages with --chunk-size', async () => {
    for (const [n, tier] of [['c1', 'a'], ['c2', 'b'], ['c3', 'a'], ['c4', 'b'], ['c5', 'a']]) {
      await k.run(['create', '-f', '-'], { input: CONFIGMAP(n, ns, { tier }) });
    }
    const byLabel = await k.run(['get', 'cm', '-n', ns, '-l', 'tier=a', '-o', 'name']);
    expect(byLabel.stdout.trim().split('\n')).toEqual(['configmap/c1', 'configmap/c3', 'configmap/c5']);
    const byField = await k.run(['get', 'cm', '-n', ns, '--field-selector', 'metadata.name=c2', '-o', 'name']);
    expect(byField.stdout.trim()).toBe('configmap/c2');
    const all = await k.run(['get', 'cm', '-A']);
    expect(all.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE$/);
    expect(all.stdout).toMatch(new RegExp(`^${ns}\\s+c4\\s+1\\s+`, 'm'));
    const chunked = await k.run(['get', 'cm', '-n', ns, '-l', 'tier', '--chunk-size=2', '-o', 'name']);
    expect(chunked.stdout.trim().split('\n')).toEqual(['configmap/c1', 'configmap/c2', 'configmap/c3', 'configmap/c4', 'configmap/c5']);
  });

  it('labels, annotates and patches with merge and json patches', async () => {
    await k.run(['create', '-f', '-'], { input: CONFIGMAP('p1', ns) });
    await k.run(['label', 'cm', 'p1', '-n', ns, 'env=prod']);
    await k.run(['annotate', 'cm', 'p1', '-n', ns, 'owner=team-a']);
    await k.run(['patch', 'cm', 'p1', '-n', ns, '--type=merge', '-p', '{"data":{"extra":"1"}}']);
    await k.run(['patch', 'cm', 'p1', '-n', ns, '--type=json', '-p', '[{"op":"replace","path":"/data/key","value":"changed"}]']);
    const cm = JSON.parse((await k.run(['get', 'cm', 'p1', '-n', ns, '-o', 'json'])).stdout);
    expect(cm.metadata.labels.env).toBe('prod');
    expect(cm.metadata.annotations.owner).toBe('team-a');
    expect(cm.data).toEqual({ key: 'changed', extra: '1' });
    await k.run(['label', 'cm', 'p1', '-n', ns, 'env-']);
    const after = JSON.parse((await k.run(['get', 'cm', 'p1', '-n', ns, '-o', 'json'])).stdout);
    expect(after.metadata.labels?.env).toBeUndefined();
    const failed = await k.run(['patch', 'cm', 'p1', '-n', ns, '--type=json', '-p', '[{"op":"test","path":"/data/key","value":"nope"}]'], {
      expectFail: true,
    });
    // kube-apiserver answers a failed JSON patch test with a bare 422 Invalid.
    expect(failed.stderr).toContain('The request is invalid: the server rejected our request due to an error in our request');
  });

  it('replaces an object and rejects a stale resourceVersion', async () => {
    await k.run(['create', '-f', '-'], { input: CONFIGMAP('r1', ns) });
    const cm = JSON.parse((await k.run(['get', 'cm', 'r1', '-n', ns, '-o', 'json'])).stdout);
    cm.data = { replaced: 'yes' };
    await k.run(['replace', '-f', '-'], { input: JSON.stringify(cm) });
    const stale = await k.run(['replace', '-f', '-'], { input: JSON.stringify(cm), expectFail: true });
    expect(stale.stderr).toMatch(/Conflict|the object has been modified/);
    const now = JSON.parse((await k.run(['get', 'cm', 'r1', '-n', ns, '-o', 'json'])).stdout);
    expect(now.data).toEqual({ replaced: 'yes' });
  });

  it('describes a namespace and a node', async () => {
    const d = await k.run(['describe', 'namespace', ns]);
    expect(d.stdout).toMatch(/^Name:\s+/m);
    expect(d.stdout).toMatch(/^Status:\s+Active/m);
    const n = await k.run(['describe', 'node', 'default-worker']);
    expect(n.stdout).toMatch(/^Name:\s+default-worker/m);
  });

  it('get -w sees a change', async () => {
    await k.run(['create', '-f', '-'], { input: CONFIGMAP('w1', ns) });
    const child = spawn(k.path, ['get', 'cm', 'w1', '-n', ns, '-w', '--output-watch-events'], {
      env: { ...process.env, KUBECONFIG: inject('kubeconfig'), KUBECACHEDIR: `${inject('cacheDir')}/${k.version}` },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await waitFor(() => /ADDED\s+w1/.test(out), 15_000);
      await k.run(['label', 'cm', 'w1', '-n', ns, 'seen=yes']);
      await waitFor(() => /MODIFIED\s+w1/.test(out), 15_000);
    } finally {
      child.kill();
    }
    expect(out).toMatch(/MODIFIED\s+w1/);
  });

  it('delete --wait returns once a finalizer is removed later; wait --for=delete', async () => {
    const held = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: ns, finalizers: ['example.com/hold'] } });
    await k.run(['create', '-f', '-'], { input: held });
    const deleting = k.run(['delete', 'cm', 'held', '-n', ns, '--wait=true', '--timeout=40s'], { timeoutMs: 45_000 });
    const waiting = k.run(['wait', '--for=delete', 'cm/held', '-n', ns, '--timeout=40s'], { timeoutMs: 45_000 });
    await new Promise((r) => setTimeout(r, 1500));
    const marked = JSON.parse((await k.run(['get', 'cm', 'held', '-n', ns, '-o', 'json'])).stdout);
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    await k.run(['patch', 'cm', 'held', '-n', ns, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const [d, w] = await Promise.all([deleting, waiting]);
    expect(d.stdout).toContain('configmap "held" deleted');
    expect(w.stdout).toMatch(/configmap\/held condition met/);
    const gone = await k.run(['get', 'cm', 'held', '-n', ns], { expectFail: true });
    expect(gone.stderr).toContain('configmaps "held" not found');
  });

  it('explains fields from the OpenAPI schema', async () => {
    const { stdout } = await k.run(['explain', 'pod.spec.containers']);
    expect(stdout).toMatch(/KIND:\s+Pod/);
    expect(stdout).toMatch(/image\s+<string>/);
    expect(stdout.toLowerCase()).toContain('container image name');
  });
});

async function waitFor(cond: () => boolean, timeoutMs: number) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
