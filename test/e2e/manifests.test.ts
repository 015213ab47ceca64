/// <reference types="node" />
// Every manifest of ../shared/manifests (written by the Kubernetes project) is created with real
// kubectl and strict validation. Each file gets its own namespace (namespaces in the files are
// replaced), so files that share object names don't collide.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { kubectl, kubectlPath, uniqueName } from './kubectl';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CORPUS = path.resolve(ROOT, '..', 'shared', 'manifests');

/** Files a real 1.33 cluster rejects too, and why. */
const EXPECTED_FAILURES: Record<string, RegExp> = {
  // API versions removed from Kubernetes (batch/v1beta1 1.25, extensions/v1beta1 1.22, policy/v1beta1 1.25).
  'k8s-website/application/job/cronjob.yaml': /no matches for kind "CronJob" in version "batch\/v1beta1"/,
  'k8s-examples/_archived/cockroachdb/cockroachdb-statefulset.yaml': /no matches for kind "PodDisruptionBudget" in version "policy\/v1beta1"/,
  'k8s-examples/_archived/newrelic-infrastructure/newrelic-infra-daemonset.yaml': /no matches for kind "DaemonSet" in version "extensions\/v1beta1"/,
  // `gRPC` is not a field of Probe (it is `grpc`): strict validation rejects it.
  'k8s-website/pods/probe/grpc-liveness.yaml': /unknown field "(spec\.containers\[0\]\.livenessProbe\.)?gRPC"/,
  // Toleration operators Gt/Lt arrived after 1.33; a 1.33 API server rejects them.
  // The pod names a ServiceAccount the file does not create: ServiceAccount admission refuses it.
  'k8s-website/pods/pod-projected-svc-token.yaml': /error looking up service account [a-z0-9-]+\/build-robot: serviceaccount "build-robot" not found/,
  'k8s-website/pods/pod-with-numeric-toleration.yaml': /spec\.tolerations\[0\]\.operator: Unsupported value: "Gt": supported values: "Equal", "Exists"/,
};

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass',
  'CustomResourceDefinition', 'IngressClass', 'RuntimeClass', 'CSIDriver', 'VolumeAttachment',
]);

/** The file's documents as JSON, namespaced objects moved to `ns`, cluster-scoped names made unique. */
function retarget(text: string, suffix: string): object[] {
  const docs: object[] = [];
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; items?: unknown[] } | null;
    if (!obj || typeof obj !== 'object') continue;
    const items = obj.kind === 'List' ? ((obj.items ?? []) as (typeof obj)[]) : [obj];
    for (const item of items) {
      if (item.metadata) {
        if (CLUSTER_SCOPED.has(item.kind ?? '')) item.metadata.name = `${item.metadata.name}-${suffix}`;
        else delete item.metadata.namespace;
      }
      docs.push(item);
    }
  }
  return docs;
}

const all = files(CORPUS).sort();

describe.skipIf(!kubectlPath('1.33') || all.length === 0)(`shared manifests (${all.length} files) — kubectl 1.33`, () => {
  it('creates every manifest with strict validation', async () => {
    const failures: string[] = [];
    let created = 0;
    for (const [i, file] of all.entries()) {
      const rel = path.relative(CORPUS, file);
      const ns = uniqueName(`m${i}`);
      await kubectl('1.33', ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) });
      const docs = retarget(fs.readFileSync(file, 'utf8'), ns);
      if (!docs.length) continue;
      const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs });
      const r = await kubectl('1.33', ['create', '-n', ns, '-f', '-'], { input, timeoutMs: 30_000 }).catch((e: Error) => ({
        code: 1,
        stdout: '',
        stderr: e.message,
      }));
      const expected = EXPECTED_FAILURES[rel];
      if (expected) {
        if (!expected.test(r.stderr)) failures.push(`${rel}: expected ${expected} but got: ${r.stderr.slice(0, 400)}`);
        continue;
      }
      if (r.code !== 0) failures.push(`${rel}: ${r.stderr.slice(0, 600)}`);
      else created++;
    }
    expect(failures).toEqual([]);
    expect(created).toBeGreaterThan(100);
  }, 600_000);
});
