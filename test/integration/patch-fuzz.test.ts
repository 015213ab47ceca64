// Random patches (JSON, merge, strategic, apply) against a stored Deployment: the server never
// answers 500, and the stored object is either the valid result of the patch or unchanged.
import { describe, expect, it } from 'vitest';
import { k } from './helpers';

/** A small deterministic PRNG so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PATHS = [
  ['spec', 'replicas'],
  ['spec', 'selector'],
  ['spec', 'selector', 'matchLabels'],
  ['spec', 'template', 'spec', 'containers'],
  ['spec', 'template', 'spec', 'containers', 0],
  ['spec', 'template', 'spec', 'containers', 0, 'image'],
  ['spec', 'template', 'spec', 'containers', 0, 'ports'],
  ['spec', 'template', 'metadata', 'labels'],
  ['spec', 'strategy'],
  ['metadata', 'labels'],
  ['metadata', 'name'],
  ['metadata', 'finalizers'],
  ['status'],
  ['kind'],
];

function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return Math.floor(r() * 2000) - 1000;
    case 2:
      return ['nginx', '', 'x'.repeat(300), 'web', 'A_B', '$patch'][Math.floor(r() * 6)];
    case 3:
      return r() < 0.5;
    case 4:
      return 1.5;
    case 5:
      return { name: 'web', image: 'nginx' };
    case 6:
      return [randomValue(r, depth + 1), randomValue(r, depth + 1)];
    case 7:
      return { $patch: ['replace', 'delete', 'merge', 'bogus'][Math.floor(r() * 4)], name: 'web' };
    default:
      return { [['app', 'name', 'containerPort', '$setElementOrder/containers', '$retainKeys'][Math.floor(r() * 5)]]: randomValue(r, depth + 1) };
  }
}

function nest(path: (string | number)[], value: unknown): unknown {
  return path.reduceRight<unknown>((acc, p) => (typeof p === 'number' ? [acc] : { [p]: acc }), value);
}

function randomPatch(r: () => number): { type: string; body: unknown } {
  const path = PATHS[Math.floor(r() * PATHS.length)];
  const value = randomValue(r);
  switch (Math.floor(r() * 4)) {
    case 0: {
      const op = ['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'][Math.floor(r() * 7)];
      return { type: 'application/json-patch+json', body: [{ op, path: `/${path.join('/')}`, value, from: '/spec/replicas' }] };
    }
    case 1:
      return { type: 'application/merge-patch+json', body: nest(path, value) };
    case 2:
      return { type: 'application/strategic-merge-patch+json', body: nest(path, value) };
    default:
      return {
        type: 'application/apply-patch+yaml',
        body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fuzz' }, ...(nest(path, value) as object) },
      };
  }
}

/**
 * The object without what controllers write (status, the deployment controller's revision
 * annotation) and the bookkeeping that follows each write.
 */
function userView(o: { status?: unknown; metadata: Record<string, unknown> }) {
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = o.metadata;
  const annotations = { ...(metadata.annotations as Record<string, string> | undefined) };
  delete annotations['deployment.kubernetes.io/revision'];
  return { ...o, status: undefined, metadata: { ...metadata, annotations: Object.keys(annotations).length ? annotations : undefined } };
}

describe('patch fuzzing', () => {
  it('never answers 500 and never half-writes the stored object', async () => {
    await k('POST', '/api/v1/namespaces', { metadata: { name: 'fuzz' } });
    const base = '/apis/apps/v1/namespaces/fuzz/deployments';
    const created = await k('POST', base, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'fuzz', labels: { app: 'fuzz' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'fuzz' } },
        template: { metadata: { labels: { app: 'fuzz' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
      },
    });
    expect(created.status).toBe(201);
    const r = rng(20261126);
    const seen = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const before = await k('GET', `${base}/fuzz`);
      const { type, body } = randomPatch(r);
      const q = type === 'application/apply-patch+yaml' ? '?fieldManager=fuzz&force=true' : '';
      const res = await k('PATCH', `${base}/fuzz${q}`, body, { 'Content-Type': type });
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      if (res.status >= 500) throw new Error(`patch ${i} (${type}) ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
      const after = await k('GET', `${base}/fuzz`);
      expect(after.status).toBe(200);
      // The deployment controller writes status meanwhile: compare what the patches can change.
      if (res.status >= 400) {
        expect(res.body.kind).toBe('Status');
        // Rejected whole: nothing changed.
        expect(userView(after.body)).toEqual(userView(before.body));
      } else {
        // Accepted: what is stored is what was answered, and still a valid Deployment.
        expect(userView(after.body)).toEqual(userView(res.body));
        expect(after.body.spec.template.spec.containers.length).toBeGreaterThan(0);
        expect(after.body.metadata.name).toBe('fuzz');
      }
    }
    // The generator must exercise both outcomes.
    expect([...seen.keys()].some((s) => s < 300)).toBe(true);
    expect([...seen.keys()].some((s) => s >= 400)).toBe(true);
  });
});
