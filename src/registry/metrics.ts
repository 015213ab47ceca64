// metrics.k8s.io/v1beta1 (what metrics-server serves): read-only NodeMetrics and PodMetrics, computed
// from the simulated kubelets' usage model when read (nothing is stored).
import type { ResourceDef } from './types';

export const METRICS_GROUP = 'metrics.k8s.io';

export const resources: ResourceDef[] = [
  { group: METRICS_GROUP, version: 'v1beta1', resource: 'nodes', singular: '', kind: 'NodeMetrics', scope: 'Cluster', verbs: ['get', 'list'] },
  { group: METRICS_GROUP, version: 'v1beta1', resource: 'pods', singular: '', kind: 'PodMetrics', scope: 'Namespaced', verbs: ['get', 'list'] },
];
