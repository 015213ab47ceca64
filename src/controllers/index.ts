// The controllers of a sandbox's control loop, in the order they are registered.
import type { PodsByNode } from '../durable/caches';
import type { Controller } from '../durable/control-loop';
import type { ClusterContext } from './context';
import { clusterRoleAggregationController } from './clusterrole-aggregation';
import { apiserverEndpointsController } from './apiserver-endpoints';
import { cronJobController } from './cronjob';
import { daemonSetController } from './daemonset';
import { deploymentController } from './deployment';
import { disruptionController } from './disruption';
import { endpointsController } from './endpoints';
import { endpointSliceController } from './endpointslice';
import { garbageCollector } from './garbage-collector';
import { horizontalPodAutoscalerController } from './horizontal-pod-autoscaler';
import { jobController } from './job';
import { namespaceController } from './namespace';
import { resourceQuotaController } from './resource-quota';
import { rootCAPublisher } from './root-ca-publisher';
import { serviceAccountController } from './serviceaccount';
import { serviceAccountTokenController } from './serviceaccount-token';
import { kubeletController } from './kubelet';
import { kubeSystemAddons } from './kube-system-addons';
import { nodeLifecycleController } from './node-lifecycle';
import { pvProtectionController } from './pv-protection';
import { pvcProtectionController } from './pvc-protection';
import { replicaSetController } from './replicaset';
import { schedulerController } from './scheduler';
import { serviceController } from './service';
import { statefulSetController } from './statefulset';
import { staticPodsController } from './static-pods';
import { volumeProvisioner } from './volume-provisioner';

export function controllers(cc: ClusterContext, pods: PodsByNode): Controller[] {
  return [
    schedulerController(cc),
    kubeletController(cc, pods),
    nodeLifecycleController(cc, pods),
    ...(['ReplicaSet', 'ReplicationController'] as const).map((kind) => replicaSetController(cc, kind)),
    deploymentController(cc),
    daemonSetController(cc),
    statefulSetController(cc),
    volumeProvisioner(cc),
    pvcProtectionController(cc),
    pvProtectionController(cc),
    jobController(cc),
    cronJobController(cc),
    disruptionController(cc),
    horizontalPodAutoscalerController(cc),
    serviceController(cc),
    apiserverEndpointsController(cc),
    endpointsController(cc),
    endpointSliceController(cc),
    clusterRoleAggregationController(cc),
    garbageCollector(cc),
    namespaceController(cc),
    serviceAccountController(cc),
    rootCAPublisher(cc),
    serviceAccountTokenController(cc),
    resourceQuotaController(cc),
    kubeSystemAddons(cc),
    staticPodsController(cc),
  ];
}
