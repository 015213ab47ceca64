// The kubelet's static pods: a control-plane node's kubelet runs the manifests kubeadm wrote to
// /etc/kubernetes/manifests and keeps a mirror pod for each in the API. Deleting a mirror pod does
// not stop the component: the kubelet posts the mirror pod again (a new UID, same name).
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import { addonNetwork, isMirrorPod, mirrorPods, seedNode } from '../durable/kube-system';
import { kubeletRunning, KUBELET_ANNOTATION } from './kubelet';
import { systemCall, type ClusterContext } from './context';

export function staticPodsController(ctx: ClusterContext): Controller {
  return {
    name: 'static-pods',
    keysFor(e) {
      if (e.resource === 'pods' && e.type === 'DELETED' && isMirrorPod(e.object)) {
        const nodeName = (e.object.spec as { nodeName?: string } | undefined)?.nodeName;
        return nodeName ? [nodeName] : [];
      }
      // A kubelet that starts again posts whatever mirror pods went missing while it was stopped.
      if (e.resource === 'nodes' && e.type === 'MODIFIED' && e.prev?.metadata.annotations?.[KUBELET_ANNOTATION] !== e.object.metadata.annotations?.[KUBELET_ANNOTATION]) {
        return [e.name];
      }
      return [];
    },
    reconcile(nodeName) {
      const node = ctx.store.get('nodes', '', nodeName);
      if (!node || !kubeletRunning(node)) return;
      const seed = seedNode(node);
      if (!seed.controlPlane) return;
      const net = addonNetwork(ctx.store.get('servicecidrs.networking.k8s.io', '', 'kubernetes'));
      for (const pod of mirrorPods(seed, nowTimestamp(), net)) {
        if (ctx.store.get('pods', 'kube-system', pod.metadata.name!)) continue;
        systemCall(ctx, 'kubelet', { verb: 'create', resource: 'pods', namespace: 'kube-system', body: pod });
      }
    },
  };
}
