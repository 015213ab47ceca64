// The scale subresource: an autoscaling/v1 Scale view of workloads (deployments, replicasets,
// statefulsets, replication controllers) and of custom resources with a scale subresource.
import { isObj, selectorOf, selectorString } from './common';
import type { KObject, ResourceDef } from './types';


/** Read a simple JSON path such as `.spec.replicas`. */
function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.').filter(Boolean)) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.').filter(Boolean);
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isObj(cur[part])) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

function paths(def: ResourceDef) {
  return {
    spec: def.scalePaths?.specReplicasPath ?? '.spec.replicas',
    status: def.scalePaths?.statusReplicasPath ?? '.status.replicas',
    selector: def.scalePaths?.labelSelectorPath,
  };
}

export function scaleOf(def: ResourceDef, obj: KObject) {
  const p = paths(def);
  const selector = p.selector ? getPath(obj, p.selector) : selectorString(selectorOf((obj.spec as { selector?: unknown } | undefined)?.selector) ?? []);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: (getPath(obj, p.spec) as number | undefined) ?? 0 },
    status: { replicas: (getPath(obj, p.status) as number | undefined) ?? 0, selector: typeof selector === 'string' ? selector : '' },
  };
}

export function setScaleReplicas(def: ResourceDef, obj: KObject, replicas: number): void {
  setPath(obj as Record<string, unknown>, paths(def).spec, replicas);
}
